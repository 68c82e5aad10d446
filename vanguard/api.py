"""JSON API of 包保 / 责任区, 党员身边无违章 and 党员示范岗 (/api/vanguard/…): the same services and scope as the pages.

The schemas describe the JSON (the OpenAPI document); the values they accept are read by the pages' forms
(``vanguard.forms``, through ``common.inputs.body``), so a field is checked by one set of rules everywhere."""

from datetime import date, datetime
from typing import Annotated

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema

from common import inputs
from orgs.api import ERRORS_READ, ERRORS_WRITE, MAX_ID, PAGE_MAX
from orgs.models import OrgKind, OrgNode
from vanguard import forms, services
from vanguard.models import ModelPost

router = Router(tags=["党员先锋"])
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Month = Annotated[str, Field(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]


class MemberMonthOut(Schema):
    member_id: int
    name: str
    team: str
    assigned: bool
    compliant: bool
    violations: int
    last_violation: date | None
    days_clean: int | None
    workers: int
    locations: int


class ComplianceOut(Schema):
    month: date
    compliant: int
    assigned: int
    rate: int | None = Field(description="达标率(%),无包保党员时为空")
    count: int = Field(description="有过包保的党员人数(members 分页前)")
    limit: int
    offset: int
    members: list[MemberMonthOut]


class ComplianceFilters(Schema):
    month: Month | None = None
    branch: Id | None = None
    limit: int = Field(50, ge=1, le=PAGE_MAX)
    offset: int = Field(0, ge=0, le=MAX_ID)


class AssignmentOut(Schema):
    id: int
    member_id: int
    member: str
    starts_on: date
    ends_on: date | None
    workers: list[int]
    locations: list[int]
    note: str


class AssignmentIn(Schema):
    member: Id
    workers: list[Id] = []
    locations: list[Id] = []
    starts_on: date | None = None
    ends_on: date | None = None
    note: Annotated[str, Field(max_length=200)] = ""


class AdjustIn(Schema):
    workers: list[Id] = []
    locations: list[Id] = []
    from_day: date = Field(alias="from")


class EndIn(Schema):
    ends_on: date | None = None


class AssessmentOut(Schema):
    id: int
    month: date
    summary: str
    self_rating: str
    submitted_at: datetime
    rating: str
    rating_note: str
    rated_at: datetime | None
    version: int


class PostOut(Schema):
    id: int
    name: str
    holder_id: int
    holder: str
    team: str
    location: str | None
    commitments: str
    active: bool


class PostDetail(PostOut):
    assessments: list[AssessmentOut]


class PostIn(Schema):
    name: Annotated[str, Field(max_length=60)]
    holder: Id
    location: Id | None = None
    commitments: Annotated[str, Field(max_length=2000)]


class SelfIn(Schema):
    month: Month | None = None
    summary: Annotated[str, Field(max_length=2000)]
    self_rating: str = Field(description="excellent / good / pass / fail")


class RateIn(Schema):
    rating: str = Field(description="excellent / good / pass / fail")
    note: Annotated[str, Field(max_length=500)] = ""
    version: Annotated[int, Field(ge=1, le=2**31)] | None = None


def _row(member, r):
    return MemberMonthOut(member_id=member.pk, name=member.name, team=member.org.name, assigned=r.assigned, compliant=r.compliant,
                          violations=len(r.violations), last_violation=r.last_violation, days_clean=r.days_clean,
                          workers=len(r.workers), locations=len(r.locations))  # fmt: skip


@router.get("/compliance", response={200: ComplianceOut, **ERRORS_READ}, summary="党员身边无违章(按月)")
def compliance_month(request, filters: Query[ComplianceFilters]):
    today = timezone.localdate()
    month = forms.month_of(filters.month, today) or today.replace(day=1)
    month = min(month, today.replace(day=1))
    branch = None
    if filters.branch:
        branch = (
            OrgNode.objects.visible_to(request.user, "vanguard").filter(pk=filters.branch, kind=OrgKind.BRANCH).first()
        )
        if branch is None:
            from common.errors import NotFound

            raise NotFound()
    # the rate counted by the database over every member in scope (as the overview page); one page of members reckoned
    ok, assigned, rate = services.compliance_rate(request.user, month, branch=branch)
    members = services.answering_members(request.user, branch)
    page = list(members[filters.offset : filters.offset + filters.limit])
    rows = services.compliance_rows(request.user, month, members=page)
    return ComplianceOut(month=month, compliant=ok, assigned=assigned, rate=rate, count=members.count(),
                         limit=filters.limit, offset=filters.offset, members=[_row(m, r) for m, r in rows])  # fmt: skip


@router.get("/members/{id}", response={200: list[MemberMonthOut], **ERRORS_READ}, summary="一名党员一年各月的无违章")
def member_year(request, id: PathId, year: Annotated[int, Query(ge=2000, le=2100)] = None):
    member, months, _ = services.member_year(request.user, id, year or timezone.localdate().year)
    return [_row(member, r) for _, r in months]


def _assignment(a, workers=None, locations=None):
    workers = sorted(p.pk for p in a.workers.all()) if workers is None else workers
    locations = sorted(loc.pk for loc in a.locations.all()) if locations is None else locations
    return AssignmentOut(id=a.pk, member_id=a.member_id, member=a.member.name, starts_on=a.starts_on, ends_on=a.ends_on,
                         workers=workers, locations=locations, note=a.note)  # fmt: skip


@router.get("/assignments", response={200: list[AssignmentOut], **ERRORS_READ}, summary="包保与责任区(当前及历史)")
def list_assignments(request):
    return [_assignment(a, workers, places) for a, workers, places in services.assignment_list(request.user)]


@router.post("/assignments", response={201: AssignmentOut, **ERRORS_WRITE}, summary="安排包保 / 责任区")
def create_assignment(request, payload: AssignmentIn):
    return 201, _assignment(services.assign(request.user, **inputs.parse(forms.AssignForm, inputs.body(payload))))


@router.post(
    "/assignments/{id}/adjust", response={201: AssignmentOut, **ERRORS_WRITE}, summary="调整包保对象或责任区(自某日起)"
)
def adjust_assignment(request, id: PathId, payload: AdjustIn):
    values = inputs.parse(forms.AdjustForm, inputs.body(payload.dict(by_alias=True)))
    return 201, _assignment(services.adjust(request.user, id, **values))


@router.post("/assignments/{id}/end", response={200: AssignmentOut, **ERRORS_WRITE}, summary="结束包保")
def end_assignment(request, id: PathId, payload: EndIn):
    return _assignment(services.end(request.user, id, **inputs.parse(forms.EndForm, inputs.body(payload))))


def _post(p, with_assessments=False):
    out = dict(id=p.pk, name=p.name, holder_id=p.holder_id, holder=p.holder.name, team=p.org.name,
               location=p.location.name if p.location_id else None, commitments=p.commitments, active=p.active)  # fmt: skip
    if not with_assessments:
        return PostOut(**out)
    items = [AssessmentOut(id=a.pk, month=a.month, summary=a.summary, self_rating=a.self_rating, submitted_at=a.submitted_at,
                           rating=a.rating, rating_note=a.rating_note, rated_at=a.rated_at, version=a.version) for a in p.assessments.all()]  # fmt: skip
    return PostDetail(**out, assessments=items)


@router.get("/posts", response={200: list[PostOut], **ERRORS_READ}, summary="党员示范岗")
def list_posts(request):
    return [
        _post(p) for p in ModelPost.objects.visible_to(request.user).select_related("holder", "org", "location")[:2000]
    ]


@router.post("/posts", response={201: PostDetail, **ERRORS_WRITE}, summary="设立示范岗")
def create_post(request, payload: PostIn):
    return 201, _post(services.create_post(request.user, **inputs.parse(forms.PostForm, inputs.body(payload))), True)


@router.get("/posts/{id}", response={200: PostDetail, **ERRORS_READ}, summary="一个示范岗及其月度自评与评定")
def get_post(request, id: PathId):
    return _post(services.get_post(request.user, id), True)


@router.post(
    "/posts/{id}/assessments", response={200: PostDetail, **ERRORS_WRITE}, summary="岗位党员月度自评(评定前可修改)"
)
def self_assess(request, id: PathId, payload: SelfIn):
    services.self_assess(request.user, id, **inputs.parse(forms.SelfAssessForm, inputs.body(payload)))
    return _post(services.get_post(request.user, id), True)


@router.post("/assessments/{id}/rate", response={200: PostDetail, **ERRORS_WRITE}, summary="书记评定(评定后不可再改)")
def rate(request, id: PathId, payload: RateIn):
    values = inputs.parse(forms.RateForm, inputs.body(payload))
    a = services.rate(request.user, id, version=payload.version, **values)
    return _post(services.get_post(request.user, a.post_id), True)
