"""One declaration per input (``leadership.forms``): the page and the API read a field by the same rules and answer
with the same Chinese message next to the field (page) or naming it (API's 422)."""

import pytest

from leadership.models import Meeting
from leadership.tests.helpers import committee_meeting, hold

pytestmark = pytest.mark.django_db


def _meeting(lead, **changes):
    data = {"org": lead.branch.pk, "kind": "committee", "date": lead.today.isoformat(), "topic": "研究安全工作"}
    return {**data, **changes}


def test_a_blank_topic_is_refused_by_the_page_and_the_api_with_the_same_message(lead, login):
    c = login(lead.secretary)
    page = c.post("/leadership/meetings/new/", {**_meeting(lead, topic="   "), "place": "三楼会议室",
                                                "agenda": "通报三违"})  # fmt: skip
    assert page.status_code == 422
    html = page.content.decode()
    assert "请填写主题" in html and "三楼会议室" in html and "通报三违" in html  # what was typed stays
    api = c.post("/api/leadership/meetings", _meeting(lead, topic="   "), content_type="application/json")
    assert api.status_code == 422 and api.json()["errors"] == {"topic": ["请填写主题"]}
    assert not Meeting.objects.exists()


def test_an_org_the_user_does_not_keep_is_a_field_error_not_a_leak(lead, login):
    c = login(lead.secretary)
    for org in (lead.other_branch.pk, 987654321):  # out of scope, and no such org: the same answer
        api = c.post("/api/leadership/meetings", _meeting(lead, org=org), content_type="application/json")
        assert api.status_code == 422 and api.json()["errors"] == {"org": ["请选择您负责的组织"]}
        page = c.post("/leadership/meetings/new/", _meeting(lead, org=org))
        assert page.status_code == 422 and "请选择您负责的组织" in page.content.decode()


def test_a_date_out_of_range_and_a_long_agenda_item_name_their_fields(lead, login):
    c = login(lead.secretary)
    r = c.post("/api/leadership/meetings", _meeting(lead, date="1999-12-31"), content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"] == {"date": ["日期超出可选范围"]}
    page = c.post("/leadership/meetings/new/", _meeting(lead, date="1999-12-31", agenda="通报\n" + "甲" * 201))
    assert page.status_code == 422
    assert "日期超出可选范围" in page.content.decode() and "每个议题最长200字" in page.content.decode()


def test_attendance_of_the_api_and_the_page_need_a_reason_for_leave(lead, login):
    c = login(lead.secretary)
    m = committee_meeting(lead)
    r = c.post(f"/api/leadership/meetings/{m.pk}/attendance", {"attendance": [{"person": lead.p4.pk,
               "status": "leave"}]}, content_type="application/json")  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"] == {f"reason_{lead.p4.pk}": ["请假须填写原因"]}
    page = c.post(f"/leadership/meetings/{m.pk}/", {"op": "attendance", f"status_{lead.p4.pk}": "leave",
                                                     "minutes": "保留的记录"})  # fmt: skip
    assert page.status_code == 422 and "请假须填写原因" in page.content.decode()
    assert "保留的记录" in page.content.decode()


def test_a_decision_owner_from_another_branch_is_refused_on_the_field(lead, login):
    m = hold(lead, committee_meeting(lead))
    c = login(lead.secretary)
    r = c.post(f"/api/leadership/meetings/{m.pk}/decisions", {"text": "事项", "mode": "collective",
               "owner": lead.stranger.pk, "deadline": lead.today.isoformat()}, content_type="application/json")  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"] == {"owner": ["请选择本支部的责任人"]}
