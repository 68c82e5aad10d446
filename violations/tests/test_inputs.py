"""One declaration per input (``violations.forms``): the page, the API and the Excel import read a 三违 by the same
rules and answer with the same Chinese message — next to the field (page), naming it (API's 422), on the row's
column (import)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from violations.excel import HEADER, check_rows
from violations.forms import EMP_NO_UNKNOWN
from violations.models import Violation
from violations.tests.test_violations import record, v_world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _entry(w, **changes):
    data = {
        "emp_no": w.worker_person.emp_no,
        "occurred_on": timezone.localdate().isoformat(),
        "kind": "operation",
        "severity": w.general.pk,
        "description": "未按规定敲帮问顶",
        "location": w.location.pk,
        "clauses": "《防治水细则》第8条",
    }
    return {**data, **changes}


def _page(client, data):
    return client.post("/violations/new/", data)


def _api(client, data):
    return client.post("/api/violations", data, content_type="application/json")


TOO_LONG = "条" * 301
BAD = [
    ("description", "  短 ", "请描述违章情况(至少4个字)"),
    ("fine", "-1", "罚款须为不小于0的金额(元)"),
    ("fine", "12.345", "罚款须为不小于0的金额(元)"),
    ("occurred_on", (timezone.localdate() + timedelta(days=1)).isoformat(), "违章日期不能晚于今天"),
    ("occurred_on", "1999-12-31", "违章日期超出可选范围"),
    ("emp_no", "NOPE", EMP_NO_UNKNOWN),
    ("location", 987654321, "地点不存在或不属于本矿"),
]


@pytest.mark.parametrize("field, value, message", BAD)
def test_the_page_and_the_api_refuse_the_same_input_with_the_same_words(v_world, login, field, value, message):
    w = v_world
    c = login(w.safety)
    page = _page(c, _entry(w, **{field: value}))
    assert page.status_code == 422
    html = page.content.decode()
    assert message in html and "《防治水细则》第8条" in html  # what was typed stays
    api = _api(c, _entry(w, **{field: value}))
    assert api.status_code == 422 and api.json()["errors"] == {field: [message]}
    assert not Violation.objects.exists()


def test_a_person_out_of_reach_is_told_like_an_unknown_one(v_world, login):
    w = v_world
    c = login(w.secretary)
    api = _api(c, _entry(w, emp_no=w.stranger.emp_no))  # another branch's worker
    assert api.status_code == 422 and api.json()["errors"] == {"emp_no": [EMP_NO_UNKNOWN]}
    page = _page(c, _entry(w, emp_no=w.stranger.emp_no))
    assert page.status_code == 422 and EMP_NO_UNKNOWN in page.content.decode()
    assert _api(c, _entry(w)).status_code == 201  # their own branch's worker


def test_a_help_step_and_an_appeal_step_give_the_same_field_error(v_world, login):
    w = v_world
    v = record(w)
    step = v.help_steps.first()
    c = login(w.team_leader)
    api = c.post(f"/api/violations/{v.pk}/steps/{step.pk}", {"note": "谈"}, content_type="application/json")
    assert api.status_code == 422 and api.json()["errors"] == {"note": ["请简要记录帮教情况"]}
    page = c.post(f"/violations/{v.pk}/steps/{step.pk}/", {"note": "谈", "done_on": timezone.localdate().isoformat()})
    assert page.status_code == 422 and "请简要记录帮教情况" in page.content.decode()
    c = login(w.worker)
    api = c.post(f"/api/violations/{v.pk}/appeal", {"note": "  "}, content_type="application/json")
    assert api.status_code == 422 and api.json()["errors"] == {"note": ["请填写理由"]}
    page = c.post(f"/violations/{v.pk}/appeal/", {"note": "  ", "version": v.version})
    assert page.status_code == 422 and "请填写理由" in page.content.decode()
    assert Violation.objects.get(pk=v.pk).status == "recorded"


def test_a_severity_name_taken_is_refused_on_the_page_and_the_api(v_world, login):
    w = v_world
    c = login(w.safety)
    api = c.post("/api/violations/severities", {"name": "严重", "points": 101 - 1}, content_type="application/json")
    assert api.status_code == 422 and api.json()["errors"] == {"name": ["已有“严重”"]}
    page = c.post("/violations/settings/", {"form": "severity", "name": "严重", "points": "3", "help_steps": "谈话"})
    assert page.status_code == 422 and "已有“严重”" in page.content.decode()


# ---------------------------------------------------------------- the import


def _row(w, **changes):
    row = {"external_id": "OLD-1", "date": "2026-03-02", "emp_no": w.worker_person.emp_no, "kind": "违章作业",
           "severity": "一般", "description": "未按规定敲帮问顶", "location": "1302工作面", "fine": "20"}  # fmt: skip
    return {**row, **changes}


# (the form's field, the page's value, the sheet's column, the sheet's value)
BOTH = [
    ("description", "短", "description", "短"),
    ("fine", "-1", "fine", "-1"),
    ("points", "101", "points", "101"),
    ("clauses", TOO_LONG, "clauses", TOO_LONG),
    ("occurred_on", "2099-01-01", "date", "2099/1/1"),
    ("occurred_on", "明天", "date", "明天"),
    ("emp_no", "NOPE", "emp_no", "NOPE"),
]


@pytest.mark.parametrize("field, value, column, cell", BOTH)
def test_the_import_refuses_a_row_the_form_refuses_with_the_same_words(v_world, login, field, value, column, cell):
    w = v_world
    page = _page(login(w.safety), _entry(w, **{field: value}))
    assert page.status_code == 422
    checked = check_rows(w.safety, w.mine, [(2, _row(w, **{column: cell}))])
    assert checked.plan is None and len(checked.errors) == 1
    error = checked.errors[0]
    assert (error.row, error.column) == (2, HEADER[column])
    assert error.message in page.content.decode()
    assert not Violation.objects.exists()


def test_the_import_and_the_page_refuse_a_day_before_hiring_alike(v_world, login):
    w = v_world
    w.worker_person.hire_date = timezone.localdate() - timedelta(days=10)
    w.worker_person.save()
    day = timezone.localdate() - timedelta(days=20)
    api = _api(login(w.safety), _entry(w, occurred_on=day.isoformat()))
    message = api.json()["errors"]["occurred_on"][0]
    assert api.status_code == 422 and "入职日期" in message
    checked = check_rows(w.safety, w.mine, [(2, _row(w, date=day.isoformat()))])
    assert [(e.column, e.message) for e in checked.errors] == [("违章日期", message)]


def test_a_valid_import_still_works_and_history_may_be_older_than_a_year(v_world, login):
    w = v_world
    old = timezone.localdate() - timedelta(days=800)
    page = _page(login(w.safety), _entry(w, occurred_on=old.isoformat()))
    assert page.status_code == 422 and "一年以前的请用Excel导入" in page.content.decode()
    rows = [(2, _row(w, date=f"{old:%Y/%m/%d}", points="", fine="")),
            (3, _row(w, external_id="OLD-2", shift="", clauses="第101条", points="3", status="已撤销"))]  # fmt: skip
    w.worker_person.hire_date = old - timedelta(days=1)
    w.worker_person.save()
    checked = check_rows(w.safety, w.mine, rows)
    assert checked.errors == [] and checked.counts == {"created": 2, "updated": 0, "unchanged": 0}
    first, second = checked.plan.creates
    assert (first.occurred_on, first.points, first.fine, first.location_id) == (old, 2, 50, w.location.pk)
    assert (second.points, second.fine, second.clauses, second.status) == (3, 20, "第101条", "revoked")


def test_the_list_page_the_api_and_the_ledger_read_the_filters_alike(v_world, login, exported):
    import io

    from openpyxl import load_workbook

    w = v_world
    record(w, description="未按规定敲帮问顶")
    record(w, kind="command", description="安排未经培训人员上岗")
    c = login(w.safety)
    since = timezone.localdate().isoformat()
    page = c.get(
        f"/violations/?kind=command&from={since}&severity=abc"
    ).content.decode()  # a malformed filter: not applied
    assert "安排未经培训人员上岗" in page and "未按规定敲帮问顶" not in page
    api = c.get(f"/api/violations?kind=command&from={since}").json()
    assert [v["description"] for v in api["items"]] == ["安排未经培训人员上岗"]
    sheet = load_workbook(io.BytesIO(exported(c, f"/violations/ledger.xlsx?kind=command&from={since}"))).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "安排未经培训人员上岗" in values and "未按规定敲帮问顶" not in values
