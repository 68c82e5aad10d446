"""The figures of ``services.branch_figures`` for many branches at once (the scorecard reads a mine's branches):
the same counts, grouped by org node in three queries whatever the number of branches."""

from django.db.models import Count, F, Q

from common.sqlids import id_list
from leadership.models import Decision, Meeting, Rectification

ZERO = {
    "meetings_held": 0,
    "meetings_valid": 0,
    "decisions": 0,
    "decisions_done": 0,
    "decisions_overdue": 0,
    "decisions_done_late": 0,
    "rectifications_closed": 0,
    "rectifications_open": 0,
    "rectifications_overdue": 0,
}


def branch_figures_many(*, branches, nodes, start, end):
    """{branch pk: the mapping ``services.branch_figures(branch=…, start, end)`` returns} for each of ``branches``;
    ``nodes`` is {org node pk: branch pk}, every node under each branch, the branch itself included (the scorecard's
    ``Context.nodes()``). The caller has checked the branches are in scope."""
    out = {b.pk: dict(ZERO) for b in branches}

    def add(rows, org_key, names):
        for row in rows:
            branch = nodes.get(row[org_key])
            if branch in out:
                for key, name in names.items():
                    out[branch][name] += row[key]

    ids = id_list(nodes)
    meetings = (
        Meeting.objects.filter(org_id__in=ids, held=True, date__gte=start, date__lte=end)
        .values("org_id")
        .annotate(held=Count("pk"), valid=Count("pk", filter=Q(valid=True)))
        .order_by()
    )
    add(meetings, "org_id", {"held": "meetings_held", "valid": "meetings_valid"})
    decisions = (
        Decision.objects.filter(meeting__org_id__in=ids, meeting__date__gte=start, meeting__date__lte=end)
        .values("meeting__org_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(done_on__isnull=False, done_on__lte=end)),
            overdue=Count("pk", filter=Q(deadline__lt=end) & (Q(done_on=None) | Q(done_on__gt=end))),
            done_late=Count("pk", filter=Q(done_on__isnull=False, done_on__gt=F("deadline"))),
        )
        .order_by()
    )
    add(decisions, "meeting__org_id", {"total": "decisions", "done": "decisions_done",
                                      "overdue": "decisions_overdue", "done_late": "decisions_done_late"})  # fmt: skip
    rectifications = (
        Rectification.objects.filter(life__org_id__in=ids)
        .values("life__org_id")
        .annotate(
            closed=Count("pk", filter=Q(checked_on__gte=start, checked_on__lte=end)),
            open=Count("pk", filter=Q(life__date__lte=end) & (Q(checked_on=None) | Q(checked_on__gt=end))),
            overdue=Count(
                "pk", filter=Q(life__date__lte=end, deadline__lt=end) & (Q(checked_on=None) | Q(checked_on__gt=end))
            ),
        )
        .order_by()
    )
    add(rectifications, "life__org_id", {"closed": "rectifications_closed", "open": "rectifications_open",
                                         "overdue": "rectifications_overdue"})  # fmt: skip
    return out
