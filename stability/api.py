"""JSON API of 矿区和谐维稳 (/api/stability/…): the same services, forms and scope as the pages.

Factor and petition contents answer only to the branch secretary and the party committee over their subtree (never
to a person a 检举控告 accuses); for anyone else they do not exist (404). Every read of contents is logged like the
page's. Input is checked by the pages' own forms (``stability.forms``), so the rules are the same.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema

from common import inputs
from common.api_schemas import EventOut, events_out
from orgs.api import ERRORS_READ, ERRORS_WRITE, MAX_ID
from stability import clock, forms, services
from stability.models import (
    Channel,
    EmergencyPlan,
    FactorStatus,
    FactorTrend,
    Level,
    PetitionClass,
    PlanKind,
    Satisfaction,
    Severity,
    Shift,
    TriggerReason,
)

router = Router(tags=["矿区和谐维稳"])
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(max_length=4000)]
ShortText = Annotated[str, Field(max_length=300)]
FactorAction = Literal[tuple(services.FACTOR_ACTIONS)]
PetitionAction = Literal[tuple(services.PETITION_ACTIONS)]


def _ip(request):
    from common.client import client_ip

    return client_ip(request)


def _parse(form_class, payload, **extra):
    """The schema's values read by the page's form: the service's typed keyword arguments, or 422 by field."""
    return inputs.parse(form_class, inputs.body(payload, **extra))


# ---------------------------------------------------------------- factors


class FactorOut(Schema):
    id: int
    org: str
    title: str
    severity: str
    status: str
    people_count: int
    major: bool = Field(description="反映强烈、涉及面广、人数众多")
    found_on: dt.date
    closed_on: dt.date | None
    leader: str | None
    version: int


class MeasureOut(Schema):
    id: int
    text: str
    owner: str | None
    due: dt.date | None
    done_on: dt.date | None


class AssessmentOut(Schema):
    date: dt.date
    judgement: str
    trend: str
    by: str


class FollowUpOut(Schema):
    date: dt.date
    text: str
    by: str


class FactorDetail(FactorOut):
    description: str
    extent: str
    people: list[str]
    plans: list[int]
    measures: list[MeasureOut]
    assessments: list[AssessmentOut]
    follow_ups: list[FollowUpOut]
    events: list[EventOut]
    actions: list[str] = Field(description="当前用户可做的状态操作")


class FactorFilters(Schema):
    status: Literal[tuple(FactorStatus.values)] | None = None
    page: Annotated[int, Field(ge=1, le=100000)] = 1


class FactorIn(Schema):
    org: Id
    title: Annotated[str, Field(max_length=100)]
    description: Text
    people_count: Annotated[int, Field(ge=1, le=100000)]
    severity: Literal[tuple(Severity.values)]
    found_on: dt.date
    people: Annotated[str, Field(max_length=2000)] = Field("", description="涉及人员工号,逗号或空格分隔")
    extent: ShortText = ""
    leader: Annotated[str, Field(max_length=20)] = Field("", description="包案领导工号")
    plans: list[Id] = []
    token: Annotated[str, Field(max_length=40)] | None = None


class NoteIn(Schema):
    note: Text
    version: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


class MeasureIn(Schema):
    text: Annotated[str, Field(max_length=200)]
    owner: Annotated[str, Field(max_length=20)] = ""
    due: dt.date | None = None


class AssessmentIn(Schema):
    date: dt.date
    judgement: Text
    trend: Literal[tuple(FactorTrend.values)]


class FollowUpIn(Schema):
    date: dt.date
    text: Text


