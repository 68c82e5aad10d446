"""The compare-and-set writes of training (lesson publish and check results, exam generation, start and hand-in,
答疑 acceptance and 转入题库) reach the audit log, and the admin's audit search shows them; the day's question answers,
a lesson being opened and an exam's autosaved answers do not (written all day: docs/kernel.md, the home cache)."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from training import exams, lessons, qa, services
from training.models import DailyQuestion, ExamPaper, Lesson, LessonKind, QaAnswer, QaQuestion, Question

pytestmark = pytest.mark.django_db


def _updates(obj):
    return list(LogEntry.objects.get_for_object(obj).filter(action=LogEntry.Action.UPDATE).order_by("pk"))


def _searched(login, world, obj):
    """The admin's audit search for one record (by type and id)."""
    ct = ContentType.objects.get_for_model(type(obj)).pk
    return login(world.admin).get("/manage/audit/", {"content_type": ct, "object_id": obj.pk}).content.decode()


def _lesson(world):
    questions = list(Question.objects.filter(code__in=["gas-0", "entry-0"]))
    return lessons.save_lesson(
        world.secretary,
        kind=LessonKind.LESSON,
        title="瓦斯检查",
        week=timezone.localdate(),
        org=world.branch,
        body="瓦斯检查要点",
        questions=questions,
    )


def test_lesson_publish_and_passing_the_checks_are_audited_a_reading_is_not(world, bank, login):
    lesson = lessons.publish(world.secretary, _lesson(world))
    [entry] = _updates(lesson)
    assert entry.actor == world.secretary and "published_at" in entry.changes_dict
    assert "发布时间" in _searched(login, world, lesson)

    completion = lessons.mark_read(world.worker, Lesson.objects.get(pk=lesson.pk))
    assert not LogEntry.objects.get_for_object(completion).exists()  # opening it is a reading
    answers = {q.pk: ["B"] for q in lesson.questions.all()}
    completion, _results = lessons.submit_checks(world.worker, lesson, answers=answers)
    assert completion.passed_at
    [entry] = _updates(completion)
    assert entry.actor == world.worker and "passed_at" in entry.changes_dict and "answers" not in entry.changes_dict
    assert "通过时间" in _searched(login, world, completion)


def test_exam_generation_start_and_hand_in_are_audited_autosaves_are_not(world, blueprint, login):
    exams.generate(world.secretary, blueprint)
    [entry] = _updates(blueprint)
    assert entry.actor == world.secretary and "generated_at" in entry.changes_dict
    assert "生成试卷时间" in _searched(login, world, blueprint)

    paper = ExamPaper.objects.get(person=world.worker_person)
    exams.start(world.worker, paper.pk)
    exams.save_answer(world.worker, paper.pk, 0, "A")
    exams.submit_own(world.worker, paper.pk)
    started, handed_in = _updates(paper)
    assert started.actor == world.worker and "started_at" in started.changes_dict
    assert handed_in.actor == world.worker and {"submitted_at", "score", "passed"} <= set(handed_in.changes_dict)
    assert not {"answers", "results", "items"} & (set(started.changes_dict) | set(handed_in.changes_dict))
    page = _searched(login, world, paper)
    assert "交卷时间" in page and "开始时间" in page


def test_a_paper_graded_by_the_clock_is_audited_without_an_actor(world, blueprint):
    exams.generate(world.secretary, blueprint)
    paper = ExamPaper.objects.get(person=world.worker_person)
    now = timezone.now()
    exams.start(world.worker, paper.pk, now=now)
    assert exams.close_expired(now=now + timedelta(hours=2)) >= 1
    handed_in = _updates(paper)[-1]
    assert handed_in.actor is None and "submitted_at" in handed_in.changes_dict


def test_qa_acceptance_and_to_bank_are_audited(world, bank, login):
    question = qa.ask(world.worker, text="自救器打不开怎么办?")
    answer = qa.answer(world.secretary, question, text="先检查封条,按说明拉开扳手。")
    qa.accept(world.worker, qa.get(world.worker, question.pk), answer=answer)
    question = QaQuestion.objects.get(pk=question.pk)
    [entry] = _updates(question)
    assert entry.actor == world.worker and "accepted" in entry.changes_dict
    assert "已采纳" in _searched(login, world, question)

    qa.to_bank(world.committee_user, answer.pk, point=bank["rescue"])
    [entry] = _updates(QaAnswer.objects.get(pk=answer.pk))
    assert entry.actor == world.committee_user and "bank_question" in entry.changes_dict


def test_the_days_question_answers_stay_out_of_the_audit_log(world, bank):
    daily = services.todays_question(world.worker)
    before = LogEntry.objects.count()
    services.answer(world.worker, daily.pk, daily.question.answer[0])
    assert DailyQuestion.objects.get(pk=daily.pk).answered_at is not None
    assert LogEntry.objects.count() == before
