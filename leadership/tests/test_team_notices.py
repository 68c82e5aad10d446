"""The team (届, term, members, 分工, history), notices with read receipts and reports up, branch_figures."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from common.errors import Conflict, Forbidden
from common.todos import todos_for
from leadership import services
from leadership.models import Duty, NoticeReceipt, Team
from leadership.tests.helpers import committee_meeting, hold, life_at

pytestmark = pytest.mark.django_db


def test_a_committee_term_is_three_years_by_default(lead):
    t = lead.team_c
    assert t.term_years == 3
    assert t.term_ends_on == t.elected_on.replace(year=t.elected_on.year + 3)


@override_settings(HONGLING_LEADERSHIP={"term_years": 5})
def test_the_term_is_a_setting(lead):
    t = services.create_team(lead.secretary, org=lead.branch, kind="committee", elected_on=lead.today)
    assert t.term_years == 5


def test_a_new_term_closes_the_old_one_and_keeps_its_history(lead):
    old = lead.team_c
    new = services.create_team(lead.secretary, org=lead.branch, kind="committee", elected_on=lead.today)
    old.refresh_from_db()
    assert (old.closed_on, new.number) == (lead.today, 2)
    assert not old.members.filter(ends_on=None).exists()
    assert set(old.members.values_list("end_reason", flat=True)) == {"换届"}
    assert not Duty.objects.filter(member__team=old, ends_on=None).exists()
    with pytest.raises(Conflict):
        services.add_member(lead.secretary, team=old, person=lead.p3, post="委员", starts_on=lead.today)


def test_members_and_duties_change_with_dates(lead):
    m = lead.team_c.members.get(person=lead.p4)
    services.set_duty(lead.secretary, member=m, area="纪律检查、安全监督", starts_on=lead.today)
    duties = list(m.duties.order_by("starts_on"))
    assert [d.area for d in duties] == ["纪检委员", "纪律检查、安全监督"]
    assert duties[0].ends_on == lead.today - timedelta(days=1)
    services.end_member(lead.secretary, member=m, ends_on=lead.today, reason="调离")
    m.refresh_from_db()
    assert (m.ends_on, m.end_reason) == (lead.today, "调离")
    assert committee_meeting(lead).expected == 3  # the next 支委会 expects the current members only


def test_a_committee_member_is_a_party_member_of_the_branch(lead):
    with pytest.raises(ValidationError) as exc:
        services.add_member(lead.secretary, team=lead.team_c, person=lead.colleague, post="委员", starts_on=lead.today)
    assert "党员" in exc.value.message_dict["person"][0]
    with pytest.raises(ValidationError):
        services.add_member(lead.secretary, team=lead.team_c, person=lead.stranger, post="委员", starts_on=lead.today)


def test_the_administrative_team_sits_on_a_unit(lead):
    with pytest.raises(ValidationError):
        services.create_team(lead.secretary, org=lead.branch, kind="admin", elected_on=lead.today)
    t = services.create_team(lead.secretary, org=lead.unit, kind="admin", elected_on=lead.today)
    assert t.term_years is None and Team.objects.visible_to(lead.other_secretary).filter(pk=t.pk).count() == 0


def _notice(w):
    return services.send_notice(
        w.committee_user,
        org=w.committee,
        title="安全生产月通知",
        body="请各支部按时组织",
        targets=[w.branch, w.other_branch],
    )


def test_a_notice_is_read_by_the_units_leadership(lead, client):
    n = _notice(lead)
    assert n.receipts.count() == 2
    client.force_login(lead.secretary)
    assert client.get(f"/leadership/notices/{n.pk}/").status_code == 200
    read = dict(NoticeReceipt.objects.filter(notice=n).values_list("org_id", "read_by"))
    assert read == {lead.branch.pk: lead.secretary.pk, lead.other_branch.pk: None}


def test_unread_after_n_days_is_a_todo_of_the_sender_not_the_reader(lead):
    n = _notice(lead)
    assert not [t for t in todos_for(lead.committee_user) if "未读" in t.title]
    n.sent_on = timezone.localdate() - timedelta(days=3)
    n.save()
    titles = [t.title for t in todos_for(lead.committee_user)]
    assert "通知《安全生产月通知》:2 个单位超过 3 天未读" in titles
    assert not [t for t in todos_for(lead.secretary) if "安全生产月通知" in t.title]
    services.mark_read(lead.secretary, n)
    assert "通知《安全生产月通知》:1 个单位超过 3 天未读" in [t.title for t in todos_for(lead.committee_user)]


def test_targets_lie_below_the_sender(lead):
    with pytest.raises(ValidationError):
        services.send_notice(lead.secretary, org=lead.branch, title="通知", body="正文", targets=[lead.other_branch])


def test_a_report_goes_up_and_only_the_committee_replies(lead):
    r = services.submit_report(lead.secretary, org=lead.branch, title="情况报告", body="职工反映送饭不及时")
    assert any("答复情况报告" in t.title for t in todos_for(lead.committee_user))
    with pytest.raises(Forbidden):
        services.reply_report(lead.secretary, report=r, reply="自己答复")
    services.reply_report(lead.committee_user, report=r, reply="已协调后勤")
    with pytest.raises(Conflict):
        services.reply_report(lead.committee_user, report=r, reply="再次")
    assert not any("答复情况报告" in t.title for t in todos_for(lead.committee_user))


def test_branch_figures_for_the_scorecard(lead):
    today = lead.today
    m1 = hold(lead, committee_meeting(lead, day=today - timedelta(days=10)))
    hold(lead, committee_meeting(lead, day=today - timedelta(days=5)), absent=[lead.p3.pk, lead.p4.pk])
    services.add_decision(lead.secretary, meeting=m1, text="甲", mode="collective", owner=lead.p3,
                          deadline=today - timedelta(days=2))  # fmt: skip
    d2 = services.add_decision(lead.secretary, meeting=m1, text="乙", mode="delegated", owner=lead.p4,
                               deadline=today + timedelta(days=2))  # fmt: skip
    services.complete_decision(lead.secretary, decision=d2, note="完成")
    life_at(lead, "closed")
    f = services.branch_figures(branch=lead.branch, start=today - timedelta(days=30), end=today)
    assert (f["meetings_held"], f["meetings_valid"]) == (2, 1)
    assert (f["decisions"], f["decisions_done"], f["decisions_overdue"]) == (2, 1, 1)
    assert (f["rectifications_closed"], f["rectifications_open"]) == (1, 0)
    assert (
        services.branch_figures(branch=lead.other_branch, start=today - timedelta(days=30), end=today)["meetings_held"]
        == 0
    )