def _factor_out(user, f, major, detail=False):
    data = {
        "id": f.pk,
        "org": f.org.name,
        "title": f.title,
        "severity": f.severity,
        "status": f.status,
        "people_count": f.people_count,
        "major": major,
        "found_on": f.found_on,
        "closed_on": f.closed_on,
        "leader": f.leader.name if f.leader else None,
        "version": f.version,
    }
    if not detail:
        return FactorOut(**data)
    return FactorDetail(
        **data,
        description=f.description,
        extent=f.extent,
        people=[p.name for p in f.people.all()],
        plans=[p.pk for p in f.plans.all()],
        measures=[
            MeasureOut(id=m.pk, text=m.text, owner=m.owner.name if m.owner else None, due=m.due, done_on=m.done_on)
            for m in f.measures.select_related("owner")
        ],
        assessments=[
            AssessmentOut(date=a.date, judgement=a.judgement, trend=a.trend, by=a.by.display_name())
            for a in f.assessments.select_related("by__person")
        ],
        follow_ups=[
            FollowUpOut(date=u.date, text=u.text, by=u.by.display_name())
            for u in f.follow_ups.select_related("by__person")
        ],
        events=events_out(services.events_of("factor", f.pk), services.FACTOR_MACHINE.labels | {"create": "登记"}),
        actions=[a for a, _ in services.factor_actions(user, f)],
    )


def _factor_detail(request, pk):
    f = services.get_factor(request.user, pk, via="api", ip=_ip(request))
    return _factor_out(request.user, f, services.is_major(f), detail=True)


@router.get("/factors", response={200: list[FactorOut], **ERRORS_READ}, summary="不稳定因素(重大、在控的在前)")
def list_factors(request, filters: Query[FactorFilters]):
    qs = services.factors_for(request.user).select_related("org", "leader")
    if filters.status:
        qs = qs.filter(status=filters.status)
    start = (filters.page - 1) * 50
    return [_factor_out(request.user, f, f.major) for f in qs[start : start + 50]]


@router.post("/factors", response={201: FactorDetail, **ERRORS_WRITE}, summary="登记不稳定因素")
def create_factor(request, payload: FactorIn):
    f = services.create_factor(request.user, **_parse(forms.FactorForm, payload))
    return 201, _factor_detail(request, f.pk)


@router.get(
    "/factors/{id}", response={200: FactorDetail, **ERRORS_READ}, summary="一条不稳定因素(措施、研判、书记跟踪)"
)
def get_factor(request, id: PathId):
    return _factor_detail(request, id)


@router.post("/factors/{id}/measures", response={200: FactorDetail, **ERRORS_WRITE}, summary="添加稳控措施")
def add_measure(request, id: PathId, payload: MeasureIn):
    services.add_measure(request.user, id, **_parse(forms.MeasureForm, payload))
    return _factor_detail(request, id)


@router.post("/factors/{id}/assessments", response={200: FactorDetail, **ERRORS_WRITE}, summary="记录研判")
def add_assessment(request, id: PathId, payload: AssessmentIn):
    services.add_assessment(request.user, id, **_parse(forms.AssessmentForm, payload))
    return _factor_detail(request, id)


@router.post("/factors/{id}/follow-ups", response={200: FactorDetail, **ERRORS_WRITE}, summary="书记亲自跟踪记录")
def add_follow_up(request, id: PathId, payload: FollowUpIn):
    services.add_follow_up(request.user, id, **_parse(forms.FollowUpForm, payload))
    return _factor_detail(request, id)


@router.post("/factors/{id}/{action}", response={200: FactorDetail, **ERRORS_WRITE}, summary="状态操作:化解、上报…")
def act_on_factor(request, id: PathId, action: Annotated[FactorAction, Path()], payload: NoteIn):
    services.act_on_factor(request.user, id, action=action, version=payload.version, **_parse(forms.NoteForm, payload))
    return _factor_detail(request, id)


# ---------------------------------------------------------------- petitions


class PetitionOut(Schema):
    id: int
    org: str
    channel: str
    klass: str
    received_on: dt.date
    people_count: int
    status: str
    colour: str = Field(description="done 办结 / near 临期 / overdue 超期 / suspended 中止 / running 在办")
    deadline: dt.date | None
    deadline_label: str | None
    level: str
    version: int


