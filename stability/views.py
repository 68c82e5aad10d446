"""Pages of 矿区和谐维稳. Thin: parse with ``stability.forms``, call ``stability.services``, render."""

from datetime import date as date_cls

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from common import inputs
from common.errors import Conflict, Forbidden
from common.pagination import page_of
from common.parsing import as_id
from common.responses import form_status, refused, submit_once
from orgs import scope
from stability import access, clock, forms, menu, services
from stability.models import (
    Channel,
    EmergencyPlan,
    Factor,
    FactorStatus,
    FactorTrend,
    Level,
    PetitionClass,
    PlanKind,
    Satisfaction,
    ScreenResult,
    Severity,
    Shift,
    TriggerReason,
)


def _ip(request):
    from common.client import client_ip

    return client_ip(request)


def _year(request):
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        year = timezone.localdate().year
    return year


def _render(request, template, context, status=200):
    user = request.user
    context = {
        "nav_contents": menu.sees_contents(user),
        "nav_plans": menu.sees_plans(user),
        "nav_health": menu.sees_health(user),
        **context,
    }
    return render(request, template, context, status=status)


def _need(ok):
    if not ok:
        raise Http404


def _done(request, message, back):
    messages.success(request, message)
    return redirect(back)


def _post(request, form_class, call, page, name, back, message="已保存"):
    """A form on a detail page: parse, call the service, back to the page; bad input re-renders the page with what
    was typed next to the messages; a refused step answers with its reason (403 / 409)."""
    try:
        call(**inputs.parse(form_class, request.POST))
    except ValidationError as exc:
        return page(fd={name: {"data": request.POST, "errors": exc.message_dict}}, status=422)
    except (Forbidden, Conflict) as exc:
        return refused(request, exc, back)
    return _done(request, message, back)


# ---------------------------------------------------------------- home


@login_required
def home(request):
    user = request.user
    if not menu.sees_contents(user):
        if menu.sees_health(user) and services.teams_for(user):
            return redirect("stability_health")  # a 班组长's shift start
        if menu.sees_plans(user):
            return redirect("stability_plans")
        raise Http404
    majors = [
        f
        for f in services.factors_for(user).exclude(status=FactorStatus.RESOLVED).select_related("org")[:50]
        if f.major
    ]
    urgent = [row for row in services.open_petitions(user) if row[1] in ("near", "overdue")]
    urgent.sort(key=lambda row: row[2][1] if row[2] else date_cls.max)
    year = timezone.localdate().year
    mine = services.mine_of(user)
    context = {
        "majors": majors,
        "urgent": urgent[:30],
        "counts": services.petition_counts(user),
        "local": services.local_table(user, year),
        "year": year,
        "plans": services.plans_waiting(user),
        "follow_ups": dict((f.pk, due) for f, due in services.follow_ups_waiting(user)),
        "can_manage": access.can(user, "stability_manage"),
        "can_settings": services.can_edit_settings(user, mine),
        "health": menu.sees_health(user),
        "today": timezone.localdate(),
    }
    return _render(request, "stability/home.html", context)


# ---------------------------------------------------------------- unstable factors


@login_required
def factor_list(request):
    user = request.user
    _need(menu.sees_contents(user))
    qs = services.factors_for(user).select_related("org", "leader")
    status = request.GET.get("status", "")
    if status in FactorStatus.values:
        qs = qs.filter(status=status)
    severity = request.GET.get("severity", "")
    if severity in Severity.values:
        qs = qs.filter(severity=severity)
    page = page_of(request, qs)
    context = {
        "page": page,
        "status": status,
        "severity": severity,
        "statuses": FactorStatus.choices,
        "severities": Severity.choices,
        "can_manage": access.can(user, "stability_manage"),
    }
    return _render(request, "stability/factors.html", context)


def _plan_choices(user):
    mine = services.mine_of(user)
    return list(EmergencyPlan.objects.filter(mine=mine, active=True).values_list("pk", "title")) if mine else []


@login_required
def factor_new(request):
    user = request.user
    _need(access.can(user, "stability_manage"))
    plans = _plan_choices(user)
    branches = list(services.branches_for(user))

    def create():
        return services.create_factor(user, **inputs.parse(forms.FactorForm, request.POST))

    initial = {"found_on": timezone.localdate().isoformat(), "people_count": 1, "severity": Severity.GENERAL}
    if len(branches) == 1:
        initial["org"] = branches[0].pk
    factor, data, errors = submit_once(request, create, initial)
    if factor is not None:
        return _done(request, "已登记不稳定因素", factor.get_absolute_url())
    context = {
        "data": data,
        "errors": errors,
        "general_errors": errors.get("__all__", []),
        "branches": [(b.pk, b.name) for b in branches],
        "plans": plans,
        "selected_plans": data.getlist("plans") if hasattr(data, "getlist") else [],
        "severities": Severity.choices,
    }
    return _render(request, "stability/factor_new.html", context, status=form_status(errors))


