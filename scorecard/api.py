"""JSON API of the scorecard (/api/scorecard/…) and the 二十字 evaluation (/api/evaluation/…): the same services and
scope as the pages. A ballot goes in; nothing about who cast it comes out."""

from datetime import date
from typing import Annotated, Literal

from ninja import Field, Path, Router, Schema

from common import inputs
from common.errors import NotFound
from orgs.api import ERRORS_READ, ERRORS_WRITE, MAX_ID
from scorecard import evaluation, forms, indicators, services
from scorecard.models import Round, RunBranch, RunFigure

router = Router(tags=["履职评价"])
evaluation_router = Router(tags=["二十字测评"])
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


class IndicatorOut(Schema):
    code: str
    name: str
    responsibility: int
    direction: Literal["up", "down"]
    target: float
    unit: str
    formula: str
    version: str
    available: bool


class SchemeOut(Schema):
    id: int
    mine: str
    name: str
    start: date
    end: date
    runs: list[int]


class RowOut(Schema):
    branch_id: int
    branch: str
    secretary: str
    total: float | None
    rank: int | None
    vetoed: bool
    bonus: float
    components: dict[str, float | str | None]
    responsibilities: dict[str, float]


class RunOut(Schema):
    id: int
    scheme_id: int
    as_of: date
    fingerprint: str
    versions: dict[str, str]
    changed_since: bool = Field(description="计算之后数据(记录、录入评分或公式)是否有变化")
    rows: list[RowOut]


class FigureOut(Schema):
    code: str
    name: str
    value: float | None
    numerator: float | None
    denominator: float | None
    score: float | None
    url: str = Field(description="背后记录的列表页")


@router.get("/indicators", response=list[IndicatorOut], summary="指标库")
def indicator_list(request):
    return [
        IndicatorOut(
            code=i.code,
            name=i.name,
            responsibility=i.responsibility,
            direction=i.direction,
            target=i.target,
            unit=i.unit,
            formula=i.formula,
            version=i.version,
            available=i.available,
        )  # fmt: skip
        for i in indicators.all_indicators()
    ]


@router.get("/schemes", response={200: list[SchemeOut], **ERRORS_READ}, summary="考核方案")
def scheme_list(request):
    schemes = services.visible_schemes(request.auth)
    runs = {}
    for pk, scheme_id in services.Run.objects.filter(scheme__in=schemes).values_list("pk", "scheme_id"):
        runs.setdefault(scheme_id, []).append(pk)
    return [
        SchemeOut(id=s.pk, mine=s.mine.name, name=s.name, start=s.start, end=s.end, runs=runs.get(s.pk, []))
        for s in schemes
    ]


def _row(r):
    return RowOut(branch_id=r.branch_id, branch=r.branch.name, secretary=r.secretary, total=r.total, rank=r.rank,
                  vetoed=r.vetoed, bonus=r.bonus, components=r.components, responsibilities=r.responsibilities)  # fmt: skip


@router.get("/runs/{id}", response={200: RunOut, **ERRORS_READ}, summary="评分结果(排名)")
def run_detail(request, id: PathId):
    user = request.auth
    the_run = services.get_run(user, id)
    rows = RunBranch.objects.visible_to(user).filter(run=the_run).select_related("branch").order_by("rank")
    return RunOut(id=the_run.pk, scheme_id=the_run.scheme_id, as_of=the_run.as_of, fingerprint=the_run.fingerprint,
                  versions=the_run.versions, changed_since=services.changed_since(the_run),
                  rows=[_row(r) for r in rows])  # fmt: skip


