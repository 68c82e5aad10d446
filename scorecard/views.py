"""Pages of the scorecard (履职评价) and the 二十字 evaluation. Thin: parse input, call the services, render."""

from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from common import inputs
from common.errors import Conflict, Forbidden
from common.modules import RESPONSIBILITIES
from common.pagination import page_of
from common.parsing import parse_day
from common.responses import refused
from orgs import scope
from orgs.models import OrgKind, OrgNode
from scorecard import access, cockpit, evaluation, forms, indicators, reports, services
from scorecard.links import may_open
from scorecard.models import CRITERIA, ComponentKind, ManualScore, Rating, Round, RunBranch, RunFigure


def _axes():
    return [RESPONSIBILITIES[n][0] for n in range(1, 7)]


@login_required
def index(request):
    """The committee: its mines' schemes and the latest runs; a secretary: their branch's latest results."""
    user = request.user
    if not scope.can(user, "scorecard"):
        raise Http404
    schemes = services.visible_schemes(user)
    managed = services.visible_mines(user, "scorecard_manage")
    end = timezone.localdate().replace(day=1) - timedelta(days=1)
    own = services.own_rows(user)
    return render(
        request,
        "scorecard/index.html",
        {
            "schemes": schemes,
            "managed": managed,
            "own": own,
            "start": end.replace(day=1),
            "end": end,
        },
    )


