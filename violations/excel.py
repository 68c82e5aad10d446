"""三违 in Excel: the ledger (台账) of the filtered list, and import from another system keyed by its own number
(外部编号): re-import updates, never duplicates. Imported records are history: they keep their status and carry no
帮教 steps or re-exam (the other system tracked those); each created or changed record gets an "import" line."""

from dataclasses import dataclass

from django.utils import timezone

from common import audit, export, imports
from common.excel import Column
from common.imports import Checked, Importer, RowError
from common.parsing import parse_int
from orgs.models import OrgNode, Person
from orgs.roster_excel import parse_date
from orgs.scope import mine_of
from places.models import Location, Shift
from violations import services
from violations.models import Severity, Violation, ViolationEvent, ViolationKind, ViolationStatus

KIND_NAMES = {label: value for value, label in ViolationKind.choices}
STATUS_NAMES = {
    "有效": ViolationStatus.RECORDED,
    "已撤销": ViolationStatus.REVOKED,
    "申诉中": ViolationStatus.APPEALING,
}
COLUMNS = [
    Column("external_id", "外部编号", required=True, width=14, help="原系统中的编号;再次导入时按它更新"),
    Column("date", "违章日期", required=True, width=12),
    Column("emp_no", "工号", required=True, width=10),
    Column("kind", "类型", required=True, width=12, help="违章指挥 / 违章作业 / 违反劳动纪律"),
    Column("severity", "严重程度", required=True, width=8, help="须是本矿设置的严重程度,如 一般 / 严重"),
    Column("description", "违章情况", required=True, width=40),
    Column("location", "地点", width=16),
    Column("shift", "班次", width=8),
    Column("clauses", "违反条款", width=20),
    Column("points", "扣分", width=6),
    Column("fine", "罚款(元)", width=8),
    Column("status", "状态", width=8, help="有效 / 已撤销;空 = 有效"),
]
HEADER = {c.key: c.header for c in COLUMNS}
FIELDS = [
    "person_id",
    "org_id",
    "occurred_on",
    "kind",
    "severity_id",
    "description",
    "location_id",
    "shift_id",
    "clauses",
    "points",
    "fine",
    "status",
]


@dataclass
class Plan:
    mine: OrgNode
    creates: list
    updates: list


class ViolationImporter(Importer):
    kind = "violations"
    title = "三违台账"
    columns = COLUMNS
    back_url_name = "violation_list"
    instructions = (
        "按“外部编号”识别:已导入过的编号会被更新,不会重复新增。",
        "导入的记录是历史:保留原状态,不生成帮教步骤和复考。",
    )

    def targets(self, user):
        mine = mine_of(user)
        if mine is None or not services.can_edit_rules(user, mine):
            return []
        return [mine]

    def check(self, job, rows, progress):
        return check_rows(job.user, job.target, rows, progress)

    def apply(self, job, plan):
        return apply_plan(job.user, plan)


imports.register(ViolationImporter())


