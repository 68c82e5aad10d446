"""JSON API of the 六个反问 self-inspection (/api/selfcheck/…): the same services and scope as the pages.

The schemas describe the JSON (the OpenAPI document); the values they accept are read by the pages' forms
(``selfcheck.forms``, through ``common.inputs.body``), so a field is checked by one set of rules everywhere."""

from datetime import date
from typing import Annotated

from django.db.models import Prefetch
from ninja import Field, Path, Router, Schema

from common import inputs
from orgs.api import ERRORS_READ, ERRORS_WRITE, MAX_ID
from selfcheck import forms, services
from selfcheck.models import QUESTIONS, Inspection, Measure

router = Router(tags=["六个反问"])
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
ActionName = Annotated[str, Path(pattern=r"^[a-z_]{1,30}$")]


class PeriodOut(Schema):
    id: int
    mine: str
    name: str
    kind: str
    start: date
    end: date
    due: date


class EvidenceOut(Schema):
    label: str
    value: str
    url: str


class AnswerOut(Schema):
    question: int
    text: str
    warns_against: str
    rating: str
    narrative: str
    evidence: list[EvidenceOut]


class MeasureOut(Schema):
    id: int
    branch_id: int
    question: int
    problem: str
    goal: str
    task: str
    action: str
    due: date
    done_on: date | None
    met: bool | None = Field(description="true 按期完成 · false 未按期完成 · null 未到期")


class InspectionOut(Schema):
    id: int
    period_id: int
    branch_id: int
    branch: str
    status: str
    version: int
    answers: list[AnswerOut]
    measures: list[MeasureOut]
    actions: list[str]


class ActIn(Schema):
    note: Annotated[str, Field(max_length=1000)] = ""
    version: int | None = None


def _measure(m, today):
    return MeasureOut(id=m.pk, branch_id=m.inspection.branch_id, question=m.question, problem=m.problem, goal=m.goal,
                      task=m.task, action=m.action, due=m.due, done_on=m.done_on, met=m.met_on(today))  # fmt: skip


def _inspection(user, i, live=None):
    """One inspection; a draft's evidence is read from the records (``live``: {inspection pk: evidence}, read for a
    list at once by ``_live_evidence``)."""
    from django.utils import timezone

    today = timezone.localdate()
    answers = {a.question: a for a in i.answers.all()}
    if i.status not in _LIVE:
        evidence = {int(q): v for q, v in i.evidence.items()}
    elif live is not None:
        evidence = live[i.pk]
    else:
        evidence = services.evidence(i.branch, i.period)
    return InspectionOut(
        id=i.pk, period_id=i.period_id, branch_id=i.branch_id, branch=i.branch.name, status=i.status, version=i.version,
        answers=[
            AnswerOut(question=q, text=text, warns_against=anti, rating=getattr(answers.get(q), "rating", ""),
                      narrative=getattr(answers.get(q), "narrative", ""),
                      evidence=[EvidenceOut(label=a, value=b, url=c) for a, b, c in evidence.get(q, [])])
            for q, (text, anti, _warn) in QUESTIONS.items()
        ],
        measures=[_measure(m, today) for m in i.measures.all()],
        actions=[a for a, _ in services.allowed_actions(user, i)],
    )  # fmt: skip


@router.get("/periods", response={200: list[PeriodOut], **ERRORS_READ}, summary="自查周期")
def period_list(request):
    return [
        PeriodOut(id=p.pk, mine=p.mine.name, name=p.name, kind=p.kind, start=p.start, end=p.end, due=p.due)
        for p in services.visible_periods(request.auth)[:100]
    ]


@router.get("/inspections", response={200: list[InspectionOut], **ERRORS_READ}, summary="自查(可查看的)")
def inspection_list(request):
    user = request.auth
    rows = list(
        Inspection.objects.visible_to(user)
        .select_related("period__mine", "branch")
        .prefetch_related("answers", Prefetch("measures", Measure.objects.select_related("inspection")))[:50]
    )
    live = _live_evidence(rows)
    return [_inspection(user, i, live) for i in rows]


_LIVE = ("draft", "returned")  # a submitted inspection shows the evidence it was submitted with


def _live_evidence(rows):
    """{inspection pk: evidence} of the drafts among ``rows``, each period's branches reckoned together."""
    by_period = {}
    for i in rows:
        if i.status in _LIVE:
            by_period.setdefault(i.period_id, []).append(i)
    out = {}
    for drafts in by_period.values():
        found = services.evidence_of_branches([i.branch for i in drafts], drafts[0].period)
        out.update({i.pk: found[i.branch_id] for i in drafts})
    return out


@router.get("/inspections/{id}", response={200: InspectionOut, **ERRORS_READ}, summary="一次自查")
def inspection_detail(request, id: PathId):
    return _inspection(request.auth, services.get_inspection(request.auth, id))


class AnswerIn(Schema):
    question: Annotated[int, Field(ge=1, le=6)]
    rating: Annotated[
        str, Field(max_length=10, description="good 好 · fairly 较好 · fair 一般 · poor 差 · 空 未评")
    ] = ""
    narrative: Annotated[str, Field(max_length=4000)] = ""


class AnswersIn(Schema):
    answers: Annotated[list[AnswerIn], Field(max_length=6)]


class MeasureIn(Schema):
    question: Annotated[int, Field(ge=1, le=6)]
    problem: Annotated[str, Field(max_length=2000)]
    goal: Annotated[str, Field(max_length=200)]
    task: Annotated[str, Field(max_length=200)]
    action: Annotated[str, Field(max_length=2000)]
    due: date


class DoneIn(Schema):
    done_on: date
    result: Annotated[str, Field(max_length=2000)]


@router.put(
    "/inspections/{id}/answers", response={200: InspectionOut, **ERRORS_WRITE}, summary="填写六问(自评与查摆情况)"
)
def inspection_answers(request, id: PathId, body: AnswersIn):
    user = request.auth
    form = forms.AnswersForm(forms.AnswersForm.data_of(body.answers))
    services.save_answers(user, inspection_pk=id, **inputs.clean(form))
    return _inspection(user, services.get_inspection(user, id))


@router.post("/inspections/{id}/measures", response={201: MeasureOut, **ERRORS_WRITE}, summary="加整改措施(四定)")
def inspection_measure(request, id: PathId, body: MeasureIn):
    from django.utils import timezone

    m = services.add_measure(request.auth, inspection_pk=id, **inputs.parse(forms.MeasureForm, inputs.body(body)))
    return 201, _measure(m, timezone.localdate())


@router.post("/measures/{id}/done", response={200: MeasureOut, **ERRORS_WRITE}, summary="登记措施完成")
def measure_done(request, id: PathId, body: DoneIn):
    from django.utils import timezone

    m = services.complete_measure(request.auth, measure_pk=id, **inputs.parse(forms.DoneForm, inputs.body(body)))
    return _measure(m, timezone.localdate())


@router.post(
    "/inspections/{id}/{action}", response={200: InspectionOut, **ERRORS_WRITE}, summary="提交 / 退回 / 通过 / 批注"
)
def inspection_act(request, id: PathId, action: ActionName, body: ActIn):
    user = request.auth
    i = services.act(user, inspection_pk=id, action=action, **inputs.parse(forms.ActForm, inputs.body(body)))
    return _inspection(user, i)


@router.get("/measures", response={200: list[MeasureOut], **ERRORS_READ}, summary="整改措施")
def measure_list(request):
    from django.utils import timezone

    today = timezone.localdate()
    rows = Measure.objects.visible_to(request.auth).select_related("inspection").order_by("-due", "pk")[:200]
    return [_measure(m, today) for m in rows]
