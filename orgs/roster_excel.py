"""花名册 Excel: the import template, the import (checked row by row, keyed by 工号) and the export of a filtered list.

A row's own fields are checked by the page's form (``orgs.forms.PersonRowForm``: the same rules and words as
``PersonForm``), one form for the whole file; the names it holds against dictionaries read once (people of the mine,
区队/班组 of the target, 工种), so a 5,000-row file is checked in a fixed number of queries. A re-import updates people by 工号; a change of 工种 or
班组 is recorded as a 转岗 dated the import day, as the transfer operation would.
"""

import contextlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from common import export, imports
from common.excel import Column
from common.imports import Checked, Importer, RowError
from orgs import scope
from orgs.forms import ROW_FIELDS, PersonRowForm
from orgs.models import (
    PARTY_STATUSES,
    SENSITIVE_FIELDS,
    Gender,
    JobType,
    OrgKind,
    OrgNode,
    Person,
    PoliticalStatus,
    Transfer,
    WorkStatus,
    WorkStatusChange,
    pinyin_initials,
)

COLUMNS = [
    Column("emp_no", "工号", required=True, width=10, help="字母、数字或连字符,本矿唯一;已有工号的人员将被更新"),
    Column("name", "姓名", required=True, width=10),
    Column("gender", "性别", required=True, width=6, help="男 / 女"),
    Column("birth_date", "出生日期", width=12, help="如 1985-05-01"),
    Column("id_number", "身份证号", width=20, help="18位,校验位会被检查"),
    Column("phone", "手机", width=13),
    Column("address", "家庭住址", width=24),
    Column("hire_date", "入职日期", required=True, width=12),
    Column("job_type", "工种", required=True, width=12, help="须为系统中已有的工种"),
    Column("post", "岗位", width=12),
    Column("unit", "区队/科室", required=True, width=14, aliases=("区队", "科室"), help="导入范围内区队或科室的名称"),
    Column("team", "班组", width=12, help="该区队下班组的名称;空 = 直属区队"),
    Column("political_status", "政治面貌", width=10, help="中共党员 / 预备党员 / 共青团员 / 群众;空 = 群众"),
    Column("party_join_date", "入党日期", width=12),
    Column(
        "party_org",
        "党组织",
        width=16,
        aliases=("所在党支部", "党支部/党小组"),
        help="党支部或党小组名称;党员空 = 区队所在党支部",
    ),
    Column("work_status", "在岗状态", width=10, help="在岗 / 休假 / 病休 / 借调 / 离岗 / 退休;空 = 在岗"),
]
HEADER = {c.key: c.header for c in COLUMNS}
GENDERS = {label: value for value, label in Gender.choices}
POLITICAL = {label: value for value, label in PoliticalStatus.choices} | {
    "党员": PoliticalStatus.MEMBER,
    "团员": PoliticalStatus.LEAGUE,
}
WORK = {label: value for value, label in WorkStatus.choices}
# Fields a re-import compares and updates (sensitive notes are never touched by a file).
UPDATE_FIELDS = [
    "name", "gender", "birth_date", "id_number", "phone", "address", "hire_date", "job_type_id", "post", "org_id",
    "political_status", "party_join_date", "party_org_id", "work_status",
]  # fmt: skip