def _factor_page(request, pk, fd=None, status=200):
    user = request.user
    factor = services.get_factor(user, pk, via="page", ip=_ip(request))
    cfg = services.settings_for(factor.mine)
    context = {
        "f": factor,
        "major": services.is_major(factor, cfg),
        "people": list(factor.people.all()),
        "plans": list(factor.plans.all()),
        "measures": list(factor.measures.select_related("owner")),
        "assessments": list(factor.assessments.select_related("by__person")),
        "follow_ups": list(factor.follow_ups.select_related("by__person")),
        "events": list(services.events_of("factor", factor.pk)),
        "actions": services.factor_actions(user, factor),
        "can_manage": access.can(user, "stability_manage", factor.org),
        "is_secretary": services.is_secretary_of(user, factor.org),
        "trends": FactorTrend.choices,
        "today": timezone.localdate().isoformat(),
        "fd": fd or {},
        "cfg": cfg,
    }
    if context["major"] and factor.status != FactorStatus.RESOLVED:
        last = max((x.date for x in context["follow_ups"]), default=None)
        context["follow_due"] = services.follow_up_due(factor, cfg, last)
    return _render(request, "stability/factor.html", context, status=status)


@login_required
def factor_detail(request, pk):
    return _factor_page(request, pk)


@login_required
@require_POST
def factor_measure(request, pk):
    return _post(
        request,
        forms.MeasureForm,
        lambda **kw: services.add_measure(request.user, pk, **kw),
        lambda **kw: _factor_page(request, pk, **kw),
        "measure",
        f"/stability/factors/{pk}/",
        "已添加稳控措施",
    )


@login_required
@require_POST
def factor_assessment(request, pk):
    return _post(
        request,
        forms.AssessmentForm,
        lambda **kw: services.add_assessment(request.user, pk, **kw),
        lambda **kw: _factor_page(request, pk, **kw),
        "assessment",
        f"/stability/factors/{pk}/",
        "已记录研判",
    )


@login_required
@require_POST
def factor_follow_up(request, pk):
    return _post(
        request,
        forms.FollowUpForm,
        lambda **kw: services.add_follow_up(request.user, pk, **kw),
        lambda **kw: _factor_page(request, pk, **kw),
        "follow_up",
        f"/stability/factors/{pk}/",
        "已记录书记跟踪",
    )


@login_required
@require_POST
def measure_done(request, pk):
    try:
        measure = services.complete_measure(request.user, pk)
    except (Forbidden, Conflict) as exc:
        return refused(request, exc, "/stability/factors/")
    return _done(request, "措施已落实", f"/stability/factors/{measure.factor_id}/")


@login_required
@require_POST
def factor_act(request, pk, action):
    if action not in services.FACTOR_ACTIONS:
        raise Http404
    version = as_id(request.POST.get("version"))
    return _post(
        request,
        forms.NoteForm,
        lambda **kw: services.act_on_factor(request.user, pk, action=action, version=version, **kw),
        lambda **kw: _factor_page(request, pk, **kw),
        f"act_{action}",
        f"/stability/factors/{pk}/",
        "状态已更新",
    )


# ---------------------------------------------------------------- petitions


def _ledger_filters(request):
    colour = request.GET.get("colour", "")
    klass = request.GET.get("klass", "")
    return {
        "year": _year(request),
        "colour": colour if colour in clock.COLOUR_LABELS else "",
        "klass": klass if klass in PetitionClass.values else "",
    }


@login_required
def petition_list(request):
    user = request.user
    _need(menu.sees_contents(user))
    filters = _ledger_filters(request)
    # one page read and clocked (a group's ledger is tens of thousands of rows; the count is the database's)
    page = page_of(request, services.ledger_rows(user, **filters))
    page.object_list = services.clocked(user, page.object_list)
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    context = {
        **filters,
        "page": page,
        "query": query,
        "colours": list(clock.COLOUR_LABELS.items()),
        "classes": PetitionClass.choices,
        "can_manage": access.can(user, "stability_manage"),
    }
    return _render(request, "stability/petitions.html", context)


