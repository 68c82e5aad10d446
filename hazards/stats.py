"""Statistics of the hazard loop for a year: per month, grade, category, branch; repeats at a place; party members."""

from datetime import datetime, time

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from hazards.models import (
    OPEN_STATUSES,
    Hazard,
    HazardStatus,
    HazardTally,
    own_hazards,
    units_and_places,
    whole_mine_ids,
)
from orgs.models import OrgKind, OrgNode

ON_TIME = Q(status=HazardStatus.CLOSED) & (Q(deadline__isnull=True) | Q(closed_at__date__lte=F("deadline")))
CLOSED = Q(status=HazardStatus.CLOSED)
OPEN = Q(status__in=OPEN_STATUSES)


def _counts():
    today = timezone.localdate()
    return {
        "found": Count("pk"),
        "open": Count("pk", filter=OPEN),
        "overdue": Count(
            "pk", filter=Q(status__in=(HazardStatus.RECTIFYING, HazardStatus.EXTENSION), deadline__lt=today)
        ),
        "closed": Count("pk", filter=CLOSED),
        "on_time": Count("pk", filter=ON_TIME),
    }


def _rate(row):
    row["on_time_rate"] = round(row["on_time"] * 100 / row["closed"]) if row["closed"] else None
    return row


def year_stats(user, year, mine):
    """The year by month, grade, 专业, branch, repeats at a place and party members' finds.

    A whole mine (安监员, 党委) is read from the running counts of ``HazardTally`` plus its open hazards; a branch or a
    区队 from the counts of its places and responsible units plus its open hazards, and its people's own hazards
    elsewhere (found by them or theirs to rectify) from one grouped read of those; anyone else from one grouped read
    of what they see. Every other breakdown is summed from those in Python, with the names of the few master-data
    rows read separately."""
    from hazards.models import Category, Grade
    from places.models import Location

    tz = timezone.get_current_timezone()
    start = datetime.combine(datetime(year, 1, 1).date(), time.min, tzinfo=tz)
    end = datetime.combine(datetime(year + 1, 1, 1).date(), time.min, tzinfo=tz)
    keys = ("found", "open", "overdue", "closed", "on_time")
    mines = whole_mine_ids(user)
    units, places, unit_mines = ([], [], []) if mines is not None or user.is_superuser else units_and_places(user)
    if mines is not None:
        by_month_grade, by_place = _from_tally(mines, year, start, end)
    elif units:
        # a branch or a 区队: the counts of its places and units, and its people's own hazards elsewhere, read live
        in_scope = Q(mine_id__in=unit_mines) & (Q(location_id__in=places) | Q(responsible_unit_id__in=units))
        by_month_grade, by_place = _from_tally(unit_mines, year, start, end, scope=(places, units))
        elsewhere = _cells(Hazard.objects.filter(own_hazards(user)).exclude(in_scope), start, end)
        by_month_grade, by_place = by_month_grade + elsewhere, by_place + elsewhere
    else:
        by_month_grade = by_place = _cells(Hazard.objects.visible_to(user), start, end)

    def add(table, key, row, names=keys):
        target = table.setdefault(key, dict.fromkeys(names, 0))
        for name in names:
            target[name] += row[name]
        return target

    months, grades_t, categories_t, units_t, pairs = {}, {}, {}, {}, {}
    for row in by_month_grade:
        add(months, row["month"], row)
        add(grades_t, row["grade_id"], row)
    for row in by_place:
        add(categories_t, row["category_id"], row)
        add(units_t, row["location_id"], row, keys + ("party",))
        add(pairs, (row["location_id"], row["category_id"]), row, ("found",))
    grade_rows = {g.pk: g for g in Grade.objects.filter(pk__in=list(grades_t))}
    category_names = dict(Category.objects.filter(pk__in=list(categories_t)).values_list("pk", "name"))
    places = {loc.pk: loc for loc in Location.objects.filter(pk__in=list(units_t)).select_related("unit")}

    month_rows = [_rate({"month": m, **v}) for m, v in sorted(months.items())]
    grade_list = sorted(grades_t.items(), key=lambda kv: (grade_rows[kv[0]].order, kv[0]))
    grade_out = [
        _rate({"grade__name": grade_rows[g].name, "grade__order": grade_rows[g].order, **v}) for g, v in grade_list
    ]
    category_out = sorted(
        (_rate({"category__name": category_names[c], **v}) for c, v in categories_t.items()), key=lambda r: -r["found"]
    )

    branches = OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.BRANCH).order_by("path") if mine else []
    table = {
        b.pk: {"name": b.name, "found": 0, "open": 0, "overdue": 0, "closed": 0, "on_time": 0, "party": 0}
        for b in branches
    }
    ordered = sorted(branches, key=lambda b: -len(b.path))
    for location_id, row in units_t.items():
        path = places[location_id].unit.path
        branch = next((b for b in ordered if path.startswith(b.path)), None)
        if branch is not None:
            for key in keys + ("party",):
                table[branch.pk][key] += row[key]
    branch_rows = [_rate(r) for r in table.values() if r["found"]]
    repeats = sorted(
        (
            {"location__name": places[loc].name, "category__name": category_names[cat], "n": r["found"]}
            for (loc, cat), r in pairs.items()
            if r["found"] >= 3
        ),
        key=lambda r: (-r["n"], r["location__name"]),
    )[:15]
    total = sum(v["found"] for v in months.values())
    return {
        "months": month_rows,
        "grades": grade_out,
        "categories": category_out,
        "branches": branch_rows,
        "repeats": repeats,
        "total": total,
    }


