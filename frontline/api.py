"""JSON API of 红领一线工作法 (/api/frontline/…): the same services, scope and transition tables as the pages.

The schemas describe the JSON (the OpenAPI document); the values they accept are read by the pages' forms
(``frontline.forms``, through ``common.inputs.body``), so a field is checked by one set of rules everywhere.

Diary lists carry no contents (like the pages); reading one entry returns its contents and is logged."""

from datetime import date as Date
from datetime import datetime
from typing import Annotated, Literal

from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema

from common import inputs
from common.api_schemas import EventOut, events_out
from common.pagination import api_page
from frontline import forms, services
from frontline.models import SecretaryRole, TaskStatus, UrgentKind
from orgs.api import ERRORS_READ, ERRORS_WRITE, MAX_ID

router = Router(tags=["红领一线工作法"])
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
ActionName = Annotated[str, Path(pattern=r"^[a-z_]{1,30}$")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(max_length=4000)]
Token = Annotated[str, Field(max_length=40)] | None
PAGE = 50


class PersonRef(Schema):
    id: int
    name: str
    emp_no: str


# ---------------------------------------------------------------- diary


class DiaryItem(Schema):
    id: int
    date: Date
    place: str
    branch: str
    author: str
    people: list[PersonRef]
    concern: bool = Field(description="需关注")
    request_count: int
    open_request_count: int


class DiaryPage(Schema):
    count: int
    count_capped: bool = Field(False, description="为真时 count 只数到上限(3000),实际更多;上限之后的页为空")
    items: list[DiaryItem]


class RequestOut(Schema):
    id: int
    problem: str
    due: Date | None
    status: str
    status_label: str
    overdue: bool
    handling: str
    result: str
    feedback: str
    version: int
    actions: list[str]
    events: list[EventOut]


class DiaryDetail(DiaryItem):
    location: int | None
    learned: str = Field(description="了解到的民情")
    action: str = Field(description="当场采取的措施")
    version: int
    requests: list[RequestOut]


class DiaryFilters(Schema):
    q: Annotated[str, Field(max_length=50)] | None = Field(None, description="民情、措施、诉求、地点、姓名中的词")
    person: Id | None = None
    branch: Id | None = None
    date_from: Date | None = Field(None, alias="from")
    date_to: Date | None = Field(None, alias="to")
    concern: bool = False
    open: bool = Field(False, description="只看有未办结诉求的")
    page: Annotated[int, Field(ge=1, le=100000)] = 1


class DiaryIn(Schema):
    branch: Id | None = Field(None, description="书记兼任多个支部时必填")
    date: Date | None = None
    place: Annotated[str, Field(max_length=100)] = ""
    location: Id | None = None
    people: list[Id] = Field([], max_length=30)
    learned: Text
    action: Text = ""
    concern: bool = False
    requests: list[Text] = Field([], max_length=10, description="诉求,每条一项")
    due: Date | None = Field(None, description="诉求的承诺办结日期")
    token: Token = Field(None, description="同一表单重复提交只生成一条")


class DiaryPatch(Schema):
    version: Annotated[int, Field(ge=1, le=2**31)]
    date: Date
    place: Annotated[str, Field(max_length=100)] = ""
    location: Id | None = None
    people: list[Id] = Field([], max_length=30)
    learned: Text
    action: Text = ""
    concern: bool = False


class RequestIn(Schema):
    problem: Text
    due: Date | None = None
    token: Token = Field(None, description="同一表单重复提交只生成一条")


class StepIn(Schema):
    version: Annotated[int, Field(ge=1, le=2**31)] | None = Field(
        None, description="读取时的 version;已被他人处理则 409"
    )
    note: Annotated[str, Field(max_length=2000)] = ""


def _dated(filters):
    """A list's query schema as the filter form's fields (its dates are ``from`` / ``to``, as on the page)."""
    return inputs.body(filters, **{"from": filters.date_from, "to": filters.date_to})


def _people(entry):
    return [PersonRef(id=p.pk, name=p.name, emp_no=p.emp_no) for p in entry.people.all()]


