"""三违 in Excel: the ledger (台账) of the filtered list, and import from another system keyed by its own number
(外部编号): re-import updates, never duplicates. Imported records are history: they keep their status and carry no
帮教 steps or re-exam (the other system tracked those); each created or changed record gets an "import" line."""

from collections import namedtuple
from dataclasses import dataclass

from django.utils import timezone

from common import audit, export, imports
from common.excel import Column
from common.imports import Checked, Importer, RowError
from orgs.models import OrgNode, Person
from orgs.roster_excel import parse_date
from orgs.scope import mine_of
from places.models import Location, Shift
from violations import forms, services
from violations.models import Severity, Violation, ViolationEvent

# the form's field -> the sheet's column
COLUMN_OF = {"emp_no": "emp_no", "occurred_on": "date", "kind": "kind", "severity": "severity",
             "description": "description", "location": "location", "shift": "shift", "clauses": "clauses",
             "points": "points", "fine": "fine", "status": "status"}  # fmt: skip
Hired = namedtuple("Hired", "pk org_id hire_date")
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
    """Each row read by the 登记 form's rules (``violations.forms.import_row_form``: the same limits and messages),
    then the domain check the page makes too (not before the person was hired); the plan when no row is refused."""
    services.ensure_defaults(mine)
    row_form = _row_form(mine)
    existing = {v.external_id: v for v in Violation.objects.filter(mine=mine).exclude(external_id="")}
    errors, creates, updates, unchanged, seen = [], [], [], 0, {}
    for done, (number, raw) in enumerate(rows, start=1):
        row_errors = []

        def err(key, message):
            row_errors.append(RowError(number, HEADER[key], message))

        ext = imports.external_id(raw, number, seen, err)
        values = _row_values(row_form, raw, err)
        violation = existing.get(ext)
        if row_errors:
            errors.extend(row_errors)
        elif violation is None:
            creates.append(Violation(mine=mine, external_id=ext, recorded_by=user, **values))
        elif changes := {f: v for f, v in values.items() if getattr(violation, f) != v}:
            updates.append((violation, changes))
        else:
            unchanged += 1
        progress(done)
    counts = {"created": len(creates), "updated": len(updates), "unchanged": unchanged}
    if errors:
        return Checked(errors=errors, counts=counts)
    return Checked(errors=[], plan=Plan(mine, creates, updates), counts=counts)


def _row_form(mine):
    """The row form of this mine: its people by 工号, severities, places and shifts by name (read once)."""
    people = {
        emp_no: Hired(pk, org_id, hired)
        for emp_no, pk, org_id, hired in Person.objects.filter(mine=mine).values_list(
            "emp_no", "pk", "org_id", "hire_date"
        )
    }
    return forms.import_row_form(
        people=people,
        severities={s.name: s for s in Severity.objects.filter(mine=mine)},
        locations=dict(Location.objects.filter(mine=mine).values_list("name", "pk")),
        shifts=dict(Shift.objects.filter(mine=mine).values_list("name", "pk")),
    )


def _row_values(row_form, raw, err):
    """The Violation fields of one row, or {} after ``err(column, message)`` for each refusal."""
    data = {field: raw.get(column, "") for field, column in COLUMN_OF.items()}
    try:
        data["occurred_on"] = parse_date(data["occurred_on"]) or ""  # the sheet's ways of writing a day
    except ValueError:
        pass  # the form refuses it, in its words
    form = row_form(data)
    if not form.is_valid():
        for field, messages in form.errors.items():
            err(COLUMN_OF[field], messages[0])
        return {}
    d = form.cleaned_data
    person, severity = d["emp_no"], d["severity"]
    refusal = services.before_hiring(d["occurred_on"], person.hire_date)
    if refusal:
        err("date", refusal)
        return {}
    return {
        "person_id": person.pk, "org_id": person.org_id, "occurred_on": d["occurred_on"], "kind": d["kind"],
        "severity_id": severity.pk, "description": d["description"], "location_id": d["location"],
        "shift_id": d["shift"], "clauses": d["clauses"], "status": d["status"],
        "points": severity.points if d["points"] is None else d["points"],
        "fine": severity.fine if d["fine"] is None else d["fine"],
    }  # fmt: skip


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


def ledger_rows(user, params):
    """三违台账: the filtered list (the list's query, read by its form; one query for the rows, with the 帮教 counts
    annotated)."""
    qs = services.filter_list(user, **forms.FilterForm(params).filters())
    return (
        services.with_help_counts(qs)
        .select_related(
            "person", "org", "severity", "location", "shift", "recorded_by", "recorded_by__person", "reexam_paper"
        )
        .order_by("occurred_on", "pk")
    )


def ledger_row(n, v):
    return [
        n, v.pk, v.external_id, v.occurred_on, v.shift.name if v.shift_id else "", v.org.name, v.person.emp_no,
        v.person.name, v.get_kind_display(), v.severity.name, v.location.name if v.location_id else "",
        v.description, v.clauses, v.points, v.fine, v.get_status_display(),
        f"{v.steps_done}/{v.steps_total}" if v.steps_total else "", services.reexam_state(v),
        v.recorded_by.display_name(),
    ]  # fmt: skip


export.register_ledger(
    "violation_ledger", title="三违台账", columns=LEDGER_COLUMNS, queryset=ledger_rows, row=ledger_row
)