class PetitionDetail(PetitionOut):
    petitioner_names: str
    matter: str
    accepted_on: dt.date | None
    extended_days: int
    extension_reason: str
    answered_on: dt.date | None
    result: str
    satisfaction: str
    review_requested_on: dt.date | None
    review_answered_on: dt.date | None
    recheck_requested_on: dt.date | None
    recheck_answered_on: dt.date | None
    events: list[EventOut]
    actions: list[str]


class LedgerFilters(Schema):
    year: Annotated[int, Field(ge=2000, le=2100)] | None = None
    colour: Literal[tuple(clock.COLOUR_LABELS)] | None = None
    klass: Literal[tuple(PetitionClass.values)] | None = None
    page: Annotated[int, Field(ge=1, le=100000)] = 1


class PetitionIn(Schema):
    org: Id
    channel: Literal[tuple(Channel.values)]
    klass: Literal[tuple(PetitionClass.values)]
    received_on: dt.date
    petitioner_names: Annotated[str, Field(max_length=200)]
    people_count: Annotated[int, Field(ge=1, le=100000)]
    matter: Text
    petitioners: Annotated[str, Field(max_length=2000)] = ""
    accused: Annotated[str, Field(max_length=2000)] = Field("", description="被检举控告人工号(检举控告类)")
    token: Annotated[str, Field(max_length=40)] | None = None


class PetitionActIn(Schema):
    date: dt.date | None = Field(None, description="告知、答复、请求或中止/恢复的日期(延期不需要)")
    note: Text = ""
    version: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    days: Annotated[int, Field(ge=1, le=366)] | None = Field(None, description="延期日数")
    reason: ShortText = ""
    approved_by: Annotated[str, Field(max_length=60)] = ""
    told_on: dt.date | None = None
    result: Text = ""
    level: Literal[tuple(Level.values)] | Literal[""] = ""
    satisfaction: Literal[tuple(Satisfaction.values)] | Literal[""] = ""


def _petition_out(user, p, c, due, detail=False):
    data = {
        "id": p.pk,
        "org": p.org.name,
        "channel": p.channel,
        "klass": p.klass,
        "received_on": p.received_on,
        "people_count": p.people_count,
        "status": p.status,
        "colour": c,
        "deadline": due[1] if due else None,
        "deadline_label": due[0] if due else None,
        "level": p.level,
        "version": p.version,
    }
    if not detail:
        return PetitionOut(**data)
    return PetitionDetail(
        **data,
        petitioner_names=p.petitioner_names,
        matter=p.matter,
        accepted_on=p.accepted_on,
        extended_days=p.extended_days,
        extension_reason=p.extension_reason,
        answered_on=p.answered_on,
        result=p.result,
        satisfaction=p.satisfaction,
        review_requested_on=p.review_requested_on,
        review_answered_on=p.review_answered_on,
        recheck_requested_on=p.recheck_requested_on,
        recheck_answered_on=p.recheck_answered_on,
        events=events_out(services.events_of("petition", p.pk), services.PETITION_MACHINE.labels | {"create": "登记"}),
        actions=[a for a, _l, _f in services.petition_actions(user, p)],
    )


def _petition_detail(request, pk):
    p = services.get_petition(request.user, pk, via="api", ip=_ip(request))
    n = services.numbers_for(p.mine)
    return _petition_out(request.user, p, clock.colour(p, timezone.localdate(), n), clock.deadline(p, n), detail=True)


@router.get(
    "/petitions", response={200: list[PetitionOut], **ERRORS_READ}, summary="信访台账(颜色:办结/临期/超期/中止)"
)
def list_petitions(request, filters: Query[LedgerFilters]):
    rows = services.ledger(request.user, year=filters.year, colour=filters.colour or "", klass=filters.klass or "")
    start = (filters.page - 1) * 50
    return [_petition_out(request.user, p, c, due) for p, c, due in rows[start : start + 50]]