def _cells(hazards, start, end):
    """The year of ``hazards`` in one read grouped by (month, grade, place, 专业) (the month as a date, as the
    running counts hold it): for a scope the counts do not cover."""
    party = Count("pk", filter=Q(finder_is_party_member=True))
    cells = list(
        hazards.filter(found_at__gte=start, found_at__lt=end)
        .order_by()
        .annotate(month=TruncMonth("found_at"))
        .values("month", "grade_id", "location_id", "category_id")
        .annotate(**_counts(), party=party)
    )
    for cell in cells:
        if isinstance(cell["month"], datetime):
            cell["month"] = timezone.localdate(cell["month"])
    return cells


def _from_tally(mines, year, start, end, scope=None):
    """A whole mine's year (or, ``scope`` = (place ids, unit ids), the hazards of a branch's places and units) from the
    running counts (found, by party members, closed late) and its open hazards (today's open and overdue): closed =
    found − open, on time = closed − late."""
    from django.db.models import Sum

    today = timezone.localdate()
    tallies = HazardTally.objects.filter(mine_id__in=mines, month__gte=start.date(), month__lt=end.date()).order_by()
    opened = Hazard.objects.filter(
        mine_id__in=mines, status__in=OPEN_STATUSES, found_at__gte=start, found_at__lt=end
    ).order_by()
    if scope is not None:
        places, units = scope
        tallies = tallies.filter(Q(location_id__in=places) | Q(unit__in=units))
        opened = opened.filter(Q(location_id__in=places) | Q(responsible_unit_id__in=units))
    sums = {"found": Sum("found"), "party": Sum("party"), "late": Sum("late")}
    by_month_grade = {(r["month"], r["grade_id"]): r for r in tallies.values("month", "grade_id").annotate(**sums)}
    by_place = {
        (r["location_id"], r["category_id"]): r for r in tallies.values("location_id", "category_id").annotate(**sums)
    }
    for table in (by_month_grade, by_place):
        for row in table.values():
            row["open"] = row["overdue"] = 0
    # today's open and overdue, from the partial index of open hazards alone (hazard_open_stats): once by month and
    # grade, once by place and 专业 — two small groupings instead of one row per (month, grade, place, 专业) cell
    counts = {
        "open": Count("pk"),
        "overdue": Count(
            "pk", filter=Q(status__in=(HazardStatus.RECTIFYING, HazardStatus.EXTENSION), deadline__lt=today)
        ),
    }
    months = {}
    by_month = opened.annotate(month=TruncMonth("found_at")).values("month", "grade_id").annotate(**counts)
    for cell in by_month:
        if cell["month"] not in months:
            month = cell["month"]
            months[month] = timezone.localdate(month) if isinstance(month, datetime) else month
        _add_open(by_month_grade.get((months[cell["month"]], cell["grade_id"])), cell)
    for cell in opened.values("location_id", "category_id").annotate(**counts):
        _add_open(by_place.get((cell["location_id"], cell["category_id"])), cell)
    for table in (by_month_grade, by_place):
        for row in table.values():
            row["closed"] = row["found"] - row["open"]
            row["on_time"] = row["closed"] - row["late"]
    return list(by_month_grade.values()), list(by_place.values())


def _add_open(row, cell):
    if row is None:  # counts not made yet for this cell (rebuild_hazard_tally mends them)
        return
    row["open"] += cell["open"]
    row["overdue"] += cell["overdue"]
