"""JSON API of the 微训课堂 (/api/training/…). Same services and scope as the pages.

The question of the day never carries its answer before it is answered; afterwards the answer and the
explanation come with the result.
"""
from datetime import date, datetime
from typing import Annotated, Optional, Union

from ninja import Field, Path, Router, Schema

from orgs.api import ERRORS_READ, ERRORS_WRITE, MAX_ID
from training import services

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
    correct: Optional[bool] = None
    given: Optional[list[str]] = None
    answer: Optional[list[str]] = Field(None, description="作答后才返回")
    explanation: Optional[str] = Field(None, description="作答后才返回")
    clause: Optional[str] = None
    answered_at: Optional[datetime] = None


class AnswerIn(Schema):
    answer: Union[list[Annotated[str, Field(max_length=200)]], Annotated[str, Field(max_length=200)], bool] = Field(
        description="单选 \"B\";多选 [\"A\",\"C\"];判断 true/false 或 \"T\"/\"F\";填空 文字"
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
        MasteryOut(point=m.point.name, high_risk=m.point.high_risk, for_job=m.for_job, percent=m.percent, answered=m.answered, correct=m.correct)
        for m in rows
    ]
    return MeOut(streak=services.streak(person), points=points)


class PersonProgress(Schema):
    id: int
    emp_no: str
    name: str
    reason: str
    answered: int
    rate: Optional[int]


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
        newcomers=[PersonProgress(id=p.pk, emp_no=p.emp_no, name=p.name, reason=p.reason, answered=p.answered, rate=p.rate) for p in o.newcomers],
    )