@login_required
@require_POST
def petition_export(request):
    """信访台账 (``stability.exports``): made in the background with the list's filters; the file's page follows.
    Dates, status and colour, never the contents (open a record to read it; logged)."""
    from common import export

    _need(menu.sees_contents(request.user))
    return export.start_ledger(request, "petition_ledger", params=_ledger_filters(request))


@login_required
def petition_new(request):
    user = request.user
    _need(access.can(user, "stability_manage"))
    branches = list(services.branches_for(user))

    def create():
        return services.create_petition(user, **inputs.parse(forms.PetitionForm, request.POST))

    initial = {"received_on": timezone.localdate().isoformat(), "people_count": 1}
    if len(branches) == 1:
        initial["org"] = branches[0].pk
    petition, data, errors = submit_once(request, create, initial)
    if petition is not None:
        return _done(request, "已登记信访事项", petition.get_absolute_url())
    context = {
        "data": data,
        "errors": errors,
        "general_errors": errors.get("__all__", []),
        "branches": [(b.pk, b.name) for b in branches],
        "channels": Channel.choices,
        "classes": PetitionClass.choices,
    }
    return _render(request, "stability/petition_new.html", context, status=form_status(errors))


ACTION_FORMS = {
    "dated": forms.DatedForm,
    "dated_note": forms.DatedForm,
    "extend": forms.ExtendForm,
    "answer": forms.AnswerForm,
}


def _petition_page(request, pk, fd=None, status=200):
    user = request.user
    petition = services.get_petition(user, pk, via="page", ip=_ip(request))
    n = services.numbers_for(petition.mine)
    today = timezone.localdate()
    context = {
        "p": petition,
        "colour": clock.colour(petition, today, n),
        "due": clock.deadline(petition, n),
        "accept_due": clock.accept_due(petition.received_on, n),
        "handle_due": clock.handle_due(petition.accepted_on, petition.extended_days + petition.paused_days, n)
        if petition.accepted_on
        else None,
        "review_until": clock.review_request_until(petition.answered_on, n)
        if petition.answered_on and petition.status == "answered"
        else None,
        "recheck_until": clock.review_request_until(petition.review_answered_on, n)
        if petition.review_answered_on and petition.status == "reviewed"
        else None,
        "late": clock.was_late(petition, n),
        "n": n,
        "petitioners": list(petition.petitioners.all()),
        "accused": list(petition.accused.all()),
        "events": list(services.events_of("petition", petition.pk)),
        "actions": services.petition_actions(user, petition),
        "levels": Level.choices,
        "satisfactions": Satisfaction.choices,
        "today": today.isoformat(),
        "fd": fd or {},
    }
    return _render(request, "stability/petition.html", context, status=status)


@login_required
def petition_detail(request, pk):
    return _petition_page(request, pk)


@login_required
@require_POST
def petition_act(request, pk, action):
    if action not in services.PETITION_ACTIONS:
        raise Http404
    form_name = services.PETITION_FORMS[action]
    version = as_id(request.POST.get("version"))
    return _post(
        request,
        ACTION_FORMS[form_name],
        lambda **kw: services.act_on_petition(
            request.user, pk, action=action, version=version, **_petition_kwargs(action, kw)
        ),
        lambda **kw: _petition_page(request, pk, **kw),
        f"act_{action}",
        f"/stability/petitions/{pk}/",
        "已记录",
    )


def _petition_kwargs(action, data):
    if action == "extend":
        return {"date": timezone.localdate(), **data}
    return data


@login_required
def local_figures(request):
    user = request.user
    _need(menu.sees_contents(user))
    year = _year(request)
    return _render(
        request,
        "stability/local.html",
        {"year": year, "local": services.local_table(user, year), "months": range(1, 13)},
    )


# ---------------------------------------------------------------- emergency plans


@login_required
def plan_list(request):
    user = request.user
    _need(menu.sees_plans(user))
    plans = list(EmergencyPlan.objects.visible_to(user).select_related("org", "owner"))
    cfgs = services._settings_by_mine(p.mine_id for p in plans)
    dues = services.plan_dues(plans, cfgs)
    today = timezone.localdate()
    rows = [(p, *dues[p.pk]) for p in plans]
    mine = services.mine_of(user)
    mine_due = services.mine_drill_due(mine) if mine else (None, None)
    context = {
        "rows": rows,
        "today": today,
        "mine_due": mine_due,
        "can_manage": scope.can(user, "stability_plans"),
        "can_settings": services.can_edit_settings(user, mine),
        "can_audit": scope.can(user, "audit"),
    }
    return _render(request, "stability/plans.html", context)


