"""One declaration per input (``vanguard.forms``): the page and the API read a field by the same rules and answer with
the same Chinese message next to the field (page) or naming it (API's 422)."""

import pytest
from django.utils import timezone

from orgs.models import PoliticalStatus
from orgs.tests.factories import PersonFactory
from places.models import Location
from vanguard.models import Assessment, Assignment, ModelPost
from vanguard.tests import helpers as posted

pytestmark = pytest.mark.django_db


def _json(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_a_member_out_of_reach_is_the_same_field_error_as_no_such_member(world, login):
    c = login(world.secretary)
    stranger = PersonFactory(org=world.other_team, political_status=PoliticalStatus.MEMBER)
    for member in (stranger.pk, world.worker_person.pk, 987654321):  # another branch, not a member, nobody
        data = {"member": member, "workers": [world.worker_person.pk]}
        api = _json(c, "/api/vanguard/assignments", data)
        assert api.status_code == 422 and api.json()["errors"] == {"member": ["该职工不是您管理范围内的党员"]}
        page = c.post("/vanguard/assign/", {**data, "note": "我写的说明"})
        assert page.status_code == 422
        assert "该职工不是您管理范围内的党员" in page.content.decode() and "我写的说明" in page.content.decode()
    assert not Assignment.objects.exists()


def test_a_place_of_another_mine_and_an_end_before_the_start_name_their_fields(world, login):
    c = login(world.secretary)
    far = Location.objects.create(mine=world.mine_b, unit=world.unit_b, name="外矿工作面")
    base = {"member": world.member_person.pk, "workers": [world.worker_person.pk]}
    api = _json(c, "/api/vanguard/assignments", {**base, "locations": [far.pk]})
    assert api.status_code == 422 and api.json()["errors"] == {"locations": ["责任区中有不属于本矿的地点"]}
    page = c.post("/vanguard/assign/", {**base, "locations": [far.pk]})
    assert page.status_code == 422 and "责任区中有不属于本矿的地点" in page.content.decode()
    ends = {**base, "starts_on": "2026-03-01", "ends_on": "2026-02-28"}
    api = _json(c, "/api/vanguard/assignments", ends)
    assert api.status_code == 422 and api.json()["errors"] == {"ends_on": ["结束日期不能早于开始日期"]}
    page = c.post("/vanguard/assign/", ends)
    assert page.status_code == 422 and "结束日期不能早于开始日期" in page.content.decode()


def test_a_malformed_adjustment_day_names_the_field_on_both(world, login):
    a = posted.assign(world.secretary, {"member": world.member_person.pk, "workers": [world.worker_person.pk],
                                        "starts_on": "2026-01-01"})  # fmt: skip
    c = login(world.secretary)
    api = _json(c, f"/api/vanguard/assignments/{a.pk}/adjust", {"workers": [world.colleague.pk], "from": "2026-01-01"})
    assert api.status_code == 422 and api.json()["errors"] == {"from": ["调整日期须晚于原开始日期"]}
    page = c.post(
        f"/vanguard/assignments/{a.pk}/", {"op": "adjust", "workers": [world.colleague.pk], "from": "1999-01-01"}
    )
    assert page.status_code == 422 and "调整日期超出可选范围" in page.content.decode()
    page = c.post(
        f"/vanguard/assignments/{a.pk}/", {"op": "adjust", "workers": [world.colleague.pk], "from": "2026-01-01"}
    )
    assert page.status_code == 422 and "调整日期须晚于原开始日期" in page.content.decode()


def test_a_post_without_commitments_is_refused_alike(world, login):
    c = login(world.secretary)
    data = {"name": "综采安全示范岗", "holder": world.member_person.pk, "commitments": "   "}
    api = _json(c, "/api/vanguard/posts", data)
    assert api.status_code == 422 and api.json()["errors"] == {"commitments": ["请填写公开承诺"]}
    page = c.post("/vanguard/posts/", data)
    assert (
        page.status_code == 422
        and "请填写公开承诺" in page.content.decode()
        and "综采安全示范岗" in page.content.decode()
    )
    # the chosen member is still chosen, shown with their team
    m = world.member_person
    assert f'<option value="{m.pk}" selected>{m.org.name} · {m.name}</option>' in page.content.decode()
    assert not ModelPost.objects.exists()


def test_a_self_assessment_of_a_future_month_and_a_rating_out_of_range(world, login):
    post = posted.create_post(world.secretary, {"name": "示范岗", "holder": world.member_person.pk,
                                                "commitments": "不违章不冒险"})  # fmt: skip
    c = login(world.member)
    future = f"{timezone.localdate().year + 1}-01"
    data = {"month": future, "summary": "本月带班无违章", "self_rating": "good"}
    api = _json(c, f"/api/vanguard/posts/{post.pk}/assessments", data)
    assert api.status_code == 422 and api.json()["errors"] == {"month": ["不能为将来的月份自评"]}
    page = c.post(f"/vanguard/posts/{post.pk}/", {**data, "op": "self"})
    assert page.status_code == 422 and "不能为将来的月份自评" in page.content.decode()
    a = posted.self_assess(world.member, post.pk, {"summary": "本月带班无违章", "self_rating": "good"})
    c = login(world.secretary)
    api = _json(c, f"/api/vanguard/assessments/{a.pk}/rate", {"rating": "great"})
    assert api.status_code == 422 and api.json()["errors"] == {"rating": ["请选择评定等级"]}
    page = c.post(f"/vanguard/posts/{post.pk}/", {"op": "rate", "assessment": a.pk, "rating": "great"})
    assert page.status_code == 422 and "请选择评定等级" in page.content.decode()
    assert Assessment.objects.get(pk=a.pk).rating == ""
