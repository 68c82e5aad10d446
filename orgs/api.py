"""JSON API of organisations and people (SPEC §2, §3, §7.2, §7.4). Thin: parse, call ``orgs.services``, shape.

Scope is the pages' scope: every read goes through ``visible_to`` (via the services); out-of-scope and missing
objects answer 404, an in-scope object the role may not change answers 403, field errors 422.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from ninja import Field, Path, Query, Router, Schema
from pydantic import ConfigDict

from common.errors import Conflict, Forbidden
from orgs import services
from orgs.forms import PersonFilterForm
from orgs.models import (
    SENSITIVE_FIELDS,
    Gender,
    OrgKind,
    OrgNode,
    PoliticalStatus,
    Transfer,
    WorkStatus,
    window_start,
)

router = Router(tags=["组织与人员"])

# Ids fit a signed 64-bit integer (SQLite / PostgreSQL bigint); larger numbers are refused as bad input.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
KindValue = Literal[tuple(OrgKind.values)]
GenderValue = Literal[tuple(Gender.values)]
PoliticalValue = Literal[tuple(PoliticalStatus.values)]
WorkStatusValue = Literal[tuple(WorkStatus.values)]
PAGE_MAX = 200


# ---------------------------------------------------------------- schemas


class OrgsError(Schema):
    detail: str = Field(description="原因(中文)")


class OrgsFieldError(Schema):
    loc: list = Field(description='出错位置,如 ["body", "emp_no"]')
    msg: str
    type: str


class OrgsValidationError(Schema):
    detail: list[OrgsFieldError] | str
    errors: dict[str, list[str]] | None = Field(None, description="字段 → 中文错误信息")


ERRORS_READ = {401: OrgsError, 404: OrgsError, 422: OrgsValidationError}
ERRORS_WRITE = {401: OrgsError, 403: OrgsError, 404: OrgsError, 409: OrgsError, 422: OrgsValidationError}


class OrgNodeOut(Schema):
    id: int
    name: str
    kind: KindValue
    kind_label: str
    code: str
    parent_id: int | None
    depth: int
    path: str
    head_count: int = Field(description="本组织及下级的人数")


class OrgNodeList(Schema):
    count: int
    limit: int
    offset: int
    items: list[OrgNodeOut]


class OrgNodeCreate(Schema):
    parent_id: Id
    name: str = Field(max_length=200)
    kind: KindValue
    code: str = Field("", max_length=30)


class OrgNodePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    code: str | None = Field(None, max_length=30)
    parent_id: Id | None = Field(None, description="移到该组织之下")


class PersonItem(Schema):
    id: int
    emp_no: str
    name: str
    gender: GenderValue
    gender_label: str
    job_type_id: int
    job_type_name: str
    post: str
    org_id: int
    org_name: str
    political_status: PoliticalValue
    political_status_label: str
    work_status: WorkStatusValue
    work_status_label: str
    hire_date: date
    is_new_hire: bool = Field(description=f"入职在 {settings.HONGLING_NEW_HIRE_DAYS} 天内(由日期推算)")
    is_recently_transferred: bool = Field(description=f"{settings.HONGLING_TRANSFER_DAYS} 天内转过岗(由转岗记录推算)")
    phone_masked: str = Field(description="手机号(打码)")


class PersonList(Schema):
    count: int
    limit: int
    offset: int
    items: list[PersonItem]


class PersonDetail(PersonItem):
    mine_id: int
    mine_name: str
    birth_date: date | None
    party_join_date: date | None
    party_org_id: int | None
    party_org_name: str | None
    sensitive_allowed: list[str] = Field(description="本人可查看的敏感字段;其余敏感字段为 null")
    sensitive_revealed: bool = Field(description="敏感字段是否为明文(仅 ?reveal=1 且有权时;每次均记录)")
    id_number: str | None = Field(description="身份证号*")
    phone: str | None = Field(description="手机*")
    address: str | None = Field(description="家庭住址*")
    family_notes: str | None = Field(description="家庭情况*")
    thoughts_notes: str | None = Field(description="思想动态*")


class PersonCreate(Schema):
    emp_no: str = Field(max_length=200)
    name: str = Field(max_length=200)
    gender: GenderValue
    birth_date: date | None = None
    id_number: str = Field("", max_length=200)
    phone: str = Field("", max_length=200)
    address: str = Field("", max_length=1000)
    hire_date: date
    job_type: Id
    post: str = Field("", max_length=200)
    org: Id = Field(description="所在班组/科室")
    political_status: PoliticalValue = PoliticalStatus.MASSES.value
    party_join_date: date | None = None
    party_org: Id | None = Field(None, description="所在党支部/党小组")
    work_status: WorkStatusValue = WorkStatus.ON_DUTY.value
    family_notes: str = Field("", max_length=5000)
    thoughts_notes: str = Field("", max_length=5000)


class PersonPatch(Schema):
    """Fields to change; 工种和班组 change only through /transfer."""

    model_config = ConfigDict(extra="forbid")

    emp_no: str | None = Field(None, max_length=200)
    name: str | None = Field(None, max_length=200)
    gender: GenderValue | None = None
    birth_date: date | None = None
    id_number: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=1000)
    hire_date: date | None = None
    post: str | None = Field(None, max_length=200)
    political_status: PoliticalValue | None = None
    party_join_date: date | None = None
    party_org: Id | None = None
    work_status: WorkStatusValue | None = None
    family_notes: str | None = Field(None, max_length=5000)
    thoughts_notes: str | None = Field(None, max_length=5000)


class TransferCreate(Schema):
    date: date
    to_job: Id = Field(description="新工种")
    to_org: Id = Field(description="新班组")
    note: str = Field("", max_length=200)


class TransferOut(Schema):
    id: int
    person_id: int
    date: date
    from_job_id: int
    from_job_name: str
    to_job_id: int
    to_job_name: str
    from_org_id: int
    from_org_name: str
    to_org_id: int
    to_org_name: str
    note: str
    recorded_by: str | None
    created_at: datetime


class PeopleQuery(Schema):
    q: str | None = Field(None, max_length=100, description="工号 / 姓名 / 拼音首字母")
    org: Id | None = Field(None, description="组织 id(含下级)")
    job_type: Id | None = None
    political_status: PoliticalValue | None = None
    work_status: WorkStatusValue | None = None
    new_hire: bool = Field(False, description="只看新入职")
    transferred: bool = Field(False, description="只看近期转岗")
    limit: int = Field(50, ge=1, le=PAGE_MAX)
    offset: int = Field(0, ge=0, le=MAX_ID)


class OrgsPageQuery(Schema):
    limit: int = Field(500, ge=1, le=2000)
    offset: int = Field(0, ge=0, le=MAX_ID)


# ---------------------------------------------------------------- helpers


def client_ip(request):
    from common.client import client_ip as address

    return address(request)


def _org_rows(nodes):
    """OrgNodeOut dicts for ``nodes``: head counts and parent ids in one query each, whatever the number."""
    steplen = OrgNode.steplen
    counts = services.head_counts(nodes)
    parent_paths = {n.path[:-steplen] for n in nodes if n.depth > 1}
    parents = dict(OrgNode.objects.filter(path__in=parent_paths).values_list("path", "pk")) if parent_paths else {}
    return [
        {
            "id": n.pk,
            "name": n.name,
            "kind": n.kind,
            "kind_label": OrgKind(n.kind).label,
            "code": n.code,
            "parent_id": parents.get(n.path[:-steplen]),
            "depth": n.depth,
            "path": n.path,
            "head_count": counts.get(n.pk, 0),
        }
        for n in nodes
    ]


def _person_item(p, recently_transferred):
    return {
        "id": p.pk,
        "emp_no": p.emp_no,
        "name": p.name,
        "gender": p.gender,
        "gender_label": p.get_gender_display(),
        "job_type_id": p.job_type_id,
        "job_type_name": p.job_type.name,
        "post": p.post,
        "org_id": p.org_id,
        "org_name": p.org.name,
        "political_status": p.political_status,
        "political_status_label": p.get_political_status_display(),
        "work_status": p.work_status,
        "work_status_label": p.get_work_status_display(),
        "hire_date": p.hire_date,
        "is_new_hire": p.hire_date >= window_start(settings.HONGLING_NEW_HIRE_DAYS),
        "is_recently_transferred": recently_transferred,
        "phone_masked": services.mask(p.phone),
    }


def _person_detail(request, person, reveal=False):
    user = request.user
    allowed = services.sensitive_fields_for(user, person)
    if reveal:
        if not allowed:
            raise Forbidden("您的角色无权查看该职工的敏感信息")
        values = services.reveal_sensitive(user, person, via="api", ip=client_ip(request))
    else:
        values = {f: services.mask(getattr(person, f)) for f in allowed}
    data = _person_item(person, person.is_recently_transferred)
    data.update(
        {
            "mine_id": person.mine_id,
            "mine_name": person.mine.name,
            "birth_date": person.birth_date,
            "party_join_date": person.party_join_date,
            "party_org_id": person.party_org_id,
            "party_org_name": person.party_org.name if person.party_org_id else None,
            "sensitive_allowed": allowed,
            "sensitive_revealed": bool(reveal),
        }
    )
    for field in SENSITIVE_FIELDS:
        data[field] = values.get(field)
    return data


def _transfer_row(t):
    return {
        "id": t.pk,
        "person_id": t.person_id,
        "date": t.date,
        "from_job_id": t.from_job_id,
        "from_job_name": t.from_job.name,
        "to_job_id": t.to_job_id,
        "to_job_name": t.to_job.name,
        "from_org_id": t.from_org_id,
        "from_org_name": t.from_org.name,
        "to_org_id": t.to_org_id,
        "to_org_name": t.to_org.name,
        "note": t.note,
        "recorded_by": t.recorded_by.display_name() if t.recorded_by_id else None,
        "created_at": t.created_at,
    }


def _form_data(payload):
    """A schema's fields as the form data the services validate: None -> "" (empty), the rest as is."""
    return {k: ("" if v is None else v) for k, v in payload.items()}


