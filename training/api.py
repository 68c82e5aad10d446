"""JSON API of the 微训课堂 (/api/training/…). Same services and scope as the pages.

The question of the day never carries its answer before it is answered; afterwards the answer and the
explanation come with the result.
"""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Path, Router, Schema

from common import inputs
from orgs.api import ERRORS_READ, ERRORS_WRITE, MAX_ID
from training import exams, lessons, qa, services
from training.forms import AnswerForm, AskForm, BlueprintForm, ChecksForm

router = Router(tags=["职工安全培训"])
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


class DailyOut(Schema):
    id: int
    date: date
    point: str
    high_risk: bool
    type: str = Field(description="single / multiple / truefalse / fill")
    stem: str
    options: list[str]
    answered: bool
    correct: bool | None = None
    given: list[str] | None = None
    answer: list[str] | None = Field(None, description="作答后才返回")
    explanation: str | None = Field(None, description="作答后才返回")
    clause: str | None = None
    answered_at: datetime | None = None


class AnswerIn(Schema):
    answer: list[Annotated[str, Field(max_length=200)]] | Annotated[str, Field(max_length=200)] | bool = Field(
        description='单选 "B";多选 ["A","C"];判断 true/false 或 "T"/"F";填空 文字'
    )


class MasteryOut(Schema):
    point: str
    high_risk: bool
    for_job: bool
    percent: int
    answered: int
    correct: int


class MeOut(Schema):
    streak: int
    points: list[MasteryOut]


def _daily_out(daily):
    q = daily.question
    done = daily.answered_at is not None
    return DailyOut(
        id=daily.pk,
        date=daily.date,
        point=daily.point.name,
        high_risk=daily.point.high_risk,
        type=q.type,
        stem=q.stem,
        options=q.options,
        answered=done,
        correct=daily.correct if done else None,
        given=daily.given if done else None,
        answer=q.answer if done else None,
        explanation=q.explanation if done else None,
        clause=q.clause if done else None,
        answered_at=daily.answered_at,
    )


@router.get("/daily", response={200: DailyOut, **ERRORS_READ}, summary="我的今日一题(作答前不含答案)")
def get_daily(request):
    return _daily_out(services.todays_question(request.user))


@router.post("/daily/{id}/answer", response={200: DailyOut, **ERRORS_WRITE}, summary="作答今日一题(重复提交只计一次)")
def post_answer(request, id: PathId, payload: AnswerIn):
    daily = services.answer(request.user, id, payload.answer)
    return _daily_out(daily)


@router.get("/me", response={200: MeOut, **ERRORS_READ}, summary="我的连续天数与各知识点掌握度")
def get_me(request):
    person = services.person_of(request.user)
    rows = services.mastery(person)
    points = [
        MasteryOut(
            point=m.point.name,
            high_risk=m.point.high_risk,
            for_job=m.for_job,
            percent=m.percent,
            answered=m.answered,
            correct=m.correct,
        )
        for m in rows
    ]
    return MeOut(streak=services.streak(person), points=points)


class PersonProgress(Schema):
    id: int
    emp_no: str
    name: str
    reason: str
    answered: int
    rate: int | None


class WeakPoint(Schema):
    point: str
    answered: int
    rate: int


class BranchOut(Schema):
    branch: str
    on_duty: int
    answered_today: int
    correct_today: int
    participation: int
    missing_this_week: list[str]
    weakest_points: list[WeakPoint]
    newcomers: list[PersonProgress]


@router.get("/branches/{id}", response={200: BranchOut, **ERRORS_READ}, summary="党支部每日一题情况")
def get_branch(request, id: PathId):
    branch = services.get_branch(request.user, id)
    o = services.branch_overview(request.user, branch)
    return BranchOut(
        branch=branch.name,
        on_duty=o.on_duty,
        answered_today=o.answered_today,
        correct_today=o.correct_today,
        participation=o.participation,
        missing_this_week=[f"{p.name}({p.emp_no})" for p in o.missing_this_week],
        weakest_points=[WeakPoint(point=w["point__name"], answered=w["n"], rate=w["rate"]) for w in o.weakest_points],
        newcomers=[
            PersonProgress(id=p.pk, emp_no=p.emp_no, name=p.name, reason=p.reason, answered=p.answered, rate=p.rate)
            for p in o.newcomers
        ],
    )


