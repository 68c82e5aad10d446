"""JSON API of 三违 (/api/violations/…): the same services, scope and appeal table as the pages, and the same input
rules: each body is read by the page's form (``violations.forms``, through ``common.inputs.body``), so a bad value
answers 422 with the page's message under ``errors`` naming the field."""

from datetime import date
from typing import Annotated, Literal

from ninja import Field, Path, Query, Router, Schema

from common import inputs
from common.api_schemas import EventOut, events_out
from common.errors import Forbidden
from common.pagination import api_page
from orgs.api import ERRORS_READ, ERRORS_WRITE, MAX_ID
from violations import forms, services
from violations.models import ViolationKind, ViolationStatus

router = Router(tags=["三违与帮教"])
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
ActionName = Annotated[str, Path(pattern=r"^[a-z_]{1,30}$")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class StepOut(Schema):
    id: int
    name: str
    done_on: date | None
    done_by: str | None
    note: str


class ViolationOut(Schema):
    id: int
    status: str
    status_label: str
    person_id: int
    person: str
    emp_no: str
    team: str
    occurred_on: date
    kind: str
    kind_label: str
    severity: str
    serious: bool
    location: str | None
    description: str
    points: int
    fine: str = Field(description="罚款(元)")


class ViolationDetail(ViolationOut):
    shift: str | None
    clauses: str
    external_id: str
    version: int
    appeal_deadline: date | None
    reexam: str = Field(description="复考状态:空 = 不需复考")
    actions: list[str] = Field(description="当前用户在此状态下可做的操作")
    help_steps: list[StepOut]
    events: list[EventOut]


class ViolationPage(Schema):
    count: int
    count_capped: bool = Field(False, description="为真时 count 只数到上限(3000),实际更多;上限之后的页为空")
    items: list[ViolationOut]


class ViolationFilters(Schema):
    status: Literal[tuple(ViolationStatus.values)] | None = None
    kind: Literal[tuple(ViolationKind.values)] | None = None
    severity: Id | None = None
    location: Id | None = None
    branch: Id | None = Field(None, description="党支部 id")
    person: Annotated[str, Field(max_length=30)] | None = Field(None, description="姓名(含)或工号")
    date_from: date | None = Field(None, alias="from")
    date_to: date | None = Field(None, alias="to")
    help_open: bool = Field(False, description="只看帮教未完成的")
    page: Annotated[int, Field(ge=1, le=100000)] = 1


class ViolationIn(Schema):
    emp_no: Annotated[str, Field(min_length=1, max_length=20)] = Field(description="违章人工号")
    occurred_on: date
    kind: Literal[tuple(ViolationKind.values)]
    severity: Id
    description: Annotated[str, Field(max_length=2000)]
    location: Id | None = None
    shift: Id | None = None
    clauses: Annotated[str, Field(max_length=300)] = ""
    points: Annotated[int, Field(ge=0, le=forms.MAX_POINTS)] | None = Field(None, description="空 = 按严重程度")
    fine: Annotated[str, Field(max_length=12)] | None = Field(None, description="罚款(元),空 = 按严重程度")
    requires_reexam: bool | None = Field(None, description="空 = 按严重程度")
    token: Annotated[str, Field(max_length=40)] | None = Field(None, description="同一表单重复提交只生成一条")


class ActionIn(Schema):
    version: Annotated[int, Field(ge=1, le=2**31)] | None = None
    note: Annotated[str, Field(max_length=1000)] = ""


class StepIn(Schema):
    done_on: date | None = None
    note: Annotated[str, Field(max_length=500)]


def _out(v):
    return dict(
        id=v.pk, status=v.status, status_label=v.get_status_display(), person_id=v.person_id, person=v.person.name,
        emp_no=v.person.emp_no, team=v.org.name, occurred_on=v.occurred_on, kind=v.kind, kind_label=v.get_kind_display(),
        severity=v.severity.name, serious=v.severity.serious, location=v.location.name if v.location_id else None,
        description=v.description, points=v.points, fine=str(v.fine),
    )  # fmt: skip


def _detail(user, v):
    return ViolationDetail(
        **_out(v), shift=v.shift.name if v.shift_id else None, clauses=v.clauses, external_id=v.external_id, version=v.version,
        appeal_deadline=services.appeal_deadline(v), reexam=services.reexam_state(v),
        actions=[a for a, _ in services.allowed_actions(user, v)],
        help_steps=[StepOut(id=s.pk, name=s.name, done_on=s.done_on, done_by=s.done_by.display_name() if s.done_by_id else None, note=s.note)
                    for s in v.help_steps.select_related("done_by", "done_by__person")],
        events=events_out(services.timeline(v)),
    )  # fmt: skip


class SeverityOut(Schema):
    id: int
    name: str
    serious: bool
    points: int
    fine: str
    help_steps: list[str]
    requires_reexam: bool


class RulesOut(Schema):
    appeals_allowed: bool
    appeal_days: int
    appeal_role: str
    severities: list[SeverityOut]


class SeverityIn(Schema):
    id: Id | None = Field(None, description="空 = 新增")
    name: Annotated[str, Field(max_length=20)]
    serious: bool = False
    points: Annotated[int, Field(ge=0, le=forms.MAX_POINTS)] = 0
    fine: Annotated[str, Field(max_length=12)] = "0"
    help_steps: list[Annotated[str, Field(max_length=30)]] = Field(default_factory=list, max_length=12)
    requires_reexam: bool = False


class RulesIn(Schema):
    appeals_allowed: bool = True
    appeal_days: Annotated[int, Field(ge=1, le=60)] = 3
    appeal_role: str = Field("safety", description="safety / committee / secretary / admin")


def _rules(user):
    from violations.models import Severity

    mine = services.mine_of(user)
    if mine is None or not services.can_edit_rules(user, mine):
        raise Forbidden(services.RULES_ONLY)
    rules = services.ensure_defaults(mine)
    severities = [SeverityOut(id=x.pk, name=x.name, serious=x.serious, points=x.points, fine=str(x.fine), help_steps=x.help_steps, requires_reexam=x.requires_reexam)
                  for x in Severity.objects.filter(mine=mine)]  # fmt: skip
    return mine, RulesOut(
        appeals_allowed=rules.appeals_allowed,
        appeal_days=rules.appeal_days,
        appeal_role=rules.appeal_role,
        severities=severities,
    )


@router.get("/settings", response={200: RulesOut, **ERRORS_READ}, summary="本矿三违设置:申诉规则与严重程度")
def get_settings(request):
    return _rules(request.user)[1]


@router.post("/settings", response={200: RulesOut, **ERRORS_WRITE}, summary="修改申诉规则")
def save_settings(request, payload: RulesIn):
    mine, _ = _rules(request.user)
    services.save_rules(request.user, mine, **inputs.parse(forms.RulesForm, inputs.body(payload)))
    return _rules(request.user)[1]


@router.post(
    "/severities",
    response={200: RulesOut, **ERRORS_WRITE},
    summary="新增或修改严重程度(扣分、罚款、帮教步骤、是否复考)",
)
def save_severity(request, payload: SeverityIn):
    mine, _ = _rules(request.user)
    services.save_severity(request.user, mine, **inputs.parse(forms.SeverityForm, inputs.body(payload), mine=mine))
    return _rules(request.user)[1]


@router.get("", response={200: ViolationPage, **ERRORS_READ}, summary="三违列表(筛选同页面)")
def list_violations(request, filters: Query[ViolationFilters]):
    values = filters.dict(exclude={"page"})
    qs = (
        services.filter_list(request.user, **{k: v for k, v in values.items() if v is not None})
        .select_related("person", "org", "severity", "location")
        .order_by("-occurred_on", "-pk")
    )
    count, capped, rows = api_page(qs, filters.page, per_page=50)
    return ViolationPage(count=count, count_capped=capped, items=[ViolationOut(**_out(v)) for v in rows])


@router.get("/{id}", response={200: ViolationDetail, **ERRORS_READ}, summary="一条三违(含帮教与过程)")
def get_violation(request, id: PathId):
    return _detail(request.user, services.get(request.user, id))


@router.post("", response={201: ViolationDetail, **ERRORS_WRITE}, summary="登记三违(照片请用页面上传)")
def create_violation(request, payload: ViolationIn):
    mine = services.mine_of(request.user)
    if mine is not None:
        services.ensure_defaults(mine)
    form = forms.RecordForm(inputs.body(payload), mine=mine)
    violation = services.record(request.user, **inputs.clean(form))
    return 201, _detail(request.user, services.get(request.user, violation.pk))


@router.post("/{id}/steps/{step}", response={200: ViolationDetail, **ERRORS_WRITE}, summary="记录一步帮教完成")
def help_step(request, id: PathId, step: PathId, payload: StepIn):
    values = inputs.parse(forms.HelpForm, inputs.body(payload))
    return _detail(request.user, services.record_help(request.user, id, step, **values))


@router.post("/{id}/reexam", response={200: ViolationDetail, **ERRORS_WRITE}, summary="安排复考(由培训模块出卷)")
def reexam(request, id: PathId):
    return _detail(request.user, services.schedule_reexam(request.user, id))


@router.post(
    "/{id}/{action}",
    response={200: ViolationDetail, **ERRORS_WRITE},
    summary="申诉与裁决(appeal、uphold、dismiss、revoke)",
)
def act(request, id: PathId, action: ActionName, payload: ActionIn):
    values = inputs.parse(forms.ActForm, inputs.body(payload))
    return _detail(request.user, services.act(request.user, id, action, **values))
