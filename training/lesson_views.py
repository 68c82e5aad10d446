"""Pages of 每周一课一案. Thin: parse input, call ``training.lessons``, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from common import inputs
from common.errors import Conflict
from common.responses import stored_file
from training import lessons
from training.forms import ChecksForm, LessonForm
from training.models import KnowledgePoint, Lesson, LessonKind, Question, QuestionStatus


@login_required
def lesson_list(request):
    user = request.user
    context = {
        "mine": lessons.lessons_of_week(user),
        "managed": Lesson.objects.managed_by(user).select_related("org")[:50],
        "can_write": bool(lessons.publishable_orgs(user)),
    }
    return render(request, "training/lessons.html", context)


def _form_context(user, data, errors, lesson=None):
    return {
        "data": data,
        "errors": errors,
        "lesson": lesson,
        "orgs": lessons.publishable_orgs(user),
        "kinds": LessonKind.choices,
        "points": KnowledgePoint.objects.all(),
        "bank": Question.objects.filter(status=QuestionStatus.ACTIVE, replaced_by__isnull=True)
        .select_related("point")
        .order_by("point__order", "code"),
        "chosen": {
            str(q) for q in (data.getlist("questions") if hasattr(data, "getlist") else data.get("questions", []))
        },
    }


@login_required
@require_http_methods(["GET", "POST"])
def lesson_new(request):
    user = request.user
    if not lessons.publishable_orgs(user):
        raise Http404
    if request.method == "POST":
        form = LessonForm(request.POST, request.FILES, user=user)
        try:
            lesson = lessons.save_lesson(user, **inputs.clean(form))
        except ValidationError as exc:
            context = _form_context(user, request.POST, exc.message_dict)
            return render(request, "training/lesson_form.html", context, status=422)
        messages.success(request, f"{lesson.get_kind_display()}已保存为草稿,检查无误后请发布")
        return redirect("training_lesson", lesson.pk)
    initial = {"week": timezone.localdate().isoformat(), "kind": request.GET.get("kind", "lesson")}
    return render(request, "training/lesson_form.html", _form_context(user, initial, {}))


@login_required
def lesson_detail(request, pk):
    user = request.user
    lesson = lessons.lesson_for(user, pk)
    manager = lessons.is_manager(user, lesson)
    completion = lessons.mark_read(user, lesson) if not manager or user.person_id else None
    context = {
        "lesson": lesson,
        "manager": manager,
        "completion": completion,
        "questions": list(lesson.questions.all()),
        "results": {},
        "errors": {},
        "units": lessons.completion_by_unit(user, lesson) if manager and lesson.published_at else [],
    }
    return render(request, "training/lesson.html", context)


@login_required
@require_POST
def lesson_check(request, pk):
    user = request.user
    lesson = lessons.lesson_for(user, pk)
    questions = list(lesson.questions.all())
    status = 200
    try:
        answers = inputs.parse(ChecksForm, request.POST, questions=questions)
        completion, results = lessons.submit_checks(user, lesson, **answers)
        errors = {}
    except ValidationError as exc:
        completion, results, errors, status = lessons.mark_read(user, lesson), {}, exc.message_dict, 422
    except Conflict as exc:
        raise Http404 from exc
    for question in questions:  # each question's message next to it
        question.error = (errors.get(f"q{question.pk}") or [""])[0]
    context = {
        "lesson": lesson,
        "manager": False,
        "completion": completion,
        "questions": questions,
        "results": results,
        "errors": errors,
        "units": [],
    }
    return render(request, "training/lesson.html", context, status=status)


@login_required
@require_POST
def lesson_publish(request, pk):
    lesson = lessons.managed_lesson(request.user, pk)
    try:
        lessons.publish(request.user, lesson)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已发布:{lesson.title}")
    return redirect("training_lesson", pk)


@login_required
def lesson_file(request, pk):
    lesson = lessons.lesson_for(request.user, pk)
    types = {"pdf": "application/pdf", "video": "video/mp4", "image": "image/jpeg"}
    return stored_file(lesson.attachment, types.get(lesson.attachment_kind))
