"""党员身边无违章, computed (never stored): per member and month.

A member is 达标 for a month when they answered for someone or somewhere during it, and none of their 包保对象 and
none of their 责任区 locations had a violation *while they answered for it*: a violation of a worker before the
worker was assigned to them, or after the assignment ended, belongs to whoever answered then. Violations revoked on
appeal do not count. "Days since the last one" counts from the last violation that counted against the member (or
from the start of their first assignment when there never was one) to the day of the reckoning.

Queries: assignments with their workers and locations (3), violations of those workers and locations (1) — for any
number of members.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Q
from django.utils import timezone

from common.sqlids import id_list
from vanguard.models import Assignment

MANY = 500  # workers and places answered for, past which the mine's violations are read whole


def month_bounds(month):
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


@dataclass
class MemberMonth:
    member_id: int
    assigned: bool  # answered for someone or somewhere during the month
    violations: list = field(default_factory=list)  # (date, person_id, location_id, violation_id) counted this month
    last_violation: date | None = None
    since: date | None = None  # start of the first assignment
    as_of: date | None = None
    workers: set = field(default_factory=set)
    locations: set = field(default_factory=set)

    @property
    def compliant(self):
        return self.assigned and not self.violations

    @property
    def days_clean(self):
        start = self.last_violation or self.since
        return (self.as_of - start).days if start and self.as_of else None


def _load(member_ids, until):
    """Every assignment of these members that started by ``until``, with worker and location ids. The ids are written
    into the SQL (``common.sqlids``): a group's members are tens of thousands, too many to bind one by one."""
    member_ids = list(member_ids)
    if not member_ids:
        return []
    assignments = list(
        Assignment.objects.filter(member_id__in=id_list(member_ids), starts_on__lte=until).values(
            "pk", "member_id", "starts_on", "ends_on", "mine_id"
        )
    )
    workers, locations = links([a["pk"] for a in assignments])
    for a in assignments:
        a["workers"], a["locations"] = workers.get(a["pk"], set()), locations.get(a["pk"], set())
    return assignments


def links(assignment_ids):
    """({assignment id: {worker ids}}, {assignment id: {place ids}}) read from the two link tables: two queries
    whatever the number, none for no ids (the ids written into the SQL, ``common.sqlids``)."""
    assignment_ids = list(assignment_ids)
    workers, locations = {}, {}
    if not assignment_ids:  # no assignment: an empty IN list is not sent
        return workers, locations
    ids = id_list(assignment_ids)
    through = Assignment.workers.through.objects.filter(assignment_id__in=ids)
    for aid, pid in through.values_list("assignment_id", "person_id"):
        workers.setdefault(aid, set()).add(pid)
    through = Assignment.locations.through.objects.filter(assignment_id__in=ids)
    for aid, lid in through.values_list("assignment_id", "location_id"):
        locations.setdefault(aid, set()).add(lid)
    return workers, locations


def _violations(assignments, until):
    from violations.models import Violation

    people = set().union(*(a["workers"] for a in assignments)) if assignments else set()
    places = set().union(*(a["locations"] for a in assignments)) if assignments else set()
    if not people and not places:
        return {}, {}
    start = min(a["starts_on"] for a in assignments)
    rows = Violation.objects.effective().filter(occurred_on__gte=start, occurred_on__lte=until)
    if len(people) + len(places) > MANY:
        # a whole mine's members: the mine's violations of the period, sorted out here, instead of IN lists of
        # thousands of ids (workers and places answered for lie in the members' mines)
        rows = rows.filter(mine_id__in={a["mine_id"] for a in assignments})
    else:
        rows = rows.filter(Q(person_id__in=id_list(people)) | Q(location_id__in=id_list(places)))
    by_person, by_place = {}, {}
    for vid, pid, lid, day in rows.order_by().values_list("pk", "person_id", "location_id", "occurred_on"):
        if pid not in people and lid not in places:
            continue
        by_person.setdefault(pid, []).append((day, pid, lid, vid))
        if lid:
            by_place.setdefault(lid, []).append((day, pid, lid, vid))
    return by_person, by_place


def member_months(member_ids, month, today=None):
    """{member_id: MemberMonth} for the month containing ``month``; the reckoning day is the month's last day, or
    today for the current month."""
    return member_months_many(member_ids, [month], today=today)[month]