def parse_date(text):
    """YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYYMMDD or an Excel day number; ValueError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d{8}", text):
        return datetime.strptime(text, "%Y%m%d").date()
    if re.fullmatch(r"\d{4,5}", text):
        return date(1899, 12, 30) + timedelta(days=int(text))
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?( .*)?", text)
    if not match:
        raise ValueError
    return date(int(match[1]), int(match[2]), int(match[3]))


@dataclass
class RosterPlan:
    mine: OrgNode
    creates: list  # Person (unsaved)
    updates: list  # (Person, {field: (old, new)})


class RosterImporter(Importer):
    kind = "roster"
    title = "花名册"
    columns = COLUMNS
    back_url_name = "people"
    instructions = (
        "第一行是列名(带 * 为必填),从第二行起每行一名职工;列的顺序可以调整,多余的列会被忽略。",
        "按工号识别:本矿已有的工号会被更新,不会重复新增;工种或班组变化会记为一次转岗(日期为导入当天)。",
        "区队/科室、班组、党组织填写名称,须在您选择的导入范围内。",
        "身份证号、手机号会被校验;家庭情况、思想动态等谈心记录不通过表格导入。",
    )
    example_rows = (
        ("200001", "张三", "男", "1988-06-15", "", "13800000001", "", "2012-07-01", "采煤工", "", "综采一区", "早班", "中共党员", "2015-07-01", "", "在岗"),
    )  # fmt: skip

    def targets(self, user):
        """Mines and branches the user manages people in (their own top nodes first)."""
        return list(
            OrgNode.objects.visible_to(user, "manage_people")
            .filter(kind__in=(OrgKind.MINE, OrgKind.BRANCH, OrgKind.GENERAL_BRANCH))
            .order_by("depth", "path")[:500]
        )

    def check(self, job, rows, progress):
        return check_rows(job.user, job.target, rows, progress)

    def apply(self, job, plan):
        return apply_plan(job.user, plan, job_id=job.pk)


imports.register(RosterImporter())


class _Lookups:
    """Everything a row is checked against, read once per file."""

    def __init__(self, user, target):
        self.user = user
        self.target = target
        self.mine = target.ancestor_of_kind(OrgKind.MINE)
        nodes = list(OrgNode.objects.filter(path__startswith=self.mine.path).values_list("pk", "path", "name", "kind"))
        managed = OrgNode.objects.visible_to(user, "manage_people")
        self.managed_ids = set(managed.filter(path__startswith=target.path).values_list("pk", flat=True))
        steplen = OrgNode.steplen
        self.by_id = {pk: (path, name, kind) for pk, path, name, kind in nodes}
        self.by_path = {path: pk for pk, path, name, kind in nodes}
        self.units = {}
        self.teams = {}
        self.party_orgs = {}
        for pk, path, name, kind in nodes:
            if kind == OrgKind.UNIT and path.startswith(target.path):
                self.units.setdefault(name, []).append(pk)
            elif kind == OrgKind.TEAM:
                parent = self.by_path.get(path[:-steplen])
                self.teams[(parent, name)] = pk
            elif kind in (OrgKind.BRANCH, OrgKind.PARTY_GROUP):
                self.party_orgs.setdefault(name, []).append(pk)
        self.jobs = dict(JobType.objects.values_list("name", "pk"))
        self.people = {p.emp_no: p for p in Person.objects.filter(mine=self.mine)}

    def branch_of(self, node_pk):
        path = self.by_id[node_pk][0]
        best = None
        for pk, (p, _name, kind) in self.by_id.items():
            if kind == OrgKind.BRANCH and path.startswith(p) and (best is None or len(p) > len(self.by_id[best][0])):
                best = pk
        return best


def check_rows(user, target, rows, progress=lambda n: None):
    """Check every row; return ``Checked`` with errors per row and column, or the plan and its counts."""
    look = _Lookups(user, target)
    errors = []
    creates, updates, unchanged = [], [], 0
    seen = {}
    branch_cache = {}
    form = PersonRowForm()
    for done, (number, raw) in enumerate(rows, start=1):
        values, row_errors, existing = _check_row(look, form, number, raw, seen, branch_cache)
        if row_errors:
            errors.extend(row_errors)
        elif existing is None:
            creates.append(Person(mine=look.mine, name_initials=pinyin_initials(values["name"]), **values))
        else:
            changes = {f: (getattr(existing, f), values[f]) for f in UPDATE_FIELDS if getattr(existing, f) != values[f]}
            if changes:
                updates.append((existing, changes))
            else:
                unchanged += 1
        progress(done)
    counts = {"created": len(creates), "updated": len(updates), "unchanged": unchanged}
    if errors:
        return Checked(errors=errors, counts=counts)
    return Checked(errors=[], plan=RosterPlan(look.mine, creates, updates), counts=counts)


DATE_FIELDS = ("birth_date", "hire_date", "party_join_date")


def _form_data(raw):
    """A row as the page's form reads it: the file's labels (男, 中共党员, 在岗; blank = 群众, 在岗) as the stored
    values, its dates as a file may write them (2018/7/1, 20180701, a day number); what is not understood is left
    as typed for the form to refuse in its words."""
    data = {key: (raw.get(key) or "").strip() for key in ROW_FIELDS}
    data["gender"] = GENDERS.get(data["gender"], data["gender"])
    data["political_status"] = POLITICAL.get(data["political_status"] or "群众", data["political_status"])
    data["work_status"] = WORK.get(data["work_status"] or "在岗", data["work_status"])
    for key in DATE_FIELDS:
        with contextlib.suppress(ValueError):
            data[key] = parse_date(data[key])
    return data


def _check_row(look, form, number, raw, seen, branch_cache):
    """(the values of a Person, the row's errors, the person of the same 工号 or None): the page's form for the
    fields, then what only a file has — 工号 repeated in it, names of 工种 and orgs, a person of another unit."""
    row_errors = []

    def err(key, message):
        row_errors.append(RowError(number, HEADER[key], message))

    form_errors, cleaned = form.check(_form_data(raw))
    for field, messages in form_errors.items():
        for message in messages:
            err(field if field in HEADER else "emp_no", message)
    values = dict(cleaned)
    emp_no = values.get("emp_no", "")
    if emp_no in seen:
        err("emp_no", f"与第 {seen[emp_no]} 行的工号重复")
    elif emp_no:
        seen[emp_no] = number
    values["job_type_id"] = _resolve_job(look, raw, err)
    values["org_id"] = _resolve_org(look, raw, err)
    is_member = values.get("political_status") in PARTY_STATUSES
    existing = look.people.get(emp_no) if emp_no else None
    if raw.get("party_org", "").strip() or existing is None:
        values["party_org_id"] = _resolve_party_org(look, raw, values, is_member, err, branch_cache)
    else:  # a blank 党组织 keeps what the record has (an export re-imported changes nothing)
        values["party_org_id"] = existing.party_org_id if is_member else None
    if existing is not None and existing.org_id not in look.managed_ids:
        err("emp_no", f"工号 {emp_no} 是本矿其他单位的职工({existing.name}),不在您的导入范围内")
    return values, row_errors, existing


def _resolve_job(look, raw, err):
    name = raw.get("job_type", "").strip()
    if not name:
        err("job_type", "必填")
        return None
    job = look.jobs.get(name)
    if job is None:
        err("job_type", f"工种“{name}”不存在(请先在系统中添加,或检查名称)")
    return job


def _resolve_org(look, raw, err):
    unit_name = raw.get("unit", "").strip()
    team_name = raw.get("team", "").strip()
    if not unit_name:
        err("unit", "必填")
        return None
    candidates = look.units.get(unit_name, [])
    if not candidates:
        err("unit", f"导入范围“{look.target.name}”内没有名为“{unit_name}”的区队/科室")
        return None
    if len(candidates) > 1:
        err("unit", f"“{unit_name}”在导入范围内有重名,请选择更小的导入范围")
        return None
    unit = candidates[0]
    if not team_name:
        org = unit
    else:
        org = look.teams.get((unit, team_name))
        if org is None:
            err("team", f"区队“{unit_name}”下没有名为“{team_name}”的班组")
            return None
    if org not in look.managed_ids:
        err("unit", "您无权管理该单位的人员")
        return None
    return org


def _resolve_party_org(look, raw, values, is_member, err, cache):
    name = raw.get("party_org", "").strip()
    if name:
        candidates = look.party_orgs.get(name, [])
        if values.get("org_id"):
            branch = cache.setdefault(values["org_id"], look.branch_of(values["org_id"]))
            near = [pk for pk in candidates if branch and look.by_id[pk][0].startswith(look.by_id[branch][0])]
            candidates = near or candidates
        if not candidates:
            err("party_org", f"本矿没有名为“{name}”的党支部或党小组")
            return None
        if len(candidates) > 1:
            err("party_org", f"“{name}”在本矿有重名,请填写更完整的名称")
            return None
        return candidates[0]
    if is_member and values.get("org_id"):
        return cache.setdefault(values["org_id"], look.branch_of(values["org_id"]))
    return None


def _display(value):
    if value is None:
        return "None"
    return value.isoformat() if isinstance(value, date) else str(value)


def apply_plan(user, plan, job_id=None):
    """Write a checked plan (inside the caller's transaction) with its 转岗 records and audit entries."""
    from orgs.services import mask_all

    now = timezone.now()
    today = timezone.localdate()
    created = Person.objects.bulk_create(plan.creates, batch_size=1000)
    changed = []
    transfers = []
    for person, changes in plan.updates:
        if "org_id" in changes or "job_type_id" in changes:
            transfers.append(
                Transfer(
                    person=person,
                    date=today,
                    from_job_id=person.job_type_id,
                    to_job_id=changes.get("job_type_id", (None, person.job_type_id))[1],
                    from_org_id=person.org_id,
                    to_org_id=changes.get("org_id", (None, person.org_id))[1],
                    note="花名册导入",
                    recorded_by=user,
                )
            )
        for field, (_old, new) in changes.items():
            setattr(person, field, new)
        person.name_initials = pinyin_initials(person.name)
        person.updated_at = now
        changed.append(person)
    if changed:
        Person.objects.bulk_update(changed, UPDATE_FIELDS + ["name_initials", "updated_at"], batch_size=500)
    Transfer.objects.bulk_create(transfers, batch_size=1000)
    WorkStatusChange.objects.bulk_create(
        [
            WorkStatusChange(person=person, at=now, from_status=changes["work_status"][0],
                             to_status=changes["work_status"][1], recorded_by=user, via="import")
            for person, changes in plan.updates
            if "work_status" in changes and changes["work_status"][0]
        ],
        batch_size=1000,
    )  # fmt: skip
    content_type = ContentType.objects.get_for_model(Person)
    extra = {"via": "excel_import", "job": job_id}

    def entry(person, action, changes):
        shown = {
            field.removesuffix("_id"): [
                mask_all(_display(old)) if field in SENSITIVE_FIELDS else _display(old),
                mask_all(_display(new)) if field in SENSITIVE_FIELDS else _display(new),
            ]
            for field, (old, new) in changes.items()
        }
        return LogEntry(
            content_type=content_type,
            object_pk=str(person.pk),
            object_id=person.pk,
            object_repr=str(person),
            action=action,
            changes=shown,
            actor=user,
            timestamp=now,
            additional_data=extra,
        )

    entries = [
        entry(
            p,
            LogEntry.Action.CREATE,
            {f: (None, getattr(p, f)) for f in UPDATE_FIELDS + ["emp_no"] if getattr(p, f) not in (None, "")},
        )
        for p in created
    ]
    entries += [entry(p, LogEntry.Action.UPDATE, changes) for p, changes in plan.updates]
    LogEntry.objects.bulk_create(entries, batch_size=1000)
    return {"created": len(created), "updated": len(changed), "transfers": len(transfers)}


def run_import(user, path, target=None):
    """Check and write a roster file in one go (benchmarks, management use). Returns the summary or raises."""
    from django.db import transaction

    from common.excel import read_table

    importer = imports.get_importer("roster")
    target = target or importer.targets(user)[0]
    rows = read_table(path, COLUMNS)
    checked = check_rows(user, target, rows)
    if checked.errors:
        raise ValidationError([f"第{e.row}行 {e.column}:{e.message}" for e in checked.errors[:20]])
    with transaction.atomic():
        return apply_plan(user, checked.plan)


# ---------------------------------------------------------------- export

EXPORT_COLUMNS = [
    Column("emp_no", "工号", width=10),
    Column("name", "姓名", width=10),
    Column("gender", "性别", width=6),
    Column("birth_date", "出生日期", width=12),
    Column("id_number", "身份证号", width=20),
    Column("phone", "手机", width=13),
    Column("address", "家庭住址", width=24),
    Column("hire_date", "入职日期", width=12),
    Column("job_type", "工种", width=12),
    Column("post", "岗位", width=12),
    Column("unit", "区队/科室", width=14),
    Column("team", "班组", width=12),
    Column("political_status", "政治面貌", width=10),
    Column("party_join_date", "入党日期", width=12),
    Column("party_org", "党组织", width=16),
    Column("work_status", "在岗状态", width=10),
]
EXPORT_SENSITIVE = ("id_number", "phone", "address")


EXPORT_CHUNK = 500  # people written together: their 区队 names read and their sensitive reads logged per chunk


def export_queryset(user, params):
    """The roster list as filtered on the page (``params``: its query, read by ``PersonFilterForm``), in the user's
    scope; nobody's for a user without the roster."""
    from orgs.forms import PersonFilterForm
    from orgs.services import filter_people

    if not scope.can(user, "roster"):
        return Person.objects.none()
    form = PersonFilterForm(params)
    people = filter_people(user, form.cleaned_data if form.is_valid() else {})
    return people.select_related("org", "job_type", "party_org").order_by("emp_no", "pk")


def export_lines(user, params, people):
    """The lines of the import template's columns (so the file can be edited and re-imported).

    Sensitive columns are masked unless ``params["sensitive"]`` is asked for by a user who holds ``sensitive``;
    then they hold values only where the user may see them, and every person whose values were written is in the
    sensitive-access log (``params["ip"]``: the address the export was asked from)."""
    from orgs.services import log_bulk_sensitive

    include = params.get("sensitive") == "1" and scope.can(user, "sensitive")
    if not include:
        paths = []
    else:
        paths = scope.subtree_paths(user, "sensitive") if not user.is_superuser else [""]
    people = iter(people)
    while chunk := list(islice(people, EXPORT_CHUNK)):
        parents = _parent_names({p.org.path for p in chunk})
        revealed = []
        for p in chunk:
            full = include and (any(p.org.path.startswith(path) for path in paths) or p.pk == user.person_id)
            if full and (p.id_number or p.phone or p.address):
                revealed.append(p)
            yield _export_line(p, full, parents)
        if revealed:
            log_bulk_sensitive(user, revealed, EXPORT_SENSITIVE, via="export", ip=params.get("ip"))


def _export_line(p, full, parents):
    from orgs.services import mask

    is_team = p.org.kind == OrgKind.TEAM
    unit = parents.get(p.org.path[: -OrgNode.steplen], "") if is_team else p.org.name
    return [
        p.emp_no, p.name, p.get_gender_display(), p.birth_date,
        p.id_number if full else mask(p.id_number), p.phone if full else mask(p.phone),
        p.address if full else mask(p.address), p.hire_date, p.job_type.name, p.post, unit,
        p.org.name if is_team else "", p.get_political_status_display(), p.party_join_date,
        p.party_org.name if p.party_org_id else "", p.get_work_status_display(),
    ]  # fmt: skip


export.register_ledger(
    "roster_export",
    title="职工花名册",
    columns=EXPORT_COLUMNS,
    queryset=export_queryset,
    rows=export_lines,
    unit="人",
    sheet="花名册",
)


def _parent_names(paths):
    parent_paths = {path[: -OrgNode.steplen] for path in paths if len(path) > OrgNode.steplen}
    return dict(OrgNode.objects.filter(path__in=parent_paths).values_list("path", "name"))
