"""Figures of the scorecard (SPEC §8, issue 13): a mine's scorecard for a year ≤ 0.5 s, the group's ≤ 3 s, a
branch-year 述职 draft ≤ 5 s."""

import time
from datetime import date

from django.utils import timezone

from bench.harness import Measured, Stats, figure, percentile


def _year_scheme(b, mine):
    from scorecard import services

    today = timezone.localdate()
    return services.create_example_scheme(b.accounts["committee"], mine=mine, start=date(today.year, 1, 1), end=today)


def _repeated(fn, n=5, scale=1.0):
    """Run ``fn`` ``n`` times: a Measured of the median time (not the best one, which flatters), with its stats."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * scale)
    return Measured(percentile(times, 50), stats=Stats.of(times))


@figure("scorecard_mine_year", target=500, unit="ms", order=80)
def scorecard_mine_year(b):
    """Every indicator of every branch of the first mine over this year, with the fingerprint (what a run and the
    ranking page's "data changed since" both compute)."""
    from scorecard import access, services

    with b.rolled_back():
        scheme = _year_scheme(b, b.mine)
        branches = access.branches_of(b.mine)
        m = _repeated(lambda: services.compute(scheme, timezone.localdate(), branches), scale=1000)
    m.note = f"{len(branches)} 个支部; the median of 5"
    return m


@figure("scorecard_ranking_page", target=500, unit="ms", order=81)
def scorecard_ranking_page(b):
    """The ranking page of a stored year run as the mine's 党委 (it recomputes the fingerprint to say whether the
    data changed since)."""
    from scorecard import services

    with b.rolled_back():
        scheme = _year_scheme(b, b.mine)
        the_run = services.run(b.accounts["committee"], scheme=scheme)
        client = b.client(b.accounts["committee"])
        m = _repeated(lambda: client.get(f"/scorecard/runs/{the_run.pk}/"), scale=1000)
    m.note = "the median of 5"
    return m


@figure("scorecard_shuzhi_docx", target=5, unit="s", order=82)
def scorecard_shuzhi_docx(b):
    """The 述职 draft (Word) of the secretary's branch for the year."""
    from scorecard import services

    with b.rolled_back():
        scheme = _year_scheme(b, b.mine)
        the_run = services.run(b.accounts["committee"], scheme=scheme)
        secretary = b.accounts["secretary"]
        branch = secretary.role_assignments.get(role="secretary").org
        client = b.client(secretary)
        m = _repeated(lambda: client.get(f"/scorecard/runs/{the_run.pk}/branches/{branch.pk}/report.docx"), n=3)
    m.note = "the median of 3"
    return m
