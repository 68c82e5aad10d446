"""Pages of the 微训课堂. Thin: parse input, call ``training.services``, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from common import inputs
from common.errors import Conflict, NotFound
from common.excel import xlsx_response
from common.pagination import page_of
from orgs import scope
from orgs.models import JobType
from training import bank_excel, services
from training.forms import GroupForm, PointForm, QuestionForm
from training.models import JobGroup, KnowledgePoint, Question, QuestionStatus, QuestionType


@login_required
def daily(request):
    try:
        today = services.todays_question(request.user)
    except NotFound as exc:
        return render(request, "training/daily.html", {"unavailable": exc.message})
    context = {
        "daily": today,
        "question": today.question,
        "streak": services.streak(request.user.person),
        "error": "",
    }
    return render(request, "training/daily.html", context)


@login_required
@require_POST
def daily_answer(request, pk):
    given = request.POST.getlist("answer")
    question_type = request.POST.get("type")
    if question_type in (QuestionType.SINGLE, QuestionType.TRUEFALSE, QuestionType.FILL):
        given = given[0] if given else ""
    try:
        services.answer(request.user, pk, given)
    except Conflict as exc:
        return render(request, "training/daily.html", {"unavailable": exc.message}, status=409)
    except ValidationError as exc:
        today = services.todays_question(request.user)
        context = {
            "daily": today,
            "question": today.question,
            "streak": services.streak(request.user.person),
            "error": exc.message_dict["answer"][0],
        }
        return render(request, "training/daily.html", context, status=422)
    if request.POST.get("next") == "/":  # answered on the home page: the result and the explanation show there
        return redirect("/?daily=1")
    return redirect("training_daily")


@login_required
def my_mastery(request):
    person = services.person_of(request.user)
    context = {"rows": services.mastery(person), "streak": services.streak(person), "person": person}
    return render(request, "training/mastery.html", context)


@login_required
def branch(request):
    branches = services.branches_of(request.user)
    if not branches:
        raise Http404
    selected = request.GET.get("branch")
    try:
        current = services.get_branch(request.user, int(selected)) if selected else branches[0]
    except (NotFound, ValueError):
        raise Http404
    overview = services.branch_overview(request.user, current)
    return render(request, "training/branch.html", {"overview": overview, "branches": branches, "current": current})


def _require_bank(user):
    if not scope.can(user, "training_bank"):
        raise Http404


@login_required
def bank(request):
    _require_bank(request.user)
    questions = Question.objects.current().select_related("point").order_by("point__order", "code")
    point = request.GET.get("point")
    if point and point.isdigit():
        questions = questions.filter(point_id=point)
    if request.GET.get("type") in QuestionType.values:
        questions = questions.filter(type=request.GET["type"])
    if request.GET.get("status") in QuestionStatus.values:
        questions = questions.filter(status=request.GET["status"])
    text = (request.GET.get("q") or "").strip()
    if text:
        questions = questions.filter(Q(stem__contains=text) | Q(code__istartswith=text) | Q(clause__contains=text))
    page = page_of(request, questions, per_page=50)
    points = KnowledgePoint.objects.annotate(
        n=Count("questions", filter=Q(questions__replaced_by__isnull=True, questions__status=QuestionStatus.ACTIVE))
    )
    context = {
        "page": page,
        "points": points,
        "types": QuestionType.choices,
        "statuses": QuestionStatus.choices,
        "query": request.GET,
    }
    return render(request, "training/bank.html", context)


@login_required
def bank_export(request):
    _require_bank(request.user)
    content = bank_excel.export_bank(Question.objects.current())
    return xlsx_response("题库.xlsx", content)


@login_required
def question_detail(request, pk):
    _require_bank(request.user)
    question = (
        Question.objects.select_related("point", "replaced_by")
        .prefetch_related("groups", "job_types")
        .filter(pk=pk)
        .first()
    )
    if question is None:
        raise Http404
    versions = Question.objects.filter(code=question.code).order_by("-version")
    stats = question.daily.filter(answered_at__isnull=False).aggregate(
        n=Count("pk"), right=Count("pk", filter=Q(correct=True))
    )
    return render(request, "training/question.html", {"q": question, "versions": versions, "stats": stats})


@login_required
@require_POST
def question_status(request, pk):
    _require_bank(request.user)
    question = services.set_question_status(request.user, pk, request.POST.get("status"))
    messages.success(request, f"题目已{question.get_status_display()}" if question else "已保存")
    return redirect("training_question", pk)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk=None):
    """Write or edit a bank question. Editing one that has been answered saves a new version."""
    _require_bank(request.user)
    current = None
    if pk is not None:
        current = Question.objects.filter(pk=pk, replaced_by__isnull=True).select_related("point").first()
        if current is None:
            raise Http404
    errors = {}
    if request.method == "POST":
        data = request.POST
        try:
            question, _outcome = services.save_bank_question(
                request.user, **inputs.parse(QuestionForm, data, current=current)
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, f"题目 {question.code} 已保存")
            return redirect("training_question", question.pk)
    elif current is not None:
        data = {
            "code": current.code, "point": str(current.point_id), "type": current.type, "stem": current.stem,
            "options": "\n".join(current.options), "answer": _answer_text(current), "explanation": current.explanation,
            "clause": current.clause, "difficulty": str(current.difficulty), "status": current.status,
            "underground_only": current.underground_only,
        }  # fmt: skip
    else:
        data = {"type": QuestionType.SINGLE, "difficulty": "2", "status": QuestionStatus.ACTIVE}
    context = {
        "q": current,
        "data": data,
        "errors": errors,
        "points": KnowledgePoint.objects.all(),
        "types": QuestionType.choices,
        "statuses": QuestionStatus.choices,
        "jobs": JobType.objects.all(),
        "chosen_jobs": set(map(str, request.POST.getlist("job_types")))
        if request.method == "POST"
        else {str(j) for j in (current.job_types.values_list("pk", flat=True) if current else [])},
        "all_groups": JobGroup.objects.all(),
        "chosen_groups": set(request.POST.getlist("groups"))
        if request.method == "POST"
        else {str(g) for g in (current.groups.values_list("pk", flat=True) if current else [])},
    }
    return render(request, "training/question_form.html", context, status=422 if errors else 200)


def _answer_text(question):
    if question.type == QuestionType.TRUEFALSE:
        return "正确" if question.answer == ["T"] else "错误"
    if question.type == QuestionType.FILL:
        return "|".join(question.answer)
    return "".join(question.answer)


@login_required
@require_http_methods(["GET", "POST"])
def points(request, pk=None):
    """The knowledge-point tree: list, add, edit (name, parent, high risk, 工种)."""
    _require_bank(request.user)
    current = KnowledgePoint.objects.filter(pk=pk).first() if pk else None
    if pk and current is None:
        raise Http404
    errors, data = {}, {}
    if request.method == "POST":
        data = request.POST
        try:
            services.save_point(request.user, **inputs.parse(PointForm, request.POST, current=current))
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, "知识点已保存")
            return redirect("training_points")
    elif current:
        data = {
            "code": current.code,
            "name": current.name,
            "parent": str(current.parent_id or ""),
            "order": current.order,
            "high_risk": current.high_risk,
            "underground_only": current.underground_only,
            "every_underground": current.every_underground,
        }
    all_points = list(
        KnowledgePoint.objects.prefetch_related("job_types", "groups").annotate(
            n=Count("questions", filter=Q(questions__replaced_by__isnull=True, questions__status=QuestionStatus.ACTIVE))
        )
    )
    children = {}
    for p in all_points:
        children.setdefault(p.parent_id, []).append(p)
    tree = []

    def walk(parent_id, depth):
        for p in children.get(parent_id, []):
            p.indent = "\u3000" * depth
            tree.append(p)
            walk(p.pk, depth + 1)

    walk(None, 0)
    chosen = (
        set(request.POST.getlist("job_types"))
        if request.method == "POST"
        else {str(j.pk) for j in (current.job_types.all() if current else [])}
    )
    context = {
        "tree": tree,
        "current": current,
        "data": data,
        "errors": errors,
        "jobs": JobType.objects.all(),
        "chosen_jobs": chosen,
        "all_groups": JobGroup.objects.all(),
        "chosen_groups": set(request.POST.getlist("groups"))
        if request.method == "POST"
        else {str(g.pk) for g in (current.groups.all() if current else [])},
    }
    return render(request, "training/points.html", context, status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def groups(request, pk=None):
    """工种组: which 工种 a group holds and whether it works underground; the bank is targeted at the groups."""
    _require_bank(request.user)
    current = JobGroup.objects.filter(pk=pk).first() if pk else None
    if pk and current is None:
        raise Http404
    errors, data = {}, {}
    if request.method == "POST":
        data = request.POST
        try:
            services.save_group(request.user, **inputs.parse(GroupForm, request.POST, current=current))
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            return redirect("training_groups")
    elif current:
        data = {"code": current.code, "name": current.name, "order": current.order, "underground": current.underground}
    else:
        data = {"underground": True}
    all_groups = list(
        JobGroup.objects.prefetch_related("job_types").annotate(
            n_points=Count("knowledge_points", distinct=True),
            n_questions=Count(
                "questions",
                filter=Q(questions__replaced_by__isnull=True, questions__status=QuestionStatus.ACTIVE),
                distinct=True,
            ),
        )
    )
    grouped = {j.pk for g in all_groups for j in g.job_types.all()}
    jobs = list(JobType.objects.all())
    chosen = (
        set(request.POST.getlist("job_types"))
        if request.method == "POST"
        else {str(j.pk) for j in (current.job_types.all() if current else [])}
    )
    context = {
        "groups": all_groups,
        "current": current,
        "data": data,
        "errors": errors,
        "jobs": jobs,
        "ungrouped": [j for j in jobs if j.pk not in grouped],
        "chosen_jobs": chosen,
    }
    return render(request, "training/groups.html", context, status=422 if errors else 200)
