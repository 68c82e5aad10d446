"""组织生活会 as a closed loop: the table (state × action × role) through the kernel, the talks pairs, criticism
privacy, rectification items to closure and shown again."""

from datetime import timedelta

import pytest

from care.models import Talk, TalkPerson
from common.errors import Conflict, Forbidden, NotFound
from leadership import rules, services
from leadership.models import LifeMeeting, LifeStep
from leadership.tests.helpers import life_at
from orgs.models import SensitiveAccess

pytestmark = pytest.mark.django_db

STATES = list(rules.LIFE_STATES)
ACTIONS = sorted(services.LIFE_MACHINE.actions)


def _expected(state, action):
    row = services.LIFE_MACHINE.row(state, action)
    return row.target if row else None


def test_the_table_is_a_single_line_from_theme_to_closure():
    table = services.LIFE_MACHINE.as_dict()
    order = [(s, a, t) for (s, a), (t, _who, _l) in table.items()]
    assert [s for s, _a, _t in order] == STATES[:-1]
    assert [t for _s, _a, t in order] == STATES[1:]
    assert all(who == frozenset({"manage"}) for _t, who, _l in table.values())


def _roles(w):
    """name -> (user, what they are to this branch's 组织生活会)."""
    return {
        "secretary": (w.secretary, "manage"),
        "branch_committee": (w.bc_user, "manage"),
        "mine_committee": (w.committee_user, "manage"),
        "admin": (w.admin, "read"),
        "team_leader": (w.team_leader, "none"),  # their scope is their 班组, not the branch's records
        "member": (w.member, "none"),
        "worker": (w.worker, "none"),
        "other_secretary": (w.other_secretary, "none"),
    }


@pytest.mark.parametrize("state", STATES)
def test_every_state_every_action_every_role(lead, state):
    """Each state × each action × each role through the kernel: out of scope → 404; not in the table → 409 and the
    state stays; in the table but not a manager → 403; a manager moves along the table (or the guard says why not)."""
    life = life_at(lead, state)
    for action in ACTIONS:
        target = _expected(state, action)
        for name, (user, role) in _roles(lead).items():
            obj = LifeMeeting.objects.get(pk=life.pk)
            where = f"{state} × {action} × {name}"
            if role == "none":
                with pytest.raises(NotFound):
                    services.life_act(user, life=obj, action=action)
            elif target is None:
                with pytest.raises(Conflict, match="不能"):
                    services.life_act(user, life=obj, action=action)
            elif role == "read":
                with pytest.raises(Forbidden):
                    services.life_act(user, life=obj, action=action)
            else:
                try:
                    services.life_act(user, life=obj, action=action)
                except Conflict as exc:
                    assert exc.message.startswith("请先") or "整改" in exc.message, where
                else:
                    assert LifeMeeting.objects.get(pk=life.pk).state == target, where
                    LifeMeeting.objects.filter(pk=life.pk).update(state=state)
                    continue
            assert LifeMeeting.objects.get(pk=life.pk).state == state, where


def test_a_step_is_recorded_with_who_and_from_to(lead):
    life = life_at(lead, "study")
    step = LifeStep.objects.get(life=life)
    assert (step.from_status, step.to_status, step.actor, step.action) == (
        "planned",
        "study",
        lead.secretary,
        "start_study",
    )
    assert str(step) == "确定主题→会前学习"


@pytest.mark.parametrize(
    "state, action, reason",
    [
        ("study", "start_talks", "会前学习"),
        ("opinions", "hold", "征求到的意见"),
        ("meeting", "rectify", "召开日期"),
        ("rectify", "close", "整改事项"),
    ],
)
def test_guards_say_what_is_missing(lead, state, action, reason):
    life = services.create_life(lead.secretary, org=lead.branch, year=lead.today.year, theme="主题")
    LifeMeeting.objects.filter(pk=life.pk).update(state=state)
    life.refresh_from_db()
    with pytest.raises(Conflict, match=reason):
        services.life_act(lead.secretary, life=life, action=action)


def test_open_rectification_items_block_closure_until_checked(lead):
    life = life_at(lead, "rectify")
    r = services.add_rectification(
        lead.secretary, life=life, problem="帮教跟进不够", measure="建台账", owner=lead.p3,
        deadline=lead.today + timedelta(days=3)
    )  # fmt: skip
    with pytest.raises(Conflict, match="未验收销号"):
        services.life_act(lead.secretary, life=life, action="close")
    with pytest.raises(Conflict, match="尚未报告整改完成"):
        services.rectification_check(lead.secretary, item=r)
    services.rectification_done(lead.bc_user, item=r, evidence="台账已建立")
    with pytest.raises(Conflict, match="不能验收自己"):
        services.rectification_check(lead.bc_user, item=r)
    services.rectification_check(lead.secretary, item=r)
    assert r.status_label == "已销号"
    services.life_act(lead.secretary, life=life, action="close")
    assert LifeMeeting.objects.get(pk=life.pk).state == "closed"


