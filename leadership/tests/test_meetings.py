"""Meetings: attendance, the more-than-half rule, decisions as 待办 until done."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from common.errors import Conflict, Forbidden, NotFound
from common.todos import todos_for
from leadership import services
from leadership.tests.helpers import committee_meeting, hold

pytestmark = pytest.mark.django_db


def test_committee_meeting_expects_the_current_committee(lead):
    m = committee_meeting(lead)
    assert m.expected == 4
    assert {a.person_id for a in m.attendance.all()} == {
        lead.secretary.person_id, lead.member_person.pk, lead.p3.pk, lead.p4.pk
    }  # fmt: skip
    assert [a.title for a in m.agenda.all()] == ["通报安全情况", "研究帮教"]


@pytest.mark.parametrize("absent, valid", [(0, True), (1, True), (2, False), (3, False)])
def test_valid_only_when_more_than_half_attend(lead, absent, valid):
    m = committee_meeting(lead)
    people = [lead.member_person.pk, lead.p3.pk, lead.p4.pk][:absent]
    m = hold(lead, m, absent=people)
    assert (m.present, m.expected, m.valid) == (4 - absent, 4, valid)  # 2 of 4 is half, not more than half


def test_leave_needs_a_reason(lead):
    m = committee_meeting(lead)
    with pytest.raises(ValidationError) as exc:
        services.record_attendance(lead.secretary, meeting=m, statuses={lead.p4.pk: ("leave", "")})
    assert f"reason_{lead.p4.pk}" in exc.value.message_dict
    m.refresh_from_db()
    assert not m.held


def test_no_decision_without_a_quorum(lead):
    m = hold(lead, committee_meeting(lead), absent=[lead.member_person.pk, lead.p3.pk])
    with pytest.raises(Conflict, match="未过半数"):
        services.add_decision(
            lead.secretary, meeting=m, text="开展检查", mode="collective", owner=lead.p3, deadline=lead.today
        )


def test_a_decision_is_a_todo_of_its_owner_until_done(lead):
    m = hold(lead, committee_meeting(lead), absent=[lead.p4.pk])
    d = services.add_decision(
        lead.secretary,
        meeting=m,
        text="组织手指口述专项检查",
        mode="delegated",
        owner=lead.p3,
        deadline=lead.today + timedelta(days=7),
    )
    titles = [t.title for t in todos_for(lead.bc_user)]
    assert "会议决议:组织手指口述专项检查" in titles
    services.complete_decision(lead.bc_user, decision=d, note="已检查全部班组")
    assert "会议决议:组织手指口述专项检查" not in [t.title for t in todos_for(lead.bc_user)]


def test_an_overdue_decision_is_on_the_secretarys_list_and_counted(lead):
    m = hold(lead, committee_meeting(lead, day=lead.today - timedelta(days=30)))
    services.add_decision(
        lead.secretary, meeting=m, text="走访困难职工", mode="collective", owner=lead.p4,
        deadline=lead.today - timedelta(days=1)
    )  # fmt: skip
    assert any(t.title.startswith("决议超期(督办):走访困难职工") for t in todos_for(lead.secretary))
    assert services.overview(lead.secretary)["decisions_overdue"] == 1


def test_only_the_owner_or_a_manager_closes_a_decision(lead):
    m = hold(lead, committee_meeting(lead))
    d = services.add_decision(
        lead.secretary, meeting=m, text="事项", mode="collective", owner=lead.p3, deadline=lead.today
    )
    with pytest.raises(Forbidden):
        services.complete_decision(lead.team_leader, decision=d, note="完成")
    with pytest.raises(NotFound):
        services.get_decision(lead.other_secretary, d.pk)


def test_meetings_of_another_branch_are_not_found(lead):
    m = committee_meeting(lead)
    with pytest.raises(NotFound):
        services.get_meeting(lead.other_secretary, m.pk)


def test_the_same_form_twice_makes_one_meeting(lead):
    a = committee_meeting(lead, token="t-1")
    b = committee_meeting(lead, token="t-1")
    assert a.pk == b.pk
