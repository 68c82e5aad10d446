"""驾驶舱 (issue 13 §4): the six responsibilities side by side — a mine's branches in the mine's latest run, or every
mine of the group by its mine-level figures (the mean of its branches). Reads only; scope as everywhere in the
scorecard: a secretary their own branch's row, the committee its mine, the group all mines."""

from dataclasses import dataclass, field

from common.errors import NotFound
from common.modules import RESPONSIBILITIES
from orgs.models import OrgKind, OrgNode
from scorecard import access
from scorecard.models import Run, RunBranch

AXES = tuple(range(1, 7))


def axes():
    return [RESPONSIBILITIES[n][0] for n in AXES]


def dashboard_mines(user):
    """The mines whose dashboard the user may open, by path (a secretary's and a mine committee's: their one mine)."""
    return list(OrgNode.objects.filter(pk__in=access.mine_ids(user), kind=OrgKind.MINE).order_by("path"))


def get_mine(user, pk):
    mine = next((m for m in dashboard_mines(user) if m.pk == pk), None)
    if mine is None:
        raise NotFound()
    return mine


def latest_runs(user, mines):
    """{mine pk: its latest run the user reads} — the newest computed, whatever the scheme (one read)."""
    latest = {}
    qs = (
        Run.objects.visible_to(user)
        .filter(scheme__mine__in=[m.pk for m in mines])
        .select_related("scheme__mine", "created_by__person")
        .order_by("-created_at", "-pk")
    )
    for r in qs[:2000]:
        latest.setdefault(r.scheme.mine_id, r)
    return latest


def _mean(values):
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 1) if values else None


@dataclass
class MineBoard:
    mine: OrgNode
    run: Run | None
    rows: list = field(default_factory=list)  # RunBranch with .axes (six scores or None)
    mean: float | None = None
    vetoed: int = 0
    axes: list = field(default_factory=list)  # the mine-level six: the mean of its branches


def _board(mine, the_run, rows):
    for r in rows:
        r.axes = [r.responsibilities.get(str(n)) for n in AXES]
    return MineBoard(
        mine=mine,
        run=the_run,
        rows=rows,
        mean=_mean([r.total for r in rows]),
        vetoed=sum(1 for r in rows if r.vetoed),
        axes=[_mean([r.axes[i] for r in rows]) for i in range(len(AXES))],
    )


def mine_board(user, mine):
    """The mine's latest run and its branches the user may see, ranked (rank first, unranked last)."""
    the_run = latest_runs(user, [mine]).get(mine.pk)
    if the_run is None:
        return MineBoard(mine=mine, run=None, axes=[None] * len(AXES))
    rows = list(
        RunBranch.objects.visible_to(user).filter(run=the_run).select_related("branch").order_by("rank", "branch__path")
    )
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.branch.path))
    return _board(mine, the_run, rows)


def group_board(user, mines):
    """Every mine the user reads, with or without a run, each by its mine-level figures (two reads in all)."""
    latest = latest_runs(user, mines)
    by_run = {}
    for row in (
        RunBranch.objects.visible_to(user)
        .filter(run__in=list(latest.values()))
        .only("run_id", "branch_id", "total", "vetoed", "responsibilities", "rank")
    ):
        by_run.setdefault(row.run_id, []).append(row)
    out = []
    for mine in mines:
        the_run = latest.get(mine.pk)
        if the_run is None:
            out.append(MineBoard(mine=mine, run=None, axes=[None] * len(AXES)))
        else:
            out.append(_board(mine, the_run, by_run.get(the_run.pk, [])))
    return out


def chart(names, links, six):
    """What scorecard.js draws as bars side by side: one bar series per responsibility over the names (branches or
    mines), a tap on a bar opens ``links[index]``."""
    return {
        "axes": axes(),
        "names": names,
        "links": links,
        "series": [[row[i] for row in six] for i in range(len(AXES))],
    }