# ---------------------------------------------------------------- 每周一课一案


class LessonOut(Schema):
    id: int
    kind: str
    title: str
    week: date
    body: str
    story: str
    causes: str
    lessons_learned: str
    clauses: str
    questions: list[DailyOut] = Field(description="检查题(不含答案)")
    read: bool
    passed: bool


class ChecksIn(Schema):
    answers: dict[str, list[Annotated[str, Field(max_length=200)]] | Annotated[str, Field(max_length=200)] | bool] = (
        Field(description="{题目id: 答案}")
    )


class CheckOut(Schema):
    passed: bool
    results: dict[str, bool]


def _check_item(q):
    return DailyOut(
        id=q.pk,
        date=date.today(),
        point=q.point.name,
        high_risk=q.point.high_risk,
        type=q.type,
        stem=q.stem,
        options=q.options,
        answered=False,
    )


def _lesson_out(user, lesson):
    completion = lesson.completions.filter(person_id=user.person_id).first() if user.person_id else None
    return LessonOut(
        id=lesson.pk, kind=lesson.kind, title=lesson.title, week=lesson.week, body=lesson.body, story=lesson.story,
        causes=lesson.causes, lessons_learned=lesson.lessons_learned, clauses=lesson.clauses,
        questions=[_check_item(q) for q in lesson.questions.select_related("point")],
        read=bool(completion and completion.read_at), passed=bool(completion and completion.passed_at),
    )  # fmt: skip


@router.get("/lessons", response={200: list[LessonOut], **ERRORS_READ}, summary="本周发给我的一课一案")
def list_lessons(request):
    return [_lesson_out(request.user, lesson) for lesson in lessons.lessons_of_week(request.user)]


@router.get("/lessons/{id}", response={200: LessonOut, **ERRORS_READ}, summary="一课一案(打开即记为已读)")
def get_lesson(request, id: PathId):
    lesson = lessons.lesson_for(request.user, id)
    lessons.mark_read(request.user, lesson)
    return _lesson_out(request.user, lesson)


@router.post("/lessons/{id}/check", response={200: CheckOut, **ERRORS_WRITE}, summary="提交检查题(全对为完成)")
def post_checks(request, id: PathId, payload: ChecksIn):
    lesson = lessons.lesson_for(request.user, id)
    form = ChecksForm(ChecksForm.data_of(payload.answers), questions=lesson.questions.all())
    completion, results = lessons.submit_checks(request.user, lesson, **inputs.clean(form))
    return CheckOut(passed=bool(completion.passed_at), results={str(k): v for k, v in results.items()})


# ---------------------------------------------------------------- 每月一考


class PaperItem(Schema):
    index: int
    type: str
    stem: str
    options: list[str]
    saved: list[str]
    correct: bool | None = Field(None, description="交卷后才返回")
    key: list[str] | None = Field(None, description="交卷后才返回")
    explanation: str | None = Field(None, description="交卷后才返回")


class PaperOut(Schema):
    id: int
    title: str
    kind: str
    time_limit: int
    opens_at: datetime
    closes_at: datetime
    started_at: datetime | None
    deadline: datetime | None
    remaining_seconds: int | None
    submitted_at: datetime | None
    score: int | None
    passed: bool | None
    items: list[PaperItem] = Field(description="开始后才返回题目;交卷前不含答案")


class SaveIn(Schema):
    index: int = Field(ge=0, le=1000)
    answer: list[Annotated[str, Field(max_length=200)]] | Annotated[str, Field(max_length=200)] | bool | None = None