def member_months_many(member_ids, months, today=None):
    """{month: {member_id: MemberMonth}} for several months, reading the assignments and violations once (a year of a
    mine's members for the scorecard): each month reckoned exactly as ``member_months`` does."""
    today = today or timezone.localdate()
    bounds = {m: month_bounds(m) for m in months}
    if not bounds:
        return {}
    until = max(min(last, today) for _first, last in bounds.values())
    assignments = _load(list(member_ids), until)
    by_person, by_place = _violations(assignments, until)
    return {
        m: _reckon(member_ids, assignments, by_person, by_place, first, last, min(last, today))
        for m, (first, last) in bounds.items()
    }


def _reckon(member_ids, assignments, by_person, by_place, first, last, as_of):
    result = {mid: MemberMonth(member_id=mid, assigned=False, as_of=as_of) for mid in member_ids}
    for a in assignments:
        row = result[a["member_id"]]
        start, end = a["starts_on"], min(a["ends_on"] or as_of, as_of)
        if end < start:
            continue
        row.since = min(row.since or start, start)
        in_month = start <= last and end >= first
        if in_month:
            row.assigned = True
            row.workers |= a["workers"]
            row.locations |= a["locations"]
        counted = {}
        for pid in a["workers"]:
            for hit in by_person.get(pid, ()):
                counted[hit[3]] = hit
        for lid in a["locations"]:
            for hit in by_place.get(lid, ()):
                counted[hit[3]] = hit
        for hit in counted.values():
            day = hit[0]
            if not (start <= day <= end):
                continue
            if row.last_violation is None or day > row.last_violation:
                row.last_violation = day
            if first <= day <= last and all(h[3] != hit[3] for h in row.violations):
                row.violations.append(hit)
    for row in result.values():
        row.violations.sort(key=lambda hit: (hit[0], hit[3]))  # a place may be empty: sort by day and id only
    return result


def branch_rate(rows):
    """(达标 members, members who answered for something this month, percent or None)."""
    assigned = [r for r in rows if r.assigned]
    ok = sum(1 for r in assigned if r.compliant)
    return ok, len(assigned), (round(ok * 100 / len(assigned)) if assigned else None)


# ---------------------------------------------------------------- the same reckoning, counted by the database


def _answering(first, as_of):
    """Assignments during which the member answered for someone or somewhere in the month (as ``_reckon``: from
    the start to the end or the day of the reckoning, overlapping the month)."""
    return Assignment.objects.filter(starts_on__lte=as_of).filter(
        Q(ends_on__isnull=True) | (Q(ends_on__gte=first) & Q(ends_on__gte=F("starts_on")))
    )


def flagged(members, month, today=None):
    """``members`` (a Person queryset) annotated with ``assigned`` and ``clean``: whether they answered for something
    in the month, and whether no counted violation fell in it — what ``member_months`` reckons in Python, as two
    EXISTS per member, so a committee's figures cost the same query whatever the size of the mine."""
    from django.db.models import DateField, Exists, OuterRef, Value
    from django.db.models.functions import Coalesce

    from violations.models import Violation

    today = today or timezone.localdate()
    first, last = month_bounds(month)
    as_of = min(last, today)
    answering = _answering(first, as_of).filter(member_id=OuterRef("pk"))
    workers = Assignment.workers.through.objects.filter(assignment_id=OuterRef(OuterRef("pk"))).values("person_id")
    places = Assignment.locations.through.objects.filter(assignment_id=OuterRef(OuterRef("pk"))).values("location_id")
    counted = (
        Violation.objects.effective()
        .filter(occurred_on__gte=first, occurred_on__lte=as_of)
        .filter(occurred_on__gte=OuterRef("starts_on"))
        .filter(occurred_on__lte=Coalesce(OuterRef("ends_on"), Value(as_of), output_field=DateField()))
    )
    # two EXISTS, not one with an OR of the two lists: each is then answered by its (person | place, date) index
    # from the few workers and places of the assignment; the OR walked every violation of the mine in the month
    # once per member (27,000 probes on the 3rd of a month at mine size, ten times that by its end)
    dirty = Exists(counted.filter(person_id__in=workers)) | Exists(counted.filter(location_id__in=places))
    return members.annotate(assigned=Exists(answering), clean=~Exists(answering.filter(dirty)))


def counts_by_org(members, month, today=None):
    """{org id: (达标 members, members who answered for something)} of ``members`` for the month: one query."""
    from django.db.models import Count

    rows = (
        flagged(members, month, today)
        .order_by()
        .values("org_id")
        .annotate(
            ok=Count("pk", filter=Q(assigned=True, clean=True)),
            n=Count("pk", filter=Q(assigned=True)),
        )
    )
    return {r["org_id"]: (r["ok"], r["n"]) for r in rows if r["n"]}


def rate_of(ok, assigned):
    return ok, assigned, (round(ok * 100 / assigned) if assigned else None)
