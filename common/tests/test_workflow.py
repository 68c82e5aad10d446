"""The workflow kernel (common/workflow.py): one ``apply`` over a table, tried on a small machine of its own over the
hazard record, and the audit trail it writes for the real machines."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction

from common import workflow
from common.errors import Conflict, Forbidden, NotFound
from common.workflow import Transition, Unchanged
from hazards import services as hazards
from hazards.models import Category, Grade, Hazard, HazardEvent, HazardStatus
from places.models import Location

pytestmark = pytest.mark.django_db
S = HazardStatus


@pytest.fixture
def site(world):
    hazards.ensure_defaults(world.mine)
    world.location = Location.objects.create(mine=world.mine, unit=world.unit, name="1302工作面")
    world.category = Category.objects.get(mine=world.mine, name="顶板")
    world.grade = Grade.objects.get(mine=world.mine, name="B")
    return world


def _hazard(w):
    return hazards.register(
        w.worker, location=w.location, category=w.category, grade=w.grade, description="顶板离层未支护"
    )


def _toy(after_calls=None):
    """A two-step machine over the hazard record: 'park' (only the safety officer, note required, a guard on the
    clause) and 'wake' (anyone who may see it; an effect that writes a field and event data)."""

    def is_safety(user, obj):
        return user.username.startswith("safety")

    def guard(ctx):
        return "条款为“锁定”的不能挂起" if ctx.obj.clause == "锁定" else None

    def wake(ctx):
        if ctx.params.get("same_again"):
            raise Unchanged()
        ctx.changes["measures"] = ctx.params.get("measures", "")
        ctx.data = {"措施": ctx.params.get("measures", "")}

    return workflow.Machine(
        name="测试记录",
        model=Hazard,
        event_model=HazardEvent,
        event_fk="hazard",
        get=hazards.get,
        after=(lambda ctx: after_calls.append((ctx.obj.status, ctx.after.status))) if after_calls is not None else None,
        table=[
            Transition("park", "挂起", [S.REGISTERED], S.PENDING, is_safety, note="请写明挂起原因", guard=guard),
            Transition("wake", "唤醒", [S.PENDING], S.REGISTERED, lambda user, obj: True, effect=wake),
        ],
    )


def test_apply_walks_the_table_and_writes_the_event_and_the_audit_entry(site):
    w = site
    calls = []
    machine = _toy(calls)
    h = _hazard(w)
    after = machine.apply(w.safety, h.pk, "park", note="等支护材料", version=h.version)
    assert after.status == S.PENDING and after.version == h.version + 1
    event = after.events.latest("pk")
    assert (event.action, event.from_status, event.to_status, event.actor, event.note) == (
        "park", S.REGISTERED, S.PENDING, w.safety, "等支护材料",
    )  # fmt: skip
    assert calls == [(S.REGISTERED, S.PENDING)]  # the after-hook saw before and after
    entry = LogEntry.objects.get_for_object(after).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == w.safety and "status" in entry.changes_dict
    assert entry.changes_dict["status"] == [S.REGISTERED, S.PENDING]

    woken = machine.apply(w.worker, h.pk, "wake", params={"measures": "补打锚杆"})
    assert woken.status == S.REGISTERED and woken.measures == "补打锚杆"
    assert woken.events.latest("pk").data == {"措施": "补打锚杆"}
    assert machine.allowed(w.safety, woken) == [("park", "挂起")]
    assert machine.allowed(w.worker, woken) == []


def test_apply_refuses_with_the_projects_errors_and_writes_nothing(site):
    w = site
    machine = _toy()
    h = _hazard(w)

    def refused(error, user, action, **kw):
        with pytest.raises(error) as info:
            machine.apply(user, h.pk, action, **kw)
        fresh = Hazard.objects.get(pk=h.pk)
        assert (fresh.status, fresh.version, fresh.events.count()) == (h.status, h.version, 1)
        return info.value

    assert refused(NotFound, w.other_secretary, "park", note="x")  # out of scope: 404
    assert refused(NotFound, w.safety, "fly", note="x")  # no such action: 404
    stale = refused(Conflict, w.safety, "park", note="x", version=h.version + 7)
    assert "待处理" in stale.message  # 409 names the state it is in now
    wrong = refused(Conflict, w.safety, "wake")
    assert wrong.message == "测试记录当前状态为“待处理”,不能唤醒"
    assert refused(Forbidden, w.worker, "park", note="x").message == "您无权挂起"
    with pytest.raises(ValidationError) as info:
        machine.apply(w.safety, h.pk, "park", note="  ")
    assert info.value.message_dict == {"note": ["请写明挂起原因"]}
    Hazard.objects.filter(pk=h.pk).update(clause="锁定")
    assert refused(Conflict, w.safety, "park", note="x").message == "条款为“锁定”的不能挂起"
    assert machine.allowed(w.safety, Hazard.objects.get(pk=h.pk)) == []


def test_the_compare_and_set_loses_to_a_change_in_between(site):
    w = site
    h = _hazard(w)
    machine = _toy()

    def sneak(ctx):  # someone else's transition lands between the read and the write
        Hazard.objects.filter(pk=ctx.obj.pk).update(version=ctx.obj.version + 1)

    with pytest.raises(Conflict) as info:
        with transaction.atomic():
            machine.apply(w.safety, h.pk, "park", note="x", extra=sneak)
    assert "已被他人处理" in info.value.message
    assert Hazard.objects.get(pk=h.pk).events.count() == 1


def test_an_effect_may_find_nothing_to_write(site):
    w = site
    machine = _toy()
    h = _hazard(w)
    machine.apply(w.safety, h.pk, "park", note="x")
    again = machine.apply(w.worker, h.pk, "wake", params={"same_again": True})
    assert again.status == S.PENDING and again.events.count() == 2


def test_a_table_with_two_rows_for_one_state_and_action_is_refused():
    with pytest.raises(ValueError):
        workflow.Machine(
            name="x", model=Hazard, get=hazards.get,
            table=[Transition("a", "甲", [S.REGISTERED], S.PENDING), Transition("a", "乙", [S.REGISTERED], S.CLOSED)],
        )  # fmt: skip


def test_the_timeline_labels_actions_and_states(site):
    w = site
    h = _hazard(w)
    hazards.act(w.secretary, h.pk, "fix_onsite")
    events = hazards.timeline(Hazard.objects.get(pk=h.pk))
    assert [(e.label, e.from_label, e.to_label) for e in events] == [
        ("登记", "", "待处理"),
        ("现场处理完毕", "待处理", "待验收"),
    ]


def test_register_and_assign_both_reach_the_admins_audit_search(site, client):
    """SPEC §7.2: every change in the audit log, with who, when and IP (a compare-and-set update sends no signal)."""
    w = site
    client.force_login(w.worker)
    from django.utils import timezone

    form = {"location": w.location.pk, "category": w.category.pk, "grade": w.grade.pk, "description": "顶板离层未支护"}
    client.post("/hazards/new/", form, REMOTE_ADDR="10.1.2.3")
    h = Hazard.objects.latest("pk")
    client.force_login(w.secretary)
    deadline = (timezone.localdate() + timezone.timedelta(days=5)).isoformat()
    assign = {"responsible_unit": w.unit.pk, "responsible_person": w.colleague.pk, "measures": "补打锚杆",
              "deadline": deadline, "version": h.version}  # fmt: skip
    response = client.post(f"/hazards/{h.pk}/assign/", assign, REMOTE_ADDR="10.9.8.7")
    assert response.status_code in (200, 302)
    assert Hazard.objects.get(pk=h.pk).status == S.RECTIFYING
    entries = LogEntry.objects.get_for_object(h).order_by("pk")
    assert [(e.action, e.actor, e.remote_addr) for e in entries] == [
        (LogEntry.Action.CREATE, w.worker, "10.1.2.3"),
        (LogEntry.Action.UPDATE, w.secretary, "10.9.8.7"),
    ]
    client.force_login(w.admin)
    ct = ContentType.objects.get_for_model(Hazard)
    page = client.get("/manage/audit/", {"content_type": ct.pk, "object_id": h.pk}).content.decode()
    assert "共 2 条" in page
    assert "整改中" in page and "10.9.8.7" in page and "10.1.2.3" in page


def test_a_bulk_import_reaches_the_audit_log_for_every_row(site, login):
    """bulk_create / bulk_update send no signal: the import writes the entries itself (created, then updated)."""
    from hazards.tests.test_excel import excel_row, import_sheet

    w = site
    client = login(w.safety)
    import_sheet(client, [excel_row("YH-1"), excel_row("YH-2")])
    import_sheet(client, [excel_row("YH-1", 状态="整改中", 整改期限="2026-10-15"), excel_row("YH-2")])
    first = Hazard.objects.get(external_id="YH-1")
    entries = LogEntry.objects.get_for_object(first).order_by("pk")
    assert [(e.action, e.actor) for e in entries] == [
        (LogEntry.Action.CREATE, w.safety),
        (LogEntry.Action.UPDATE, w.safety),
    ]
    assert entries[1].changes_dict["status"] == [S.REGISTERED, S.RECTIFYING]
    second = Hazard.objects.get(external_id="YH-2")
    assert LogEntry.objects.get_for_object(second).count() == 1  # unchanged on the second file: nothing to log


def test_an_export_past_the_one_cap_says_so_in_the_file(site, login, settings, exported):
    """One row cap for every export; where it cuts, the file says "仅导出前 N 条" (the hazard ledger cut silently)."""
    import io

    import openpyxl

    w = site
    for _ in range(3):
        _hazard(w)
    settings.HONGLING_EXPORT_MAX_ROWS = 2
    sheet = openpyxl.load_workbook(io.BytesIO(exported(login(w.safety), "/hazards/ledger.xlsx"))).active
    lines = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "仅导出前 2 条,请缩小筛选范围后分批导出" in lines
    assert len([x for x in lines if isinstance(x, int)]) == 2  # 序号 1, 2
    settings.HONGLING_EXPORT_MAX_ROWS = 10
    sheet = openpyxl.load_workbook(io.BytesIO(exported(login(w.safety), "/hazards/ledger.xlsx"))).active
    assert not any("仅导出" in str(row[0]) for row in sheet.iter_rows(values_only=True))


def test_page_views_let_not_found_and_forbidden_rise_to_the_404_and_403_pages(rf):
    """common.middleware.DomainErrorPagesMiddleware: one translation instead of a try/except in every view."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from common.middleware import DomainErrorPagesMiddleware

    middleware = DomainErrorPagesMiddleware(lambda request: None)
    request = rf.get("/x/")
    with pytest.raises(Http404):
        middleware.process_exception(request, NotFound())
    with pytest.raises(PermissionDenied):
        middleware.process_exception(request, Forbidden("您无权挂起"))
    assert middleware.process_exception(request, Conflict("x")) is None  # views show a conflict next to the form


def test_an_out_of_scope_record_answers_the_404_page(site, login):
    w = site
    h = _hazard(w)
    response = login(w.other_secretary).post(f"/hazards/{h.pk}/assign/", {"note": "x"})
    assert response.status_code == 404 and "不存在" in response.content.decode()
