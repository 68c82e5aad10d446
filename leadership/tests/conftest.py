from datetime import timedelta

import pytest
from django.utils import timezone

from leadership import services
from orgs.models import PoliticalStatus
from orgs.tests.factories import PersonFactory, make_user


@pytest.fixture
def lead(world):
    """The demo world with a 支委会 of four in 综采一区党支部: the secretary (书记), the 党员甲 member, two more
    party members; one of them has an account as 支部委员 (bc-2)."""
    w = world
    w.p3 = PersonFactory(org=w.team2, name="党员丙", political_status=PoliticalStatus.MEMBER)
    w.p4 = PersonFactory(org=w.team2, name="党员丁", political_status=PoliticalStatus.MEMBER)
    w.bc_user = make_user("bc-2", "branch_committee", w.branch, person=w.p3)
    w.today = timezone.localdate()
    w.team_c = services.create_team(
        w.secretary, org=w.branch, kind="committee", elected_on=w.today - timedelta(days=400)
    )
    start = w.team_c.elected_on
    for person, post in (
        (w.secretary.person, "书记"),
        (w.member_person, "组织委员"),
        (w.p3, "宣传委员"),
        (w.p4, "纪检委员"),
    ):
        services.add_member(w.secretary, team=w.team_c, person=person, post=post, starts_on=start, duty=post)
    return w