def test_a_criticism_becomes_an_item_shown_again_at_the_next_meeting(lead, client):
    life = life_at(lead, "meeting")
    c = services.add_criticism(
        lead.secretary, life=life, target=lead.p4, kind="received", giver=lead.p3, text="下井跟班少"
    )
    r = services.add_rectification(
        lead.secretary, life=life, problem="下井跟班少", measure="每周两次跟班", owner=lead.p4,
        deadline=lead.today + timedelta(days=30), criticism=c
    )  # fmt: skip
    from leadership.tests.helpers import committee_meeting

    m = committee_meeting(lead)
    client.force_login(lead.secretary)
    page = client.get(f"/leadership/meetings/{m.pk}/").content.decode()
    assert "下井跟班少" in page and "未销号的整改事项" in page
    nxt = services.create_life(lead.secretary, org=lead.branch, year=lead.today.year + 1, theme="下一次")
    assert list(services.open_rectifications(lead.branch, before=nxt)) == [r]


def test_talk_pairs_count_care_talks_between_participants(lead):
    life = life_at(lead, "talks")
    assert services.talk_pairs(life)[:2] == (0, 6)
    talk = Talk.objects.create(
        org=lead.branch, talker=lead.secretary.person, date=lead.today, form="face", topics="谈心",
        recorded_by=lead.secretary
    )  # fmt: skip
    for p in (lead.p3, lead.p4):
        TalkPerson.objects.create(talk=talk, person=p, date=lead.today)
    done, required, missing = services.talk_pairs(life)
    assert (done, required) == (2, 6)
    assert (lead.secretary.person, lead.p3) not in missing and len(missing) == 4


def test_criticism_is_need_to_know_and_every_read_is_logged(lead):
    life = life_at(lead, "meeting")
    services.add_criticism(lead.secretary, life=life, target=lead.p4, kind="received", giver=lead.p3, text="甲")
    services.add_criticism(lead.secretary, life=life, target=lead.p3, kind="self", text="乙")
    before = SensitiveAccess.objects.count()
    assert {c.text for c in services.criticisms_for(lead.secretary, life)} == {"甲", "乙"}
    assert SensitiveAccess.objects.count() == before + 2
    # the 支部委员 丙 reads only what is about themselves; the 班组长 nothing
    assert [c.text for c in services.criticisms_for(lead.bc_user, life)] == ["乙"]
    assert services.criticisms_for(lead.team_leader, life) == []


def test_the_committee_may_hide_who_gave_a_criticism(lead, client):
    life = life_at(lead, "meeting")
    services.add_criticism(lead.secretary, life=life, target=lead.p4, kind="received", giver=lead.p3, text="甲")
    client.force_login(lead.secretary)
    assert "提出人:党员丙" in client.get(f"/leadership/life/{life.pk}/").content.decode()
    services.update_life(lead.secretary, life=life, anonymous_criticism=True)
    page = client.get(f"/leadership/life/{life.pk}/").content.decode()
    assert "党员丙" not in page.split('id="criticisms"')[1].split("</div></div>")[0]
    assert "(不显示)" in page


def test_appraisal_runs_its_table_and_needs_every_grade(lead):
    a = services.create_appraisal(lead.secretary, org=lead.branch, year=lead.today.year)
    rows = list(a.rows.all())
    assert {r.person.name for r in rows} == {"书记甲", "党员甲", "党员丙", "党员丁"}  # the branch's party members
    own = next(r for r in rows if r.person_id == lead.member_person.pk)
    services.update_appraisal_row(lead.member, row=own, self_summary="带头遵章守纪")
    with pytest.raises(Conflict):
        services.update_appraisal_row(lead.secretary, row=own, grade="excellent")
    for action in ("to_mutual", "to_poll", "to_decide"):
        services.appraisal_act(lead.secretary, appraisal=a, action=action)
        a.refresh_from_db()
    with pytest.raises(Conflict, match="没有评定意见"):
        services.appraisal_act(lead.secretary, appraisal=a, action="finish")
    for r in rows:
        services.update_appraisal_row(lead.secretary, row=r, grade="qualified")
    services.appraisal_act(lead.secretary, appraisal=a, action="finish")
    a.refresh_from_db()
    assert a.state == "done"
    with pytest.raises(Conflict):
        services.appraisal_act(lead.secretary, appraisal=a, action="finish")


APPRAISAL_STATES = list(rules.APPRAISAL_STATES)


@pytest.mark.parametrize("state", APPRAISAL_STATES)
def test_appraisal_table_every_state_every_action_every_role(lead, state):
    """民主评议 through the kernel: each state × action × role, like the 组织生活会's table."""
    from leadership.models import Appraisal

    a = services.create_appraisal(lead.secretary, org=lead.branch, year=lead.today.year)
    a.rows.update(grade="qualified")
    Appraisal.objects.filter(pk=a.pk).update(state=state)
    machine = services.APPRAISAL_MACHINE
    for action in sorted(machine.actions):
        row = machine.row(state, action)
        for name, (user, role) in _roles(lead).items():
            obj = Appraisal.objects.get(pk=a.pk)
            where = f"{state} × {action} × {name}"
            if role == "none":
                expected = NotFound if name != "member" else (Conflict if row is None else Forbidden)
                with pytest.raises(expected):  # the member is appraised: they may open it, not move it
                    services.appraisal_act(user, appraisal=obj, action=action)
            elif row is None:
                with pytest.raises(Conflict):
                    services.appraisal_act(user, appraisal=obj, action=action)
            elif role == "read":
                with pytest.raises(Forbidden):
                    services.appraisal_act(user, appraisal=obj, action=action)
            else:
                services.appraisal_act(user, appraisal=obj, action=action)
                assert Appraisal.objects.get(pk=a.pk).state == row.target, where
                Appraisal.objects.filter(pk=a.pk).update(state=state)
                continue
            assert Appraisal.objects.get(pk=a.pk).state == state, where
