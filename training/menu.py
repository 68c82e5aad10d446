"""Menu entries, the 待办 of the daily question, and the home tile of responsibility 3 (职工安全培训)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from common.menu import MenuEntry, register
from common.modules import Figure, Notice, register_card, register_notice, register_tile
from common.todos import Todo
from common.todos import register as register_todo
from orgs import scope
from orgs.models import Person, WorkStatus
from training import services
from training.models import DailyQuestion

register(MenuEntry("每日一题", "training_daily", "lightbulb", order=20, tab=True, visible=lambda u: bool(u.person_id)))
register(
    MenuEntry(
        "培训情况", "training_branch", "mortarboard", order=21, visible=lambda u: scope.can(u, "training_results")
    )
)
register(MenuEntry("一课一案", "training_lessons", "book", order=23))
register(MenuEntry("每月一考", "training_exams", "pencil-square", order=24))
register(MenuEntry("在线答疑", "training_qa", "chat-dots", order=25))
register(
    MenuEntry(
        "每月一评", "training_evaluation", "bar-chart", order=26, visible=lambda u: scope.can(u, "training_results")
    )
)
register(MenuEntry("题库", "training_bank", "journal-text", order=22, visible=lambda u: scope.can(u, "training_bank")))
register(MenuEntry("工种组", "training_groups", "people", order=27, visible=lambda u: scope.can(u, "training_bank")))


@register_card(live=True)  # the request (?daily=1) and the daily-question table
def daily_question_card(user, request=None):
    """SPEC §7.3: today's question as the first card of a worker's home, answered right there; after answering, the
    result and the explanation show there once (``?daily=1``), then the card steps aside for the day."""
    if not user.person_id:
        return None
    from common.errors import NotFound

    try:
        daily = services.todays_question(user)
    except NotFound:
        return None
    if daily.answered_at and not (request is not None and request.GET.get("daily") == "1"):
        return None
    return (
        "training/_home_daily.html",
        {"daily": daily, "streak": services.streak(user.person) if daily.answered_at else 0},
    )


@register_card(live=True)  # an exam opens and closes at a time of day
def exam_card(user, request=None):
    """SPEC §7.3: an open exam on the worker's home, with the time left to hand it in."""
    from training.exams import open_papers_of

    papers = open_papers_of(user)
    return ("training/_home_exam.html", {"papers": papers}) if papers else None


@register_todo(live=True)  # an exam opens and closes at a time of day
def exams_to_sit(user):
    from training.exams import open_papers_of

    for paper in open_papers_of(user):
        yield Todo(
            module="training",
            title=paper.label,
            url=f"/training/papers/{paper.pk}/",
            deadline=paper.closes,
            urgent=True,
            detail=f"限时 {paper.blueprint.time_limit} 分钟,{paper.blueprint.pass_mark} 分及格",
        )


@register_todo(live=True)  # answered today: the daily-question table
def daily_question(user):
    if services.answered_today(user) is False:
        yield Todo(
            module="training",
            title="今日一题:还没有作答",
            url="/training/",
            deadline=timezone.localdate(),
            urgent=True,
            detail="一题一解,一分钟",
        )


@register_todo
def lessons_of_the_week(user):
    from training.lessons import lessons_of_week

    for lesson in lessons_of_week(user):
        done = lesson.my_completion
        if done is None or done.passed_at is None:
            yield Todo(
                module="training",
                title=f"本周{lesson.get_kind_display()}:{lesson.title}",
                url=f"/training/lessons/{lesson.pk}/",
                deadline=lesson.week + timedelta(days=6),
                detail="学习并答对检查题",
            )


@register_todo
def questions_to_answer(user):
    from training.qa import waiting_for

    waiting = waiting_for(user).count()
    if waiting:
        yield Todo(module="training", title=f"在线答疑:{waiting} 个问题待解答", url="/training/qa/")


@register_tile(3, live=True)  # today's answers: the daily-question table follows no write generation
def training_figures(user):
    if not scope.can(user, "training_results"):
        return []
    today = timezone.localdate()
    people = Person.objects.visible_to(user, "training_results").filter(work_status=WorkStatus.ON_DUTY)
    on_duty = people.count()
    stats = DailyQuestion.objects.filter(
        person__in=people.values("pk"), date=today, answered_at__isnull=False
    ).aggregate(n=Count("pk"), right=Count("pk", filter=Q(correct=True)))
    rate = round(stats["n"] * 100 / on_duty) if on_duty else 0
    right = round(stats["right"] * 100 / stats["n"]) if stats["n"] else 0
    return [
        Figure("今日答题率", f"{rate}%", url="/training/branch/", warn=rate < 50),
        Figure("今日答对率", f"{right}%", url="/training/branch/"),
    ]


@register_notice
def my_questions_answered(user, since):
    """The asker of an 答疑 question hears when someone answers it."""
    from training.models import QaAnswer

    answers = (
        QaAnswer.objects.filter(question__asker_id=user.person_id, created_at__gte=since)
        .exclude(author_id=user.pk)
        .select_related("question")
        .order_by("-created_at")[:5]
    )
    for a in answers:
        yield Notice(
            text=f"您的提问有了解答:{a.question.text[:20]}", url=f"/training/qa/{a.question_id}/", at=a.created_at
        )
