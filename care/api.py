"""JSON API of 薄弱人物排查 and 谈心谈话 (/api/care/…): the same services and the same, stricter, scope as the pages.

Contents (care files, talks, the register) answer only to the branch secretary and the party committee over their
subtree and to a 帮教人 for the people they help; for anyone else they do not exist (404). Every care-file read is
logged like the page's.

The schemas describe the JSON (the OpenAPI document); the values they accept are read by the pages' forms
(``care.forms``, through ``common.inputs.body``), so a field is checked by one set of rules everywhere.
"""

import datetime as dt
from datetime import date
from typing import Annotated, Literal

from ninja import Field, Path, Query, Router, Schema

from care import access, forms, services
from care.coverage import coverage
from care.models import Entry, EntryStatus, HelpForm, Talk, TalkForm, Tier, Trend
from common import inputs
from common.client import client_ip
from common.errors import NotFound
from orgs.api import ERRORS_READ, ERRORS_WRITE, MAX_ID

router = Router(tags=["薄弱人物与谈心谈话"])
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
ActionName = Annotated[str, Path(pattern=r"^[a-z_]{1,30}$")]


class FactOut(Schema):
    key: str
    text: str
    new: bool = Field(description="排除/确认之后新出现的依据")


class RuleOut(Schema):
    rule: str
    label: str
    facts: list[FactOut]


class SuggestionOut(Schema):
    person_id: int
    name: str
    emp_no: str
    org: str
    rules: list[RuleOut]


class DismissIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=300)]


class EntryOut(Schema):
    id: int
    person_id: int
    name: str
    org: str
    tier: str
    status: str
    criteria: list[str]
    helper: str | None
    entered_on: date
    released_on: date | None
    next_evaluation: date | None
    evaluation_overdue: bool
    version: int
    actions: list[str] = Field(description="当前用户可做的操作")


class HelpMeasureOut(Schema):
    id: int
    text: str
    done: bool


class RecordOut(Schema):
    date: date
    kind: str
    by: str
    text: str


class EntryDetail(EntryOut):
    reason: str
    release_reason: str
    facts: list[dict]
    measures: list[HelpMeasureOut]
    helps: list[RecordOut]
    evaluations: list[RecordOut]


class EntryIn(Schema):
    person: Id
    tier: Literal[tuple(Tier.values)]
    criteria: list[Id] = Field(min_length=1, max_length=20)
    helper: Id
    measures: list[Annotated[str, Field(max_length=200)]] = Field(min_length=1, max_length=20)
    reason: Annotated[str, Field(max_length=2000)] = ""
    rules: list[Annotated[str, Field(max_length=20)]] = Field(
        default_factory=list, max_length=10, description="确认的建议规则"
    )
    token: Annotated[str, Field(max_length=40)] | None = None


class ActIn(Schema):
    version: Annotated[int, Field(ge=1, le=2**31)] | None = None
    note: Annotated[str, Field(max_length=1000)] = ""
    tier: Literal[tuple(Tier.values)] | None = None
    helper: Id | None = None
    text: Annotated[str, Field(max_length=200)] = ""
    measure: Id | None = None
    form: Literal[tuple(HelpForm.values)] | None = None
    date: dt.date | None = None  # dt.date: a field named ``date`` would shadow the type in the class body
    content: Annotated[str, Field(max_length=2000)] = ""
    trend: Literal[tuple(Trend.values)] | None = None
    reason: Annotated[str, Field(max_length=1000)] = ""
    confirm_open: bool = Field(False, description="仍有未落实的帮教措施时确认解除")
    token: Annotated[str, Field(max_length=40)] | None = None


class TalkIn(Schema):
    people: list[Id] = Field(min_length=1, max_length=100)
    form: Literal[tuple(TalkForm.values)]
    date: dt.date | None = None  # dt.date: a field named ``date`` would shadow the type in the class body
    topics: Annotated[str, Field(min_length=1, max_length=2000)]
    concerns: Annotated[str, Field(max_length=2000)] = ""
    concern: bool = False
    follow_ups: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=20)
    token: Annotated[str, Field(max_length=40)] | None = None


class TalkOut(Schema):
    id: int
    date: date
    form: str
    talker: str
    people: list[str]
    topics: str
    concerns: str
    concern: bool
    follow_ups: list[dict]


class TimelineItem(Schema):
    date: date
    kind: str
    title: str
    text: str
    concern: bool


