"""Pages of 每月一考: blueprints and results for the committee and secretaries, the paper for the worker."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from common import inputs
from common.errors import Conflict
from common.excel import Column, Sheet, workbook_bytes, xlsx_response
from orgs.models import JobType
from training import exams
from training.forms import BlueprintForm
from training.models import ExamPaper, KnowledgePoint, PaperKind, QuestionType

RULE_ROWS = 8


@login_required
def exam_list(request):
    user = request.user
    context = {
        "papers": list(exams.papers_of(user)[:24]),
        "blueprints": exams.managed_blueprints(user).select_related("org")[:50],
        "can_write": bool(exams.exam_orgs(user)),
        "now": timezone.now(),
    }
    for paper in context["papers"]:
        exams.finish_if_expired(paper)
    return render(request, "training/exams.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def blueprint_new(request):
    user = request.user
    orgs = exams.exam_orgs(user)
    if not orgs:
        raise Http404
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        form = BlueprintForm(BlueprintForm.data_of(request.POST, RULE_ROWS), user=user)
        try:
            blueprint = exams.create_blueprint(user, **inputs.clean(form))
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, "考试已建好,请生成试卷")
            return redirect("training_blueprint", blueprint.pk)
    context = {
        "orgs": orgs,
        "data": data,
        "errors": errors,
        "points": KnowledgePoint.objects.all(),
        "jobs": JobType.objects.all(),
        "types": QuestionType.choices,
        "rule_rows": [
            (n, {k: data.get(f"rule-{n}-{k}", "") for k in ("point", "type", "difficulty", "job_type", "count")})
            for n in range(RULE_ROWS)
        ],
        "today": timezone.localdate(),
        "chosen_jobs": data.getlist("job_types") if hasattr(data, "getlist") else [],
    }
    return render(request, "training/blueprint_form.html", context, status=422 if errors else 200)


@login_required
def blueprint_detail(request, pk):
    blueprint = exams.get_blueprint(request.user, pk)
    context = {
        "b": blueprint,
        "units": exams.results_by_unit(request.user, blueprint) if blueprint.generated_at else [],
        "papers": ExamPaper.objects.filter(blueprint=blueprint).count(),
        "failed": ExamPaper.objects.filter(blueprint=blueprint, kind=PaperKind.EXAM, passed=False).count(),
        "makeups": ExamPaper.objects.filter(blueprint=blueprint, kind=PaperKind.MAKEUP).count(),
    }
    return render(request, "training/blueprint.html", context)


@login_required
@require_POST
def blueprint_generate(request, pk):
    blueprint = exams.get_blueprint(request.user, pk)
    try:
        count = exams.generate(request.user, blueprint)
        messages.success(request, f"已生成 {count} 份试卷")
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("training_blueprint", pk)


@login_required
@require_POST
def blueprint_makeup(request, pk):
    blueprint = exams.get_blueprint(request.user, pk)
    exams.close_expired()
    count = exams.make_up(request.user, blueprint)
    messages.success(request, f"已为 {count} 名未及格职工生成补考试卷")
    return redirect("training_blueprint", pk)


@login_required
def blueprint_results_xlsx(request, pk):
    blueprint = exams.get_blueprint(request.user, pk)
    papers = (
        ExamPaper.objects.visible_to(request.user)
        .filter(blueprint=blueprint)
        .select_related("person", "person__org")
        .order_by("person__org__path", "person__emp_no", "kind")
    )
    columns = [
        Column("emp_no", "工号"),
        Column("name", "姓名"),
        Column("org", "班组", width=16),
        Column("kind", "类型", width=8),
        Column("status", "状态", width=10),
        Column("score", "分数", width=8),
        Column("passed", "及格", width=8),
    ]
    rows = []
    for p in papers:
        status = (
            "已交卷"
            if p.submitted_at and p.started_at
            else ("缺考" if p.submitted_at else ("答题中" if p.started_at else "未考"))
        )
        rows.append(
            [
                p.person.emp_no,
                p.person.name,
                p.person.org.name,
                p.get_kind_display(),
                status,
                p.score if p.started_at else None,
                "是" if p.passed else ("否" if p.passed is False else ""),
            ]
        )
    content = workbook_bytes(
        [Sheet("成绩", columns, rows, notes=[f"{blueprint.title} 成绩 导出于 {timezone.localtime():%Y-%m-%d %H:%M}"])]
    )
    return xlsx_response(f"{blueprint.title}-成绩.xlsx", content)


@login_required
def paper(request, pk):
    paper = exams.own_paper(request.user, pk)
    now = timezone.now()
    context = {"paper": paper, "b": paper.blueprint, "now": now}
    if paper.started_at:
        context["items"] = exams.shown_items(paper)
        context["remaining"] = max(0, int((paper.deadline - now).total_seconds())) if not paper.submitted_at else 0
    return render(request, "training/paper.html", context)


@login_required
@require_POST
def paper_start(request, pk):
    try:
        exams.start(request.user, pk)
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("training_paper", pk)


@login_required
@require_POST
def paper_save(request, pk):
    """Autosave of one answer (HTMX): answers 200 "已保存", 409 when the paper is closed."""
    index = request.POST.get("index")
    values = request.POST.getlist(f"a{index}")
    given = (
        values
        if len(values) > 1 or request.POST.get("type") == QuestionType.MULTIPLE
        else (values[0] if values else "")
    )
    try:
        exams.save_answer(request.user, pk, index, given)
    except Conflict as exc:
        return HttpResponse(exc.message, status=409)
    except ValidationError as exc:
        return HttpResponse(next(iter(exc.message_dict.values()))[0], status=422)
    return HttpResponse(f"已保存 {timezone.localtime():%H:%M:%S}")


@login_required
@require_POST
def paper_submit(request, pk):
    """Hand in: saves what the form carries (as the autosave would), then grades."""
    paper = exams.own_paper(request.user, pk)
    if paper.started_at and not paper.submitted_at:
        for n, _item in enumerate(paper.items):
            values = request.POST.getlist(f"a{n}")
            if values and any(v.strip() for v in values):
                try:
                    exams.save_answer(request.user, pk, n, values if len(values) > 1 else values[0])
                except (Conflict, ValidationError):
                    break
    try:
        exams.submit_own(request.user, pk)
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("training_paper", pk)
