"""Pages of the 六个反问 self-inspection. Thin: parse input (``selfcheck.forms``), call ``selfcheck.services``, render.

Bad input re-renders the page with what was typed and the messages (422); a refused action answers with the reason
(403 / 409)."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from common import inputs
from common.errors import Conflict, Forbidden
from common.responses import refused
from orgs import scope
from orgs.models import OrgNode
from scorecard import access
from scorecard.links import may_open
from selfcheck import forms, services
from selfcheck.models import QUESTIONS, Inspection, Measure, PeriodKind, SelfRating


@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    user = request.user
    if not scope.can(user, "selfcheck"):
        raise Http404
    managed = [m for m in OrgNode.objects.filter(pk__in=access.mine_ids(user, "scorecard_manage")).order_by("path")]
    errors, data = {}, {}
    if request.method == "POST":
        if not managed:
            raise Http404
        try:
            period = services.create_period(user, **inputs.parse(forms.PeriodForm, request.POST))
            messages.success(request, f"已设定自查周期:{period.name}")
            return redirect("selfcheck_index")
        except ValidationError as exc:
            errors, data = exc.message_dict, request.POST
    periods = list(services.visible_periods(user)[:24])
    inspections = {
        (i.period_id, i.branch_id): i
        for i in Inspection.objects.visible_to(user)
        .filter(period__in=periods)
        .only("pk", "period_id", "branch_id", "status")
    }
    rows = []
    branch_cache = {}
    for p in periods:
        if p.mine_id not in branch_cache:
            branch_cache[p.mine_id] = [b for b in access.branches_of(p.mine) if scope.can(user, "selfcheck", b)]
        rows.append((p, [(b, inspections.get((p.pk, b.pk))) for b in branch_cache[p.mine_id]]))
    today = timezone.localdate()
    return render(
        request,
        "selfcheck/index.html",
        {"rows": rows, "managed": managed, "kinds": PeriodKind.choices, "errors": errors, "data": data, "today": today},
        status=422 if errors else 200,
    )


def _page(request, period, branch, found, errors=None, status=200):
    user = request.user
    ev = (
        services.evidence(branch, period)
        if found is None or found.status in ("draft", "returned")
        else {int(q): items for q, items in found.evidence.items()}
    )
    ev = {
        q: [(label, value, url if may_open(user, url) else "") for label, value, url in items]
        for q, items in ev.items()
    }
    answers = {a.question: a for a in found.answers.all()} if found else {}
    if errors and any(k.startswith("narrative_") for k in request.POST):  # the answers as typed, not as saved
        answers = {
            q: SimpleNamespace(
                rating=request.POST.get(f"rating_{q}", ""), narrative=request.POST.get(f"narrative_{q}", "")
            )
            for q in QUESTIONS
        }
    measures = list(found.measures.all()) if found else []
    met, missed = services.previous_measures(branch, period)
    questions = [
        (q, text, anti, warn, ev.get(q, []), answers.get(q), [m for m in measures if m.question == q])
        for q, (text, anti, warn) in QUESTIONS.items()
    ]
    editable = found is not None and found.status in ("draft", "returned") and services.writer_of(user, branch)
    return render(
        request,
        "selfcheck/inspection.html",
        {
            "period": period,
            "branch": branch,
            "inspection": found,
            "questions": questions,
            "editable": editable,
            "ratings": SelfRating.choices,
            "met": met,
            "missed": missed,
            "errors": errors or {},
            "data": request.POST if errors else None,
            "actions": services.allowed_actions(user, found) if found else [],
            "timeline": services.timeline(found) if found else [],
            "today": timezone.localdate(),
        },  # fmt: skip
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_page(request, period, branch):
    user = request.user
    the_period = services.get_period(user, period)
    the_branch, found = services.inspection(user, the_period, branch, create=True)
    if request.method == "POST":
        if found is None:
            raise Http404
        try:
            services.save_answers(user, inspection_pk=found.pk, **inputs.parse(forms.AnswersForm, request.POST))
            messages.success(request, "已保存")
            return redirect("selfcheck_inspection", the_period.pk, the_branch.pk)
        except ValidationError as exc:
            return _page(request, the_period, the_branch, found, exc.message_dict, 422)
        except (Forbidden, Conflict) as exc:
            return refused(request, exc, request.path)
    return _page(request, the_period, the_branch, found)


@login_required
@require_POST
def measure_add(request, pk):
    user = request.user
    found = services.get_inspection(user, pk)
    try:
        services.add_measure(user, inspection_pk=found.pk, **inputs.parse(forms.MeasureForm, request.POST))
        messages.success(request, "已加入整改措施")
    except ValidationError as exc:
        return _page(request, found.period, found.branch, found, exc.message_dict, 422)
    except (Forbidden, Conflict) as exc:
        return refused(request, exc, f"/selfcheck/{found.period_id}/{found.branch_id}/")
    return redirect("selfcheck_inspection", found.period_id, found.branch_id)


@login_required
@require_POST
def inspection_act(request, pk, action):
    user = request.user
    found = services.get_inspection(user, pk)
    back = f"/selfcheck/{found.period_id}/{found.branch_id}/"
    try:
        services.act(user, inspection_pk=found.pk, action=action, **inputs.parse(forms.ActForm, request.POST))
    except ValidationError as exc:
        return _page(request, found.period, found.branch, found, exc.message_dict, 422)
    except (Forbidden, Conflict) as exc:
        return refused(request, exc, back)
    return redirect(back)


@login_required
def measure_list(request):
    return _measures(request)


def _measures(request, failed=None, errors=None):
    """The measures; ``failed``: the measure whose 登记完成 was refused, shown with what was typed and ``errors``."""
    user = request.user
    if not scope.can(user, "selfcheck"):
        raise Http404
    qs = Measure.objects.visible_to(user).select_related("inspection__branch", "inspection__period")
    branch = request.GET.get("branch")
    if branch and branch.isdigit():
        qs = qs.filter(inspection__branch_id=int(branch))
    rows = list(qs.order_by("-due", "pk")[:200])
    today = timezone.localdate()
    for m in rows:
        m.state = m.met_on(today)
        m.can_complete = m.done_on is None and services.writer_of(user, m.inspection.branch)
    context = {"rows": rows, "today": today, "failed": failed, "errors": errors or {}, "data": request.POST}
    return render(request, "selfcheck/measures.html", context, status=422 if errors else 200)


@login_required
@require_POST
def measure_done(request, pk):
    try:
        m = services.complete_measure(request.user, measure_pk=pk, **inputs.parse(forms.DoneForm, request.POST))
    except ValidationError as exc:
        return _measures(request, failed=pk, errors=exc.message_dict)
    except (Forbidden, Conflict) as exc:
        return refused(request, exc, "/selfcheck/measures/")
    messages.success(request, f"已登记完成:{m.goal}")
    return redirect(f"/selfcheck/measures/?branch={m.inspection.branch_id}")