@login_required
def plan_new(request):
    user = request.user
    _need(scope.can(user, "stability_plans"))
    orgs = [(o.pk, o.name) for o in services.plan_orgs(user)]
    data, errors, status = {"issued_on": timezone.localdate().isoformat(), "version": "1.0"}, {}, 200
    if request.method == "POST":
        data = request.POST
        try:
            plan = services.create_plan(user, **inputs.parse(forms.PlanForm, request.POST))
            return _done(request, "已登记应急预案", plan.get_absolute_url())
        except ValidationError as exc:
            errors, status = exc.message_dict, 422
    context = {"data": data, "errors": errors, "orgs": orgs, "kinds": PlanKind.choices}
    return _render(request, "stability/plan_new.html", context, status=status)


def _plan_page(request, pk, fd=None, status=200):
    user = request.user
    plan = services.get_plan(user, pk)
    cfgs = services._settings_by_mine([plan.mine_id])
    drill_due, assess_due, open_triggers, last = services.plan_dues([plan], cfgs)[plan.pk]
    context = {
        "plan": plan,
        "drill_due": drill_due,
        "assess_due": assess_due,
        "drills": list(plan.drills.select_related("by__person")),
        "triggers": list(plan.triggers.all()),
        "versions": list(plan.versions.all()),
        "factors": list(Factor.objects.visible_to(user).filter(plans=plan)),
        "can_manage": scope.can(user, "stability_plans", plan.org),
        "reasons": TriggerReason.choices,
        "today": timezone.localdate().isoformat(),
        "fd": fd or {},
    }
    return _render(request, "stability/plan.html", context, status=status)


@login_required
def plan_detail(request, pk):
    return _plan_page(request, pk)


def _plan_post(request, pk, form_class, fn, name, message):
    return _post(
        request,
        form_class,
        lambda **kw: fn(request.user, pk, **kw),
        lambda **kw: _plan_page(request, pk, **kw),
        name,
        f"/stability/plans/{pk}/",
        message,
    )


@login_required
@require_POST
def plan_drill(request, pk):
    return _plan_post(request, pk, forms.DrillForm, services.record_drill, "drill", "已记录演练")


@login_required
@require_POST
def plan_trigger(request, pk):
    return _plan_post(request, pk, forms.TriggerForm, services.add_trigger, "trigger", "已记录修订事由")


@login_required
@require_POST
def plan_revise(request, pk):
    return _plan_post(request, pk, forms.ReviseForm, services.revise_plan, "revise", "已发布新版本")


@login_required
@require_POST
def plan_assess(request, pk):
    return _plan_post(request, pk, forms.AssessForm, services.assess_plan, "assess", "已记录评估")


# ---------------------------------------------------------------- health monitoring


@login_required
def health(request):
    """The 班组长's sheet: the whole team on one screen at shift start, 36.5 filled in, fevers flagged."""
    user = request.user
    teams = services.teams_for(user)
    _need(bool(teams))
    team = next((t for t in teams if str(t.pk) == request.GET.get("team", request.POST.get("team"))), teams[0])
    source = request.POST if request.method == "POST" else request.GET
    head = {
        "date": source.get("date") or timezone.localdate().isoformat(),
        "shift": source.get("shift") or Shift.MORNING,
    }
    errors, status = {}, 200
    typed = {int(k[1:]): v for k, v in request.POST.items() if k[:1] == "t" and k[1:].isdigit() and len(k) < 20}
    try:
        parsed = inputs.parse(forms.SheetForm, head)
    except ValidationError as exc:
        parsed, errors, status = None, exc.message_dict, 422
    if request.method == "POST" and parsed:
        try:
            lines = inputs.parse(forms.SheetValuesForm, request.POST)
            saved, flagged = services.save_sheet(user, team.pk, **lines, **parsed)
        except ValidationError as exc:
            errors, status = exc.message_dict, 422
        else:
            msg = f"已保存 {saved} 人体温" + (f",{flagged} 人体温异常,已列入待办" if flagged else "")
            messages.success(request, msg)
            return redirect(f"/stability/health/?team={team.pk}&date={parsed['date']}&shift={parsed['shift']}")
    rows = services.sheet(user, team, parsed["date"], parsed["shift"]) if parsed else []
    threshold = services.settings_for(team.mine).fever_threshold
    lines = []
    for person, value in rows:
        shown = typed.get(person.pk, value if value is not None else "36.5")
        lines.append(
            {
                "person": person,
                "value": shown,
                "recorded": value,
                "fever": value is not None and value >= threshold,
                "errs": errors.get(f"t{person.pk}", []),
            }
        )
    context = {
        "teams": teams,
        "team": team,
        "head": head,
        "errors": errors,
        "lines": lines,
        "shifts": Shift.choices,
        "threshold": threshold,
    }
    return _render(request, "stability/health.html", context, status=status)