class CareFileOut(Schema):
    person_id: int
    name: str
    family_notes: str
    thoughts_notes: str
    timeline: list[TimelineItem]


class CoverageRow(Schema):
    branch_id: int
    branch: str
    total: int
    covered: int
    pct: int
    left: int


class MissingOut(Schema):
    person_id: int
    name: str
    emp_no: str
    at_risk: bool


class CoverageOut(Schema):
    year: int
    total: int
    covered: int
    pct: int
    rows: list[CoverageRow]
    missing: list[MissingOut] = Field(description="指定 branch 时:该支部未谈人员(薄弱人物在前)")


class CoverageQuery(Schema):
    year: Annotated[int, Field(ge=2000, le=2100)] | None = None
    branch: Id | None = None


class EntryFilters(Schema):
    status: Literal[tuple(EntryStatus.values)] = EntryStatus.ACTIVE
    page: Annotated[int, Field(ge=1, le=100000)] = 1


def _entry_out(user, e, detail=False):
    """One entry; ``due``/``overdue`` read here unless the list has read them for all its entries (``with_due``)."""
    if not hasattr(e, "due"):
        e = services.with_due([e])[0]
    out = dict(
        id=e.pk, person_id=e.person_id, name=e.person.name, org=e.person.org.name, tier=e.tier, status=e.status,
        criteria=[c.name for c in e.criteria.all()], helper=e.helper.name if e.helper_id else None, entered_on=e.entered_on,
        released_on=e.released_on, next_evaluation=e.due, evaluation_overdue=e.overdue, version=e.version,
        actions=[a for a, _ in services.allowed_actions(user, e)],
    )  # fmt: skip
    if not detail:
        return EntryOut(**out)
    out.update(
        reason=e.reason, release_reason=e.release_reason, facts=e.facts or [],
        measures=[HelpMeasureOut(id=m.pk, text=m.text, done=m.done) for m in e.measures.all()],
        helps=[RecordOut(date=h.date, kind=h.get_form_display(), by=h.by.display_name(), text=h.content) for h in e.helps.select_related("by", "by__person")],
        evaluations=[RecordOut(date=v.date, kind=v.get_trend_display(), by=v.by.display_name(), text=v.note) for v in e.evaluations.select_related("by", "by__person")],
    )  # fmt: skip
    return EntryDetail(**out)


@router.get("/suggestions", response={200: list[SuggestionOut], **ERRORS_READ}, summary="排查建议(含依据)")
def list_suggestions(request):
    suggestions = services.suggestions_for(request.user)
    services.log_read(request.user, [s.person for s in suggestions], "排查建议", "api", _ip(request))
    return [
        SuggestionOut(
            person_id=s.person.pk,
            name=s.person.name,
            emp_no=s.person.emp_no,
            org=s.person.org.name,
            rules=[
                RuleOut(rule=r, label=label, facts=[FactOut(key=k, text=t, new=n) for k, t, n in facts])
                for r, label, facts in s.rows
            ],
        )  # fmt: skip
        for s in suggestions
    ]


@router.post(
    "/suggestions/{person_id}/{rule}/dismiss", response={200: dict, **ERRORS_WRITE}, summary="排除建议(须写理由)"
)
def dismiss_suggestion(request, person_id: PathId, rule: ActionName, payload: DismissIn):
    values = inputs.parse(forms.DismissForm, inputs.body(payload))
    decision = services.dismiss(request.user, person_id, rule, **values)
    return {"id": decision.pk, "rule": decision.rule, "facts": [f["key"] for f in decision.facts]}


@router.get("/register", response={200: list[EntryOut], **ERRORS_READ}, summary="薄弱人物台账")
def list_register(request, filters: Query[EntryFilters]):
    qs = (
        Entry.objects.visible_to(request.user)
        .filter(status=filters.status)
        .select_related("person", "person__org", "helper")
        .prefetch_related("criteria")
        .order_by("tier", "-entered_on", "pk")
    )
    start = (filters.page - 1) * 50
    entries = services.with_due(qs[start : start + 50])  # the evaluations' dates read once for the page
    services.log_read(request.user, [e.person for e in entries], "薄弱人物台账", "api", _ip(request))
    return [_entry_out(request.user, e) for e in entries]


