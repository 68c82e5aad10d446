"""Every page answers for the roles that use it, and is 404 for those it is not for."""

from datetime import timedelta

import pytest
from django.utils import timezone

from frontline.models import CampaignTask
from frontline.tests import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(fl):
    c = helpers.create_campaign(
        fl.committee_user,
        {
            "title": "双化双提推进",
            "description": "报告推进情况",
            "deadline": (timezone.localdate() + timedelta(days=10)).isoformat(),
        },
    )
    fl.task = CampaignTask.objects.get(campaign=c, branch=fl.branch)
    fl.campaign = c
    return fl


def pages(w):
    return [
        "/frontline/diary/",
        "/frontline/diary/?q=白班&open=1&concern=1",
        "/frontline/diary/new/",
        f"/frontline/diary/{w.entry.pk}/",
        f"/frontline/diary/{w.entry.pk}/edit/",
        "/frontline/urgent/",
        "/frontline/urgent/new/",
        "/frontline/campaigns/",
        "/frontline/campaigns/new/",
        f"/frontline/campaigns/{w.campaign.pk}/",
        "/frontline/tasks/",
        f"/frontline/tasks/{w.task.pk}/",
        "/",
    ]


@pytest.mark.parametrize("who,expected", [
    ("secretary", [200, 200, 200, 200, 200, 200, 200, 200, 404, 200, 200, 200, 200]),
    ("committee_user", [200, 200, 404, 200, 404, 200, 404, 200, 200, 200, 200, 200, 200]),
    ("branch_committee", [404, 404, 404, 404, 404, 200, 200, 200, 404, 200, 200, 200, 200]),
    ("safety", [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200]),
    ("worker", [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200]),
    ("other_secretary", [200, 200, 200, 404, 404, 200, 200, 200, 404, 200, 200, 404, 200]),
])  # fmt: skip
def test_pages_per_role(campaign, login, who, expected):
    client = login(getattr(campaign, who))
    got = [client.get(url).status_code for url in pages(campaign)]
    assert got == expected
