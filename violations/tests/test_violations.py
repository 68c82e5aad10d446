"""三违: recording with defaults and validation, the appeal table for every state × action × role, 帮教 steps,
the re-exam served by the training module, scope, 待办, pages, API and Excel."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from common import inputs
from common.errors import Conflict, Forbidden, NotFound
from common.todos import todos_for
from places.models import Location
from training.tests.conftest import bank  # noqa: F401  (a small question bank)
from violations import forms, services
from violations.models import HelpStep, Severity, Violation, ViolationEvent, ViolationStatus

pytestmark = pytest.mark.django_db
S = ViolationStatus


@pytest.fixture
def v_world(world):
    services.ensure_defaults(world.mine)
    world.general = Severity.objects.get(mine=world.mine, name="一般")
    world.serious = Severity.objects.get(mine=world.mine, name="严重")
    world.location = Location.objects.create(mine=world.mine, unit=world.unit, name="1302工作面")
    return world


def record(w, user=None, person=None, severity=None, **extra):
    data = {
        "emp_no": (person or w.worker_person).emp_no,
        "kind": "operation",
        "severity": (severity or w.general).pk,
        "description": "未按规定敲帮问顶",
        "location": w.location.pk,
    }
    data.update(extra)
    return services.record(user or w.safety, **inputs.clean(forms.RecordForm(data, mine=w.mine)))


# the services take what the forms typed (violations.forms), as the pages and the API hand it over
def act(user, pk, action, data, now=None):
    return services.act(user, pk, action, now=now, **inputs.parse(forms.ActForm, data))


def record_help(user, pk, step, data):
    return services.record_help(user, pk, step, **inputs.parse(forms.HelpForm, data))


def save_rules(user, mine, data):
    return services.save_rules(user, mine, **inputs.parse(forms.RulesForm, data))


def save_severity(user, mine, data):
    return services.save_severity(user, mine, **inputs.parse(forms.SeverityForm, data, mine=mine))


def test_recording_takes_the_severity_defaults_and_its_help_steps(v_world):
    w = v_world
    v = record(w, severity=w.serious, requires_reexam="")
    assert (v.points, v.fine, v.org) == (6, Decimal("200.00"), w.team)
    assert list(v.help_steps.values_list("name", flat=True)) == [
        "班组长谈话",
        "区队长谈话",
        "书记谈话",
        "家属联保",
        "停工培训",
    ]
    assert v.events.get().action == "record"
    assert record(w, points="3", fine="0").points == 3


def test_a_double_submit_creates_one_violation_and_another_users_token_is_stale(v_world):
    w = v_world
    first = record(w, token="t-1")
    assert record(w, token="t-1").pk == first.pk
    assert Violation.objects.count() == 1
    with pytest.raises(Conflict):
        record(w, user=w.secretary, token="t-1")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("fine", "-1", "罚款须为不小于0的金额(元)"),
        ("fine", "abc", "罚款须为不小于0的金额(元)"),
        ("points", "101", "扣分须为0到100之间的整数"),
        ("emp_no", "NOPE", "工号不存在或该职工不在您的管理范围内"),
        ("kind", "other", "请选择三违类型"),
        ("location", "999999", "地点不存在或不属于本矿"),
        ("occurred_on", "2026-02-30", "违章日期格式不正确,应为 年-月-日"),
        ("description", "短", "请描述违章情况(至少4个字)"),
    ],
)
def test_bad_input_is_rejected_with_the_field_named(v_world, field, value, message):
    with pytest.raises(ValidationError) as exc:
        record(v_world, **{field: value})
    assert exc.value.message_dict[field] == [message]
    assert not Violation.objects.exists()


def test_dates_in_the_future_or_before_hiring_are_rejected(v_world):
    w = v_world
    with pytest.raises(ValidationError) as exc:
        record(w, occurred_on=(timezone.localdate() + timedelta(days=1)).isoformat())
    assert exc.value.message_dict["occurred_on"] == ["违章日期不能晚于今天"]
    w.worker_person.hire_date = timezone.localdate() - timedelta(days=10)
    w.worker_person.save()
    with pytest.raises(ValidationError) as exc:
        record(w, occurred_on=(timezone.localdate() - timedelta(days=20)).isoformat())
    assert "入职日期" in exc.value.message_dict["occurred_on"][0]


def test_a_recorder_only_reaches_people_of_their_subtree(v_world):
    w = v_world
    with pytest.raises(ValidationError) as exc:
        record(w, user=w.secretary, person=w.stranger)
    assert "emp_no" in exc.value.message_dict
    assert record(w, user=w.secretary).person == w.worker_person
    with pytest.raises(Forbidden):
        record(w, user=w.worker)


def test_scope_of_reading(v_world):
    w = v_world
    v = record(w)
    readers = {
        "safety",
        "admin",
        "committee_user",
        "secretary",
        "branch_committee",
        "team_leader",
        "worker",
        "superuser",
    }
    for name in readers | {"member", "other_secretary"}:
        user = getattr(w, name)
        visible = Violation.objects.visible_to(user).filter(pk=v.pk).exists()
        assert visible == (name in readers), name
    with pytest.raises(NotFound):
        services.get(w.other_secretary, v.pk)


def in_state(w, state):
    v = record(w)
    if state == S.RECORDED:
        return v
    act(w.worker, v.pk, "appeal", {"note": "当时已停机"})
    if state == S.APPEALING:
        return Violation.objects.get(pk=v.pk)
    act(w.safety, v.pk, "uphold", {"note": "经核实属实"})
    return Violation.objects.get(pk=v.pk)


# the table's roles each account holds on a violation of 王小二 (default rules: 安监员 decides appeals)
ROLES = {
    "worker": {"person"},
    "safety": {"decider", "rules"},
    "admin": {"rules"},
    "superuser": {"decider", "rules"},
    "secretary": set(),
    "committee_user": set(),
    "team_leader": set(),
    "other_secretary": None,  # out of scope: 404
}


@pytest.mark.parametrize("state", list(S))
def test_the_appeal_table_for_every_state_action_and_role(v_world, state):
    w = v_world
    for actor, roles in ROLES.items():
        for action in services.ACTIONS:
            v = in_state(w, state)
            user = getattr(w, actor)
            key = (state, action)
            try:
                act(user, v.pk, action, {"note": "理由"})
            except NotFound:
                assert roles is None, (actor, action)
                continue
            except Conflict:
                assert roles is not None and key not in services.TRANSITIONS, (actor, state, action)
                continue
            except Forbidden:
                assert key in services.TRANSITIONS and not (services.TRANSITIONS[key][1] & roles), (
                    actor,
                    state,
                    action,
                )
                continue
            assert key in services.TRANSITIONS and services.TRANSITIONS[key][1] & roles, (actor, state, action)
            assert Violation.objects.get(pk=v.pk).status == services.TRANSITIONS[key][0]
            assert v.events.filter(action=action, actor=user).exists()


def test_appeal_window_and_one_appeal_only(v_world):
    w = v_world
    v = record(w)
    later = timezone.now() + timedelta(days=4)
    with pytest.raises(Conflict, match="申诉期已过"):
        act(w.worker, v.pk, "appeal", {"note": "不服"}, now=later)
    assert ("appeal", "提出申诉") not in services.allowed_actions(w.worker, v, today=timezone.localdate(later))
    act(w.worker, v.pk, "appeal", {"note": "不服"})
    act(w.safety, v.pk, "dismiss", {"note": "证据确凿"})
    with pytest.raises(Conflict, match="只能申诉一次"):
        act(w.worker, v.pk, "appeal", {"note": "再次申诉"})
    with pytest.raises(ValidationError):
        act(w.safety, record(w).pk, "revoke", {"note": ""})


def test_the_deciding_role_is_configurable(v_world):
    w = v_world
    save_rules(w.admin, w.mine, {"appeals_allowed": "1", "appeal_days": "5", "appeal_role": "committee"})
    v = record(w)
    act(w.worker, v.pk, "appeal", {"note": "不服"}, now=timezone.now() + timedelta(days=4))
    with pytest.raises(Forbidden):
        act(w.safety, v.pk, "uphold", {"note": "属实"})
    assert [t.title for t in todos_for(w.committee_user) if t.module == "violations"] == [
        f"三违裁决申诉:王小二 {v.occurred_on:%m-%d}"
    ]
    act(w.committee_user, v.pk, "uphold", {"note": "属实"})
    assert not Violation.objects.effective().filter(pk=v.pk).exists()
    save_rules(w.admin, w.mine, {"appeal_days": "5", "appeal_role": "committee"})  # appeals switched off
    with pytest.raises(Conflict, match="未开放"):
        act(w.worker, record(w).pk, "appeal", {"note": "不服"})


def test_a_stale_form_answers_409(v_world):
    w = v_world
    v = record(w)
    act(w.worker, v.pk, "appeal", {"note": "不服", "version": "1"})
    with pytest.raises(Conflict, match="已被他人处理"):
        act(w.safety, v.pk, "uphold", {"note": "属实", "version": "1"})


def test_help_steps_are_recorded_once_and_leave_the_todo_list(v_world):
    w = v_world
    v = record(w)
    assert any(t.title.startswith("三违帮教:王小二") for t in todos_for(w.secretary))
    steps = list(v.help_steps.all())
    with pytest.raises(ValidationError) as exc:
        record_help(
            w.team_leader,
            v.pk,
            steps[0].pk,
            {"note": "谈了", "done_on": (v.occurred_on - timedelta(days=1)).isoformat()},
        )
    assert exc.value.message_dict["done_on"] == ["完成日期不能早于违章日期"]
    record_help(w.team_leader, v.pk, steps[0].pk, {"note": "班前会上谈话"})
    with pytest.raises(Conflict, match="已记录完成"):
        record_help(w.secretary, v.pk, steps[0].pk, {"note": "再记一次"})
    with pytest.raises(Forbidden):
        record_help(w.worker, v.pk, steps[1].pk, {"note": "自己记"})
    record_help(w.secretary, v.pk, steps[1].pk, {"note": "区队长谈话"})
    assert HelpStep.objects.get(pk=steps[0].pk).done_by == w.team_leader
    assert not any(t.module == "violations" for t in todos_for(w.secretary))


def test_a_revoked_violation_needs_no_help(v_world):
    w = v_world
    v = record(w)
    act(w.safety, v.pk, "revoke", {"note": "登记错人"})
    assert not any(t.module == "violations" for t in todos_for(w.secretary))
    with pytest.raises(Conflict):
        record_help(w.secretary, v.pk, v.help_steps.first().pk, {"note": "谈话"})


def test_a_serious_violation_gets_a_reexam_from_the_training_module(v_world, bank):
    w = v_world
    v = record(w, severity=w.serious)
    assert v.reexam_paper is not None and v.reexam_paper.person == w.worker_person
    assert services.reexam_state(v) == "待复考"
    v.reexam_paper.passed = True
    v.reexam_paper.save()
    assert services.reexam_state(services.get(w.safety, v.pk)) == "复考通过"


def test_without_questions_the_reexam_waits_and_says_why(v_world):
    w = v_world
    v = record(w, severity=w.serious)
    assert services.reexam_state(v) == "待安排复考"
    assert "未能安排复考" in ViolationEvent.objects.get(violation=v, action="reexam").note
    with pytest.raises(Conflict, match="题库"):
        services.schedule_reexam(w.safety, v.pk)


def test_settings_edit_severities(v_world):
    w = v_world
    with pytest.raises(Forbidden):
        save_severity(w.secretary, w.mine, {"name": "较严重"})
    s = save_severity(
        w.safety,
        w.mine,
        {"name": "较严重", "points": "4", "fine": "100", "help_steps": "班组长谈话\n书记谈话\n", "serious": "1"},
    )
    assert (s.help_steps, s.serious, s.requires_reexam) == (["班组长谈话", "书记谈话"], True, False)
    with pytest.raises(ValidationError) as exc:
        save_severity(w.safety, w.mine, {"name": "一般", "fine": "-5"})
    assert set(exc.value.message_dict) == {"name", "fine"}


# ---------------------------------------------------------------- pages and API


def test_the_new_page_keeps_input_after_an_error_and_records_once(v_world, login):
    w = v_world
    client = login(w.safety)
    page = client.get("/violations/new/")
    assert page.status_code == 200 and "王小二" in page.content.decode()
    data = {
        "token": "form-1",
        "emp_no": w.worker_person.emp_no,
        "kind": "operation",
        "severity": w.general.pk,
        "description": "未按规定敲帮问顶",
        "fine": "-3",
    }
    bad = client.post("/violations/new/", data)
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "罚款须为不小于0的金额(元)" in body and "未按规定敲帮问顶" in body
    data["fine"] = "50"
    assert client.post("/violations/new/", data).status_code == 302
    assert client.post("/violations/new/", data).status_code == 302
    assert Violation.objects.count() == 1


def test_detail_page_actions_and_409(v_world, login):
    w = v_world
    v = record(w)
    page = login(w.worker).get(f"/violations/{v.pk}/")
    assert "提出申诉" in page.content.decode()
    assert (
        login(w.worker).post(f"/violations/{v.pk}/appeal/", {"note": "不服", "version": v.version}).status_code == 302
    )
    again = login(w.worker).post(f"/violations/{v.pk}/appeal/", {"note": "不服"})
    assert again.status_code == 409 and "申诉中" in again.content.decode()
    assert login(w.other_secretary).get(f"/violations/{v.pk}/").status_code == 404


def test_list_page_query_count_does_not_grow(v_world, login, django_assert_max_num_queries):
    w = v_world
    for _ in range(3):
        record(w)
    client = login(w.secretary)
    with django_assert_max_num_queries(14):
        small = client.get("/violations/")
    for _ in range(12):
        record(w)
    with django_assert_max_num_queries(14):
        big = client.get("/violations/")
    assert small.status_code == big.status_code == 200
    assert big.content.decode().count('href="/violations/') - small.content.decode().count('href="/violations/') == 12


def test_api_record_act_and_help(v_world, login):
    w = v_world
    client = login(w.safety)
    payload = {
        "emp_no": w.worker_person.emp_no,
        "occurred_on": timezone.localdate().isoformat(),
        "kind": "discipline",
        "severity": w.general.pk,
        "description": "班中睡岗被发现",
        "fine": "-1",
    }
    bad = client.post("/api/violations", payload, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"]["fine"] == ["罚款须为不小于0的金额(元)"]
    payload["fine"] = "30"
    created = client.post("/api/violations", payload, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["kind_label"] == "违反劳动纪律" and body["help_steps"][0]["name"] == "班组长谈话"
    step = body["help_steps"][0]["id"]
    done = client.post(
        f"/api/violations/{body['id']}/steps/{step}", {"note": "谈过了"}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["help_steps"][0]["done_by"]
    conflict = client.post(f"/api/violations/{body['id']}/uphold", {"note": "x"}, content_type="application/json")
    assert conflict.status_code == 409
    assert login(w.other_secretary).get(f"/api/violations/{body['id']}").status_code == 404
    listed = login(w.worker).get("/api/violations").json()
    assert listed["count"] == 1 and listed["items"][0]["person"] == "王小二"


def test_excel_import_is_idempotent_by_external_id_and_the_ledger_exports(v_world, login, exported):
    from openpyxl import load_workbook

    from violations.excel import apply_plan, check_rows

    w = v_world
    rows = [(2, {"external_id": "OLD-1", "date": "2026-03-02", "emp_no": w.worker_person.emp_no, "kind": "违章作业", "severity": "严重", "description": "空顶作业", "fine": "100"}),
            (3, {"external_id": "OLD-2", "date": "2026-03-05", "emp_no": w.colleague.emp_no, "kind": "违章指挥", "severity": "一般", "description": "违章指挥冒险作业", "status": "已撤销"})]  # fmt: skip
    checked = check_rows(w.safety, w.mine, rows)
    assert checked.counts == {"created": 2, "updated": 0, "unchanged": 0}
    apply_plan(w.safety, checked.plan)
    rows[0][1]["fine"] = "150"
    checked = check_rows(w.safety, w.mine, rows)
    assert checked.counts == {"created": 0, "updated": 1, "unchanged": 1}
    apply_plan(w.safety, checked.plan)
    assert Violation.objects.count() == 2 and Violation.objects.get(external_id="OLD-1").fine == Decimal("150.00")
    assert not HelpStep.objects.exists()
    bad = check_rows(
        w.safety,
        w.mine,
        [
            (
                2,
                {
                    "external_id": "X",
                    "date": "2026-03-02",
                    "emp_no": "NOBODY",
                    "kind": "乱写",
                    "severity": "一般",
                    "description": "x",
                    "fine": "-2",
                },
            )
        ],
    )
    assert {(e.column, e.message) for e in bad.errors} >= {  # the 登记 form's words (violations.forms)
        ("工号", "工号不存在或该职工不在您的管理范围内"),
        ("类型", "须为 违章指挥 / 违章作业 / 违反劳动纪律"),
        ("罚款(元)", "罚款须为不小于0的金额(元)"),
    }
    sheet = load_workbook(io.BytesIO(exported(login(w.secretary), "/violations/ledger.xlsx"))).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "空顶作业" in values and "已撤销" in values
    other = load_workbook(io.BytesIO(exported(login(w.other_secretary), "/violations/ledger.xlsx"))).active
    others = [c for row in other.iter_rows(values_only=True) for c in row]
    assert "空顶作业" not in others and "违章指挥冒险作业" not in others  # another branch's people: not in its ledger


def test_a_worker_home_shows_their_own_record_and_no_empty_tiles(v_world, login):
    from common.modules import tiles_for

    w = v_world
    assert all(figures for *_rest, figures in tiles_for(w.worker))  # no tile is only a heading
    record(w)
    mine = {f.label: f.value for n, *_r, figures in tiles_for(w.worker) if n == 2 for f in figures}
    assert mine == {"我的三违(今年)": 1}
    assert "我的三违(今年)" in login(w.worker).get("/").content.decode()


def test_api_settings(v_world, login):
    w = v_world
    client = login(w.safety)
    got = client.get("/api/violations/settings").json()
    assert got["appeal_role"] == "safety" and [s["name"] for s in got["severities"]] == ["一般", "严重"]
    changed = client.post(
        "/api/violations/settings",
        {"appeals_allowed": True, "appeal_days": 7, "appeal_role": "committee"},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["appeal_days"] == 7
    added = client.post(
        "/api/violations/severities",
        {"name": "较严重", "points": 4, "fine": "100", "help_steps": ["班组长谈话", "书记谈话"]},
        content_type="application/json",
    )
    assert added.status_code == 200 and added.json()["severities"][-1]["help_steps"] == ["班组长谈话", "书记谈话"]
    bad = client.post("/api/violations/severities", {"name": "一般", "fine": "-1"}, content_type="application/json")
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"name", "fine"}
    assert login(w.secretary).get("/api/violations/settings").status_code == 403


def test_a_photo_is_re_encoded_and_served_only_in_scope(v_world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    w = v_world
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    data = {
        "emp_no": w.worker_person.emp_no,
        "kind": "operation",
        "severity": w.general.pk,
        "description": "未戴安全帽入井",
    }
    photo = SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")
    v = services.record(w.safety, **inputs.clean(forms.RecordForm(data, {"photo": photo}, mine=w.mine)))
    shown = login(w.secretary).get(f"/violations/{v.pk}/photo/")
    assert (
        shown.status_code == 200
        and shown["Content-Type"] == "image/jpeg"
        and shown["X-Content-Type-Options"] == "nosniff"
    )
    assert login(w.other_secretary).get(f"/violations/{v.pk}/photo/").status_code == 404
    with pytest.raises(ValidationError) as exc:
        svg = SimpleUploadedFile("p.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/svg+xml")
        services.record(w.safety, **inputs.clean(forms.RecordForm(data, {"photo": svg}, mine=w.mine)))
    assert "photo" in exc.value.message_dict


def test_the_settings_page_keeps_bad_input_with_its_message(v_world, login):
    w = v_world
    client = login(w.safety)
    bad = client.post(
        "/violations/settings/",
        {"form": "severity", "name": "较严重", "points": "300", "fine": "10", "help_steps": "书记谈话"},
    )
    body = bad.content.decode()
    assert bad.status_code == 422 and "扣分须为0到100之间的整数" in body and 'value="较严重"' in body
    assert (
        client.post(
            "/violations/settings/",
            {"form": "rules", "appeals_allowed": "1", "appeal_days": "5", "appeal_role": "committee"},
        ).status_code
        == 302
    )
    assert services.rules_of(w.mine).appeal_role == "committee"
    assert login(w.secretary).get("/violations/settings/").status_code == 404


def test_the_reexam_button_serves_a_paper(v_world, bank, login):
    w = v_world
    v = record(w, requires_reexam="")  # 一般: none required at first
    page = login(w.safety).get(f"/violations/{v.pk}/").content.decode()
    assert "安排复考" in page
    assert login(w.safety).post(f"/violations/{v.pk}/reexam/").status_code == 302
    assert services.reexam_state(services.get(w.safety, v.pk)) == "待复考"
    again = login(w.safety).post(f"/violations/{v.pk}/reexam/")
    assert again.status_code == 409 and "已安排复考" in again.content.decode()


def test_a_repeated_violation_entry_is_asked_about_once(v_world, login):
    w = v_world
    client = login(w.safety)
    data = {
        "emp_no": w.worker_person.emp_no,
        "kind": "operation",
        "severity": w.general.pk,
        "description": "未按规定敲帮问顶",
        "fine": "50",
    }
    assert client.post("/violations/new/", {**data, "token": "f-1"}).status_code == 302
    again = client.post("/violations/new/", {**data, "token": "f-2"})
    assert again.status_code == 409 and "刚登记过一条相同的记录" in again.content.decode()
    assert Violation.objects.count() == 1
    assert client.post("/violations/new/", {**data, "token": "f-2", "confirm_duplicate": "1"}).status_code == 302
    assert Violation.objects.count() == 2
