"""党员身边无违章 for many members and months at once (the scorecard reads a year of a mine's members): exactly the
达标 of ``compliance.member_months_many``, with the same reads (assignments with their workers and places, the
violations), but each assignment's counted violations sorted out once instead of once per month."""

from bisect import bisect_left

from django.utils import timezone

from vanguard import compliance


def member_month_flags(member_ids, months, today=None):
    """{month: {member_id: compliant}} for the members who answered for someone or somewhere during the month (those
    ``member_months_many`` reckons as ``assigned``); ``compliant`` as its ``MemberMonth.compliant``."""
    today = today or timezone.localdate()
    bounds = {m: compliance.month_bounds(m) for m in months}
    if not bounds:
        return {}
    until = max(min(last, today) for _first, last in bounds.values())
    assignments = compliance._load(member_ids, until)
    by_person, by_place = compliance._violations(assignments, until)
    # the days of the violations counted against each assignment: of its workers or places, from its start to its
    # end (every violation read lies on or before the day of any month's reckoning that could count it)
    days = {}
    for a in assignments:
        hits = {}
        for pid in a["workers"]:
            for hit in by_person.get(pid, ()):
                hits[hit[3]] = hit[0]
        for lid in a["locations"]:
            for hit in by_place.get(lid, ()):
                hits[hit[3]] = hit[0]
        days[a["pk"]] = sorted(
            d for d in hits.values() if a["starts_on"] <= d and (a["ends_on"] is None or d <= a["ends_on"])
        )
    out = {}
    for month, (first, last) in bounds.items():
        as_of = min(last, today)
        assigned, dirty = set(), set()
        for a in assignments:
            start, end = a["starts_on"], min(a["ends_on"] or as_of, as_of)
            if end < start:
                continue
            if start <= last and end >= first:
                assigned.add(a["member_id"])
            hit = days[a["pk"]]
            i = bisect_left(hit, first)
            if i < len(hit) and hit[i] <= last:
                dirty.add(a["member_id"])
        out[month] = {mid: mid not in dirty for mid in assigned}
    return out
