"""Records built by hand for the indicator tests (straight into the tables: the indicators read what is stored)."""

import itertools
from datetime import date, datetime, time

import pytest
from django.utils import timezone

from hazards import services as hazard_services
from hazards.models import Category, Grade, Hazard, HazardStatus
from places.models import Location
from scorecard.indicators import Context

START, END = date(2026, 10, 1), date(2026, 10, 31)
AS_OF = date(2026, 11, 15)
_tokens = itertools.count()


def moment(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def site(world):
    hazard_services.ensure_defaults(world.mine)
    world.place = Location.objects.create(mine=world.mine, unit=world.unit, name="1302工作面")
    world.place2 = Location.objects.create(mine=world.mine, unit=world.unit, name="轨道巷")
    world.other_place = Location.objects.create(mine=world.mine, unit=world.other_unit, name="2201巷道")
    world.roof = Category.objects.get(mine=world.mine, name="顶板")
    world.gas = Category.objects.get(mine=world.mine, name="瓦斯")
    world.grade = Grade.objects.get(mine=world.mine, name="B")
    return world


def hazard(w, found, *, place=None, deadline=None, closed=None, category=None, party=False):
    return Hazard.objects.create(
        mine=w.mine,
        location=place or w.place,
        category=category or w.roof,
        grade=w.grade,
        description="顶板离层",
        found_at=moment(found),
        recorded_by=w.safety,
        status=HazardStatus.CLOSED if closed else (HazardStatus.RECTIFYING if deadline else HazardStatus.REGISTERED),
        deadline=deadline,
        closed_at=moment(closed, 15) if closed else None,
        finder_is_party_member=party,
    )


def ctx(w, start=START, end=END, as_of=AS_OF, branches=None):
    return Context(branches=branches or [w.branch, w.other_branch], start=start, end=end, as_of=as_of)


def value(indicator_fn, w, **kw):
    return indicator_fn(ctx(w, **kw))[w.branch.pk]
