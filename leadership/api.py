"""JSON API of 基层班子建设 (/api/leadership/…): the same services and scope as the pages.

The schemas describe the JSON (the OpenAPI document); the values they accept are read by the pages' forms
(``leadership.forms``, through ``common.inputs.body``), so a field is checked by one set of rules everywhere.

Criticism contents (批评与自我批评) answer only to the secretary and the party committee of the branch, and to a
participant about themselves; every read is logged like the page's."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Path, Query, Router, Schema

from common import inputs
from common.api_schemas import EventOut, events_out
from common.errors import NotFound
from leadership import forms, services
from leadership.models import (
    CriticismKind,
    Decision,
    DecisionMode,
    LifeMeeting,
    Meeting,
    MeetingKind,
    Presence,
    Rectification,
    Team,
)
from orgs.api import ERRORS_READ, ERRORS_WRITE, MAX_ID

router = Router(tags=["基层班子建设"])
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Page = Annotated[int, Field(ge=1, le=100000)]
Text = Annotated[str, Field(max_length=300)]
LongText = Annotated[str, Field(max_length=20000)]
PAGE = 50


def _page(qs, page):
    start = (page - 1) * PAGE
    return qs[start : start + PAGE]


# ---------------------------------------------------------------- schemas


class DutyOut(Schema):
    area: str
    starts_on: date
    ends_on: date | None


class MemberOut(Schema):
    id: int
    person_id: int
    name: str
    post: str
    starts_on: date
    ends_on: date | None
    end_reason: str
    duties: list[DutyOut]


class TeamOut(Schema):
    id: int
    org_id: int
    org: str
    kind: str
    kind_label: str
    number: int
    elected_on: date
    term_years: int | None
    term_ends_on: date | None
    term_due: bool
    closed_on: date | None


class TeamDetail(TeamOut):
    members: list[MemberOut]


class AttendanceOut(Schema):
    person_id: int
    name: str
    status: str
    reason: str


class DecisionOut(Schema):
    id: int
    meeting_id: int
    text: str
    mode: str
    mode_label: str
    owner_id: int
    owner: str
    deadline: date
    done_on: date | None
    done_note: str
    overdue: bool


class MeetingOut(Schema):
    id: int
    org_id: int
    org: str
    kind: str
    kind_label: str
    date: date
    topic: str
    held: bool
    expected: int
    present: int
    valid: bool = Field(description="过半数到会(登记出席情况时记录)")


class MeetingDetail(MeetingOut):
    place: str
    agenda: list[str]
    attendance: list[AttendanceOut]
    minutes: str
    decisions: list[DecisionOut]


class MeetingIn(Schema):
    org: Id
    kind: Literal[tuple(MeetingKind.values)]
    date: date
    topic: Annotated[str, Field(min_length=1, max_length=200)]
    place: Annotated[str, Field(max_length=100)] = ""
    host: Id | None = None
    agenda: list[Annotated[str, Field(max_length=200)]] = Field(default=[], max_length=50)
    token: Annotated[str, Field(max_length=40)] | None = None


class PresenceIn(Schema):
    person: Id
    status: Literal[tuple(Presence.values)]
    reason: Annotated[str, Field(max_length=200)] = ""


class AttendanceIn(Schema):
    attendance: list[PresenceIn] = Field(default=[], max_length=500, description="未列出的应到人员按出席计")
    minutes: LongText = ""


class DecisionIn(Schema):
    text: Annotated[str, Field(min_length=1, max_length=300)]
    mode: Literal[tuple(DecisionMode.values)]
    owner: Id
    deadline: date
    token: Annotated[str, Field(max_length=40)] | None = Field(None, description="表单令牌:同一令牌重复提交只记一条")


class DoneIn(Schema):
    note: Annotated[str, Field(min_length=1, max_length=300)]
    done_on: date | None = None


class DecisionFilters(Schema):
    state: Literal["open", "overdue", "done", "all"] = "open"
    page: Page = 1


class MeetingFilters(Schema):
    kind: Literal[tuple(MeetingKind.values)] | None = None
    page: Page = 1


class OpinionOut(Schema):
    source: str
    count: int
    summary: str


class CriticismOut(Schema):
    id: int
    target_id: int
    target: str
    kind: str
    giver: str | None = Field(description="提出人;支部设置不显示时为空")
    text: str


class RectificationOut(Schema):
    id: int
    life_id: int
    problem: str
    measure: str
    owner_id: int
    owner: str
    deadline: date
    evidence: str
    done_on: date | None
    checked_on: date | None
    checked_by: str | None
    status: str
    overdue: bool


class LifeOut(Schema):
    id: int
    org_id: int
    org: str
    year: int
    theme: str
    state: str
    state_label: str
    date: date | None


class LifeDetail(LifeOut):
    study: str
    minutes: str
    anonymous_criticism: bool
    participants: list[int]
    pairs_done: int
    pairs_required: int
    opinions: list[OpinionOut]
    criticisms: list[CriticismOut]
    rectifications: list[RectificationOut]
    steps: list[EventOut]
    actions: list[str] = Field(description="当前可执行的环节操作")


class LifeAction(Schema):
    note: Annotated[str, Field(max_length=200)] = ""


class CriticismIn(Schema):
    target: Id
    kind: Literal[tuple(CriticismKind.values)]
    text: Annotated[str, Field(min_length=1, max_length=5000)]
    giver: Id | None = None
    token: Annotated[str, Field(max_length=40)] | None = Field(None, description="表单令牌:同一令牌重复提交只记一条")


class RectificationIn(Schema):
    problem: Annotated[str, Field(min_length=1, max_length=300)]
    measure: Annotated[str, Field(min_length=1, max_length=300)]
    owner: Id
    deadline: date
    criticism: Id | None = None
    token: Annotated[str, Field(max_length=40)] | None = Field(None, description="表单令牌:同一令牌重复提交只记一条")


class EvidenceIn(Schema):
    evidence: Annotated[str, Field(min_length=1, max_length=5000)]
    done_on: date | None = None


class RectFilters(Schema):
    state: Literal["open", "overdue", "closed", "all"] = "open"
    page: Page = 1


class ReceiptOut(Schema):
    org_id: int
    org: str
    read_at: datetime | None


class NoticeOut(Schema):
    id: int
    org: str
    title: str
    sent_on: date
    targets: int
    unread: int


class NoticeDetail(NoticeOut):
    body: str
    receipts: list[ReceiptOut] = Field(description="阅读回执(发文方可见)")


class NoticeIn(Schema):
    org: Id
    title: Annotated[str, Field(min_length=1, max_length=100)]
    body: Annotated[str, Field(min_length=1, max_length=20000)]
    targets: list[Id] = Field(min_length=1, max_length=500)
    token: Annotated[str, Field(max_length=40)] | None = Field(None, description="表单令牌:同一令牌重复提交只记一条")


class ReportOut(Schema):
    id: int
    org_id: int
    org: str
    title: str
    body: str
    submitted_at: datetime
    reply: str
    replied_at: datetime | None


class ReportIn(Schema):
    org: Id
    title: Annotated[str, Field(min_length=1, max_length=100)]
    body: Annotated[str, Field(min_length=1, max_length=20000)]
    token: Annotated[str, Field(max_length=40)] | None = Field(None, description="表单令牌:同一令牌重复提交只记一条")


class ReplyIn(Schema):
    reply: Annotated[str, Field(min_length=1, max_length=5000)]


class PageIn(Schema):
    page: Page = 1


class FiguresOut(Schema):
    meetings_held: int
    meetings_valid: int
    decisions_open: int
    decisions_overdue: int
    rect_open: int
    rect_overdue: int
    rect_closed: int
    unread: int
    unread_for_me: int


class BranchFiguresIn(Schema):
    start: date
    end: date


class BranchFiguresOut(Schema):
    meetings_held: int
    meetings_valid: int
    decisions: int
    decisions_done: int
    decisions_overdue: int
    decisions_done_late: int
    rectifications_closed: int
    rectifications_open: int
    rectifications_overdue: int


# ---------------------------------------------------------------- out


def _team(t, members=None):
    out = {
        "id": t.pk,
        "org_id": t.org_id,
        "org": t.org.name,
        "kind": t.kind,
        "kind_label": t.get_kind_display(),
        "number": t.number,
        "elected_on": t.elected_on,
        "term_years": t.term_years,
        "term_ends_on": t.term_ends_on,
        "term_due": t.term_due,
        "closed_on": t.closed_on,
    }
    if members is not None:
        out["members"] = [
            {
                "id": m.pk,
                "person_id": m.person_id,
                "name": m.person.name,
                "post": m.post,
                "starts_on": m.starts_on,
                "ends_on": m.ends_on,
                "end_reason": m.end_reason,
                "duties": [{"area": d.area, "starts_on": d.starts_on, "ends_on": d.ends_on} for d in m.duties.all()],
            }
            for m in members
        ]
    return out


def _decision(d):
    return {
        "id": d.pk,
        "meeting_id": d.meeting_id,
        "text": d.text,
        "mode": d.mode,
        "mode_label": d.get_mode_display(),
        "owner_id": d.owner_id,
        "owner": d.owner.name,
        "deadline": d.deadline,
        "done_on": d.done_on,
        "done_note": d.done_note,
        "overdue": d.overdue,
    }


def _meeting(m, detail=False):
    out = {
        "id": m.pk,
        "org_id": m.org_id,
        "org": m.org.name,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "date": m.date,
        "topic": m.topic,
        "held": m.held,
        "expected": m.expected,
        "present": m.present,
        "valid": m.valid,
    }
    if detail:
        out.update(
            place=m.place,
            minutes=m.minutes,
            agenda=[a.title for a in m.agenda.all()],
            attendance=[
                {"person_id": a.person_id, "name": a.person.name, "status": a.status, "reason": a.reason}
                for a in m.attendance.select_related("person")
            ],
            decisions=[_decision(d) for d in m.decisions.select_related("owner")],
        )
    return out


def _rect(r):
    return {
        "id": r.pk,
        "life_id": r.life_id,
        "problem": r.problem,
        "measure": r.measure,
        "owner_id": r.owner_id,
        "owner": r.owner.name,
        "deadline": r.deadline,
        "evidence": r.evidence,
        "done_on": r.done_on,
        "checked_on": r.checked_on,
        "checked_by": r.checked_by.display_name() if r.checked_by_id else None,
        "status": r.status_label,
        "overdue": r.overdue,
    }


def _life(user, life, request=None, detail=False):
    out = {
        "id": life.pk,
        "org_id": life.org_id,
        "org": life.org.name,
        "year": life.year,
        "theme": life.theme,
        "state": life.state,
        "state_label": life.get_state_display(),
        "date": life.date,
    }
    if detail:
        done, required, _missing = services.talk_pairs(life)
        from common.client import client_ip

        ip = client_ip(request) if request else None
        out.update(
            study=life.study,
            minutes=life.minutes,
            anonymous_criticism=life.anonymous_criticism,
            participants=list(life.participants.values_list("pk", flat=True)),
            pairs_done=done,
            pairs_required=required,
            opinions=[{"source": o.source, "count": o.count, "summary": o.summary} for o in life.opinions.all()],
            criticisms=[
                {
                    "id": c.pk,
                    "target_id": c.target_id,
                    "target": c.target.name,
                    "kind": c.kind,
                    "giver": c.shown_giver.name if c.shown_giver else None,
                    "text": c.text,
                }
                for c in services.criticisms_for(user, life, via="api", ip=ip)
            ],
            rectifications=[_rect(r) for r in life.rectifications.select_related("owner", "checked_by__person")],
            steps=events_out(services.LIFE_MACHINE.timeline(life.steps.select_related("actor__person"))),
            actions=[a for a, _label, reason in services.next_steps(services.LIFE_MACHINE, user, life) if not reason],
        )
    return out


def _notice(user, n, detail=False):
    receipts = list(n.receipts.select_related("org") if detail else n.receipts.all())  # a list prefetches them
    out = {
        "id": n.pk,
        "org": n.org.name,
        "title": n.title,
        "sent_on": n.sent_on,
        "targets": len(receipts),
        "unread": sum(1 for r in receipts if not r.read_at),
    }
    if detail:
        sender_side = n.sender_id == user.pk or services.can(user, "leadership_notice", n.org)
        out["body"] = n.body
        out["receipts"] = (
            [{"org_id": r.org_id, "org": r.org.name, "read_at": r.read_at} for r in receipts] if sender_side else []
        )
    return out


def _report(r):
    return {
        "id": r.pk,
        "org_id": r.org_id,
        "org": r.org.name,
        "title": r.title,
        "body": r.body,
        "submitted_at": r.submitted_at,
        "reply": r.reply,
        "replied_at": r.replied_at,
    }


def _require_lead(user):
    if not services.can(user, "leadership"):
        raise NotFound()


# ---------------------------------------------------------------- endpoints


@router.get(
    "/figures", response={200: FiguresOut, **ERRORS_READ}, summary="班子建设要点数字(本季度会议、决议、整改、通知)"
)
def figures(request):
    _require_lead(request.user)
    return services.overview(request.user)


@router.get(
    "/branches/{id}/figures",
    response={200: BranchFiguresOut, **ERRORS_READ},
    summary="一个支部某期间的会议、决议、整改数字(履职评价用)",
)
def branch_figures(request, id: PathId, period: Query[BranchFiguresIn]):
    branch = services.branches(request.user).filter(pk=id).first()
    if branch is None:
        raise NotFound()
    return services.branch_figures(branch=branch, start=period.start, end=period.end)


@router.get("/teams", response={200: list[TeamOut], **ERRORS_READ}, summary="班子(现任与往届)")
def list_teams(request, filters: Query[PageIn]):
    qs = Team.objects.visible_to(request.user).select_related("org").order_by("org__path", "kind", "-number")
    return [_team(t) for t in _page(qs, filters.page)]


@router.get("/teams/{id}", response={200: TeamDetail, **ERRORS_READ}, summary="一届班子:成员、职务、分工与任期")
def get_team(request, id: PathId):
    t = services.get_team(request.user, id)
    members = t.members.select_related("person").prefetch_related("duties").order_by("ends_on", "pk")
    return _team(t, members)


@router.get("/meetings", response={200: list[MeetingOut], **ERRORS_READ}, summary="会议")
def list_meetings(request, filters: Query[MeetingFilters]):
    qs = Meeting.objects.visible_to(request.user).select_related("org").order_by("-date", "-pk")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return [_meeting(m) for m in _page(qs, filters.page)]


@router.post("/meetings", response={201: MeetingDetail, **ERRORS_WRITE}, summary="登记会议(议题、应到人员)")
def create_meeting(request, payload: MeetingIn):
    m = services.create_meeting(request.user, **inputs.parse(forms.MeetingForm, inputs.body(payload)))
    return 201, _meeting(services.get_meeting(request.user, m.pk), detail=True)


@router.get("/meetings/{id}", response={200: MeetingDetail, **ERRORS_READ}, summary="一次会议:议题、出席、记录、决议")
def get_meeting(request, id: PathId):
    return _meeting(services.get_meeting(request.user, id), detail=True)


@router.post(
    "/meetings/{id}/attendance",
    response={200: MeetingDetail, **ERRORS_WRITE},
    summary="登记出席情况与会议记录(过半数到会方为有效)",
)
def record_attendance(request, id: PathId, payload: AttendanceIn):
    m = services.get_meeting(request.user, id)
    data = forms.AttendanceForm.data_of(payload.attendance, payload.minutes)
    form = forms.AttendanceForm(data, people=m.attendance.values_list("person_id", flat=True))
    services.record_attendance(request.user, meeting=m, **inputs.clean(form))
    return _meeting(services.get_meeting(request.user, id), detail=True)


@router.post("/meetings/{id}/decisions", response={201: DecisionOut, **ERRORS_WRITE}, summary="记录决议(责任人、期限)")
def add_decision(request, id: PathId, payload: DecisionIn):
    m = services.get_meeting(request.user, id)
    d = services.add_decision(request.user, meeting=m, **inputs.parse(forms.DecisionForm, inputs.body(payload)))
    return 201, _decision(d)


@router.get("/decisions", response={200: list[DecisionOut], **ERRORS_READ}, summary="会议决议(本人负责的与范围内的)")
def list_decisions(request, filters: Query[DecisionFilters]):
    user = request.user
    if services.can(user, "leadership"):
        qs = Decision.objects.visible_to(user)
    else:
        qs = Decision.objects.filter(owner_id=user.person_id) if user.person_id else Decision.objects.none()
    qs = {"open": qs.open(), "overdue": qs.overdue(), "done": qs.exclude(done_on=None), "all": qs}[filters.state]
    return [_decision(d) for d in _page(qs.select_related("owner").order_by("deadline", "pk"), filters.page)]


@router.post("/decisions/{id}/done", response={200: DecisionOut, **ERRORS_WRITE}, summary="决议办结")
def finish_decision(request, id: PathId, payload: DoneIn):
    d = services.get_decision(request.user, id)
    values = inputs.parse(forms.DoneForm, inputs.body(payload))
    return _decision(services.complete_decision(request.user, decision=d, **values))


@router.get("/life", response={200: list[LifeOut], **ERRORS_READ}, summary="组织生活会")
def list_life(request, filters: Query[PageIn]):
    qs = LifeMeeting.objects.visible_to(request.user).select_related("org").order_by("-year", "-pk")
    return [_life(request.user, life) for life in _page(qs, filters.page)]


@router.get("/life/{id}", response={200: LifeDetail, **ERRORS_READ}, summary="一次组织生活会:各环节、批评意见、整改")
def get_life(request, id: PathId):
    return _life(request.user, services.get_life(request.user, id), request, detail=True)


@router.post(
    "/life/{id}/criticisms", response={201: CriticismOut, **ERRORS_WRITE}, summary="登记批评与自我批评(会议环节)"
)
def add_criticism(request, id: PathId, payload: CriticismIn):
    life = services.get_life(request.user, id)
    c = services.add_criticism(request.user, life=life, **inputs.parse(forms.CriticismForm, inputs.body(payload)))
    giver = None if life.anonymous_criticism or c.giver is None else c.giver.name
    return 201, {"id": c.pk, "target_id": c.target_id, "target": c.target.name, "kind": c.kind, "giver": giver,
                 "text": c.text}  # fmt: skip


@router.post("/life/{id}/rectifications", response={201: RectificationOut, **ERRORS_WRITE}, summary="列入整改事项")
def add_rectification(request, id: PathId, payload: RectificationIn):
    life = services.get_life(request.user, id)
    values = inputs.parse(forms.RectificationForm, inputs.body(payload))
    r = services.add_rectification(request.user, life=life, **values)
    return 201, _rect(r)


@router.post(
    "/life/{id}/{action}",
    response={200: LifeDetail, **ERRORS_WRITE},
    summary="组织生活会下一环节(start_study / start_talks / gather / hold / rectify / close)",
)
def life_action(request, id: PathId, action: Annotated[str, Path(pattern=r"^[a-z_]{1,20}$")], payload: LifeAction):
    life = services.get_life(request.user, id)
    services.life_act(request.user, life=life, action=action, note=payload.note)
    return _life(request.user, services.get_life(request.user, id), request, detail=True)


@router.get("/rectifications", response={200: list[RectificationOut], **ERRORS_READ}, summary="整改事项")
def list_rectifications(request, filters: Query[RectFilters]):
    user = request.user
    if services.can(user, "leadership"):
        qs = Rectification.objects.visible_to(user)
    else:
        qs = Rectification.objects.filter(owner_id=user.person_id) if user.person_id else Rectification.objects.none()
    qs = {"open": qs.open(), "overdue": qs.overdue(), "closed": qs.exclude(checked_on=None), "all": qs}[filters.state]
    qs = qs.select_related("owner", "checked_by__person").order_by("deadline", "pk")
    return [_rect(r) for r in _page(qs, filters.page)]


@router.post(
    "/rectifications/{id}/done", response={200: RectificationOut, **ERRORS_WRITE}, summary="报告整改完成(成效/佐证)"
)
def rectification_done(request, id: PathId, payload: EvidenceIn):
    r = services.get_rectification(request.user, id)
    values = inputs.parse(forms.EvidenceForm, inputs.body(payload))
    return _rect(services.rectification_done(request.user, item=r, **values))


@router.post("/rectifications/{id}/check", response={200: RectificationOut, **ERRORS_WRITE}, summary="验收销号")
def rectification_check(request, id: PathId):
    r = services.get_rectification(request.user, id)
    return _rect(services.rectification_check(request.user, item=r))


@router.get("/notices", response={200: list[NoticeOut], **ERRORS_READ}, summary="通知(所发与所收)")
def list_notices(request, filters: Query[PageIn]):
    qs = services.notices_for(request.user).select_related("org").order_by("-sent_on", "-pk")
    return [_notice(request.user, n) for n in _page(qs.prefetch_related("receipts"), filters.page)]


@router.post("/notices", response={201: NoticeDetail, **ERRORS_WRITE}, summary="发通知(接收单位)")
def send_notice(request, payload: NoticeIn):
    n = services.send_notice(request.user, **inputs.parse(forms.NoticeForm, inputs.body(payload)))
    return 201, _notice(request.user, n, detail=True)


@router.get("/notices/{id}", response={200: NoticeDetail, **ERRORS_READ}, summary="一则通知(打开即为本单位已读)")
def get_notice(request, id: PathId):
    n = services.get_notice(request.user, id)
    services.mark_read(request.user, n)
    return _notice(request.user, n, detail=True)


@router.get("/reports", response={200: list[ReportOut], **ERRORS_READ}, summary="情况报告")
def list_reports(request, filters: Query[PageIn]):
    _require_lead(request.user)
    qs = services.reports_for(request.user).select_related("org").order_by("-submitted_at", "-pk")
    return [_report(r) for r in _page(qs, filters.page)]


@router.post("/reports", response={201: ReportOut, **ERRORS_WRITE}, summary="报送情况报告")
def submit_report(request, payload: ReportIn):
    r = services.submit_report(request.user, **inputs.parse(forms.ReportForm, inputs.body(payload)))
    return 201, _report(r)


@router.post("/reports/{id}/reply", response={200: ReportOut, **ERRORS_WRITE}, summary="党委答复情况报告")
def reply_report(request, id: PathId, payload: ReplyIn):
    r = services.get_report(request.user, id)
    return _report(services.reply_report(request.user, report=r, **inputs.parse(forms.ReplyForm, inputs.body(payload))))
