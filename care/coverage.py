"""谈心谈话 coverage (SPEC §4.4): every worker of a branch talked to at least once per calendar year.

Who counts for a branch in a year: the people who belong to it at the end of the period (31 December, or today for
the current year). So
- a joiner counts from the day they are hired (they are on the roster at the period's end);
- a leaver (在岗状态 离岗/退休, the date read from the audit log of the roster) no longer counts once they have left;
  the page shows how many left during the year;
- a transfer counts in the branch they are in at the period's end; a talk held anywhere in the year counts for
  them (the goal is each worker once a year, not once per branch), and the old branch no longer counts them.
"""

import math
from collections import defaultdict
from datetime import date

from django.db.models import Q
from django.utils import timezone

from care import access
from care.models import Entry, EntryStatus, TalkPerson
from care.rules import GONE, status_changes
from orgs.models import OrgKind, OrgNode, Person, RoleAssignment, Transfer


def period(year, today=None):
    today = today or timezone.localdate()
    start = date(year, 1, 1)
    end = min(date(year, 12, 31), today)
    return start, end


def members_at(mine, end, start=None, org_ids=None):
    """[(person values)] of the mine's people on ``end``, with the org they were in then.

    Returns (people, left_during) where people rows carry ``org_at`` and left_during counts leavers since ``start``.
    ``org_ids``: only people in these nodes now or (moved away since) then.
    """
    later = {}
    for person_id, from_org in (
        Transfer.objects.filter(person__mine=mine, date__gt=end)
        .order_by("-date", "-pk")
        .values_list("person_id", "from_org_id")
    ):
        later[person_id] = from_org  # the earliest transfer after ``end`` wins (ordered latest first)
    people_qs = Person.objects.filter(mine=mine, hire_date__lte=end)
    if org_ids is not None:
        moved = [pk for pk, org in later.items() if org in org_ids]
        people_qs = people_qs.filter(Q(org_id__in=list(org_ids)) | Q(pk__in=moved))
    rows = list(people_qs.values("pk", "name", "emp_no", "org_id", "work_status").order_by("emp_no"))
    gone = [r["pk"] for r in rows if r["work_status"] in GONE]
    left_on = {}
    if gone:
        for pk, changes in status_changes(person_ids=gone).items():
            moments = [at for at, old, new in changes if new in GONE and old not in GONE]
            if moments:
                left_on[pk] = timezone.localdate(moments[-1])
    people, left_during = [], []
    for r in rows:
        if r["work_status"] in GONE:
            left = left_on.get(r["pk"])
            if left is None or left <= end:
                if left is not None and start is not None and left >= start:
                    left_during.append(r)
                continue
        r["org_at"] = later.get(r["pk"], r["org_id"])
        people.append(r)
    return people, left_during


def _branches(mine):
    nodes = list(OrgNode.objects.filter(path__startswith=mine.path).values("pk", "path", "kind", "name"))
    branches = sorted((n for n in nodes if n["kind"] == OrgKind.BRANCH), key=lambda n: -len(n["path"]))
    branch_of = {}
    for n in nodes:
        b = next((b for b in branches if n["path"].startswith(b["path"])), None)
        branch_of[n["pk"]] = b["pk"] if b else None
    return sorted(branches, key=lambda b: b["path"]), branch_of


