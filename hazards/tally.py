"""The running counts behind the statistics of a mine or a branch (``HazardTally``).

Every change that moves a count goes through here: registering (+found, +party), closing after the deadline
(+late), reopening a hazard that was closed late (-late), 五定 naming the responsible unit (the hazard's counts move
to the cell of that unit), and imports (the months they touch are counted again).
``rebuild`` makes every count again from the hazards; a test checks the counts always equal that.
"""

from datetime import datetime, time

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from hazards.models import Hazard, HazardStatus, HazardTally


def month_of(moment):
    return timezone.localdate(moment).replace(day=1)


def closed_late(hazard):
    return (
        hazard.status == HazardStatus.CLOSED
        and hazard.closed_at is not None
        and hazard.deadline is not None
        and timezone.localdate(hazard.closed_at) > hazard.deadline
    )


def _cell(hazard):
    return {
        "mine_id": hazard.mine_id,
        "month": month_of(hazard.found_at),
        "location_id": hazard.location_id,
        "category_id": hazard.category_id,
        "grade_id": hazard.grade_id,
        "unit": hazard.responsible_unit_id or 0,
    }


def bump(hazard, found=0, party=0, late=0):
    """Add to the counts of the hazard's cell (made when missing; concurrent first hazards of a cell both count)."""
    cell = _cell(hazard)
    changes = {name: F(name) + n for name, n in (("found", found), ("party", party), ("late", late)) if n}
    if not changes:
        return
    for _attempt in range(3):
        if HazardTally.objects.filter(**cell).update(**changes):
            return
        try:
            with transaction.atomic():
                HazardTally.objects.create(**cell, found=max(found, 0), party=max(party, 0), late=max(late, 0))
            return
        except IntegrityError:  # another request made the cell first: add to it
            continue
    raise RuntimeError("hazard tally cell kept changing")


def registered(hazard):
    bump(hazard, found=1, party=1 if hazard.finder_is_party_member else 0)


def status_changed(before, after):
    """Called with the hazard before and after a transition: its late count follows, and its counts move to another
    cell when the transition changed what the cell is made of (the responsible unit)."""
    was, now = closed_late(before), closed_late(after)
    if _cell(before) != _cell(after):
        party = 1 if before.finder_is_party_member else 0
        bump(before, found=-1, party=-party, late=-1 if was else 0)
        bump(after, found=1, party=party, late=1 if now else 0)
    elif was != now:
        bump(after, late=1 if now else -1)


def _counts(hazards):
    late = Q(
        status=HazardStatus.CLOSED, closed_at__isnull=False, deadline__isnull=False, closed_at__date__gt=F("deadline")
    )
    return (
        hazards.annotate(m=TruncMonth("found_at"))
        .values("mine_id", "m", "location_id", "category_id", "grade_id", "responsible_unit_id")
        .annotate(
            found=Count("pk"), party=Count("pk", filter=Q(finder_is_party_member=True)), late=Count("pk", filter=late)
        )
        .order_by()
    )


def recount(mine_id, months=None, models=(Hazard, HazardTally)):
    """Count the given months (first days) of a mine again from its hazards (all months when None); ``models``: the
    (hazard, tally) model classes — a migration passes its historical ones."""
    hazard_model, tally_model = models
    hazards = hazard_model.objects.filter(mine_id=mine_id)
    tallies = tally_model.objects.filter(mine_id=mine_id)
    if months is not None:
        months = sorted(set(months))
        if not months:
            return
        tz = timezone.get_current_timezone()
        in_months = Q(pk__in=[])
        for m in months:
            start = datetime.combine(m, time.min, tzinfo=tz)
            end = datetime.combine((m.replace(day=28) + timezone.timedelta(days=4)).replace(day=1), time.min, tzinfo=tz)
            in_months |= Q(found_at__gte=start, found_at__lt=end)
        hazards = hazards.filter(in_months)
        tallies = tallies.filter(month__in=months)
    with transaction.atomic():
        tallies.delete()
        tally_model.objects.bulk_create(
            [
                tally_model(
                    mine_id=r["mine_id"],
                    month=timezone.localdate(r["m"]) if isinstance(r["m"], datetime) else r["m"],
                    location_id=r["location_id"],
                    category_id=r["category_id"],
                    grade_id=r["grade_id"],
                    unit=r["responsible_unit_id"] or 0,
                    found=r["found"],
                    party=r["party"],
                    late=r["late"],
                )  # fmt: skip
                for r in _counts(hazards)
            ],
            batch_size=5000,
        )


def rebuild(mine_ids=None, models=(Hazard, HazardTally)):
    ids = (
        mine_ids
        if mine_ids is not None
        else list(models[0].objects.values_list("mine_id", flat=True).distinct().order_by())
    )
    for mine_id in ids:
        recount(mine_id, models=models)