def _diary_item(e):
    return DiaryItem(
        id=e.pk, date=e.date, place=e.place, branch=e.branch.name, author=e.author.display_name(), people=_people(e),
        concern=e.concern, request_count=e.request_count, open_request_count=e.open_count,
    )  # fmt: skip


def _request_out(user, r):
    return RequestOut(
        id=r.pk, problem=r.problem, due=r.due, status=r.status, status_label=r.get_status_display(), overdue=r.overdue,
        handling=r.handling, result=r.result, feedback=r.feedback, version=r.version,
        actions=[a for a, _ in services.request_actions(user, r)],
        events=events_out(services.request_timeline(r)),
    )  # fmt: skip


def _diary_detail(request, pk):
    user = request.user
    from common.client import client_ip

    e = services.read_entry(user, pk, "api", client_ip(request))
    opened = sum(1 for r in e.request_list if r.status in services.OPEN_REQUEST_STATUSES)
    return DiaryDetail(
        id=e.pk, date=e.date, place=e.place, branch=e.branch.name, author=e.author.display_name(),
        people=[PersonRef(id=p.pk, name=p.name, emp_no=p.emp_no) for p in e.people_list], concern=e.concern,
        request_count=len(e.request_list), open_request_count=opened, location=e.location_id, learned=e.learned,
        action=e.action, version=e.version, requests=[_request_out(user, r) for r in e.request_list],
    )  # fmt: skip


def _require_diary(user):
    if not services.can_read_diary(user):
        from common.errors import NotFound

        raise NotFound()


@router.get("/diary", response={200: DiaryPage, **ERRORS_READ}, summary="民情日记列表与搜索(不含内容)")
def list_diary(request, filters: Query[DiaryFilters]):
    _require_diary(request.user)
    values = forms.DiaryFilters(_dated(filters)).values()
    qs = services.list_rows(services.filter_entries(request.user, **values))
    count, capped, rows = api_page(qs, filters.page, per_page=PAGE)
    return DiaryPage(count=count, count_capped=capped, items=[_diary_item(e) for e in services.attach_counts(rows)])


@router.get(
    "/diary/{id}", response={200: DiaryDetail, **ERRORS_READ}, summary="一篇民情日记(含内容与诉求跟踪;读取留痕)"
)
def get_diary(request, id: PathId):
    return _diary_detail(request, id)


@router.post("/diary", response={201: DiaryDetail, **ERRORS_WRITE}, summary="记民情日记")
def create_diary(request, payload: DiaryIn):
    entry = services.create_entry(request.user, **inputs.parse(forms.DiaryForm, inputs.body(payload)))
    return 201, _diary_detail(request, entry.pk)


@router.put(
    "/diary/{id}", response={200: DiaryDetail, **ERRORS_WRITE}, summary="修改民情日记(带 version;已被改过则 409)"
)
def update_diary(request, id: PathId, payload: DiaryPatch):
    services.update_entry(request.user, id, **inputs.parse(forms.DiaryEditForm, inputs.body(payload)))
    return _diary_detail(request, id)


@router.post("/diary/{id}/requests", response={201: RequestOut, **ERRORS_WRITE}, summary="为民情日记添加诉求")
def add_request(request, id: PathId, payload: RequestIn):
    r = services.add_request(request.user, id, **inputs.parse(forms.RequestForm, inputs.body(payload)))
    return 201, _request_out(request.user, services.get_request(request.user, r.pk))


@router.post(
    "/requests/{id}/{action}",
    response={200: RequestOut, **ERRORS_WRITE},
    summary="诉求跟踪(handle、resolve、feedback、reopen)",
)
def request_step(request, id: PathId, action: ActionName, payload: StepIn):
    r = services.act_on_request(request.user, id, action, **inputs.parse(forms.StepForm, inputs.body(payload)))
    return _request_out(request.user, services.get_request(request.user, r.pk))


# ---------------------------------------------------------------- 急难险重


class UrgentOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    date: Date
    place: str
    location: int | None
    role: str
    role_label: str
    content: str
    result: str
    branch: str
    recorded_by: str
    people: list[PersonRef]


class UrgentPage(Schema):
    count: int
    count_capped: bool = Field(False, description="为真时 count 只数到上限(3000),实际更多;上限之后的页为空")
    items: list[UrgentOut]