@login_required
@require_POST
def scheme_new(request):
    user = request.user
    try:
        values = inputs.parse(forms.SchemeNewForm, request.POST)
        if values["mine"].pk not in access.mine_ids(user, "scorecard_manage"):
            raise Http404
        scheme = services.create_example_scheme(user, **values)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for m in msgs:
                messages.error(request, m)
        return redirect("scorecard_index")
    except Forbidden as exc:
        return refused(request, exc, "/scorecard/")
    return redirect("scorecard_scheme", scheme.pk)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_detail(request, pk):
    user = request.user
    scheme = services.get_scheme(user, pk)
    can_manage = access.manages(user, scheme.mine)
    errors = {}
    if request.method == "POST":
        if not can_manage:
            raise Http404
        try:
            form = forms.WeightsForm(request.POST, components=scheme.components.prefetch_related("indicators"))
            services.set_weights(user, scheme=scheme, **inputs.clean(form))
            messages.success(request, "权重与目标已保存")
            return redirect("scorecard_scheme", scheme.pk)
        except ValidationError as exc:
            errors = exc.message_dict
    components = list(scheme.components.prefetch_related("indicators"))
    typed = request.POST if errors else {}
    for c in components:
        c.form_weight = typed.get(f"cw_{c.pk}", c.weight)
        c.error = (errors.get(f"cw_{c.pk}") or [""])[0]
        for si in c.indicators.all():
            si.indicator = indicators.get(si.code)
            si.form_weight = typed.get(f"iw_{si.pk}", si.weight)
            si.form_target = typed.get(f"it_{si.pk}", "" if si.target is None else si.target)
            si.error = (errors.get(f"iw_{si.pk}") or errors.get(f"it_{si.pk}") or [""])[0]
    branches = access.branches_of(scheme.mine) if can_manage else []
    scores = {(m.component_id, m.branch_id): m for m in ManualScore.objects.filter(component__scheme=scheme)}
    entered = [
        (c, [(b, scores.get((c.pk, b.pk))) for b in branches])
        for c in components
        if c.kind in (ComponentKind.ENTERED, ComponentKind.VETO, ComponentKind.BONUS)
    ]
    return render(
        request,
        "scorecard/scheme.html",
        {
            "scheme": scheme,
            "components": components,
            "can_manage": can_manage,
            "entered": entered,
            "runs": scheme.runs.select_related("created_by")[:20],
            "errors": errors,
            "data": request.POST if errors else None,
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def score_enter(request, pk, component):
    user = request.user
    scheme = services.get_scheme(user, pk)
    comp = scheme.components.filter(pk=component).first()
    if comp is None:
        raise Http404
    form = forms.ScoreForm(request.POST)
    try:
        values = inputs.clean(form)
        services.enter_score(user, component=comp, **values)
        messages.success(request, f"{values['branch'].name}:{comp.name}已录入")
    except ValidationError as exc:
        branch = form.cleaned_data.get("branch") if hasattr(form, "cleaned_data") else None
        for msgs in exc.message_dict.values():
            for m in msgs:
                messages.error(request, f"{branch.name}:{m}" if branch else m)
    except (Forbidden, Conflict) as exc:
        return refused(request, exc, f"/scorecard/schemes/{scheme.pk}/")
    return redirect(f"/scorecard/schemes/{scheme.pk}/#entered")


@login_required
@require_POST
def scheme_run(request, pk):
    user = request.user
    scheme = services.get_scheme(user, pk)
    try:
        the_run = services.run(user, scheme=scheme)
    except (Forbidden, Conflict) as exc:
        return refused(request, exc, f"/scorecard/schemes/{scheme.pk}/")
    return redirect("scorecard_run", the_run.pk)


@login_required
def run_detail(request, pk):
    """The ranking of a run, the data-changed notice, and the six axes of the branches side by side."""
    user = request.user
    the_run = services.get_run(user, pk)
    rows = list(
        RunBranch.objects.visible_to(user).filter(run=the_run).select_related("branch").order_by("rank", "branch__path")
    )
    if not rows:
        raise Http404
    names = [c["name"] for c in the_run.weights]
    for r in rows:
        r.component_list = [r.components.get(n) for n in names]
        r.axes = [r.responsibilities.get(str(n)) for n in range(1, 7)]
    chart = {
        "axes": _axes(),
        "series": [{"name": r.branch.name, "values": [v if v is not None else 0 for v in r.axes]} for r in rows[:8]],
    }
    return render(
        request,
        "scorecard/run.html",
        {
            "run": the_run,
            "rows": rows,
            "names": names,
            "axes": _axes(),
            "chart": chart,
            "can_manage": access.manages(user, the_run.scheme.mine),
        },
    )


@login_required
def run_changed(request, pk):
    """Whether the data changed since the run (its fingerprint computed again): loaded by the ranking page after it
    shows, as it reads every record again (and the figures of the 5–6 modules branch by branch)."""
    user = request.user
    the_run = services.get_run(user, pk)
    context = {
        "run": the_run,
        "changed": services.changed_since(the_run),
        "can_manage": access.manages(user, the_run.scheme.mine),
    }
    return render(request, "scorecard/_changed.html" if request.htmx else "scorecard/changed.html", context)


@login_required
def run_branch(request, pk, branch):
    """One branch in a run: every figure with the records behind it, the radar and the trend."""
    user = request.user
    the_run = services.get_run(user, pk)
    row = services.branch_row(user, the_run, branch)
    figures = list(RunFigure.objects.visible_to(user).filter(run=the_run, branch_id=branch).order_by("code"))
    for f in figures:
        f.indicator = indicators.get(f.code)
        f.link = f.url if may_open(user, f.url) else ""
    figures.sort(key=lambda f: (f.indicator.responsibility if f.indicator else 9, f.code))
    trend = services.trend(user, row.branch)
    chart = {
        "axes": _axes(),
        "series": [{"name": row.branch.name, "values": [row.responsibilities.get(str(n)) or 0 for n in range(1, 7)]}],
        "trend": {"labels": [t.run.scheme.name for t in trend], "values": [t.total for t in trend]},
    }
    return render(
        request,
        "scorecard/branch.html",
        {
            "run": the_run,
            "row": row,
            "figures": figures,
            "chart": chart,
            "trend": trend,
            "responsibilities": RESPONSIBILITIES,
        },  # fmt: skip
    )


@login_required
def indicator_list(request):
    if not scope.can(request.user, "scorecard"):
        raise Http404
    return render(
        request,
        "scorecard/indicators.html",
        {"indicators": indicators.all_indicators(), "responsibilities": RESPONSIBILITIES},
    )


# ---------------------------------------------------------------- 二十字 evaluation


@login_required
def evaluation_index(request):
    user = request.user
    rounds = list(Round.objects.visible_to(user).select_related("branch")[:50])
    to_vote = list(evaluation.open_rounds_for(user))
    managed = services.managed_branches(user)
    return render(
        request,
        "scorecard/evaluation_index.html",
        {"rounds": rounds, "to_vote": to_vote, "managed": managed, "today": timezone.localdate()},
    )


@login_required
@require_POST
def evaluation_new(request):
    user = request.user
    try:
        r = evaluation.open_round(user, **inputs.parse(forms.RoundForm, request.POST))
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for m in msgs:
                messages.error(request, m)
        return redirect("evaluation_index")
    except (Forbidden, Conflict) as exc:
        return refused(request, exc, "/scorecard/evaluation/")
    return redirect("evaluation_round", r.pk)


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_round(request, pk):
    user = request.user
    r = evaluation.get_round(user, pk)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            # who may not vote (any more) hears why from the service (404, 409), as before
            can = evaluation.can_vote(user, r)
            ballot = inputs.parse(forms.BallotForm, request.POST) if can else {"ratings": request.POST}
            evaluation.vote(user, round_pk=r.pk, **ballot)
            messages.success(request, "已匿名提交,谢谢!")
            return redirect("evaluation_round", r.pk)
        except ValidationError as exc:
            errors, status = exc.message_dict, 422
        except Conflict as exc:
            return refused(request, exc, f"/scorecard/evaluation/{r.pk}/")
    reader = Round.objects.visible_to(user).filter(pk=r.pk).exists()
    eligible, voted = evaluation.counts(r)
    return render(
        request,
        "scorecard/evaluation_round.html",
        {
            "round": r,
            "can_vote": evaluation.can_vote(user, r),
            "has_voted": evaluation.has_voted(user, r),
            "reader": reader,
            "results": evaluation.results(user, r) if reader else None,
            "eligible": eligible,
            "voted": voted,
            "fields": [
                (key, label, str(request.POST.get(key, "")) if errors else "", errors.get(key, []))
                for key, label in CRITERIA + (("overall", "总体评价"),)
            ],
            "ratings": Rating.choices,
            "errors": errors,
            "data": request.POST if errors else {},
            "can_close": access.manages(user, r.branch) and r.status == "open",
        },
        status=status,
    )


@login_required
@require_POST
def evaluation_close(request, pk):
    try:
        evaluation.close_round(request.user, round_pk=pk)
    except (Forbidden, Conflict) as exc:
        return refused(request, exc, f"/scorecard/evaluation/{pk}/")
    return redirect("evaluation_round", pk)


@login_required
@require_POST
def report_start(request, pk, branch, fmt):
    """The 述职 draft of a branch in a run, as Word or PDF: made in the background; the page of the file shows the
    progress and offers it when done."""
    job = reports.start_shuzhi(request.user, run_pk=pk, branch_pk=branch, fmt=fmt)
    return redirect("generated_file", job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def monthly_report(request):
    """月度报告: a branch's month from the records, as Word or PDF, made in the background (a secretary their own
    branch, the committee its mine's)."""
    user = request.user
    if not scope.can(user, "scorecard"):
        raise Http404
    branches = list(reports.report_branches(user)[:300])
    if not branches:
        raise Http404
    last = timezone.localdate().replace(day=1) - timedelta(days=1)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            job = reports.start_monthly(user, **inputs.parse(forms.MonthlyForm, request.POST))
            return redirect("generated_file", job.pk)
        except ValidationError as exc:
            errors, status = exc.message_dict, 422
    data = request.POST if errors else {}
    return render(
        request,
        "scorecard/monthly.html",
        {
            "branches": branches,
            "month": data.get("month") or f"{last:%Y-%m}",
            "selected": str(data.get("branch") or branches[0].pk),
            "errors": errors,
        },
        status=status,
    )


@login_required
@require_POST
def compare_start(request, pk, fmt):
    """The committee's comparison report (对比报告) of a run, as Excel or PDF: made in the background; the page of the
    file shows the progress and offers it when done (the committee of the run's mine and the group; else 404)."""
    job = reports.start_compare(request.user, run_pk=pk, fmt=fmt)
    return redirect("generated_file", job.pk)


@login_required
def dashboard(request):
    """驾驶舱: a mine's user (secretary, committee) gets the mine's dashboard; the group every mine side by side by
    its mine-level figures, a tap to the mine's dashboard, from there to a branch and to the records."""
    user = request.user
    if not scope.can(user, "scorecard"):
        raise Http404
    mines = cockpit.dashboard_mines(user)
    if len(mines) == 1:
        return _mine_dashboard(request, mines[0], several=False)
    boards = cockpit.group_board(user, mines)
    drawn = [b for b in boards if b.run is not None and any(v is not None for v in b.axes)]
    chart = cockpit.chart(
        [b.mine.name for b in drawn], [reverse("scorecard_mine_dashboard", args=[b.mine.pk]) for b in drawn],
        [b.axes for b in drawn],
    )  # fmt: skip
    return render(
        request,
        "scorecard/dashboard.html",
        {
            "boards": boards,
            "axes": cockpit.axes(),
            "chart": chart if drawn else None,
            "chart_height": _chart_height(len(drawn)),
            "scored": sum(1 for b in boards if b.run is not None),
        },
    )


@login_required
def mine_dashboard(request, mine):
    """The dashboard of one mine (the group opens any mine's; a mine's user their own)."""
    user = request.user
    if not scope.can(user, "scorecard"):
        raise Http404
    mines = cockpit.dashboard_mines(user)
    the_mine = next((m for m in mines if m.pk == mine), None)
    if the_mine is None:
        raise Http404
    return _mine_dashboard(request, the_mine, several=len(mines) > 1)


def _chart_height(n):
    return 90 + 56 * max(n, 1)


def _mine_dashboard(request, mine, *, several):
    user = request.user
    board = cockpit.mine_board(user, mine)
    drawn = [r for r in board.rows if any(v is not None for v in r.axes)]
    chart = None
    if board.run is not None and drawn:
        chart = cockpit.chart(
            [r.branch.name for r in drawn],
            [reverse("scorecard_run_branch", args=[board.run.pk, r.branch_id]) for r in drawn],
            [r.axes for r in drawn],
        )
    return render(
        request,
        "scorecard/mine_dashboard.html",
        {
            "board": board,
            "run": board.run,
            "axes": cockpit.axes(),
            "chart": chart,
            "chart_height": _chart_height(len(drawn)),
            "several": several,
            "can_manage": access.manages(user, mine),
        },
    )


# ---------------------------------------------------------------- the records behind a training figure

# indicator code -> (rows of the context by branch, what the page shows)
RECORDS = {"T_MASTERY": "mastery_rows", "T_FIRST_PASS": "first_pass_rows"}


@login_required
def indicator_records(request, code):
    """The records behind a figure of 知识点掌握提升率 or 月考一次合格率 of one branch and period, as the figure counted
    them (the same rows the indicator read), for a user who may follow that branch's training."""
    from orgs.models import Person
    from scorecard import library
    from training import services as training_services
    from training.models import ExamBlueprint, KnowledgePoint

    user = request.user
    ind = indicators.get(code)
    if ind is None or code not in RECORDS:
        raise Http404
    start, end = parse_day(request.GET.get("from")) or None, parse_day(request.GET.get("to")) or None
    if start is None or end is None or end < start:
        end = timezone.localdate()
        start = end.replace(day=1)
    if not str(request.GET.get("branch") or "").strip():
        return _records_picker(request, ind, start, end)
    branch = training_services.get_branch(user, reports._int(request.GET.get("branch")))
    ctx = indicators.Context(branches=[branch], start=start, end=end, as_of=end)
    rows = getattr(library, RECORDS[code])(ctx).get(branch.pk, [])
    counted, total = sum(1 for r in rows if r[-1]), len(rows)
    only = request.GET.get("only")
    if only in ("yes", "no"):
        rows = [r for r in rows if bool(r[-1]) == (only == "yes")]
    rows.sort(key=lambda r: (not r[-1], r[1], r[2]))
    page = page_of(request, rows, per_page=50)
    shown = list(page.object_list)
    visible = Person.objects.visible_to(user, "training_results")
    people = {p.pk: p for p in visible.filter(pk__in={r[1] for r in shown}).select_related("org")}
    if code == "T_MASTERY":
        names = dict(KnowledgePoint.objects.filter(pk__in={r[2] for r in shown}).values_list("pk", "name"))
    else:
        names = dict(ExamBlueprint.objects.filter(pk__in={r[2] for r in shown}).values_list("pk", "title"))

    def day(r):
        if code != "T_MASTERY":
            return r[3]  # the exam's month
        return None if r[3] is None else timezone.localdate(datetime.fromtimestamp(r[3], tz=UTC))

    items = [
        {"person": people.get(r[1]), "what": names.get(r[2], ""), "day": day(r), "figure": r[4], "counted": r[-1]}
        for r in shown
    ]
    return render(
        request,
        "scorecard/records.html",
        {
            "ind": ind,
            "branch": branch,
            "start": start,
            "end": end,
            "page": page,
            "items": items,
            "counted": counted,
            "total": total,
            "value": indicators.percent(counted, total),
            "only": only,
            "mastery": code == "T_MASTERY",
        },
    )


def _records_picker(request, ind, start, end):
    """No branch asked for: the branches whose training the user may follow, each a tap to its records (a user who
    follows none is not let in)."""
    from training import services as training_services

    if not scope.can(request.user, "training_results"):
        raise Http404
    branches = training_services.branches_of(request.user)
    mines = dict(OrgNode.objects.filter(kind=OrgKind.MINE).values_list("path", "name")) if len(branches) > 1 else {}
    for b in branches:
        b.mine_name = next((name for path, name in mines.items() if b.path.startswith(path)), "")
    page = page_of(request, branches, per_page=100)
    return render(
        request,
        "scorecard/records_pick.html",
        {"ind": ind, "start": start, "end": end, "page": page, "branches": page.object_list},
    )