def _paper_out(paper):
    from django.utils import timezone

    items = []
    if paper.started_at:
        for it in exams.shown_items(paper):
            items.append(PaperItem(
                index=it["index"], type=it["type"], stem=it["stem"], options=[text for _, text in it["options"]], saved=it["saved"],
                correct=it.get("correct"), key=it.get("key"), explanation=it.get("explanation"),
            ))  # fmt: skip
    remaining = None
    if paper.started_at and not paper.submitted_at:
        remaining = max(0, int((paper.deadline - timezone.now()).total_seconds()))
    b = paper.blueprint
    return PaperOut(
        id=paper.pk, title=b.title, kind=paper.kind, time_limit=b.time_limit, opens_at=b.opens_at, closes_at=b.closes_at,
        started_at=paper.started_at, deadline=paper.deadline, remaining_seconds=remaining, submitted_at=paper.submitted_at,
        score=paper.score if paper.submitted_at else None, passed=paper.passed if paper.submitted_at else None, items=items,
    )  # fmt: skip


@router.get("/papers", response={200: list[PaperOut], **ERRORS_READ}, summary="我的试卷(不含题目)")
def list_papers(request):
    out = []
    for paper in exams.papers_of(request.user)[:24]:
        exams.finish_if_expired(paper)
        item = _paper_out(paper)
        item.items = []
        out.append(item)
    return out


@router.get("/papers/{id}", response={200: PaperOut, **ERRORS_READ}, summary="我的一份试卷")
def get_paper(request, id: PathId):
    return _paper_out(exams.own_paper(request.user, id))


@router.post(
    "/papers/{id}/start", response={200: PaperOut, **ERRORS_WRITE}, summary="开始考试(计时由服务器掌握,重复调用不重置)"
)
def start_paper(request, id: PathId):
    return _paper_out(exams.start(request.user, id))


@router.post(
    "/papers/{id}/answers", response={200: PaperOut, **ERRORS_WRITE}, summary="保存一题答案(按本卷显示的选项字母)"
)
def save_paper_answer(request, id: PathId, payload: SaveIn):
    exams.save_answer(request.user, id, payload.index, payload.answer)
    return _paper_out(exams.own_paper(request.user, id))


@router.post("/papers/{id}/submit", response={200: PaperOut, **ERRORS_WRITE}, summary="交卷")
def submit_paper(request, id: PathId):
    return _paper_out(exams.submit_own(request.user, id))


# ---------------------------------------------------------------- 在线答疑


class QaAnswerOut(Schema):
    id: int
    author: str
    text: str
    accepted: bool
    created_at: datetime


class QaOut(Schema):
    id: int
    asker: str
    text: str
    created_at: datetime
    answers: list[QaAnswerOut]


class QaIn(Schema):
    text: Annotated[str, Field(max_length=2000)]


def _qa_out(q):
    return QaOut(
        id=q.pk, asker=q.asker.name, text=q.text, created_at=q.created_at,
        answers=[QaAnswerOut(id=a.pk, author=a.author.display_name(), text=a.text, accepted=q.accepted_id == a.pk, created_at=a.created_at) for a in q.answers.select_related("author", "author__person")],
    )  # fmt: skip


@router.get("/qa", response={200: list[QaOut], **ERRORS_READ}, summary="答疑(可搜索)")
def list_qa(request, q: Annotated[str, Field(max_length=100)] = ""):
    return [_qa_out(item) for item in qa.listing(request.user, q)[:50]]


@router.post("/qa", response={201: QaOut, **ERRORS_WRITE}, summary="提问")
def post_qa(request, payload: QaIn):
    return 201, _qa_out(qa.ask(request.user, **inputs.parse(AskForm, inputs.body(payload))))


@router.get("/qa/{id}", response={200: QaOut, **ERRORS_READ}, summary="一个问题及其解答")
def get_qa(request, id: PathId):
    return _qa_out(qa.get(request.user, id))


@router.post("/qa/{id}/answers", response={201: QaOut, **ERRORS_WRITE}, summary="解答(书记、安监员等)")
def post_qa_answer(request, id: PathId, payload: QaIn):
    question = qa.get(request.user, id)
    qa.answer(request.user, question, **inputs.parse(AnswerForm, inputs.body(payload)))
    return 201, _qa_out(question)


# ---------------------------------------------------------------- for the committee and secretaries


