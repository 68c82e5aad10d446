"""每周一课一案: write, publish, read, check questions, completion per branch and team."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from common.errors import Conflict, Forbidden, NotFound
from orgs import scope
from orgs.models import OrgKind, OrgNode, Person, WorkStatus
from training.bank import grade, parse_answer
from training.models import Lesson, LessonCompletion, LessonKind, Question, QuestionStatus

MIN_CHECKS, MAX_CHECKS = 2, 5
CASE_FIELDS = {"story": "事故经过", "causes": "原因分析", "lessons_learned": "教训"}


def monday(day):
    return day - timedelta(days=day.weekday())


def publishable_orgs(user):
    """Where the user may send lessons: the mines and branches they lead."""
    return list(
        OrgNode.objects.visible_to(user, "training_lessons")
        .filter(kind__in=(OrgKind.MINE, OrgKind.BRANCH))
        .order_by("path")[:300]
    )


def _attachment(upload):
    """(file, kind) of an upload we accept: images re-encoded without EXIF, MP4 video, PDF (``common.uploads``)."""
    from common.uploads import clean_attachment

    return clean_attachment(
        upload, field="attachment", max_bytes=settings.HONGLING_LESSON_MAX_BYTES, kinds=("image", "video", "pdf")
    )


def save_lesson(user, data, upload=None, instance=None):
    """Create or edit a draft. ``data``: kind, title, week, org, body, story, causes, lessons_learned, clauses,
    questions (2–5 ids of active bank questions), points (ids)."""
    orgs = {o.pk: o for o in publishable_orgs(user)}
    if not orgs:
        raise NotFound()
    if instance is not None and instance.published_at:
        raise Conflict("已发布的课程不能再修改;如有错误,请发布一份更正")
    errors = {}
    kind = data.get("kind") or LessonKind.LESSON
    if kind not in LessonKind.values:
        errors["kind"] = "类型须为 一课 或 一案"
    title = str(data.get("title") or "").strip()
    if not title:
        errors["title"] = "标题必填"
    elif len(title) > 100:
        errors["title"] = "标题不能超过100字"
    week = data.get("week")
    if isinstance(week, str):
        from django.utils.dateparse import parse_date

        try:
            week = parse_date(week)
        except ValueError:
            week = None
    if not week:
        errors["week"] = "请选择哪一周"
    try:
        org = orgs.get(int(data.get("org") or 0))
    except (TypeError, ValueError):
        org = None
    if org is None:
        errors["org"] = "请选择发给哪个单位(您负责的矿或党支部)"
    body = str(data.get("body") or "").strip()
    if kind == LessonKind.LESSON and not body:
        errors["body"] = "课程内容必填"
    if kind == LessonKind.CASE:
        for field, label in CASE_FIELDS.items():
            if not str(data.get(field) or "").strip():
                errors[field] = f"{label}必填"
    question_ids = _ids(data.get("questions"))
    questions = list(
        Question.objects.filter(pk__in=question_ids, status=QuestionStatus.ACTIVE, replaced_by__isnull=True)
    )
    if len(questions) != len(set(question_ids)):
        errors["questions"] = "检查题须从题库中启用的题目里选"
    elif not MIN_CHECKS <= len(questions) <= MAX_CHECKS:
        errors["questions"] = f"请选 {MIN_CHECKS}–{MAX_CHECKS} 道检查题"
    attachment = kind_of_file = None
    if upload is not None:
        try:
            attachment, kind_of_file = _attachment(upload)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    lesson = instance or Lesson(author=user)
    lesson.kind, lesson.title, lesson.week, lesson.org = kind, title, monday(week), org
    lesson.body = body
    for field in (*CASE_FIELDS, "clauses"):
        setattr(lesson, field, str(data.get(field) or "").strip()[: 300 if field == "clauses" else None])
    if attachment is not None:
        lesson.attachment.save(getattr(upload, "name", "file"), attachment, save=False)
        lesson.attachment_kind = kind_of_file
    with transaction.atomic():
        lesson.save()
        lesson.questions.set(questions)
        lesson.points.set(_ids(data.get("points")))
    return lesson


def _ids(value):
    if value is None:
        return []
    if isinstance(value, (str, int)):
        value = [value]
    out = []
    for v in value:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            continue
    return out


def managed_lesson(user, pk):
    lesson = Lesson.objects.managed_by(user).filter(pk=pk).first()
    if lesson is None:
        raise NotFound()
    return lesson


def publish(user, lesson):
    lesson = managed_lesson(user, lesson.pk)
    updated = Lesson.objects.filter(pk=lesson.pk, published_at__isnull=True).update(published_at=timezone.now())
    if not updated:
        raise Conflict("已经发布过了")
    lesson.refresh_from_db()
    return lesson


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
        with transaction.atomic():
            completion, _ = LessonCompletion.objects.get_or_create(lesson=lesson, person_id=user.person_id)
    except IntegrityError:
        completion = LessonCompletion.objects.get(lesson=lesson, person_id=user.person_id)
    if completion.read_at is None:
        LessonCompletion.objects.filter(pk=completion.pk, read_at__isnull=True).update(read_at=timezone.now())
        completion.refresh_from_db()
    return completion


def submit_checks(user, lesson, answers):
    """Grade the check questions; passed when all are right. Returns (completion, {question id: correct})."""
    if not user.person_id:
        raise Forbidden("您的账号没有关联职工档案")
    completion = mark_read(user, lesson)
    if completion is None:
        raise Conflict("课程尚未发布")
    if completion.passed_at:
        return completion, {int(k): True for k in completion.answers}
    results, given_all, errors = {}, {}, {}
    for question in lesson.questions.all():
        raw = answers.get(str(question.pk), answers.get(question.pk))
        try:
            given = parse_answer(question.type, raw, len(question.options))
        except ValidationError as exc:
            errors[f"q{question.pk}"] = exc.messages[0]
            continue
        given_all[str(question.pk)] = given
        results[question.pk] = grade(question, given)
    if errors:
        raise ValidationError(errors)
    passed = all(results.values())
    LessonCompletion.objects.filter(pk=completion.pk).update(
        attempts=completion.attempts + 1, answers=given_all, passed_at=timezone.now() if passed else None
    )
    completion.refresh_from_db()
    return completion, results


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
