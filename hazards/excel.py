"""Import of hazards from another system's ledger, keyed by its own number (外部编号): re-import updates, never duplicates.

Imported hazards keep the state the other system gave them (a history, not a transition done here); each created or
changed hazard gets an "import" line on its timeline.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from common import audit, imports
from common.excel import Column
from common.imports import Checked, Importer, RowError
from hazards.models import Category, Grade, Hazard, HazardEvent, HazardStatus
from hazards.services import ensure_defaults
from orgs import scope
from orgs.models import OrgKind, OrgNode, Person
from orgs.roster_excel import parse_date
from orgs.scope import mine_of
from places.models import Location, Shift

STATUS_NAMES = {label: value for value, label in HazardStatus.choices} | {
    "已整改": HazardStatus.CLOSED,
    "未整改": HazardStatus.RECTIFYING,
}
COLUMNS = [
    Column("external_id", "外部编号", required=True, width=14, help="原系统中的隐患编号;再次导入时按它更新"),
    Column("found", "排查日期", required=True, width=12),
    Column("location", "地点", required=True, width=18, help="须是本矿已登记的地点名称"),
    Column("category", "专业", required=True, width=8),
    Column("grade", "等级", required=True, width=6),
    Column("description", "隐患描述", required=True, width=40),
    Column("clause", "违反条款", width=20),
    Column("finder", "发现人工号", width=10),
    Column("shift", "班次", width=8),
    Column("status", "状态", width=8, help="待处理 / 整改中 / 待验收 / 已销号;空 = 待处理"),
    Column("responsible_unit", "责任单位", width=12),
    Column("responsible_person", "责任人工号", width=10),
    Column("measures", "整改措施", width=30),
    Column("deadline", "整改期限", width=12),
    Column("closed", "销号日期", width=12),
]
HEADER = {c.key: c.header for c in COLUMNS}
FIELDS = ["location_id", "category_id", "grade_id", "description", "clause", "found_by_id", "found_at", "shift_id", "status",
          "responsible_unit_id", "responsible_person_id", "measures", "deadline", "closed_at"]  # fmt: skip


@dataclass
class Plan:
    mine: OrgNode
    creates: list
    updates: list  # (hazard, {field: new})


class HazardImporter(Importer):
    kind = "hazards"
    title = "隐患台账"
    columns = COLUMNS
    back_url_name = "hazard_list"
    instructions = ("按“外部编号”识别:已导入过的编号会被更新,不会重复新增。导入的隐患保留原系统中的状态。",)

    def targets(self, user):
        mine = mine_of(user)
        if mine is None or not scope.can(user, "hazards_verify", mine):
            return []
        return [mine]

    def check(self, job, rows, progress):
        return check_rows(job.user, job.target, rows, progress)

    def apply(self, job, plan):
        return apply_plan(job.user, plan)


imports.register(HazardImporter())


def check_rows(user, mine, rows, progress=lambda n: None):
    ensure_defaults(mine)
    locations = dict(Location.objects.filter(mine=mine).values_list("name", "pk"))
    categories = dict(Category.objects.filter(mine=mine).values_list("name", "pk"))
    grades = {g.name: g for g in Grade.objects.filter(mine=mine)}
    shifts = dict(Shift.objects.filter(mine=mine).values_list("name", "pk"))
    people = dict(Person.objects.filter(mine=mine).values_list("emp_no", "pk"))
    party = set(
        Person.objects.filter(mine=mine, political_status__in=("member", "probationary")).values_list("pk", flat=True)
    )
    units = {}
    for pk, name in OrgNode.objects.filter(
        path__startswith=mine.path, kind__in=(OrgKind.UNIT, OrgKind.TEAM)
    ).values_list("pk", "name"):
        units.setdefault(name, []).append(pk)
    existing = {h.external_id: h for h in Hazard.objects.filter(mine=mine).exclude(external_id="")}
    tz = timezone.get_current_timezone()
    errors, creates, updates, unchanged, seen = [], [], [], 0, {}
    for done, (number, raw) in enumerate(rows, start=1):
        row_errors = []

        def err(key, message):
            row_errors.append(RowError(number, HEADER[key], message))

        ext = imports.external_id(raw, number, seen, err)
        values = {}

        def lookup(key, table, label):
            text = raw.get(key, "").strip()
            if not text:
                err(key, "必填")
                return None
            if text not in table:
                err(key, f"{label}“{text}”不存在")
                return None
            return table[text]

        values["location_id"] = lookup("location", locations, "地点")
        values["category_id"] = lookup("category", categories, "专业")
        grade = lookup("grade", grades, "等级")
        values["grade_id"] = grade.pk if grade else None
        description = raw.get("description", "").strip()
        if not description:
            err("description", "必填")
        values["description"] = description
        values["clause"] = raw.get("clause", "").strip()[:200]
        dates = {}
        for key in ("found", "deadline", "closed"):
            try:
                dates[key] = parse_date(raw.get(key))
            except ValueError:
                err(key, f"“{raw.get(key)}”不是有效日期")
                dates[key] = None
        if dates["found"] is None and not any(e.column == HEADER["found"] for e in row_errors):
            err("found", "必填")
        if dates["found"] and dates["found"] > timezone.localdate():
            err("found", "排查日期不能晚于今天")
        if dates["found"] and dates["deadline"] and dates["deadline"] < dates["found"]:
            err("deadline", "整改期限不能早于排查日期")
        values["found_at"] = datetime.combine(dates["found"], time(8), tzinfo=tz) if dates["found"] else None
        values["deadline"] = dates["deadline"]
        values["closed_at"] = datetime.combine(dates["closed"], time(12), tzinfo=tz) if dates["closed"] else None
        finder = raw.get("finder", "").strip()
        values["found_by_id"] = people.get(finder) if finder else None
        if finder and values["found_by_id"] is None:
            err("finder", f"本矿没有工号 {finder}")
        shift = raw.get("shift", "").strip()
        values["shift_id"] = shifts.get(shift) if shift else None
        if shift and values["shift_id"] is None:
            err("shift", f"班次“{shift}”不存在")
        status = STATUS_NAMES.get(raw.get("status", "").strip() or "待处理")
        if status is None:
            err("status", "状态须为 待处理 / 整改中 / 待验收 / 已销号")
        values["status"] = status
        unit_name = raw.get("responsible_unit", "").strip()
        candidates = units.get(unit_name, []) if unit_name else [None]
        if unit_name and len(candidates) != 1:
            err("responsible_unit", f"责任单位“{unit_name}”不存在或重名")
        values["responsible_unit_id"] = candidates[0] if len(candidates) == 1 else None
        person = raw.get("responsible_person", "").strip()
        values["responsible_person_id"] = people.get(person) if person else None
        if person and values["responsible_person_id"] is None:
            err("responsible_person", f"本矿没有工号 {person}")
        values["measures"] = raw.get("measures", "").strip()
        if status == HazardStatus.CLOSED and values["closed_at"] is None:
            err("closed", "已销号的隐患须填写销号日期")
        if row_errors:
            errors.extend(row_errors)
        else:
            hazard = existing.get(ext)
            if hazard is None:
                creates.append(Hazard(mine=mine, external_id=ext, recorded_by=user, supervised=bool(grade and grade.major),
                                      finder_is_party_member=values["found_by_id"] in party, **values))  # fmt: skip
            else:
                changes = {f: v for f, v in values.items() if getattr(hazard, f) != v}
                if changes:
                    updates.append((hazard, changes))
                else:
                    unchanged += 1
        progress(done)
    counts = {"created": len(creates), "updated": len(updates), "unchanged": unchanged}
    if errors:
        return Checked(errors=errors, counts=counts)
    return Checked(errors=[], plan=Plan(mine, creates, updates), counts=counts)


def apply_plan(user, plan):
    from hazards import tally

    now = timezone.now()
    months = {tally.month_of(h.found_at) for h in plan.creates} | {tally.month_of(h.found_at) for h, _ in plan.updates}
    created = Hazard.objects.bulk_create(plan.creates, batch_size=1000)
    before = []
    for hazard, changes in plan.updates:
        before.append(audit.snapshot(hazard))
        for field, value in changes.items():
            setattr(hazard, field, value)
        hazard.version += 1
    if plan.updates:
        Hazard.objects.bulk_update([h for h, _ in plan.updates], FIELDS + ["version"], batch_size=500)
    HazardEvent.objects.bulk_create(
        [
            HazardEvent(hazard=h, action="import", to_status=h.status, actor=user, at=now, note="从原系统导入")
            for h in created
        ]
        + [
            HazardEvent(
                hazard=h,
                action="import",
                to_status=h.status,
                actor=user,
                at=now,
                note="再次导入更新:" + "、".join(sorted(c)),
            )
            for h, c in plan.updates
        ],
        batch_size=1000,
    )
    months |= {tally.month_of(h.found_at) for h, _ in plan.updates}  # an import may move a hazard to another month
    tally.recount(plan.mine.pk, months)
    audit.audit_bulk(user, created, zip(before, [x for x, _ in plan.updates]), via="excel_import")
    return {"created": len(created), "updated": len(plan.updates)}