def _refuse_null_chars(data):
    for field, value in data.items():
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError({field: ["不能包含空字符"]})


# ---------------------------------------------------------------- organisations


@router.get("/orgs", response={200: OrgNodeList, **ERRORS_READ}, summary="可见的组织(按树序)")
def list_orgs(request, page: Query[OrgsPageQuery]):
    visible = OrgNode.objects.visible_to(request.user).order_by("path")
    count = visible.count()
    nodes = list(visible[page.offset : page.offset + page.limit])
    return {"count": count, "limit": page.limit, "offset": page.offset, "items": _org_rows(nodes)}


@router.get("/orgs/{id}", response={200: OrgNodeOut, **ERRORS_READ}, summary="一个组织")
def get_org(request, id: PathId):
    return _org_rows([services.get_node(request.user, id)])[0]


@router.post("/orgs", response={201: OrgNodeOut, **ERRORS_WRITE}, summary="新增下级组织")
def create_org(request, payload: OrgNodeCreate):
    _refuse_null_chars(payload.dict())
    parent = services.get_node(request.user, payload.parent_id)
    node = services.add_child(request.user, parent, payload.name, payload.kind, payload.code)
    return 201, _org_rows([node])[0]


@router.patch("/orgs/{id}", response={200: OrgNodeOut, **ERRORS_WRITE}, summary="改名 / 改编码 / 移动组织")
def patch_org(request, id: PathId, payload: OrgNodePatch):
    user = request.user
    changes = payload.dict(exclude_unset=True)
    _refuse_null_chars(changes)
    with transaction.atomic():
        node = services.get_node(user, id)
        if changes.get("name") is not None or changes.get("code") is not None:
            name = changes["name"] if changes.get("name") is not None else node.name
            node = services.rename_node(user, node, name, changes.get("code"))
        if changes.get("parent_id") is not None:
            new_parent = services.get_node(user, changes["parent_id"])
            node = services.move_node(user, node, new_parent)
    return _org_rows([node])[0]