def check_rows(user, mine, rows, progress=lambda n: None):
    services.ensure_defaults(mine)
    people = {
        emp_no: (pk, org_id, hired)
        for emp_no, pk, org_id, hired in Person.objects.filter(mine=mine).values_list(
            "emp_no", "pk", "org_id", "hire_date"
        )
    }
    severities = {s.name: s for s in Severity.objects.filter(mine=mine)}
    locations = dict(Location.objects.filter(mine=mine).values_list("name", "pk"))
    shifts = dict(Shift.objects.filter(mine=mine).values_list("name", "pk"))
    existing = {v.external_id: v for v in Violation.objects.filter(mine=mine).exclude(external_id="")}
    errors, creates, updates, unchanged, seen = [], [], [], 0, {}
    today = timezone.localdate()
    for done, (number, raw) in enumerate(rows, start=1):
        row_errors = []

        def err(key, message):
            row_errors.append(RowError(number, HEADER[key], message))

        ext = imports.external_id(raw, number, seen, err)
        values = {}
        try:
            occurred = parse_date(raw.get("date"))
        except ValueError:
            occurred = None
            err("date", f"“{raw.get('date')}”不是有效日期")
        else:
            if occurred is None:
                err("date", "必填")
            elif occurred > today:
                err("date", "违章日期不能晚于今天")
        values["occurred_on"] = occurred
        emp_no = raw.get("emp_no", "").strip()
        person = people.get(emp_no)
        if not emp_no:
            err("emp_no", "必填")
        elif person is None:
            err("emp_no", f"本矿没有工号 {emp_no}")
        elif occurred and occurred < person[2]:
            err("date", f"违章日期早于该职工入职日期({person[2]})")
        values["person_id"], values["org_id"] = (person[0], person[1]) if person else (None, None)
        kind = KIND_NAMES.get(raw.get("kind", "").strip())
        if kind is None:
            err("kind", "须为 违章指挥 / 违章作业 / 违反劳动纪律")
        values["kind"] = kind
        severity = severities.get(raw.get("severity", "").strip())
        if severity is None:
            err("severity", "须为 " + " / ".join(severities))
        values["severity_id"] = severity.pk if severity else None
        description = raw.get("description", "").strip()
        if not description:
            err("description", "必填")
        values["description"] = description
        for key, table, label in (("location", locations, "地点"), ("shift", shifts, "班次")):
            text = raw.get(key, "").strip()
            values[f"{key}_id"] = table.get(text) if text else None
            if text and values[f"{key}_id"] is None:
                err(key, f"{label}“{text}”不存在")
        values["clauses"] = raw.get("clauses", "").strip()[:300]
        points = parse_int(raw.get("points"), 0, services.MAX_POINTS, default=severity.points if severity else 0)
        if points is None:
            err("points", f"须为0到{services.MAX_POINTS}之间的整数")
        values["points"] = points
        fine = services._money(raw.get("fine"), default=severity.fine if severity else 0)
        if fine is None:
            err("fine", "须为不小于0的金额")
        values["fine"] = fine
        status = STATUS_NAMES.get(raw.get("status", "").strip() or "有效")
        if status is None:
            err("status", "须为 有效 / 已撤销")
        values["status"] = status
        if row_errors:
            errors.extend(row_errors)
        else:
            violation = existing.get(ext)
            if violation is None:
                creates.append(Violation(mine=mine, external_id=ext, recorded_by=user, **values))
            else:
                changes = {f: v for f, v in values.items() if getattr(violation, f) != v}
                if changes:
                    updates.append((violation, changes))
                else:
                    unchanged += 1
        progress(done)
    counts = {"created": len(creates), "updated": len(updates), "unchanged": unchanged}
    if errors:
        return Checked(errors=errors, counts=counts)
    return Checked(errors=[], plan=Plan(mine, creates, updates), counts=counts)


def apply_plan(user, plan):
    now = timezone.now()
    created = Violation.objects.bulk_create(plan.creates, batch_size=1000)
    before = []
    for violation, changes in plan.updates:
        before.append(audit.snapshot(violation))
        for field, value in changes.items():
            setattr(violation, field, value)
        violation.version += 1
    if plan.updates:
        Violation.objects.bulk_update([v for v, _ in plan.updates], FIELDS + ["version"], batch_size=500)
    ViolationEvent.objects.bulk_create(
        [
            ViolationEvent(violation=v, action="import", to_status=v.status, actor=user, at=now, note="从原系统导入")
            for v in created
        ]
        + [
            ViolationEvent(violation=v, action="import", to_status=v.status, actor=user, at=now, note="再次导入更新")
            for v, _ in plan.updates
        ],
        batch_size=1000,
    )
    audit.audit_bulk(user, created, zip(before, [x for x, _ in plan.updates]), via="excel_import")
    return {"created": len(created), "updated": len(plan.updates)}


LEDGER_COLUMNS = [
    ("n", "序号", 6), ("id", "编号", 8), ("external_id", "外部编号", 12), ("date", "违章日期", 12), ("shift", "班次", 8),
    ("org", "班组", 14), ("emp_no", "工号", 10), ("name", "姓名", 8), ("kind", "类型", 12), ("severity", "严重程度", 8),
    ("location", "地点", 16), ("description", "违章情况", 40), ("clauses", "违反条款", 20), ("points", "扣分", 6),
    ("fine", "罚款(元)", 8), ("status", "状态", 8), ("help", "帮教完成", 10), ("reexam", "复考", 10), ("recorder", "登记人", 8),
]  # fmt: skip


def ledger_response(user, qs):
    """三违台账: the filtered list as .xlsx (one query for the rows, with the 帮教 counts annotated)."""
    qs = services.with_help_counts(qs).select_related(
        "person", "org", "severity", "location", "shift", "recorded_by", "recorded_by__person", "reexam_paper"
    )
    violations, cut = export.capped(qs.order_by("occurred_on", "pk"))
    rows = []
    for n, v in enumerate(violations, start=1):
        rows.append([
            n, v.pk, v.external_id, v.occurred_on, v.shift.name if v.shift_id else "", v.org.name, v.person.emp_no, v.person.name,
            v.get_kind_display(), v.severity.name, v.location.name if v.location_id else "", v.description, v.clauses, v.points,
            v.fine, v.get_status_display(), f"{v.steps_done}/{v.steps_total}" if v.steps_total else "", services.reexam_state(v),
            v.recorded_by.display_name(),
        ])  # fmt: skip
    return export.xlsx("三违台账", LEDGER_COLUMNS, rows, cut)