class RuleIn(Schema):
    point: Annotated[int, Field(ge=1, le=MAX_ID)]
    count: Annotated[int, Field(ge=1, le=50)]
    type: Annotated[str, Field(max_length=10)] | None = None
    difficulty: Annotated[int, Field(ge=1, le=3)] | None = None
    job_type: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


class BlueprintIn(Schema):
    title: Annotated[str, Field(max_length=100)]
    org: Annotated[int, Field(ge=1, le=MAX_ID)]
    month: date
    time_limit: Annotated[int, Field(ge=1, le=600)] = 30
    pass_mark: Annotated[int, Field(ge=1, le=100)] = 80
    opens_at: datetime
    closes_at: datetime
    rules: list[RuleIn] = Field(max_length=50)
    job_types: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(default_factory=list, max_length=100)


class UnitResult(Schema):
    unit: str
    papers: int
    taken: int
    participation: int
    pass_rate: int
    average: float | None


class BlueprintOut(Schema):
    id: int
    title: str
    org: str
    month: date
    generated: bool
    papers: int
    results: list[UnitResult]


def _blueprint_out(user, b):
    results = exams.results_by_unit(user, b) if b.generated_at else []
    return BlueprintOut(
        id=b.pk, title=b.title, org=b.org.name, month=b.month, generated=bool(b.generated_at), papers=b.papers.count(),
        results=[UnitResult(unit=r["unit"].name, papers=r["n"], taken=r["taken"], participation=r["participation"], pass_rate=r["pass_rate"], average=r["average"]) for r in results],
    )  # fmt: skip


@router.post("/exams", response={201: BlueprintOut, **ERRORS_WRITE}, summary="新建考试(组卷规则)")
def create_exam(request, payload: BlueprintIn):
    form = BlueprintForm(inputs.body(payload), user=request.user)
    return 201, _blueprint_out(request.user, exams.create_blueprint(request.user, **inputs.clean(form)))


@router.get("/exams/{id}", response={200: BlueprintOut, **ERRORS_READ}, summary="考试及各单位成绩")
def get_exam(request, id: PathId):
    return _blueprint_out(request.user, exams.get_blueprint(request.user, id))


@router.post(
    "/exams/{id}/generate", response={200: BlueprintOut, **ERRORS_WRITE}, summary="生成试卷(每人一份,只能一次)"
)
def generate_exam(request, id: PathId):
    blueprint = exams.get_blueprint(request.user, id)
    exams.generate(request.user, blueprint)
    return _blueprint_out(request.user, exams.get_blueprint(request.user, id))


class EvaluationRow(Schema):
    unit: str
    people: int
    participation: int
    right_rate: int | None
    papers: int
    taken: int
    pass_rate: int | None
    average: float | None
    change: float | None


class EvaluationOut(Schema):
    org: str
    month: date
    rows: list[EvaluationRow]
    best: list[str]
    weakest: list[str]


@router.get(
    "/evaluation/{id}", response={200: EvaluationOut, **ERRORS_READ}, summary="每月一评(单位 id;month=YYYY-MM-01)"
)
def get_evaluation(request, id: PathId, month: date | None = None):
    from django.utils import timezone

    from orgs.models import OrgKind, OrgNode
    from training import evaluation

    org = (
        OrgNode.objects.visible_to(request.user, "training_results")
        .filter(pk=id, kind__in=(OrgKind.MINE, OrgKind.BRANCH))
        .first()
    )
    if org is None:
        from common.errors import NotFound

        raise NotFound()
    result = evaluation.evaluate(request.user, org, month or timezone.localdate())
    return EvaluationOut(
        org=org.name, month=result.month,
        rows=[EvaluationRow(unit=r.unit.name, people=r.people, participation=r.participation, right_rate=r.right_rate, papers=r.papers, taken=r.taken, pass_rate=r.pass_rate, average=r.average, change=r.change) for r in result.rows],
        best=[f"{p.person.name}({p.score})" for p in result.best], weakest=[f"{p.person.name}({p.score})" for p in result.weakest],
    )  # fmt: skip
