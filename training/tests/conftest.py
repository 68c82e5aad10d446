"""Fixtures of the training tests: a small bank over five knowledge points, and a branch exam over it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from common import inputs
from orgs.models import JobType
from training import exams
from training.forms import BlueprintForm
from training.tests.factories import make_point


@pytest.fixture
def bank(world):
    coal = JobType.objects.get(name="采煤工")
    other = JobType.objects.create(name="水泵工")
    return {
        "gas": make_point("gas", "瓦斯", [coal], high_risk=True, order=1),
        "roof": make_point("roof", "顶板", [coal], high_risk=True, order=2),
        "entry": make_point("entry", "入井须知", order=3),
        "rescue": make_point("rescue", "自救互救", order=4),
        "pump": make_point("pump", "水泵", [other], order=5),
    }


@pytest.fixture
def blueprint(world, bank):  # noqa: F811
    now = timezone.now()
    return exams.create_blueprint(
        world.secretary,
        **inputs.parse(
            BlueprintForm,
            {
                "title": "十一月安全考试",
                "org": world.branch.pk,
                "month": timezone.localdate().isoformat(),
                "time_limit": 30,
                "pass_mark": 60,
                "opens_at": (now - timedelta(hours=1)).isoformat(),
                "closes_at": (now + timedelta(days=2)).isoformat(),
                "rules": [{"point": bank["gas"].pk, "count": 2}, {"point": bank["entry"].pk, "count": 3}],
            },
            user=world.secretary,
        ),
    )
