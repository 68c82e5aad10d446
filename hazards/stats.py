"""Statistics of the hazard loop for a year: per month, grade, category, branch; repeats at a place; party members."""
from datetime import datetime, time

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from hazards.models import OPEN_STATUSES, Hazard, HazardStatus
from orgs.models import OrgKind, OrgNode

ON_TIME = Q(status=HazardStatus.CLOSED) & (Q(deadline__isnull=True) | Q(closed_at__date__lte=F("deadline")))
CLOSED = Q(status=HazardStatus.CLOSED)
OPEN = Q(status__in=OPEN_STATUSES)


def _counts():
    today = timezone.localdate()
    return {
        "found": Count("pk"),
        "open": Count("pk", filter=OPEN),
        "overdue": Count("pk", filter=Q(status__in=(HazardStatus.RECTIFYING, HazardStatus.EXTENSION), deadline__lt=today)),
        "closed": Count("pk", filter=CLOSED),
        "on_time": Count("pk", filter=ON_TIME),
    }


def _rate(row):
    row["on_time_rate"] = round(row["on_time"] * 100 / row["closed"]) if row["closed"] else None
    return row


def year_stats(user, year, mine):
    """Two grouped reads of the year's hazards, by (month, grade) and by (location, category), on plain columns (a
    mine-year can be half a million rows: on PostgreSQL the ``hazard_mine_stats`` index covers them); every other
    breakdown is summed from those in Python, with the names of the few master-data rows read separately."""
    from hazards.models import Category, Grade, Location

    tz = timezone.get_current_timezone()
    start = datetime.combine(datetime(year, 1, 1).date(), time.min, tzinfo=tz)
    end = datetime.combine(datetime(year + 1, 1, 1).date(), time.min, tzinfo=tz)
    qs = Hazard.objects.visible_to(user).filter(found_at__gte=start, found_at__lt=end).order_by()
    counts = _counts()
    keys = ("found", "open", "overdue", "closed", "on_time")
    by_month_grade = list(qs.annotate(month=TruncMonth("found_at")).values("month", "grade_id").annotate(**counts))
    by_place = list(qs.values("location_id", "category_id").annotate(**counts, party=Count("pk", filter=Q(finder_is_party_member=True))))

    def add(table, key, row, names=keys):
        target = table.setdefault(key, dict.fromkeys(names, 0))
        for name in names:
            target[name] += row[name]
        return target

    months, grades_t, categories_t, units_t = {}, {}, {}, {}
    for row in by_month_grade:
        add(months, row["month"], row)
        add(grades_t, row["grade_id"], row)
    for row in by_place:
        add(categories_t, row["category_id"], row)
        add(units_t, row["location_id"], row, keys + ("party",))
    grade_rows = {g.pk: g for g in Grade.objects.filter(pk__in=list(grades_t))}
    category_names = dict(Category.objects.filter(pk__in=list(categories_t)).values_list("pk", "name"))
    places = {loc.pk: loc for loc in Location.objects.filter(pk__in=list(units_t)).select_related("unit")}

    month_rows = [_rate({"month": m, **v}) for m, v in sorted(months.items())]
    grade_list = sorted(grades_t.items(), key=lambda kv: (grade_rows[kv[0]].order, kv[0]))
    grade_out = [_rate({"grade__name": grade_rows[g].name, "grade__order": grade_rows[g].order, **v}) for g, v in grade_list]
    category_out = sorted((_rate({"category__name": category_names[c], **v}) for c, v in categories_t.items()), key=lambda r: -r["found"])

    branches = OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.BRANCH).order_by("path") if mine else []
    table = {b.pk: {"name": b.name, "found": 0, "open": 0, "overdue": 0, "closed": 0, "on_time": 0, "party": 0} for b in branches}
    ordered = sorted(branches, key=lambda b: -len(b.path))
    for location_id, row in units_t.items():
        path = places[location_id].unit.path
        branch = next((b for b in ordered if path.startswith(b.path)), None)
        if branch is not None:
            for key in keys + ("party",):
                table[branch.pk][key] += row[key]
    branch_rows = [_rate(r) for r in table.values() if r["found"]]
    repeats = sorted(
        ({"location__name": places[r["location_id"]].name, "category__name": category_names[r["category_id"]], "n": r["found"]} for r in by_place if r["found"] >= 3),
        key=lambda r: (-r["n"], r["location__name"]),
    )[:15]
    total = sum(v["found"] for v in months.values())
    return {"months": month_rows, "grades": grade_out, "categories": category_out, "branches": branch_rows, "repeats": repeats, "total": total}
