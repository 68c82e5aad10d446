"""The figures of ``services.branch_figures`` for many branches at once (the scorecard reads a mine's branches):
the same counts, grouped by org node in a fixed number of queries whatever the number of branches; the legal clock
of each petition is the one of ``stability.clock`` with the numbers of its branch's mine."""

from django.db.models import Count
from django.utils import timezone

from common.sqlids import id_list
from orgs.models import OrgKind, OrgNode
from stability import clock
from stability.models import LOCAL_LEVELS, Factor, FactorStatus, Petition, StabilitySettings
from stability.services import CLOCK_FIELDS


def _numbers(branches):
    """{branch pk: clock.Numbers of its mine} (the mine's settings, or the defaults of a mine that has none yet)."""
    paths = {p for b in branches for p in b.ancestor_paths()}
    mines = list(OrgNode.objects.filter(path__in=paths, kind=OrgKind.MINE).values_list("pk", "path", "depth"))
    found = {s.mine_id: s for s in StabilitySettings.objects.filter(mine_id__in=[m[0] for m in mines])}
    out = {}
    for b in branches:
        mine = max((m for m in mines if b.path.startswith(m[1])), key=lambda m: m[2], default=None)
        if mine is not None:
            out[b.pk] = clock.Numbers.of(found.get(mine[0]) or StabilitySettings(mine_id=mine[0]))
    return out


def _share(settled, local):
    return round(local * 100 / settled) if settled else None


def branch_figures_many(*, branches, nodes, start, end):
    """{branch pk: the mapping ``services.branch_figures(branch=…, start, end)`` returns} for each of ``branches``;
    ``nodes`` is {org node pk: branch pk}, every node under each branch (the scorecard's ``Context.nodes()``). No
    scope check: the caller has already decided the user may see the branches."""
    today = min(end, timezone.localdate())
    numbers = _numbers(branches)
    ids = id_list(nodes)
    out = {
        b.pk: {
            "petitions_received": 0,
            "petitions_settled": 0,
            "petitions_settled_locally": 0,
            "petitions_overdue": 0,
            "local_share": None,
            "factors_in_control": 0,
            "factors_resolved": 0,
        }  # fmt: skip
        for b in branches
    }

    def row_of(org_id):
        return out.get(nodes.get(org_id))

    received = (
        Petition.objects.filter(org_id__in=ids, received_on__gte=start, received_on__lte=end)
        .values("org_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for r in received:
        if (row := row_of(r["org_id"])) is not None:
            row["petitions_received"] += r["n"]
    settled = (
        Petition.objects.filter(org_id__in=ids, answered_on__gte=start, answered_on__lte=end)
        .exclude(level="")
        .values("org_id", "level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for r in settled:
        if (row := row_of(r["org_id"])) is not None:
            row["petitions_settled"] += r["n"]
            if r["level"] in LOCAL_LEVELS:
                row["petitions_settled_locally"] += r["n"]
    for p in Petition.objects.filter(org_id__in=ids, received_on__lte=end).only(*CLOCK_FIELDS).order_by():
        if p.received_on < start and p.answered_on and p.answered_on < start:
            continue
        branch = nodes.get(p.org_id)
        if branch in numbers and clock.is_overdue(p, today, numbers[branch]):
            out[branch]["petitions_overdue"] += 1
    factors = Factor.objects.filter(org_id__in=ids)
    for key, rows in (
        (
            "factors_in_control",
            factors.filter(found_on__lte=end).exclude(status=FactorStatus.RESOLVED, closed_on__lte=end),
        ),
        ("factors_resolved", factors.filter(status=FactorStatus.RESOLVED, closed_on__gte=start, closed_on__lte=end)),
    ):
        for r in rows.values("org_id").annotate(n=Count("pk")).order_by():
            if (row := row_of(r["org_id"])) is not None:
                row[key] += r["n"]
    for row in out.values():
        row["local_share"] = _share(row["petitions_settled"], row["petitions_settled_locally"])
    return out