# ---------------------------------------------------------------- people


@router.get("/people", response={200: PersonList, **ERRORS_READ}, summary="职工列表(筛选同花名册页;敏感字段打码)")
def list_people(request, filters: Query[PeopleQuery]):
    raw = filters.dict(exclude={"limit", "offset"})
    data = {k: v for k, v in raw.items() if v not in (None, False)}
    form = PersonFilterForm(data)
    if not form.is_valid():
        raise ValidationError({f: [e["message"] for e in errs] for f, errs in form.errors.get_json_data().items()})
    recent = Transfer.objects.filter(person=OuterRef("pk"), date__gte=window_start(settings.HONGLING_TRANSFER_DAYS))
    people = services.filter_people(request.user, form.cleaned_data)
    count = people.count()
    rows = (
        people.select_related("org", "job_type")
        .annotate(recently_transferred=Exists(recent))
        .order_by("emp_no", "pk")[filters.offset : filters.offset + filters.limit]
    )
    items = [_person_item(p, p.recently_transferred) for p in rows]
    return {"count": count, "limit": filters.limit, "offset": filters.offset, "items": items}


@router.get("/people/{id}", response={200: PersonDetail, 403: OrgsError, **ERRORS_READ}, summary="职工详情")
def get_person(request, id: PathId, reveal: bool = Query(False, description="1 = 明文返回有权查看的敏感字段(留痕)")):
    person = services.get_person(request.user, id)
    return _person_detail(request, person, reveal=reveal)