def coverage(user, mine, year, branch_pk=None, today=None):
    """Per-branch coverage of the branches the user may read (care_read); with ``branch_pk``, that branch's
    not-yet-covered list (at-risk workers first) and the plan for the rest of the year."""
    today = today or timezone.localdate()
    start, end = period(year, today)
    readable = access.paths(user, "care_read")
    branches, branch_of = _branches(mine)
    branches = [b for b in branches if any(b["path"].startswith(p) or p.startswith(b["path"]) for p in readable)]
    # a secretary whose role sits on a 区队 below the branch still reads only their subtree
    allowed_nodes = {
        pk
        for pk, path in OrgNode.objects.filter(path__startswith=mine.path).values_list("pk", "path")
        if any(path.startswith(p) for p in readable)
    }
    whole_mine = any(mine.path.startswith(p) for p in readable)
    people, left_during = members_at(mine, end, start, org_ids=None if whole_mine else allowed_nodes)
    talks = TalkPerson.objects.filter(date__gte=start, date__lte=end)
    talks = talks.filter(person__mine=mine) if whole_mine else talks.filter(person_id__in=[p["pk"] for p in people])
    talked = set(talks.values_list("person_id", flat=True).distinct())
    rows = {b["pk"]: {"branch": b, "total": 0, "covered": 0, "left": 0} for b in branches}
    members = defaultdict(list)
    for p in people:
        b = branch_of.get(p["org_at"])
        if b in rows and p["org_at"] in allowed_nodes:
            rows[b]["total"] += 1
            p["covered"] = p["pk"] in talked
            rows[b]["covered"] += p["covered"]
            members[b].append(p)
    for p in left_during:
        b = branch_of.get(p["org_id"])
        if b in rows:
            rows[b]["left"] += 1
    for r in rows.values():
        r["pct"] = round(r["covered"] * 100 / r["total"]) if r["total"] else 100
    total = sum(r["total"] for r in rows.values())
    covered = sum(r["covered"] for r in rows.values())
    result = {
        "year": year, "start": start, "end": end, "rows": list(rows.values()), "total": total, "covered": covered,
        "pct": round(covered * 100 / total) if total else 100, "branch": None,
    }  # fmt: skip
    if branch_pk in rows:
        result["branch"] = _branch_detail(rows[branch_pk], members[branch_pk], year, today)
    return result


def _branch_detail(row, members, year, today):
    at_risk = set(
        Entry.objects.filter(status=EntryStatus.ACTIVE, person_id__in=[m["pk"] for m in members]).values_list(
            "person_id", flat=True
        )
    )
    missing = [m for m in members if not m["covered"]]
    for m in missing:
        m["at_risk"] = m["pk"] in at_risk
    missing.sort(key=lambda m: (not m["at_risk"], m["emp_no"]))
    return {"row": row, "missing": missing, "plan": plan(row["branch"], missing, year, today)}


def plan(branch, missing, year, today):
    """Spread the not-yet-covered over the remaining months of the year, per talker.

    Talkers: the 班组长 (team_leader role) of a worker's 班组 talks to their crew; the rest go to the secretary and
    the 支部委员 in turn; at-risk workers go to the secretary. Each talker's share is spread evenly over the
    remaining months (this month included), at-risk workers first."""
    if year != today.year or not missing:
        return []
    months = list(range(today.month, 13))
    assignments = list(
        RoleAssignment.objects.filter(
            role__in=("secretary", "branch_committee", "team_leader"),
            org__path__startswith=branch["path"],
            user__is_active=True,
        )
        .values("role", "org_id", "user_id", "user__person__name", "user__username", "user__first_name")
        .order_by("role", "user_id")
    )

    def label(a):
        return a["user__person__name"] or a["user__first_name"] or a["user__username"]

    leaders = {a["org_id"]: a for a in assignments if a["role"] == "team_leader"}
    office = [a for a in assignments if a["role"] in ("secretary", "branch_committee")]
    secretary = next((a for a in office if a["role"] == "secretary"), None)
    per_talker = defaultdict(list)
    names = {}
    turn = 0
    for m in missing:
        talker = None
        if m["at_risk"] and secretary:
            talker = secretary
        elif m["org_at"] in leaders:
            talker = leaders[m["org_at"]]
        elif office:
            talker = office[turn % len(office)]
            turn += 1
        key = talker["user_id"] if talker else None
        names[key] = label(talker) if talker else "(未指定谈话人)"
        per_talker[key].append(m)
    out = []
    for key, people in per_talker.items():
        quota = math.ceil(len(people) / len(months))
        schedule = [(month, people[i * quota : (i + 1) * quota]) for i, month in enumerate(months)]
        out.append(
            {
                "talker": names[key],
                "total": len(people),
                "per_month": quota,
                "schedule": [(mo, ps) for mo, ps in schedule if ps],
            }
        )
    out.sort(key=lambda t: -t["total"])
    return out


def figures(user, mine, today=None):
    """The home tile's coverage figure for the user's readable branches (current year)."""
    today = today or timezone.localdate()
    cached = getattr(user, "_care_coverage", None)  # the tile and the 待办 of one home page ask once
    if cached is None or cached[0] != (mine.pk, today):
        data = coverage(user, mine, today.year, today=today)
        cached = ((mine.pk, today), (data["pct"], data["total"] - data["covered"]))
        user._care_coverage = cached
    return cached[1]
