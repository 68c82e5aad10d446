"""Pages of 三违 and 帮教. Thin: bind the form (``violations.forms``) to the POST, call ``violations.services`` with
its typed values, render (bad input: the page again with what was typed and the message next to the field)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from common import inputs
from common.errors import Conflict, Forbidden
from common.pagination import PAGE_SIZE, CappedPaginator
from common.responses import form_status, refused, stored_file, submit_once
from places.models import Location, Shift
from violations import forms, services
from violations.models import AppealRole, Severity, ViolationKind, ViolationStatus


def _choices(mine):
    return {
        "kinds": ViolationKind.choices,
        "severities": Severity.objects.filter(mine=mine),
        "locations": Location.objects.filter(mine=mine, active=True)
        .select_related("unit")
        .order_by("unit__path", "name"),
        "shifts": Shift.objects.filter(mine=mine),
    }


@login_required
def violation_list(request):
    user = request.user
    mine = services.mine_of(user)
    filters = forms.FilterForm(request.GET).filters()
    qs = services.with_help_counts(services.filter_list(user, **filters)).select_related(
        "person", "org", "severity", "location"
    )
    page = CappedPaginator(qs.order_by("-occurred_on", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "query": request.GET,
        "querystring": query.urlencode(),
        "statuses": ViolationStatus.choices,
        "branches": services.branches_of(mine),
        "can_record": services.can_record(user),
        "can_rules": bool(mine) and services.can_edit_rules(user, mine),
        **(_choices(mine) if mine else {}),
    }
    return render(request, "violations/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def violation_new(request):
    user = request.user
    mine = services.mine_of(user)
    if not services.can_record(user):
        raise Http404
    services.ensure_defaults(mine)
    form = forms.RecordForm(request.POST, request.FILES, mine=mine)

    def similar(since):
        if not form.is_valid():
            return None
        typed = form.cleaned_data
        return services.similar_recent(user, person=typed["emp_no"], description=typed["description"], since=since)

    violation, data, errors = submit_once(
        request,
        lambda: services.record(user, **inputs.clean(form)),
        {"occurred_on": timezone.localdate().isoformat()},
        similar=similar,
    )
    if violation is not None:
        messages.success(request, "三违已登记")
        return redirect("violation_detail", violation.pk)
    context = {
        "data": data,
        "errors": errors,
        "general_errors": errors.get("__all__", []),
        "people": services.recordable_people(user, mine).order_by("emp_no").values_list("emp_no", "name")[:500],
        **_choices(mine),
    }
    return render(request, "violations/new.html", context, status=form_status(errors))


@login_required
def violation_detail(request, pk):
    return _detail(request, services.get(request.user, pk))


def _detail(request, v, errors=None, data=None, open_action=None, status=200):
    events = services.timeline(v)
    steps = list(v.help_steps.select_related("done_by", "done_by__person"))
    for s in steps:
        s.form_key = f"step-{s.pk}"
    context = {
        "v": v,
        "events": events,
        "steps": steps,
        "actions": services.allowed_actions(request.user, v),
        "can_help": services.help_refusal(request.user, v) is None,
        "can_reexam": services.reexam_refusal(request.user, v) is None,
        "reexam": services.reexam_state(v),
        "appeal_deadline": services.appeal_deadline(v),
        "errors": errors or {},
        "general_errors": (errors or {}).get("__all__", []),
        "data": data or {},
        "open_action": open_action,
        "today": timezone.localdate(),
    }
    return render(request, "violations/detail.html", context, status=status)


def _conflict(request, pk, exc):
    v = services.get(request.user, pk)
    return refused(request, exc, f"/violations/{v.pk}/", "查看该三违当前状态")


@login_required
@require_POST
def violation_act(request, pk, action):
    try:
        services.act(request.user, pk, action, **inputs.parse(forms.ActForm, request.POST))
    except (Forbidden, Conflict) as exc:
        return _conflict(request, pk, exc)
    except ValidationError as exc:
        return _detail(
            request,
            services.get(request.user, pk),
            errors=exc.message_dict,
            data=request.POST,
            open_action=action,
            status=422,
        )
    messages.success(request, f"已{services.ACTION_LABELS.get(action, '处理')}")
    return redirect("violation_detail", pk)


@login_required
@require_POST
def violation_help(request, pk, step):
    try:
        services.record_help(request.user, pk, step, **inputs.parse(forms.HelpForm, request.POST))
    except (Forbidden, Conflict) as exc:
        return _conflict(request, pk, exc)
    except ValidationError as exc:
        return _detail(
            request,
            services.get(request.user, pk),
            errors=exc.message_dict,
            data=request.POST,
            open_action=f"step-{step}",
            status=422,
        )
    messages.success(request, "帮教已记录")
    return redirect("violation_detail", pk)


@login_required
@require_POST
def violation_reexam(request, pk):
    try:
        services.schedule_reexam(request.user, pk, **inputs.parse(forms.ReexamForm, request.POST))
    except (Forbidden, Conflict) as exc:
        return _conflict(request, pk, exc)
    except ValidationError as exc:
        return _detail(request, services.get(request.user, pk), errors=exc.message_dict, status=422)
    messages.success(request, "已安排复考")
    return redirect("violation_detail", pk)


@login_required
def violation_photo(request, pk):
    return stored_file(services.get(request.user, pk).photo, "image/jpeg")


@login_required
@require_http_methods(["GET", "POST"])
def violation_settings(request):
    user = request.user
    mine = services.mine_of(user)
    if mine is None or not services.can_edit_rules(user, mine):
        raise Http404
    services.ensure_defaults(mine)
    errors, data, form, status = {}, {}, "", 200
    if request.method == "POST":
        form = request.POST.get("form", "")
        try:
            if form == "rules":
                services.save_rules(user, mine, **inputs.parse(forms.RulesForm, request.POST))
            else:
                services.save_severity(user, mine, **inputs.parse(forms.SeverityForm, request.POST, mine=mine))
        except ValidationError as exc:
            if "id" in exc.message_dict:
                raise Http404 from None  # a severity that is not (or no longer) the mine's
            errors, data, status = exc.message_dict, request.POST, 422
        else:
            messages.success(request, "已保存")
            return redirect("violation_settings")
    context = {
        "rules": services.rules_of(mine),
        "severities": Severity.objects.filter(mine=mine),
        "appeal_roles": AppealRole.choices,
        "errors": errors,
        "data": data,
        "failed": form if errors else "",
    }
    return render(request, "violations/settings.html", context, status=status)


@login_required
@require_POST
def violation_export(request):
    """三违台账: made in the background (``violations.excel``) with the list's filters; the file's page follows."""
    from common import export

    return export.start_ledger(request, "violation_ledger")