@login_required
def fevers(request):
    user = request.user
    _need(menu.sees_health(user))
    return _render(request, "stability/fevers.html", {"rows": services.fevers_waiting(user, days=30)})


@login_required
@require_POST
def fever_follow(request, pk):
    try:
        services.follow_fever(request.user, pk, **inputs.parse(forms.FollowForm, request.POST))
    except ValidationError as exc:
        context = {"rows": services.fevers_waiting(request.user, days=30), "failed": pk, "errors": exc.message_dict}
        return _render(request, "stability/fevers.html", context, status=422)
    except (Forbidden, Conflict) as exc:
        return refused(request, exc, "/stability/health/fevers/")
    return _done(request, "已记录跟进", "/stability/health/fevers/")


@login_required
def campaigns(request):
    user = request.user
    _need(menu.sees_health(user))
    data, errors, status = {}, {}, 200
    if request.method == "POST":
        data = request.POST
        try:
            campaign = services.create_campaign(user, **inputs.parse(forms.CampaignForm, request.POST))
            return _done(request, "已建立筛查", f"/stability/health/campaigns/{campaign.pk}/")
        except ValidationError as exc:
            errors, status = exc.message_dict, 422
        except (Forbidden, Conflict) as exc:
            return refused(request, exc, "/stability/health/campaigns/")
    context = {
        "rows": services.campaigns_with_coverage(user),
        "orgs": [(o.pk, o.name) for o in services.campaign_orgs(user)],
        "data": data,
        "errors": errors,
    }
    return _render(request, "stability/campaigns.html", context, status=status)


@login_required
def campaign_detail(request, pk):
    user = request.user
    campaign = services.get_campaign(user, pk)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            services.record_results(user, campaign.pk, **inputs.parse(forms.ResultsForm, request.POST))
            return _done(request, "已保存筛查结果", f"/stability/health/campaigns/{campaign.pk}/")
        except ValidationError as exc:
            errors, status = exc.message_dict, 422
    done = dict(campaign.results.values_list("person_id", "result"))
    day = timezone.localdate().isoformat()
    if errors:  # what was chosen stays chosen
        day = request.POST.get("date", "")
        done = {int(k[1:]): v for k, v in request.POST.items() if k.startswith("r") and k[1:].isdigit()}
    people = list(services.campaign_targets(campaign).select_related("org").order_by("emp_no")[:1000])
    context = {
        "c": campaign,
        "cov": services.coverage(campaign),
        "people": [(p, done.get(p.pk, "")) for p in people],
        "results": ScreenResult.choices,
        "errors": errors,
        "today": day,
    }
    return _render(request, "stability/campaign.html", context, status=status)


@login_required
def reads(request):
    """Who opened which factor or petition, when and from where (administrators; contents are not shown here)."""
    user = request.user
    _need(scope.can(user, "audit"))
    kind = request.GET.get("kind", "")
    object_id = as_id(request.GET.get("id"))
    page = page_of(request, services.reads_for(user, kind=kind, object_id=object_id), per_page=50)
    return _render(request, "stability/reads.html", {"page": page, "kind": kind, "object_id": object_id or ""})


# ---------------------------------------------------------------- settings


@login_required
def settings_page(request):
    user = request.user
    mine = services.mine_of(user)
    _need(services.can_edit_settings(user, mine))
    cfg = services.settings_for(mine)
    names = list(forms.SettingsForm.base_fields)
    data = {n: getattr(cfg, n) for n in names}
    errors, status = {}, 200
    if request.method == "POST":
        data = request.POST
        try:
            services.update_settings(user, mine, **inputs.parse(forms.SettingsForm, request.POST))
            return _done(request, "设置已保存", "/stability/settings/")
        except ValidationError as exc:
            errors, status = exc.message_dict, 422
    fields = [
        (
            n,
            forms.SettingsForm.base_fields[n].label,
            "checkbox" if n in ("roll_holidays", "health_enabled") else "text" if n == "fever_threshold" else "number",
        )
        for n in names
    ]
    return _render(
        request,
        "stability/settings.html",
        {"mine": mine, "fields": fields, "data": data, "errors": errors},
        status=status,
    )