@router.post("/petitions", response={201: PetitionDetail, **ERRORS_WRITE}, summary="登记信访事项")
def create_petition(request, payload: PetitionIn):
    p = services.create_petition(request.user, **_parse(forms.PetitionForm, payload))
    return 201, _petition_detail(request, p.pk)


@router.get("/petitions/{id}", response={200: PetitionDetail, **ERRORS_READ}, summary="一件信访(含内容,查看留痕)")
def get_petition(request, id: PathId):
    return _petition_detail(request, id)


ACTION_FORMS = {
    "dated": forms.DatedForm,
    "dated_note": forms.DatedForm,
    "extend": forms.ExtendForm,
    "answer": forms.AnswerForm,
}


@router.post(
    "/petitions/{id}/{action}",
    response={200: PetitionDetail, **ERRORS_WRITE},
    summary="信访操作:accept、decline、extend、answer、suspend、resume、request_review、answer_review…",
)
def act_on_petition(request, id: PathId, action: Annotated[PetitionAction, Path()], payload: PetitionActIn):
    form_name = services.PETITION_FORMS[action]
    data = _parse(ACTION_FORMS[form_name], payload)
    if form_name == "extend":
        data["date"] = timezone.localdate()
    services.act_on_petition(request.user, id, action=action, version=payload.version, **data)
    return _petition_detail(request, id)


class BranchLocal(Schema):
    name: str
    months: list[int | None] = Field(description="1–12 月在区队/矿内化解的比例(%),无办结为 null")
    year: int | None
    count: int


class LocalOut(Schema):
    year: int
    total: int | None = Field(description="全年小事不出区、大事不出矿比例(%)")
    count: int
    rows: list[BranchLocal]


@router.get("/local", response={200: LocalOut, **ERRORS_READ}, summary="小事不出区、大事不出矿:按支部、月份")
def local(request, year: Annotated[int, Field(ge=2000, le=2100)] | None = None):
    year = year or timezone.localdate().year
    data = services.local_table(request.user, year)
    return LocalOut(year=year, total=data["total"], count=data["count"], rows=[BranchLocal(**r) for r in data["rows"]])


# ---------------------------------------------------------------- plans


class PlanOut(Schema):
    id: int
    title: str
    kind: str
    version: str
    org: str
    extent: str
    issued_on: dt.date
    assessed_on: dt.date | None
    last_drill: dt.date | None
    drill_due: dt.date
    assessment_due: dt.date
    open_triggers: int


@router.get("/plans", response={200: list[PlanOut], **ERRORS_READ}, summary="应急预案(演练、评估到期,修订事由)")
def list_plans(request):
    plans = list(EmergencyPlan.objects.visible_to(request.user).select_related("org")[:500])
    dues = services.plan_dues(plans, services._settings_by_mine(p.mine_id for p in plans))
    out = []
    for p in plans:
        drill_due, assess_due, triggers, last = dues[p.pk]
        out.append(
            PlanOut(
                id=p.pk,
                title=p.title,
                kind=p.kind,
                version=p.version,
                org=p.org.name,
                extent=p.extent,
                issued_on=p.issued_on,
                assessed_on=p.assessed_on,
                last_drill=last,
                drill_due=drill_due,
                assessment_due=assess_due,
                open_triggers=triggers,
            )  # fmt: skip
        )
    return out


class PlanIn(Schema):
    org: Id
    title: Annotated[str, Field(max_length=100)]
    kind: Literal[tuple(PlanKind.values)]
    version: Annotated[str, Field(max_length=20)]
    extent: ShortText
    issued_on: dt.date
    owner: Annotated[str, Field(max_length=20)] = Field("", description="责任人工号")
    assessed_on: dt.date | None = None


