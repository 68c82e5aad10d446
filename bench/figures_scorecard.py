"""Figures of the scorecard (SPEC §8, issue 13): a mine's scorecard for a year ≤ 0.5 s, the group's (40 mines) ≤ 3 s,
a branch-year 述职 draft ≤ 5 s; beside them the ranking page and the monthly branch report.

Discovered by ``bench/run.py`` like every ``bench/figures*.py``. Each figure works inside ``b.rolled_back()``
(the schemes and runs it makes leave nothing behind); the generated documents are made by the same build the
background worker runs (``common.generated.run``) and their files removed afterwards.
"""

import time
from datetime import date

from django.utils import timezone

from bench.harness import Measured, Stats, figure, percentile


def _year_scheme(b, mine, user=None):
    from scorecard import services

    today = timezone.localdate()
    user = user or b.accounts["committee"]
    return services.create_example_scheme(user, mine=mine, start=date(today.year, 1, 1), end=today)


def _repeated(fn, n=5, scale=1.0, note=""):
    """Run ``fn`` ``n`` times: a Measured of the median time (not the best one, which flatters), with its spread."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * scale)
    median_note = f"the median of {n}" if n > 1 else "one run"
    return Measured(
        percentile(times, 50), stats=Stats.of(times), note=f"{note}; {median_note}" if note else median_note
    )


@figure("scorecard_mine_year", target=500, unit="ms", order=80)
def scorecard_mine_year(b):
    """Every indicator of every branch of the first mine over this year, with the fingerprint (what a run and the
    ranking page's "data changed since" both compute)."""
    from scorecard import access, services

    with b.rolled_back():
        scheme = _year_scheme(b, b.mine)
        branches = access.branches_of(b.mine)
        return _repeated(
            lambda: services.compute(scheme, timezone.localdate(), branches), scale=1000, note=f"{len(branches)} 个支部"
        )


@figure("scorecard_group_year", target=3, unit="s", order=81)
def scorecard_group_year(b):
    """Every mine's scorecard for this year (the group 党委's view), computed together by ``compute_many``: 40 mines
    at size group; at a smaller size the mines there are (the note says how many)."""
    from orgs.models import OrgKind, OrgNode, Role, RoleAssignment, User
    from scorecard import access, services

    mines = list(OrgNode.objects.filter(kind=OrgKind.MINE).order_by("path"))
    with b.rolled_back():
        # each mine's scheme is set by that mine's 党委: here the bench's 党委 account is one of every mine (undone)
        committee = b.accounts["committee"]
        for m in mines:
            RoleAssignment.objects.get_or_create(user=committee, role=Role.COMMITTEE, org=m)
        committee = User.objects.get(pk=committee.pk)
        plans = [(_year_scheme(b, m, committee), access.branches_of(m)) for m in mines]
        today = timezone.localdate()

        def every_mine():  # the indicators read once over all the mines' branches (a fixed number of queries)
            services.compute_many([(scheme, today, branches) for scheme, branches in plans])

        branches = sum(len(br) for _, br in plans)
        note = f"{len(mines)} 个矿、{branches} 个支部" + ("" if len(mines) >= 40 else "(40 个矿的数字:SIZE=group)")
        return _repeated(every_mine, n=3 if len(mines) > 2 else 5, note=note)


@figure("scorecard_ranking_page", target=500, unit="ms", order=82)
def scorecard_ranking_page(b):
    """The ranking page of a stored year run as the mine's 党委 (it recomputes the fingerprint to say whether the
    data changed since)."""
    from scorecard import services

    with b.rolled_back():
        scheme = _year_scheme(b, b.mine)
        the_run = services.run(b.accounts["committee"], scheme=scheme)
        client = b.client(b.accounts["committee"])
        return _repeated(lambda: client.get(f"/scorecard/runs/{the_run.pk}/"), scale=1000)


def _generated(user, kind, params):
    """Seconds of the background build of one file (the worker's own code path), the file removed afterwards."""
    from common import generated
    from common.models import FileStatus, GeneratedFile

    job = GeneratedFile.objects.create(kind=kind, label="bench", user=user, params=params)
    t0 = time.perf_counter()
    generated.run(job.pk)
    seconds = time.perf_counter() - t0
    job.refresh_from_db()
    path = generated.stored_path(job)
    if path is not None:
        path.unlink(missing_ok=True)
    if job.status != FileStatus.DONE:
        raise RuntimeError(f"{kind}: {job.message}")
    return seconds, job.size


def _shuzhi(b, fmt):
    from scorecard import services

    with b.rolled_back():
        scheme = _year_scheme(b, b.mine)
        the_run = services.run(b.accounts["committee"], scheme=scheme)
        secretary = b.accounts["secretary"]
        branch = secretary.role_assignments.get(role="secretary").org
        params = {"run": the_run.pk, "branch": branch.pk, "format": fmt}
        runs = [_generated(secretary, "scorecard_shuzhi", params) for _ in range(3)]
    times = [seconds for seconds, _ in runs]
    return Measured(percentile(times, 50), stats=Stats.of(times), note=f"{runs[0][1] // 1024} KB; the median of 3")


@figure("scorecard_shuzhi_docx", target=5, unit="s", order=83)
def scorecard_shuzhi_docx(b):
    """The 述职 draft (Word) of the secretary's branch for the year, built as the background worker builds it."""
    return _shuzhi(b, "docx")


@figure("scorecard_shuzhi_pdf", target=5, unit="s", order=84)
def scorecard_shuzhi_pdf(b):
    """The same draft as PDF (WeasyPrint, CJK font)."""
    return _shuzhi(b, "pdf")


@figure("scorecard_monthly_docx", target=5, unit="s", order=85)
def scorecard_monthly_docx(b):
    """The secretary's monthly branch report (Word) for last month: every indicator computed for the branch, then the
    hazards not closed on time, tasks and measures."""
    secretary = b.accounts["secretary"]
    branch = secretary.role_assignments.get(role="secretary").org
    month = timezone.localdate().replace(day=1)
    last = (month - timezone.timedelta(days=1)).replace(day=1)
    params = {"branch": branch.pk, "month": f"{last:%Y-%m}", "format": "docx"}
    with b.rolled_back():
        runs = [_generated(secretary, "scorecard_monthly", params) for _ in range(3)]
    times = [seconds for seconds, _ in runs]
    return Measured(percentile(times, 50), stats=Stats.of(times), note=f"{runs[0][1] // 1024} KB; the median of 3")
