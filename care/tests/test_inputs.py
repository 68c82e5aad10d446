"""One declaration per input (``care.forms``): the page and the API read a field by the same rules and answer with the
same Chinese message next to the field (page) or naming it (API's 422)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from care.models import Entry, HelpRecord, Talk
from care.tests.helpers import criterion, enter
from orgs.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _json(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_a_blank_talk_is_refused_by_the_page_and_the_api_with_the_same_message(care, login):
    c = login(care.secretary)
    talk = {"form": "face", "people": [care.worker_person.pk], "topics": "   ", "concerns": "我写的问题"}
    page = c.post("/care/talks/new/", {**talk, "token": "t-1"})
    assert page.status_code == 422
    html = page.content.decode()
    assert "请填写谈话内容" in html and "我写的问题" in html  # what was typed stays
    api = _json(c, "/api/care/talks", talk)
    assert api.status_code == 422 and api.json()["errors"] == {"topics": ["请填写谈话内容"]}
    assert not Talk.objects.exists()


def test_a_person_out_of_reach_is_the_same_field_error_as_no_such_person(care, login):
    c = login(care.secretary)
    for pk in (care.far_away.pk, 987654321):  # another mine, and nobody: the same words
        talk = {"form": "face", "people": [pk], "topics": "谈心"}
        api = _json(c, "/api/care/talks", talk)
        assert api.status_code == 422 and api.json()["errors"] == {"people": ["请选择谈话对象"]}
        page = c.post("/care/talks/new/", talk)
        assert page.status_code == 422 and "请选择谈话对象" in page.content.decode()


def test_a_talk_dated_tomorrow_names_the_date_on_both(care, login):
    c = login(care.secretary)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    talk = {"form": "face", "people": [care.worker_person.pk], "topics": "谈心", "date": tomorrow}
    api = _json(c, "/api/care/talks", talk)
    assert api.status_code == 422 and api.json()["errors"] == {"date": ["日期不能晚于今天"]}
    page = c.post("/care/talks/new/", talk)
    assert page.status_code == 422 and "日期不能晚于今天" in page.content.decode()


def test_a_helper_of_another_branch_is_refused_on_the_field_by_the_page_and_the_api(care, login):
    c = login(care.secretary)
    stranger = PersonFactory(org=care.other_team, political_status="member")
    entry = {"tier": "B", "criteria": [criterion(care)], "helper": stranger.pk, "measures": ["结对帮扶"]}
    api = _json(c, "/api/care/register", {**entry, "person": care.worker_person.pk})
    assert api.status_code == 422 and api.json()["errors"] == {"helper": ["请选择本支部的党员或班组长作为帮教人"]}
    page = c.post(f"/care/register/new/{care.worker_person.pk}/", {**entry, "measures": "结对帮扶", "reason": "我写的"})
    assert page.status_code == 422
    assert "请选择本支部的党员或班组长作为帮教人" in page.content.decode() and "我写的" in page.content.decode()
    assert not Entry.objects.exists()


def test_an_unknown_criterion_names_the_criteria(care, login):
    c = login(care.secretary)
    entry = {"tier": "B", "criteria": [987654321], "helper": care.member_person.pk}
    api = _json(c, "/api/care/register", {**entry, "person": care.worker_person.pk, "measures": ["结对帮扶"]})
    assert api.status_code == 422 and api.json()["errors"] == {"criteria": ["请至少选择一个薄弱类型"]}
    page = c.post(f"/care/register/new/{care.worker_person.pk}/", {**entry, "measures": "甲" * 201})
    assert page.status_code == 422
    assert "请至少选择一个薄弱类型" in page.content.decode() and "每个帮教措施最长200字" in page.content.decode()


def test_changes_of_the_register_read_their_fields_alike(care, login):
    entry = enter(care)
    c = login(care.member)  # the 帮教人
    help_in = {"form": "talk", "content": "  ", "version": entry.version}
    api = _json(c, f"/api/care/register/{entry.pk}/help", help_in)
    assert api.status_code == 422 and api.json()["errors"] == {"content": ["请填写帮教内容"]}
    page = c.post(f"/care/register/{entry.pk}/help/", help_in)
    assert page.status_code == 422 and "请填写帮教内容" in page.content.decode()
    assert not HelpRecord.objects.exists()
    c = login(care.secretary)
    release = {"reason": "好了", "confirm_open": True}
    api = _json(c, f"/api/care/register/{entry.pk}/release", release)
    assert api.status_code == 422 and api.json()["errors"] == {"reason": ["请填写解除理由(转化情况)"]}
    page = c.post(f"/care/register/{entry.pk}/release/", {**release, "confirm_open": "1"})
    assert page.status_code == 422 and "请填写解除理由(转化情况)" in page.content.decode()
    assert Entry.objects.get(pk=entry.pk).status == "active"


def test_a_stranger_posting_to_an_entry_learns_nothing(care, login):
    entry = enter(care)
    c = login(care.other_secretary)
    assert _json(c, f"/api/care/register/{entry.pk}/help", {"form": "talk", "content": "x"}).status_code == 404
    assert c.post(f"/care/register/{entry.pk}/help/", {"form": "talk", "content": "x"}).status_code == 404
    assert c.post(f"/care/register/{entry.pk}/help/", {"form": "talk", "content": ""}).status_code == 404


def test_closing_a_follow_up_with_a_note_too_long_says_so(care, login):
    from care.tests.helpers import record_talk

    talk = record_talk(care.secretary, {"form": "phone", "people": [care.worker_person.pk], "topics": "询问孩子上学",
                                        "follow_ups": "联系工会申请助学金"})  # fmt: skip
    follow = talk.follow_ups.get()
    c = login(care.secretary)
    page = c.post(f"/care/follow-ups/{follow.pk}/close/", {"note": "甲" * 201})
    assert page.status_code == 422 and "说明最长200字" in page.content.decode()
    assert c.post(f"/care/follow-ups/{follow.pk}/close/", {"note": "已申请"}).status_code == 302
