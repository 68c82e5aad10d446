"""The register: entering (from a suggestion or by hand), the transition table, help on a phone, evaluations due and
overdue in both 待办 lists, release with open measures only after confirmation, double submits, history."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from care import services
from care.models import Decision, Entry, EntryStatus, HelpRecord, SuggestionDecision
from care.tests.helpers import act, criterion, enter, record_talk
from common.errors import Conflict, Forbidden, NotFound
from common.todos import todos_for
from orgs.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_confirming_a_suggestion_enters_the_person_with_its_facts(care, login):
    p = PersonFactory(org=care.team, hire_date=timezone.localdate() - timedelta(days=3), name="新工人")
    client = login(care.secretary)
    page = client.get(f"/care/register/new/{p.pk}/?rule=new_hire").content.decode()
    assert "入职(第3天)" in page  # the facts prefill the explanation
    token = "tok-1"
    data = {
        "token": token,
        "rule": "new_hire",
        "tier": "C",
        "criteria": [criterion(care, "新入职")],
        "helper": care.member_person.pk,
        "measures": "师带徒\n不安排单岗作业",
        "reason": "新入职",
    }
    response = client.post(f"/care/register/new/{p.pk}/", data)
    entry = Entry.objects.get(person=p)
    assert response.status_code == 302 and response["Location"] == f"/care/register/{entry.pk}/"
    assert client.post(f"/care/register/new/{p.pk}/", data).status_code == 302  # a double submit: still one entry
    assert Entry.objects.filter(person=p).count() == 1
    assert entry.facts[0]["rule"] == "new_hire" and entry.measures.count() == 2
    assert SuggestionDecision.objects.get(person=p).decision == Decision.CONFIRMED
    assert entry.eval_days == 30 and entry.events.get().action == "enter"


def test_a_failed_entry_form_keeps_the_input_and_names_the_fields(care, login):
    client = login(care.secretary)
    response = client.post(
        f"/care/register/new/{care.worker_person.pk}/",
        {"token": "t", "tier": "A", "helper": "", "measures": "我写的措施", "reason": "我写的说明"},
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "请至少选择一个薄弱类型" in body and "请选择本支部的党员或班组长作为帮教人" in body
    assert "我写的措施" in body and "我写的说明" in body


def test_the_helper_must_be_a_party_member_or_team_leader_of_the_branch(care):
    with pytest.raises(ValidationError) as exc:
        enter(care, helper=care.colleague.pk)  # 群众, not a team leader
    assert "helper" in exc.value.message_dict
    with pytest.raises(ValidationError):
        enter(care, helper=PersonFactory(org=care.other_team, political_status="member").pk)  # another branch
    with pytest.raises(ValidationError):
        enter(care, person=care.member_person)  # helping themselves


def test_only_the_branch_secretary_enters_and_one_active_entry_per_person(care):
    with pytest.raises(Forbidden):
        enter(care, user=care.committee_user)
    with pytest.raises(NotFound):
        enter(care, user=care.other_secretary)
    enter(care)
    with pytest.raises(Conflict):
        enter(care)


def test_the_helper_records_help_and_evaluates_but_may_not_release(care):
    entry = enter(care)
    act(care.member, entry.pk, "help", {"form": "talk", "content": "谈心半小时,情绪好转", "token": "h1"})
    act(care.member, entry.pk, "help", {"form": "talk", "content": "谈心半小时,情绪好转", "token": "h1"})
    assert HelpRecord.objects.filter(entry=entry).count() == 1
    act(care.member, entry.pk, "evaluate", {"trend": "better"})
    for action, data in (("release", {"reason": "已转化,表现良好"}), ("tier", {"tier": "A"}),
                         ("helper", {"helper": care.member_person.pk})):  # fmt: skip
        with pytest.raises(Forbidden):
            act(care.member, entry.pk, action, data)
    with pytest.raises(NotFound):
        act(care.worker, entry.pk, "help", {"form": "talk", "content": "x"})
    with pytest.raises(NotFound):
        act(care.admin, entry.pk, "help", {"form": "talk", "content": "x"})


def test_releasing_with_open_measures_asks_for_confirmation_and_records_it(care, login):
    entry = enter(care)
    client = login(care.secretary)
    response = client.post(
        f"/care/register/{entry.pk}/release/", {"reason": "情绪稳定,连续两月无三违", "version": entry.version}
    )
    body = response.content.decode()
    assert response.status_code == 422 and "还有 2 项帮教措施未落实" in body and "连续两月无三违" in body
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.ACTIVE
    response = client.post(
        f"/care/register/{entry.pk}/release/",
        {"reason": "情绪稳定,连续两月无三违", "confirm_open": "1", "version": entry.version},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.RELEASED and entry.released_on == timezone.localdate()
    event = entry.events.get(action="release")
    assert event.data["未落实措施"] == ["党员结对帮扶", "不安排单岗作业"] and event.actor == care.secretary
    # released: no more actions, a stale form answers 409, the person may be entered again later (history kept)
    assert client.post(f"/care/register/{entry.pk}/help/", {"form": "talk", "content": "x"}).status_code == 409
    again = enter(care)
    assert again.pk != entry.pk and Entry.objects.filter(person=care.worker_person).count() == 2


def test_releasing_when_every_measure_is_done_needs_no_confirmation(care):
    entry = enter(care, measures="结对")
    act(care.secretary, entry.pk, "measure_done", {"measure": entry.measures.get().pk})
    act(care.secretary, entry.pk, "release", {"reason": "已转化,表现良好"})
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.RELEASED


def test_a_stale_version_answers_409(care):
    entry = enter(care)
    act(care.secretary, entry.pk, "tier", {"tier": "A", "version": entry.version})
    with pytest.raises(Conflict):
        act(care.secretary, entry.pk, "tier", {"tier": "C", "version": entry.version})
    assert Entry.objects.get(pk=entry.pk).eval_days == 7  # A: weekly


def test_overdue_evaluations_are_in_the_helpers_and_the_secretarys_todo(care):
    entry = enter(care, tier="A")
    assert not [t for t in todos_for(care.member) if "薄弱人物评估" in t.title]
    Entry.objects.filter(pk=entry.pk).update(entered_on=timezone.localdate() - timedelta(days=8))
    helper_todos = [t for t in todos_for(care.member) if "薄弱人物评估" in t.title]
    secretary_todos = [t for t in todos_for(care.secretary) if "薄弱人物评估" in t.title]
    assert len(helper_todos) == 1 and len(secretary_todos) == 1 and helper_todos[0].overdue
    assert not [t for t in todos_for(care.other_secretary) if "薄弱人物评估" in t.title]
    act(care.member, entry.pk, "evaluate", {"trend": "stable"})
    assert not [t for t in todos_for(care.member) if "薄弱人物评估" in t.title]


def test_talk_follow_ups_are_todos_until_closed(care, login):
    talk = record_talk(
        care.secretary,
        {
            "form": "phone",
            "people": [care.worker_person.pk],
            "topics": "询问孩子上学",
            "follow_ups": "联系工会申请助学金",
        },
    )
    todos = [t for t in todos_for(care.secretary) if "谈心谈话跟进" in t.title]
    assert len(todos) == 1 and todos[0].url == f"/care/talks/{talk.pk}/"
    follow = talk.follow_ups.get()
    assert login(care.other_secretary).post(f"/care/follow-ups/{follow.pk}/close/", {}).status_code == 404
    assert login(care.secretary).post(f"/care/follow-ups/{follow.pk}/close/", {"note": "已申请"}).status_code == 302
    assert not [t for t in todos_for(care.secretary) if "谈心谈话跟进" in t.title]


def test_a_double_submitted_talk_is_one_talk(care, login):
    client = login(care.secretary)
    data = {
        "token": "talk-1",
        "form": "face",
        "people": [care.worker_person.pk, care.colleague.pk],
        "topics": "班前谈心",
        "date": timezone.localdate().isoformat(),
    }
    first = client.post("/care/talks/new/", data)
    second = client.post("/care/talks/new/", data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    bad = client.post(
        "/care/talks/new/", {"token": "talk-2", "form": "face", "people": [care.far_away.pk], "topics": "我写的内容"}
    )
    assert bad.status_code == 422 and "请选择谈话对象" in bad.content.decode() and "我写的内容" in bad.content.decode()


def test_branch_figures_count_tiers_criteria_and_days_to_release(care, login):
    a = enter(care, tier="A")
    enter(care, person=care.colleague, tier="C")
    Entry.objects.filter(pk=a.pk).update(entered_on=timezone.localdate() - timedelta(days=20))
    act(care.secretary, a.pk, "release", {"reason": "已转化,表现良好", "confirm_open": "1"})
    stats = services.register_stats(care.secretary)
    assert stats["total"]["C"] == 1 and stats["total"]["A"] == 0 and stats["total"]["released"] == 1
    assert stats["total"]["avg_days"] == 20 and stats["criteria"] == [("家庭变故", 1)]
    page = login(care.committee_user).get("/care/").content.decode()
    assert "掘进一区党支部" in page


def test_register_list_query_count_does_not_grow(care, login, django_assert_max_num_queries):
    for i in range(6):
        enter(care, person=PersonFactory(org=care.team, name=f"人{i}"))
    client = login(care.secretary)
    with django_assert_max_num_queries(16):
        page = client.get("/care/register/").content.decode()
    assert page.count("/care/register/") >= 6


def test_the_api_register_reads_the_evaluation_dates_once_for_the_page(care, login, django_assert_max_num_queries):
    for i in range(2):
        enter(care, person=PersonFactory(org=care.team, name=f"人{i}"))
    client = login(care.secretary)
    with django_assert_max_num_queries(40) as two:
        assert len(client.get("/api/care/register").json()) == 2
    for i in range(2, 6):
        enter(care, person=PersonFactory(org=care.team, name=f"人{i}"))
    with django_assert_max_num_queries(len(two.captured_queries)):
        rows = client.get("/api/care/register").json()
    assert len(rows) == 6 and all(r["next_evaluation"] for r in rows)