class DrillIn(Schema):
    date: dt.date
    participants: Annotated[int, Field(ge=0, le=100000)]
    whole_mine: bool = False
    summary: Text = ""
    problems: Text = ""
    major_problem: bool = False
    token: Annotated[str, Field(max_length=40)] | None = None


class TriggerIn(Schema):
    reason: Literal[tuple(TriggerReason.values)]
    recorded_on: dt.date
    note: ShortText = ""


class ReviseIn(Schema):
    version: Annotated[str, Field(max_length=20)]
    issued_on: dt.date
    note: ShortText = ""


class AssessIn(Schema):
    date: dt.date


def _plan_out(user, pk):
    p = services.get_plan(user, pk)
    drill_due, assess_due, triggers, last = services.plan_dues([p], services._settings_by_mine([p.mine_id]))[p.pk]
    return PlanOut(
        id=p.pk, title=p.title, kind=p.kind, version=p.version, org=p.org.name, extent=p.extent, issued_on=p.issued_on,
        assessed_on=p.assessed_on, last_drill=last, drill_due=drill_due, assessment_due=assess_due, open_triggers=triggers,
    )  # fmt: skip


@router.post("/plans", response={201: PlanOut, **ERRORS_WRITE}, summary="登记应急预案")
def create_plan(request, payload: PlanIn):
    plan = services.create_plan(request.user, **_parse(forms.PlanForm, payload))
    return 201, _plan_out(request.user, plan.pk)


@router.get("/plans/{id}", response={200: PlanOut, **ERRORS_READ}, summary="一份应急预案")
def get_plan(request, id: PathId):
    return _plan_out(request.user, id)


@router.post("/plans/{id}/drills", response={200: PlanOut, **ERRORS_WRITE}, summary="记录演练(重大问题记为修订事由)")
def record_drill(request, id: PathId, payload: DrillIn):
    services.record_drill(request.user, id, **_parse(forms.DrillForm, payload))
    return _plan_out(request.user, id)


@router.post("/plans/{id}/triggers", response={200: PlanOut, **ERRORS_WRITE}, summary="记录修订事由")
def add_trigger(request, id: PathId, payload: TriggerIn):
    services.add_trigger(request.user, id, **_parse(forms.TriggerForm, payload))
    return _plan_out(request.user, id)


@router.post("/plans/{id}/revise", response={200: PlanOut, **ERRORS_WRITE}, summary="发布新版本")
def revise_plan(request, id: PathId, payload: ReviseIn):
    services.revise_plan(request.user, id, **_parse(forms.ReviseForm, payload))
    return _plan_out(request.user, id)


@router.post("/plans/{id}/assess", response={200: PlanOut, **ERRORS_WRITE}, summary="记录评估")
def assess_plan(request, id: PathId, payload: AssessIn):
    services.assess_plan(request.user, id, **_parse(forms.AssessForm, payload))
    return _plan_out(request.user, id)


# ---------------------------------------------------------------- health monitoring


class SheetLine(Schema):
    person_id: int
    name: str
    value: str | None = Field(description="已记录的体温(℃)")
    flagged: bool


class SheetOut(Schema):
    team: int
    date: dt.date
    shift: str
    threshold: str
    lines: list[SheetLine]


class SheetIn(Schema):
    date: dt.date
    shift: Literal[tuple(Shift.values)]
    values: dict[
        Annotated[int, Field(ge=1, le=MAX_ID)], Annotated[Decimal, Field(ge=34, le=42, decimal_places=1)] | None
    ] = Field(description="职工 id → 体温(℃);null 为缺勤")


def _sheet(user, team_pk, day, shift):
    team = services.get_team(user, team_pk)
    threshold = services.settings_for(team.mine).fever_threshold
    lines = [
        SheetLine(
            person_id=p.pk, name=p.name, value=None if v is None else str(v), flagged=v is not None and v >= threshold
        )
        for p, v in services.sheet(user, team, day, shift)
    ]
    return SheetOut(team=team.pk, date=day, shift=shift, threshold=str(threshold), lines=lines)