class UrgentFilters(Schema):
    q: Annotated[str, Field(max_length=50)] | None = None
    kind: Literal[tuple(UrgentKind.values)] | None = None
    branch: Id | None = None
    date_from: Date | None = Field(None, alias="from")
    date_to: Date | None = Field(None, alias="to")
    page: Annotated[int, Field(ge=1, le=100000)] = 1


class UrgentIn(Schema):
    branch: Id | None = None
    title: Annotated[str, Field(max_length=100)]
    kind: Literal[tuple(UrgentKind.values)]
    date: Date | None = None
    place: Annotated[str, Field(max_length=100)] = ""
    location: Id | None = None
    role: Literal[tuple(SecretaryRole.values)] = SecretaryRole.HANDS_ON
    content: Text = ""
    result: Text
    people: list[Id] = Field([], max_length=30)
    token: Token = None


def _urgent_out(t):
    return UrgentOut(
        id=t.pk, title=t.title, kind=t.kind, kind_label=t.get_kind_display(), date=t.date, place=t.place, location=t.location_id,
        role=t.role, role_label=t.get_role_display(), content=t.content, result=t.result, branch=t.branch.name,
        recorded_by=t.recorded_by.display_name(), people=_people(t),
    )  # fmt: skip


@router.get("/urgent", response={200: UrgentPage, **ERRORS_READ}, summary="急难险重任务列表")
def list_urgent(request, filters: Query[UrgentFilters]):
    qs = (
        services.filter_urgent(request.user, **forms.UrgentFilters(_dated(filters)).values())
        .select_related("branch", "recorded_by", "recorded_by__person")
        .prefetch_related("people")
        .order_by("-date", "-pk")
    )
    count, capped, rows = api_page(qs, filters.page, per_page=PAGE)
    return UrgentPage(count=count, count_capped=capped, items=[_urgent_out(t) for t in rows])


@router.get("/urgent/{id}", response={200: UrgentOut, **ERRORS_READ}, summary="一项急难险重任务")
def get_urgent(request, id: PathId):
    return _urgent_out(services.get_urgent(request.user, id))


@router.post("/urgent", response={201: UrgentOut, **ERRORS_WRITE}, summary="记录急难险重任务")
def create_urgent(request, payload: UrgentIn):
    task = services.create_urgent(request.user, **inputs.parse(forms.UrgentForm, inputs.body(payload)))
    return 201, _urgent_out(services.get_urgent(request.user, task.pk))


# ---------------------------------------------------------------- 专项工作


class TaskOut(Schema):
    id: int
    campaign_id: int
    campaign: str
    branch_id: int
    branch: str
    deadline: Date
    status: str
    status_label: str
    overdue: bool = Field(description="超期未报(由期限推算)")
    late: bool = Field(description="逾期上报")
    report: str
    reported_at: datetime | None
    version: int
    actions: list[str]


class AttachmentOut(Schema):
    name: str
    size: int
    url: str


class TaskDetail(TaskOut):
    description: str
    events: list[EventOut]
    attachments: list[AttachmentOut]


class TaskPage(Schema):
    count: int
    count_capped: bool = Field(False, description="为真时 count 只数到上限(3000),实际更多;上限之后的页为空")
    items: list[TaskOut]


class TaskFilters(Schema):
    status: Literal[tuple(TaskStatus.values)] | None = None
    overdue: bool = False
    todo: bool = Field(False, description="待上报(含退回)")
    campaign: Id | None = None
    branch: Id | None = None
    page: Annotated[int, Field(ge=1, le=100000)] = 1


class CampaignOut(Schema):
    id: int
    mine: str
    title: str
    description: str
    deadline: Date
    created_by: str
    created_at: datetime
    tasks: list[TaskOut]


class CampaignItem(Schema):
    id: int
    title: str
    deadline: Date
    total: int
    to_report: int
    to_review: int
    accepted: int


class CampaignPage(Schema):
    count: int
    items: list[CampaignItem]


class CampaignIn(Schema):
    mine: Id | None = None
    title: Annotated[str, Field(max_length=100)]
    description: Text
    deadline: Date
    branches: list[Id] = Field([], max_length=500, description="不填 = 本矿全部党支部")
    token: Token = None


