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
    tz = timezone.get_current_timezone()
    start = datetime.combine(datetime(year, 1, 1).date(), time.min, tzinfo=tz)
    end = datetime.combine(datetime(year + 1, 1, 1).date(), time.min, tzinfo=tz)
    qs = Hazard.objects.visible_to(user).filter(found_at__gte=start, found_at__lt=end)
    counts = _counts()
    months = [_rate(r) for r in qs.annotate(month=TruncMonth("found_at")).values("month").annotate(**counts).order_by("month")]
    grades = [_rate(r) for r in qs.values("grade__name", "grade__order").annotate(**counts).order_by("grade__order")]
    categories = [_rate(r) for r in qs.values("category__name").annotate(**counts).order_by("-found")]
    branches = OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.BRANCH).order_by("path") if mine else []
    by_unit = qs.values("location__unit__path").annotate(**counts, party=Count("pk", filter=Q(finder_is_party_member=True))).order_by()
    table = {b.pk: {"name": b.name, "found": 0, "open": 0, "overdue": 0, "closed": 0, "on_time": 0, "party": 0} for b in branches}
    ordered = sorted(branches, key=lambda b: -len(b.path))
    for row in by_unit:
        branch = next((b for b in ordered if row["location__unit__path"].startswith(b.path)), None)
        if branch is None:
            continue
        for key in ("found", "open", "overdue", "closed", "on_time", "party"):
            table[branch.pk][key] += row[key]
    branch_rows = [_rate(r) for r in table.values() if r["found"]]
    repeats = list(
        qs.values("location__name", "category__name").annotate(n=Count("pk")).filter(n__gte=3).order_by("-n", "location__name")[:15]
    )
    return {"months": months, "grades": grades, "categories": categories, "branches": branch_rows, "repeats": repeats, "total": qs.count()}