@router.get("/runs/{id}/branches/{branch_id}", response={200: list[FigureOut], **ERRORS_READ}, summary="支部各项指标")
def run_branch(request, id: PathId, branch_id: PathId):
    user = request.auth
    the_run = services.get_run(user, id)
    services.branch_row(user, the_run, branch_id)
    out = []
    for f in RunFigure.objects.visible_to(user).filter(run=the_run, branch_id=branch_id).order_by("code"):
        ind = indicators.get(f.code)
        out.append(FigureOut(code=f.code, name=ind.name if ind else f.code, value=f.value, numerator=f.numerator,
                             denominator=f.denominator, score=f.score, url=f.url))  # fmt: skip
    return out


@router.post("/schemes/{id}/run", response={201: RunOut, **ERRORS_WRITE}, summary="计算评分")
def scheme_run(request, id: PathId):
    user = request.auth
    the_run = services.run(user, scheme=services.get_scheme(user, id))
    rows = RunBranch.objects.filter(run=the_run).select_related("branch").order_by("rank")
    return 201, RunOut(id=the_run.pk, scheme_id=the_run.scheme_id, as_of=the_run.as_of,
                       fingerprint=the_run.fingerprint, versions=the_run.versions, changed_since=False,
                       rows=[_row(r) for r in rows])  # fmt: skip


# ---------------------------------------------------------------- evaluation

Score = Annotated[int, Field(ge=1, le=4, description="4 好 · 3 较好 · 2 一般 · 1 差")]


class RoundOut(Schema):
    id: int
    branch: str
    secretary: str
    title: str
    opens_on: date
    closes_on: date
    status: str
    can_vote: bool
    has_voted: bool


class BallotIn(Schema):
    belief: Score
    service: Score
    diligence: Score
    courage: Score
    integrity: Score
    overall: Score
    comment: Annotated[str, Field(max_length=1000)] = ""


class ResultOut(Schema):
    published: bool = Field(description="答卷够数(不少于规定份数且过半数)才有结果")
    eligible: int
    voted: int
    n: int | None = None
    criteria: dict[str, float] | None = None
    overall_avg: float | None = None
    overall: dict[str, int] | None = None
    comments: list[str] | None = None


def _round(user, r):
    return RoundOut(id=r.pk, branch=r.branch.name, secretary=r.secretary, title=r.title, opens_on=r.opens_on,
                    closes_on=r.closes_on, status=r.status, can_vote=evaluation.can_vote(user, r),
                    has_voted=evaluation.has_voted(user, r))  # fmt: skip


@evaluation_router.get("/rounds", response={200: list[RoundOut], **ERRORS_READ}, summary="测评(可查看的与待我投票的)")
def round_list(request):
    user = request.auth
    rounds = {r.pk: r for r in Round.objects.visible_to(user).select_related("branch")[:100]}
    for r in evaluation.open_rounds_for(user):
        rounds.setdefault(r.pk, r)
    return [_round(user, r) for r in rounds.values()]


@evaluation_router.post("/rounds/{id}/vote", response={204: None, **ERRORS_WRITE}, summary="匿名投票")
def round_vote(request, id: PathId, body: BallotIn):
    user = request.auth
    r = evaluation.get_round(user, id)
    data = inputs.body(body)
    ballot = inputs.parse(forms.BallotForm, data) if evaluation.can_vote(user, r) else {"ratings": data}
    evaluation.vote(user, round_pk=id, **ballot)
    return 204, None


@evaluation_router.get("/rounds/{id}/results", response={200: ResultOut, **ERRORS_READ}, summary="测评结果")
def round_results(request, id: PathId):
    user = request.auth
    r = evaluation.get_round(user, id)
    if not Round.objects.visible_to(user).filter(pk=r.pk).exists():
        raise NotFound()
    eligible, voted = evaluation.counts(r)
    result = evaluation.results(user, r)
    if result is None:
        return ResultOut(published=False, eligible=eligible, voted=voted)
    return ResultOut(published=True, eligible=eligible, voted=voted, n=result["n"],
                     criteria=dict(result["criteria"]), overall_avg=result["overall_avg"],
                     overall=dict(result["overall"]), comments=result["comments"])  # fmt: skip
