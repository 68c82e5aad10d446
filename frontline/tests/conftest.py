import pytest
from django.utils import timezone

from frontline.tests import helpers
from orgs.tests.factories import PersonFactory, make_user


@pytest.fixture
def fl(world):
    """The world plus a second secretary of the same branch, and a diary entry with two 诉求 by the first one."""
    w = world
    w.co_secretary = make_user(
        "secretary-1b", "secretary", w.branch, person=PersonFactory(org=w.team2, name="副书记乙")
    )
    w.committee_b = make_user("committee-xz", "committee", w.mine_b)
    w.entry = helpers.create_entry(w.secretary, {
        "date": timezone.localdate().isoformat(), "place": "王小二家中", "people": [w.worker_person.pk, w.colleague.pk],
        "learned": "母亲住院需要照顾,夜班多,情绪低落", "requests": ["希望调整到白班", "申请困难补助"], "concern": "1",
    })  # fmt: skip
    w.req1, w.req2 = list(w.entry.requests.order_by("pk"))
    return w
