"""One declaration per input (``frontline.forms``): the page and the API read a field by the same rules and answer
with the same Chinese message next to the field (page) or naming it (API's 422)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from frontline.models import Campaign, CampaignTask, DiaryEntry, UrgentTask
from frontline.tests import helpers
from places.models import Location

pytestmark = pytest.mark.django_db


def _diary(fl, **changes):
    data = {"place": "职工食堂", "learned": "职工反映饭菜偏咸", "people": [fl.worker_person.pk], "token": "in-1"}
    return {**data, **changes}


def _both(client, page_url, api_url, data, method="post"):
    page = client.post(page_url, data)
    api = getattr(client, method)(api_url, data, content_type="application/json")
    return page, api


def test_a_short_visit_is_refused_by_the_page_and_the_api_with_the_same_message(fl, login):
    c = login(fl.secretary)
    page, api = _both(c, "/frontline/diary/new/", "/api/frontline/diary", _diary(fl, learned="  短 "))
    assert page.status_code == 422
    html = page.content.decode()
    assert "请填写了解到的民情(至少4个字)" in html and "职工食堂" in html and 'value="in-1"' in html  # typed, kept
    assert api.status_code == 422 and api.json()["errors"] == {"learned": ["请填写了解到的民情(至少4个字)"]}
    assert not DiaryEntry.objects.filter(token="in-1").exists()


def test_people_out_of_reach_and_unknown_ids_get_the_same_words(fl, login):
    c = login(fl.secretary)
    for people in ([fl.stranger.pk], [987654321], [fl.far_away.pk, fl.worker_person.pk]):
        page, api = _both(c, "/frontline/diary/new/", "/api/frontline/diary", _diary(fl, people=people))
        assert page.status_code == 422 and "有人员不存在或不在您的范围内" in page.content.decode()
        assert api.status_code == 422 and api.json()["errors"] == {"people": ["有人员不存在或不在您的范围内"]}
    assert not DiaryEntry.objects.filter(token="in-1").exists()


def test_dates_and_places_name_their_fields(fl, login):
    c = login(fl.secretary)
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    page, api = _both(c, "/frontline/diary/new/", "/api/frontline/diary", _diary(fl, date=future))
    assert page.status_code == 422 and "日期不能晚于今天" in page.content.decode()
    assert api.status_code == 422 and api.json()["errors"] == {"date": ["日期不能晚于今天"]}
    # a 井下地点 of another mine is refused like one that does not exist
    far = Location.objects.create(mine=fl.mine_b, unit=fl.unit_b, name="机电硐室")
    for location in (far.pk, 987654321):
        page, api = _both(c, "/frontline/diary/new/", "/api/frontline/diary", _diary(fl, location=location))
        assert page.status_code == 422 and "地点不存在或不属于本矿" in page.content.decode()
        assert api.status_code == 422 and api.json()["errors"] == {"location": ["地点不存在或不属于本矿"]}
    # an empty place is the name of the chosen 井下地点
    near = Location.objects.create(mine=fl.mine, unit=fl.unit, name="1302工作面")
    r = c.post("/api/frontline/diary", _diary(fl, place="", location=near.pk), content_type="application/json")
    assert r.status_code == 201 and r.json()["place"] == "1302工作面"


def test_a_request_and_a_report_without_text(fl, login):
    c = login(fl.secretary)
    page, api = _both(c, f"/frontline/diary/{fl.entry.pk}/requests/", f"/api/frontline/diary/{fl.entry.pk}/requests",
                      {"problem": "  "})  # fmt: skip
    assert page.status_code == 422 and "请填写诉求内容" in page.content.decode()
    assert api.status_code == 422 and api.json()["errors"] == {"problem": ["请填写诉求内容"]}
    c_id = helpers.create_campaign(fl.committee_user, {"title": "双化双提", "description": "报告推进情况",
                                                       "deadline": timezone.localdate()}).pk  # fmt: skip
    task = CampaignTask.objects.get(campaign_id=c_id, branch=fl.branch)
    page, api = _both(c, f"/frontline/tasks/{task.pk}/report/", f"/api/frontline/tasks/{task.pk}/report",
                      {"report": " ", "version": 1})  # fmt: skip
    assert page.status_code == 422 and "请填写上报内容" in page.content.decode()
    assert api.status_code == 422 and api.json()["errors"] == {"report": ["请填写上报内容"]}


def test_urgent_and_campaign_fields(fl, login):
    c = login(fl.secretary)
    data = {"title": " ", "kind": "dangerous", "place": "1302工作面", "result": "恢复生产", "token": "u-in"}
    page, api = _both(c, "/frontline/urgent/new/", "/api/frontline/urgent", data)
    assert page.status_code == 422 and "请填写任务名称" in page.content.decode() and "恢复生产" in page.content.decode()
    assert api.status_code == 422 and api.json()["errors"] == {"title": ["请填写任务名称"]}
    assert not UrgentTask.objects.exists()
    committee = login(fl.committee_user)
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    data = {"title": "安全月", "description": "报告活动开展情况", "deadline": past}
    page, api = _both(committee, "/frontline/campaigns/new/", "/api/frontline/campaigns", data)
    assert page.status_code == 422 and "上报期限不能早于今天" in page.content.decode()
    assert api.status_code == 422 and api.json()["errors"] == {"deadline": ["上报期限不能早于今天"]}
    data = {"title": "安全月", "description": "报告活动开展情况", "deadline": timezone.localdate().isoformat(),
            "branches": [fl.branch_b.pk]}  # fmt: skip
    page, api = _both(committee, "/frontline/campaigns/new/", "/api/frontline/campaigns", data)
    assert page.status_code == 422 and "所选支部不属于本矿" in page.content.decode()
    assert api.status_code == 422 and api.json()["errors"] == {"branches": ["所选支部不属于本矿"]}
    assert not Campaign.objects.filter(title="安全月").exists()


def test_a_malformed_filter_narrows_nothing_and_a_flag_reads_the_same_on_page_and_api(fl, login):
    c = login(fl.secretary)
    page = c.get("/frontline/diary/?person=abc&from=2026-13-45&branch=-1&concern=0")
    assert page.status_code == 200 and "王小二家中" in page.content.decode()
    assert "王小二家中" in c.get("/frontline/diary/?concern=1").content.decode()
    assert c.get("/api/frontline/diary?concern=true").json()["count"] == 1
    helpers.create_entry(fl.secretary, _diary(fl, token=None))  # not 需关注
    assert c.get("/api/frontline/diary?concern=true").json()["count"] == 1
    assert c.get("/api/frontline/diary").json()["count"] == 2
    assert "职工食堂" not in c.get("/frontline/diary/?concern=1").content.decode()