class TaskStepIn(Schema):
    version: Annotated[int, Field(ge=1, le=2**31)] | None = Field(
        None, description="读取时的 version;已被他人处理则 409"
    )
    report: Text = Field("", description="上报内容(上报时必填;附件请用页面上传)")
    note: Annotated[str, Field(max_length=2000)] = Field("", description="退回原因(退回时必填)")


def _task_out(user, t, with_actions=True):
    return TaskOut(
        id=t.pk, campaign_id=t.campaign_id, campaign=t.campaign.title, branch_id=t.branch_id, branch=t.branch.name,
        deadline=t.campaign.deadline, status=t.status, status_label=t.get_status_display(), overdue=t.overdue, late=t.late,
        report=t.report, reported_at=t.reported_at, version=t.version,
        actions=[a for a, _ in services.task_actions(user, t)] if with_actions else [],
    )  # fmt: skip


def _task_detail(user, t):
    out = _task_out(user, t).dict()
    out.update(
        description=t.campaign.description,
        events=events_out(services.task_timeline(t)),
        attachments=[
            AttachmentOut(name=a.name, size=a.size, url=reverse("frontline_attachment", args=[a.pk]))
            for a in t.attachments.all()
        ],
    )
    return TaskDetail(**out)


@router.get("/campaigns", response={200: CampaignPage, **ERRORS_READ}, summary="专项工作列表(含各状态支部数)")
def list_campaigns(request, page: Annotated[int, Query(ge=1, le=100000)] = 1):
    qs, _today = services.campaigns_with_progress(request.user)
    qs = qs.order_by("-created_at", "-pk")
    start = (page - 1) * PAGE
    items = [
        CampaignItem(
            id=c.pk,
            title=c.title,
            deadline=c.deadline,
            total=c.total,
            to_report=c.to_report,
            to_review=c.to_review,
            accepted=c.accepted,
        )
        for c in qs[start : start + PAGE]
    ]
    return CampaignPage(count=qs.count(), items=items)


def _campaign_out(user, c):
    return CampaignOut(
        id=c.pk, mine=c.mine.name, title=c.title, description=c.description, deadline=c.deadline,
        created_by=c.created_by.display_name(), created_at=c.created_at,
        tasks=[_task_out(user, t, with_actions=False) for t in services.campaign_tasks(user, c)],
    )  # fmt: skip


@router.get("/campaigns/{id}", response={200: CampaignOut, **ERRORS_READ}, summary="一项专项工作及各支部进度")
def get_campaign(request, id: PathId):
    return _campaign_out(request.user, services.get_campaign(request.user, id))


@router.post("/campaigns", response={201: CampaignOut, **ERRORS_WRITE}, summary="下发专项工作(矿党委)")
def create_campaign(request, payload: CampaignIn):
    c = services.create_campaign(request.user, **inputs.parse(forms.CampaignForm, inputs.body(payload)))
    return 201, _campaign_out(request.user, services.get_campaign(request.user, c.pk))


@router.get("/tasks", response={200: TaskPage, **ERRORS_READ}, summary="各支部的专项工作任务")
def list_tasks(request, filters: Query[TaskFilters]):
    qs = (
        services.filter_tasks(request.user, **forms.TaskFilters(inputs.body(filters)).values())
        .select_related("campaign", "branch")
        .order_by("campaign__deadline", "-campaign_id", "branch_id")
    )
    count, capped, rows = api_page(qs, filters.page, per_page=PAGE)
    return TaskPage(
        count=count, count_capped=capped, items=[_task_out(request.user, t, with_actions=False) for t in rows]
    )


@router.get("/tasks/{id}", response={200: TaskDetail, **ERRORS_READ}, summary="一个支部的专项工作任务(含过程与附件)")
def get_task(request, id: PathId):
    return _task_detail(request.user, services.get_task(request.user, id))


@router.post(
    "/tasks/{id}/{action}", response={200: TaskDetail, **ERRORS_WRITE}, summary="状态操作(report、accept、return)"
)
def task_step(request, id: PathId, action: ActionName, payload: TaskStepIn):
    values = inputs.parse(forms.task_form(action), inputs.body(payload))
    return _task_detail(request.user, services.act_on_task(request.user, id, action, **values))
