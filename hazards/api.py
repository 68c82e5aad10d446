"""JSON API of the hazard loop (/api/hazards/…): the same services, scope and transition table as the pages, and the
same forms (``hazards.forms``, through ``common.inputs.body``): a bad field answers 422 with ``errors`` naming it, in
the page's words."""

from datetime import date, datetime
from typing import Annotated, Literal

from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema

from common import inputs
from common.api_schemas import EventOut, events_out
from common.pagination import api_page
from hazards import forms, services
from hazards.models import HazardStatus
from orgs.api import ERRORS_READ, ERRORS_WRITE, MAX_ID

router = Router(tags=["隐患排查治理"])
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
ActionName = Annotated[str, Path(pattern=r"^[a-z_]{1,30}$")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class HazardOut(Schema):
    id: int
    status: str
    status_label: str
    location: str
    unit: str
    category: str
    grade: str
    description: str
    clause: str
    found_by: str | None
    finder_is_party_member: bool
    found_at: datetime
    deadline: date | None
    overdue: bool
    supervised: bool
    responsible_unit: str | None
    responsible_person: str | None
    measures: str
    version: int
    actions: list[str] = Field(description="当前用户在此状态下可做的操作")


class HazardDetail(HazardOut):
    funds: str | None = Field(None, description="资金(元)")
    plan: str
    shift: str | None
    closed_at: datetime | None
    external_id: str
    photos: list[str] = Field(description="照片地址(已重新编码,无 EXIF)")
    events: list[EventOut] = Field(description="过程:谁、何时、做了什么、说明")


class HazardPage(Schema):
    count: int
    count_capped: bool = Field(False, description="为真时 count 只数到上限(3000),实际更多;上限之后的页为空")
    items: list[HazardOut]


class HazardFilters(Schema):
    status: Literal[tuple(HazardStatus.values)] | None = None
    overdue: bool = False
    grade: Id | None = None
    category: Id | None = None
    location: Id | None = None
    branch: Id | None = Field(None, description="党支部 id:其下区队的地点")
    finder: Annotated[str, Field(max_length=30)] | None = Field(None, description="发现人姓名(含)或工号")
    found_from: date | None = Field(None, alias="from", description="发现日期从")
    found_to: date | None = Field(None, alias="to", description="发现日期到")
    page: Annotated[int, Field(ge=1, le=100000)] = 1


class HazardIn(Schema):
    location: Id
    category: Id
    grade: Id
    description: Annotated[str, Field(max_length=2000)]
    clause: Annotated[str, Field(max_length=200)] = ""
    found_at: datetime | None = None
    shift: Id | None = None
    token: Annotated[str, Field(max_length=40)] | None = Field(None, description="同一表单重复提交只生成一条")


class ActionIn(Schema):
    version: Annotated[int, Field(ge=1, le=2**31)] | None = Field(
        None, description="读取时的 version;已被他人处理则 409"
    )
    note: Annotated[str, Field(max_length=1000)] = ""
    responsible_unit: Id | None = None
    responsible_person: Id | None = None
    measures: Annotated[str, Field(max_length=2000)] = ""
    funds: Annotated[str, Field(max_length=20)] | None = None
    deadline: date | None = None
    plan: Annotated[str, Field(max_length=2000)] = ""


def _out(user, h, with_actions=True):
    return HazardOut(
        id=h.pk, status=h.status, status_label=h.get_status_display(), location=h.location.name, unit=h.location.unit.name,
        category=h.category.name, grade=h.grade.name, description=h.description, clause=h.clause,
        found_by=h.found_by.name if h.found_by_id else None, finder_is_party_member=h.finder_is_party_member,
        found_at=h.found_at, deadline=h.deadline, overdue=h.overdue, supervised=h.supervised,
        responsible_unit=h.responsible_unit.name if h.responsible_unit_id else None,
        responsible_person=h.responsible_person.name if h.responsible_person_id else None, measures=h.measures,
        version=h.version, actions=[a for a, _ in services.allowed_actions(user, h)] if with_actions else [],
    )  # fmt: skip


@router.get("", response={200: HazardPage, **ERRORS_READ}, summary="隐患列表(筛选同页面)")
def list_hazards(request, filters: Query[HazardFilters]):
    values = forms.list_filters(inputs.body(filters, **{"from": filters.found_from, "to": filters.found_to}))
    qs = (
        services.filter_list(request.user, **values)
        .select_related(
            "location", "location__unit", "category", "grade", "found_by", "responsible_unit", "responsible_person"
        )
        .order_by("-found_at", "-pk")
    )
    count, capped, rows = api_page(qs, filters.page, per_page=50)
    return HazardPage(count=count, count_capped=capped, items=[_out(request.user, h, with_actions=False) for h in rows])


def _detail(user, h):
    out = _out(user, h).dict()
    out.update(
        funds=str(h.funds) if h.funds is not None else None,
        plan=h.plan,
        shift=h.shift.name if h.shift_id else None,
        closed_at=h.closed_at,
        external_id=h.external_id,
        photos=[reverse("hazard_photo", args=[p.pk]) for p in h.photos.all()],
        events=events_out(services.timeline(h)),
    )
    return HazardDetail(**out)


@router.get("/{id}", response={200: HazardDetail, **ERRORS_READ}, summary="一条隐患(含过程与照片)")
def get_hazard(request, id: PathId):
    return _detail(request.user, services.get(request.user, id))


@router.post("", response={201: HazardDetail, **ERRORS_WRITE}, summary="登记隐患(照片请用页面上传)")
def create_hazard(request, payload: HazardIn):
    hazard = services.register(request.user, **inputs.parse(forms.HazardForm, inputs.body(payload)))
    return 201, _detail(request.user, services.get(request.user, hazard.pk))


@router.post(
    "/{id}/{action}",
    response={200: HazardDetail, **ERRORS_WRITE},
    summary="状态操作(按流转表:assign、submit、verify_pass …)",
)
def act(request, id: PathId, action: ActionName, payload: ActionIn):
    values = inputs.parse(forms.action_form(action), inputs.body(payload))
    return _detail(request.user, services.act(request.user, id, action, **values))