@router.post("/register", response={201: EntryDetail, **ERRORS_WRITE}, summary="列入台账(确认建议或直接列入)")
def create_entry(request, payload: EntryIn):
    values = inputs.parse(forms.EntryForm, inputs.body(payload, rule=payload.rules))
    entry = services.enter(request.user, person=services.person_to_enter(request.user, payload.person), **values)
    return 201, _entry_out(request.user, services.get_entry(request.user, entry.pk), detail=True)


@router.get("/register/{id}", response={200: EntryDetail, **ERRORS_READ}, summary="一条台账(措施、帮教、评估)")
def get_entry(request, id: PathId):
    entry = services.get_entry(request.user, id)
    services.log_read(request.user, [entry.person], "薄弱人物台账", "api", _ip(request))
    return _entry_out(request.user, entry, detail=True)


@router.post(
    "/register/{id}/{action}",
    response={200: EntryDetail, **ERRORS_WRITE},
    summary="台账操作:help、evaluate、tier、helper、measure、measure_done、release",
)
def act(request, id: PathId, action: ActionName, payload: ActIn):
    form_class = forms.ACTION_FORMS.get(action)
    if form_class is None:
        raise NotFound()
    values = inputs.parse(form_class, inputs.body(payload))
    services.act(request.user, id, action, version=payload.version, **values)
    return _entry_out(
        request.user, Entry.objects.select_related("person", "person__org", "helper").get(pk=id), detail=True
    )


def _talk_out(t):
    return TalkOut(
        id=t.pk, date=t.date, form=t.get_form_display(), talker=t.talker.name, people=[p.name for p in t.people.all()],
        topics=t.topics, concerns=t.concerns, concern=t.concern,
        follow_ups=[{"id": f.pk, "text": f.text, "due": f.due, "closed_on": f.closed_on} for f in t.follow_ups.all()],
    )  # fmt: skip


@router.get("/talks", response={200: list[TalkOut], **ERRORS_READ}, summary="谈心谈话记录")
def list_talks(request, page: Annotated[int, Field(ge=1, le=100000)] = 1):
    qs = (
        Talk.objects.visible_to(request.user)
        .select_related("talker")
        .prefetch_related("people", "follow_ups")
        .order_by("-date", "-pk")
    )
    talks = list(qs[(page - 1) * 50 : page * 50])
    services.log_read(request.user, [p for t in talks for p in t.people.all()], "谈心谈话", "api", _ip(request))
    return [_talk_out(t) for t in talks]


@router.post("/talks", response={201: TalkOut, **ERRORS_WRITE}, summary="记录谈心谈话")
def create_talk(request, payload: TalkIn):
    talk = services.record_talk(request.user, **inputs.parse(forms.TalkRecordForm, inputs.body(payload)))
    return 201, _talk_out(Talk.objects.select_related("talker").get(pk=talk.pk))


@router.get("/people/{id}/file", response={200: CareFileOut, **ERRORS_READ}, summary="关爱档案(敏感:每次读取均记录)")
def care_file(request, id: PathId):
    data = services.care_file(request.user, id, via="api", ip=client_ip(request))
    p = data["person"]
    return CareFileOut(
        person_id=p.pk,
        name=p.name,
        family_notes=data["family_notes"],
        thoughts_notes=data["thoughts_notes"],
        timeline=[TimelineItem(**i) for i in data["timeline"]],
    )


@router.get("/coverage", response={200: CoverageOut, **ERRORS_READ}, summary="谈心谈话覆盖率(按支部、自然年)")
def get_coverage(request, q: Query[CoverageQuery]):
    from django.utils import timezone

    user = request.user
    mine = services.mine_of(user)
    if mine is None or not access.can(user, "care_read"):
        raise NotFound()
    data = coverage(user, mine, q.year or timezone.localdate().year, branch_pk=q.branch)
    rows = [
        CoverageRow(
            branch_id=r["branch"]["pk"],
            branch=r["branch"]["name"],
            total=r["total"],
            covered=r["covered"],
            pct=r["pct"],
            left=r["left"],
        )
        for r in data["rows"]
    ]
    missing = (
        [
            MissingOut(person_id=m["pk"], name=m["name"], emp_no=m["emp_no"], at_risk=m["at_risk"])
            for m in data["branch"]["missing"]
        ]
        if data["branch"]
        else []
    )
    return CoverageOut(
        year=data["year"], total=data["total"], covered=data["covered"], pct=data["pct"], rows=rows, missing=missing
    )


def _ip(request):
    from common.client import client_ip

    return client_ip(request)