@router.get("/health/teams/{id}/sheet", response={200: SheetOut, **ERRORS_READ}, summary="班组体温表(全班)")
def get_sheet(request, id: PathId, date: dt.date | None = None, shift: Literal[tuple(Shift.values)] = "morning"):
    return _sheet(request.user, id, date or timezone.localdate(), shift)


@router.post(
    "/health/teams/{id}/sheet", response={200: SheetOut, **ERRORS_WRITE}, summary="录入全班体温(达到阈值列入跟进)"
)
def save_sheet(request, id: PathId, payload: SheetIn):
    head = inputs.parse(forms.SheetForm, {"date": payload.date, "shift": payload.shift})
    lines = inputs.parse(forms.SheetValuesForm, forms.SheetValuesForm.data_of(payload.values))
    services.save_sheet(request.user, id, **lines, **head)
    return _sheet(request.user, id, head["date"], head["shift"])


class FeverOut(Schema):
    id: int
    person: str
    date: dt.date
    shift: str
    value: str


class FollowIn(Schema):
    note: Annotated[str, Field(max_length=200)]


@router.get("/health/fevers", response={200: list[FeverOut], **ERRORS_READ}, summary="体温异常待跟进(近30天)")
def list_fevers(request):
    return [
        FeverOut(id=t.pk, person=t.person.name, date=t.date, shift=t.shift, value=str(t.value))
        for t in services.fevers_waiting(request.user, days=30)
    ]


@router.post("/health/fevers/{id}/follow", response={200: FeverOut, **ERRORS_WRITE}, summary="记录跟进")
def follow_fever(request, id: PathId, payload: FollowIn):
    t = services.follow_fever(request.user, id, **_parse(forms.FollowForm, payload))
    return FeverOut(id=t.pk, person=t.person.name, date=t.date, shift=t.shift, value=str(t.value))


class CampaignOut(Schema):
    id: int
    title: str
    org: str
    starts_on: dt.date
    ends_on: dt.date
    target: int
    covered: int
    abnormal: int
    coverage: int = Field(description="覆盖率(%)")


class CampaignIn(Schema):
    org: Id
    title: Annotated[str, Field(max_length=100)]
    starts_on: dt.date
    ends_on: dt.date


class ResultsIn(Schema):
    date: dt.date
    results: dict[Annotated[int, Field(ge=1, le=MAX_ID)], Literal["normal", "abnormal"]] = Field(
        description="职工 id → normal 正常 / abnormal 异常"
    )


def _campaign_out(c, cov):
    target, covered, bad, pct = cov
    return CampaignOut(id=c.pk, title=c.title, org=c.org.name, starts_on=c.starts_on, ends_on=c.ends_on, target=target,
                       covered=covered, abnormal=bad, coverage=pct)  # fmt: skip


@router.get("/health/campaigns", response={200: list[CampaignOut], **ERRORS_READ}, summary="筛查及覆盖率")
def list_campaigns(request):
    return [_campaign_out(c, cov) for c, cov in services.campaigns_with_coverage(request.user)]


@router.post("/health/campaigns", response={201: CampaignOut, **ERRORS_WRITE}, summary="建立筛查")
def create_campaign(request, payload: CampaignIn):
    c = services.create_campaign(request.user, **_parse(forms.CampaignForm, payload))
    return 201, _campaign_out(c, services.coverage(c))


@router.post("/health/campaigns/{id}/results", response={200: CampaignOut, **ERRORS_WRITE}, summary="录入筛查结果")
def record_results(request, id: PathId, payload: ResultsIn):
    data = {"date": payload.date, **{f"r{pid}": r for pid, r in payload.results.items()}}
    services.record_results(request.user, id, **inputs.parse(forms.ResultsForm, data))
    c = services.get_campaign(request.user, id)
    return _campaign_out(c, services.coverage(c))
