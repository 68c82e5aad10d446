"""Figures of the scorecard (SPEC §8, issue 13): a mine's scorecard for a year ≤ 0.5 s, the group's ≤ 3 s, a
branch-year 述职 draft ≤ 5 s."""

import time
from datetime import date

from django.utils import timezone

from bench.harness import Measured, figure


def _year_scheme(b, mine):
    from scorecard import services

    today = timezone.localdate()
    return services.create_example_scheme(b.accounts["committee"], mine=mine, start=date(today.year, 1, 1), end=today)


def _best_of(fn, n=3):
    best = None
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    return best


@figure("scorecard_mine_year", target=500, unit="ms", order=80)
def scorecard_mine_year(b):
    """Every indicator of every branch of the first mine over this year, with the fingerprint (what a run and the
    ranking page's "data changed since" both compute)."""
    from scorecard import access, services

    with b.rolled_back():
        scheme = _year_scheme(b, b.mine)
        branches = access.branches_of(b.mine)
        seconds = _best_of(lambda: services.compute(scheme, timezone.localdate(), branches))
    return Measured(seconds * 1000, note=f"{len(branches)} 个支部")


@figure("scorecard_ranking_page", target=500, unit="ms", order=81)
def scorecard_ranking_page(b):
    """The ranking page of a stored year run as the mine's 党委 (it recomputes the fingerprint to say whether the
    data changed since)."""
    from scorecard import services

    with b.rolled_back():
        scheme = _year_scheme(b, b.mine)
        the_run = services.run(b.accounts["committee"], scheme=scheme)
        client = b.client(b.accounts["committee"])
        seconds = _best_of(lambda: client.get(f"/scorecard/runs/{the_run.pk}/"))
    return Measured(seconds * 1000)


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
        seconds = _best_of(lambda: client.get(f"/scorecard/runs/{the_run.pk}/branches/{branch.pk}/report.docx"), n=2)
    return Measured(seconds)