@router.post("/people", response={201: PersonDetail, **ERRORS_WRITE}, summary="新增职工")
def create_person(request, payload: PersonCreate):
    data = _form_data(payload.dict())
    try:
        person = services.create_person(request.user, data)
    except IntegrityError:
        raise Conflict("该工号刚被登记过,请刷新后查看")
    return 201, _person_detail(request, services.get_person(request.user, person.pk))


@router.patch("/people/{id}", response={200: PersonDetail, **ERRORS_WRITE}, summary="修改职工信息(工种/班组请用转岗)")
def patch_person(request, id: PathId, payload: PersonPatch):
    user = request.user
    person = services.get_person(user, id)
    try:
        services.update_person(user, person, _form_data(payload.dict(exclude_unset=True)))
    except IntegrityError:
        raise Conflict("工号与本矿其他职工重复,请刷新后重试")
    return _person_detail(request, services.get_person(user, id))


@router.post("/people/{id}/transfer", response={201: TransferOut, **ERRORS_WRITE}, summary="转岗")
def transfer_person(request, id: PathId, payload: TransferCreate):
    user = request.user
    person = services.get_person(user, id)
    transfer = services.transfer_person(user, person, _form_data(payload.dict()))
    transfer = Transfer.objects.select_related("from_job", "to_job", "from_org", "to_org", "recorded_by").get(
        pk=transfer.pk
    )
    return 201, _transfer_row(transfer)


@router.get("/people/{id}/transfers", response={200: list[TransferOut], **ERRORS_READ}, summary="转岗记录")
def list_transfers(request, id: PathId):
    user = request.user
    person = services.get_person(user, id)
    transfers = (
        Transfer.objects.visible_to(user)
        .filter(person=person)
        .select_related("from_job", "to_job", "from_org", "to_org", "recorded_by__person")
        .order_by("-date", "-pk")
    )
    return [_transfer_row(t) for t in transfers]
