"""One declaration per input (``hazards.forms``): the register page and the API read a field by the same rules and
answer with the same Chinese message next to the field (page) or naming it (API's 422); the ledger import checks
each row with the register form's limits and words."""

import pytest

from common.models import ImportStatus
from hazards.models import Hazard, HazardStatus
from hazards.tests.test_excel import excel_row, import_sheet
from hazards.tests.test_loop import assign_data, in_state, site  # noqa: F401  (fixture)
from places.models import DEFAULT_SHIFTS

pytestmark = pytest.mark.django_db
S = HazardStatus
SHIFT = DEFAULT_SHIFTS[0]


def _hazard(w, **changes):
    data = {"location": w.location.pk, "category": w.category.pk, "grade": w.grade_b.pk, "description": "巷道积水严重"}
    return {**data, **changes}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", "积水", "请描述隐患(至少4个字)"),
        ("description", "   ", "请描述隐患(至少4个字)"),
        ("clause", "条" * 201, "违反条款最长200字"),
        ("location", 987654321, "地点不存在或不属于本矿"),
        ("found_at", "2020-01-01T08:00", "发现时间太早了"),
    ],
)
def test_the_register_page_and_the_api_give_the_same_field_error(site, login, field, value, message):
    c = login(site.worker)
    page = c.post("/hazards/new/", _hazard(site, **{field: value}, shift=""))
    html = page.content.decode()
    assert page.status_code == 422 and message in html
    if field != "description":
        assert "巷道积水严重" in html  # what was typed stays
    api = c.post("/api/hazards", _hazard(site, **{field: value}), content_type="application/json")
    if field == "clause":  # the schema says the limit first (its own 422, naming the field)
        assert api.status_code == 422 and api.json()["detail"][0]["loc"][-1] == "clause"
    else:
        assert api.status_code == 422 and api.json()["errors"] == {field: [message]}
    assert not Hazard.objects.exists()


def test_a_place_of_another_mine_or_switched_off_is_the_same_field_error(site, login):
    from places.models import Location

    w = site
    foreign = Location.objects.create(mine=w.mine_b, unit=w.other_unit, name="外矿地点")
    w.other_location.active = False
    w.other_location.save()
    c = login(w.worker)
    for place in (foreign.pk, w.other_location.pk, 987654321):
        api = c.post("/api/hazards", _hazard(w, location=place), content_type="application/json")
        assert api.status_code == 422 and api.json()["errors"] == {"location": ["地点不存在或不属于本矿"]}
    assert not Hazard.objects.exists()


def test_the_five_fixes_give_the_same_field_error_on_the_page_and_the_api(site, login):
    w = site
    h = in_state(w, S.REGISTERED)
    c = login(w.secretary)
    for field, value, message in (
        ("funds", "-3", "资金须为不小于0的数字"),
        ("responsible_person", 987654321, "请选择本矿的责任人"),
        ("deadline", "1999-12-31", "整改期限超出可选范围"),
        ("measures", "补", "请填写整改措施"),
    ):
        page = c.post(f"/hazards/{h.pk}/assign/", {**assign_data(w), field: value, "plan": "冒顶预案"})
        assert page.status_code == 422 and message in page.content.decode() and "冒顶预案" in page.content.decode()
        api = c.post(f"/api/hazards/{h.pk}/assign", {**assign_data(w), field: value}, content_type="application/json")
        assert api.status_code == 422 and api.json()["errors"] == {field: [message]}, field
    assert Hazard.objects.get(pk=h.pk).status == S.REGISTERED
    # the domain's rule reads the same on both
    past = "2020-01-01"
    page = c.post(f"/hazards/{h.pk}/assign/", assign_data(w, deadline=past))
    assert page.status_code == 422 and "整改期限不能早于发现日期" in page.content.decode()
    api = c.post(f"/api/hazards/{h.pk}/assign", assign_data(w, deadline=past), content_type="application/json")
    assert api.status_code == 422 and api.json()["errors"] == {"deadline": ["整改期限不能早于发现日期"]}


def test_the_settings_page_names_the_field(site, login):
    c = login(site.safety)
    long = c.post("/hazards/settings/", {"kind_of": "shift", "name": "班" * 21})
    assert long.status_code == 422 and "班次名称必填,最长20字" in long.content.decode()
    kind = c.post("/hazards/settings/", {"kind_of": "location", "unit": site.unit.pk, "kind": "moon", "name": "X"})
    assert kind.status_code == 422 and "请选择类型" in kind.content.decode()


def test_the_import_refuses_a_row_the_form_refuses_with_the_same_words(site, login):
    job = import_sheet(
        login(site.safety),
        [
            excel_row("YH-1", 隐患描述="积水"),
            excel_row("YH-2", 违反条款="条" * 201),
            excel_row("YH-3", 地点=""),
            excel_row("YH-4"),
        ],
    )
    assert job.status == ImportStatus.INVALID
    found = {(e["row"], e["column"], e["message"]) for e in job.errors}
    assert {
        (2, "隐患描述", "请描述隐患(至少4个字)"),
        (3, "违反条款", "违反条款最长200字"),
        (4, "地点", "请选择地点"),
    } <= found
    assert not any(e["row"] == 5 for e in job.errors) and not Hazard.objects.exists()


def test_a_valid_import_still_works_and_keeps_switched_off_places(site, login):
    w = site
    w.other_location.active = False  # a place no longer worked: its history still imports
    w.other_location.save()
    job = import_sheet(
        login(w.safety),
        [
            excel_row("YH-1", 地点="2201巷道", 班次=SHIFT, 整改期限="2026-10-20", 状态="整改中"),
            excel_row("YH-2", 排查日期="2024/3/5", 状态="已销号", 销号日期="2024-03-09"),
        ],
    )
    assert job.status == ImportStatus.DONE and job.summary["created"] == 2
    first, second = Hazard.objects.get(external_id="YH-1"), Hazard.objects.get(external_id="YH-2")
    assert first.location == w.other_location and first.status == S.RECTIFYING and first.shift.name == SHIFT
    assert str(first.deadline) == "2026-10-20"
    assert second.status == S.CLOSED and second.closed_at and second.found_at.year == 2024
