"""Import of hazards from another system's ledger, keyed by its own number (外部编号): re-import updates, never duplicates.

Imported hazards keep the state the other system gave them (a history, not a transition done here); each created or
changed hazard gets an "import" line on its timeline.
"""

from dataclasses import dataclass

from django.utils import timezone

from common import audit, imports
from common.excel import Column
from common.imports import Checked, Importer, RowError
from hazards.forms import ImportRowForm
from hazards.models import Category, Grade, Hazard, HazardEvent
from hazards.services import ensure_defaults
from orgs import scope
from orgs.models import OrgKind, OrgNode, Person
from orgs.scope import mine_of
from places.models import Location, Shift

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


def _tables(mine):
    """The mine's records by the names (and 工号) the other system gives them, read once for the whole sheet."""
    units = {}
    for pk, name in OrgNode.objects.filter(
        path__startswith=mine.path, kind__in=(OrgKind.UNIT, OrgKind.TEAM)
    ).values_list("pk", "name"):
        units.setdefault(name, []).append(pk)
    people = dict(Person.objects.filter(mine=mine).values_list("emp_no", "pk"))
    return {
        "location": dict(Location.objects.filter(mine=mine).values_list("name", "pk")),  # 停用的地点 too: a history
        "category": dict(Category.objects.filter(mine=mine).values_list("name", "pk")),
        "grade": {g.name: g for g in Grade.objects.filter(mine=mine)},
        "shift": dict(Shift.objects.filter(mine=mine).values_list("name", "pk")),
        "finder": people,
        "responsible_person": people,
        "responsible_unit": {name: pks[0] for name, pks in units.items() if len(pks) == 1},  # a name used twice: 重名
    }


def check_rows(user, mine, rows, progress=lambda n: None):
    """Each row checked by ``forms.ImportRowForm`` (the register form's limits and words, by row and column); the
    plan creates the new 外部编号 and updates the changed ones."""
    ensure_defaults(mine)
    tables = _tables(mine)
    party = set(
        Person.objects.filter(mine=mine, political_status__in=("member", "probationary")).values_list("pk", flat=True)
    )
    existing = {h.external_id: h for h in Hazard.objects.filter(mine=mine).exclude(external_id="")}
    errors, creates, updates, unchanged, seen = [], [], [], 0, {}
    form = ImportRowForm({}, tables=tables)
    for done, (number, raw) in enumerate(rows, start=1):
        row_errors = []

        def err(key, message):
            row_errors.append(RowError(number, HEADER[key], message))

        ext = imports.external_id(raw, number, seen, err)
        form.read(raw)
        if not form.is_valid():
            for field, messages in form.errors.items():
                row_errors.extend(RowError(number, HEADER[field], str(m)) for m in messages)
        if row_errors:
            errors.extend(row_errors)
        else:
            row = form.arguments()
            values, grade = row["values"], row["grade"]
            hazard = existing.get(ext)
            if hazard is None:
                creates.append(Hazard(mine=mine, external_id=ext, recorded_by=user, supervised=grade.major,
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
