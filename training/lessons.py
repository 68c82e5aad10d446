"""每周一课一案: write, publish, read, check questions, completion per branch and team."""

from datetime import timedelta

from auditlog.context import disable_auditlog
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from common import audit
from common.errors import Conflict, Forbidden, NotFound
from orgs import scope
from orgs.models import OrgKind, OrgNode, Person, WorkStatus
from training.bank import grade
from training.forms import LESSON_ORG
from training.models import Lesson, LessonCompletion


def monday(day):
    return day - timedelta(days=day.weekday())


def publishable_orgs(user):
    """Where the user may send lessons: the mines and branches they lead."""
    return list(
        OrgNode.objects.visible_to(user, "training_lessons")
        .filter(kind__in=(OrgKind.MINE, OrgKind.BRANCH))
        .order_by("path")[:300]
    )


def save_lesson(
    user,
    *,
    kind,
    title,
    week,
    org,
    questions,
    body="",
    story="",
    causes="",
    lessons_learned="",
    clauses="",
    points=(),
    attachment=None,
    instance=None,
):
    """Create or edit a draft (the input read by ``training.forms.LessonForm``): ``org`` one of the user's
    ``publishable_orgs``, ``questions`` 2–5 active bank questions, ``attachment`` (name, file, kind) or None."""
    orgs = publishable_orgs(user)
    if not orgs:
        raise NotFound()
    if instance is not None and instance.published_at:
        raise Conflict("已发布的课程不能再修改;如有错误,请发布一份更正")
    if org.pk not in {o.pk for o in orgs}:
        raise ValidationError({"org": LESSON_ORG})
    lesson = instance or Lesson(author=user)
    lesson.kind, lesson.title, lesson.week, lesson.org = kind, title, monday(week), org
    lesson.body, lesson.story, lesson.causes, lesson.lessons_learned = body, story, causes, lessons_learned
    lesson.clauses = clauses
    if attachment is not None:
        name, content, lesson.attachment_kind = attachment
        lesson.attachment.save(name, content, save=False)
    with transaction.atomic():
        lesson.save()
        lesson.questions.set(questions)
        lesson.points.set(points)
    return lesson


def managed_lesson(user, pk):
    lesson = Lesson.objects.managed_by(user).filter(pk=pk).first()
    if lesson is None:
        raise NotFound()
    return lesson


def publish(user, lesson):
    lesson = managed_lesson(user, lesson.pk)
    with transaction.atomic():
        updated = Lesson.objects.filter(pk=lesson.pk, published_at__isnull=True).update(published_at=timezone.now())
        if not updated:
            raise Conflict("已经发布过了")
        after = Lesson.objects.get(pk=lesson.pk)
        audit.audit_update(lesson, after, actor=user)  # an update() sends no signal: the audit log is told here
    return after


def lesson_for(user, pk):
    """A lesson the user may open: sent to them, or one they manage."""
    lesson = Lesson.objects.filter(pk=pk).select_related("org").first()
    if lesson is None:
        raise NotFound()
    if Lesson.objects.managed_by(user).filter(pk=pk).exists():
        return lesson
    if user.person_id and lesson.published_at and Lesson.objects.for_person(user.person).filter(pk=pk).exists():
        return lesson
    raise NotFound()


def is_manager(user, lesson):
    return scope.can(user, "training_lessons", lesson.org)


def mark_read(user, lesson):
    if not user.person_id or not lesson.published_at:
        return None
    try:
        # opening a lesson is a reading, not an edit: like the day's question answers it is not audited (every
        # worker, every week); passing the checks is (submit_checks)
        with transaction.atomic(), disable_auditlog():
            completion, _ = LessonCompletion.objects.get_or_create(lesson=lesson, person_id=user.person_id)
    except IntegrityError:
        completion = LessonCompletion.objects.get(lesson=lesson, person_id=user.person_id)
    if completion.read_at is None:
        LessonCompletion.objects.filter(pk=completion.pk, read_at__isnull=True).update(read_at=timezone.now())
        completion.refresh_from_db()
    return completion


def submit_checks(user, lesson, *, answers):
    """Grade the check questions (``answers``: {question id: answer in the stored shape}, read by
    ``training.forms.ChecksForm``); passed when all are right. Returns (completion, {question id: correct})."""
    if not user.person_id:
        raise Forbidden("您的账号没有关联职工档案")
    completion = mark_read(user, lesson)
    if completion is None:
        raise Conflict("课程尚未发布")
    if completion.passed_at:
        return completion, {int(k): True for k in completion.answers}
    results, given_all = {}, {}
    for question in lesson.questions.all():
        given_all[str(question.pk)] = answers[question.pk]
        results[question.pk] = grade(question, answers[question.pk])
    passed = all(results.values())
    with transaction.atomic():
        LessonCompletion.objects.filter(pk=completion.pk).update(
            attempts=completion.attempts + 1, answers=given_all, passed_at=timezone.now() if passed else None
        )
        after = LessonCompletion.objects.get(pk=completion.pk)
        audit.audit_update(completion, after, actor=user)
    return after, results


def lessons_of_week(user, day=None):
    """This week's published lessons for the user, with their completion."""
    if not user.person_id:
        return []
    week = monday(day or timezone.localdate())
    lessons = list(Lesson.objects.for_person(user.person).filter(week=week).order_by("kind", "pk"))
    done = {c.lesson_id: c for c in LessonCompletion.objects.filter(person_id=user.person_id, lesson__in=lessons)}
    for lesson in lessons:
        lesson.my_completion = done.get(lesson.pk)
    return lessons


def completion_by_unit(user, lesson):
    """Per branch (lesson sent to a mine) or per team (sent to a branch): people, read, passed — within the user's scope."""
    people = Person.objects.visible_to(user, "training_results").filter(
        org__path__startswith=lesson.org.path, work_status=WorkStatus.ON_DUTY
    )
    level = OrgKind.BRANCH if lesson.org.kind == OrgKind.MINE else OrgKind.TEAM
    units = list(OrgNode.objects.filter(path__startswith=lesson.org.path, kind=level).order_by("path"))
    rows = (
        people.values("org__path")
        .annotate(
            n=Count("pk"),
            read=Count(
                "lesson_completions",
                filter=Q(lesson_completions__lesson=lesson, lesson_completions__read_at__isnull=False),
            ),
            passed=Count(
                "lesson_completions",
                filter=Q(lesson_completions__lesson=lesson, lesson_completions__passed_at__isnull=False),
            ),
        )
        .order_by()
    )
    totals = {u.path: {"unit": u, "n": 0, "read": 0, "passed": 0} for u in units}
    for row in rows:
        path = row["org__path"]
        key = next((u.path for u in units if path.startswith(u.path)), None)
        if key is None:
            continue
        for k in ("n", "read", "passed"):
            totals[key][k] += row[k]
    result = [t for t in totals.values() if t["n"]]
    for t in result:
        t["rate"] = round(t["passed"] * 100 / t["n"])
    return result
