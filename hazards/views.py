"""Pages of the hazard closed loop. Thin: parse input (``hazards.forms``), call ``hazards.services``, render; bad
input re-renders the form with what was typed and the message next to the field (422)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from common import inputs
from common.errors import Conflict, Forbidden, NotFound
from common.pagination import PAGE_SIZE, CappedPaginator
from common.responses import form_status, refused, stored_file, submit_once
from hazards import forms, services
from hazards.models import Category, Grade, HazardPhoto, HazardStatus, SupervisionLevel
from orgs.models import OrgKind, OrgNode, Person
from places.models import Location, Shift


def _hazard(user, pk):
    return services.get(user, pk)


def _choices(mine):
    return {
        "locations": Location.objects.filter(mine=mine, active=True)
        .select_related("unit")
        .order_by("unit__path", "name"),
        "categories": Category.objects.filter(mine=mine),
        "grades": Grade.objects.filter(mine=mine),
        "shifts": Shift.objects.filter(mine=mine),
    }


@login_required
def hazard_list(request):
    user = request.user
    mine = services.mine_of(user)
    qs = services.filter_list(user, **forms.list_filters(request.GET)).select_related(
        "location", "location__unit", "category", "grade", "found_by", "responsible_person"
    )
    page = CappedPaginator(qs.order_by("-found_at", "-pk"), PAGE_SIZE, newest="found_at").get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "query": request.GET,
        "querystring": query.urlencode(),
        "statuses": HazardStatus.choices,
        "branches": OrgNode.objects.filter(kind=OrgKind.BRANCH, path__startswith=mine.path).order_by("path")
        if mine
        else [],
        "today": timezone.localdate(),
        "can_master": bool(mine) and services.can_edit_master(user, mine),
        "in_a_mine": bool(mine),  # registering and the statistics work inside one mine
        **(_choices(mine) if mine else {}),
    }
    return render(request, "hazards/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def hazard_new(request):
    user = request.user
    mine = services.mine_of(user)
    if mine is None:
        raise Http404
    services.ensure_defaults(mine)
    form = forms.HazardForm(request.POST if request.method == "POST" else None)

    def similar(since):
        if not form.is_valid():
            return None  # the field errors come first
        return services.similar_recent(
            user, since, location=form.cleaned_data["location"], description=form.cleaned_data["description"]
        )

    hazard, data, errors = submit_once(
        request, lambda: services.register(user, **inputs.clean(form), photos=request.FILES.getlist("photos")),
        {"found_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}, similar=similar,
    )  # fmt: skip
    if hazard is not None:
        messages.success(request, "隐患已登记")
        return redirect("hazard_detail", hazard.pk)
    context = {"data": data, "errors": errors, "general_errors": errors.get("__all__", []), **_choices(mine)}
    return render(request, "hazards/new.html", context, status=form_status(errors))


@login_required
def hazard_detail(request, pk):
    return _detail(request, _hazard(request.user, pk))


def _detail(request, hazard, errors=None, data=None, open_action=None, status=200):
    """The hazard, its timeline and the action forms this user may use now; after bad input, the form that failed
    is open again with what was typed and the message next to the field."""
    unit_path = (hazard.responsible_unit or hazard.location.unit).path
    context = {
        "h": hazard,
        "events": services.timeline(hazard),
        "photos": hazard.photos.all(),
        "actions": services.allowed_actions(request.user, hazard),
        "units": OrgNode.objects.filter(
            path__startswith=hazard.mine.path, kind__in=(OrgKind.UNIT, OrgKind.TEAM)
        ).order_by("path"),
        "people": Person.objects.filter(org__path__startswith=unit_path).order_by("emp_no")[:300],
        "default_deadline": timezone.localdate(hazard.found_at) + timezone.timedelta(days=hazard.grade.deadline_days),
        "requested_deadline": services.requested_deadline(hazard),
        "errors": errors or {},
        "general_errors": (errors or {}).get("__all__", []),
        "data": data or {},
        "open_action": open_action,
    }
    return render(request, "hazards/detail.html", context, status=status)


@login_required
@require_POST
def hazard_act(request, pk, action):
    user = request.user
    try:
        values = inputs.parse(forms.action_form(action), request.POST)
        services.act(user, pk, action, **values, photos=request.FILES.getlist("photos"))
    except (Forbidden, Conflict) as exc:
        hazard = _hazard(user, pk)
        return refused(request, exc, f"/hazards/{hazard.pk}/", "查看隐患当前状态")
    except ValidationError as exc:
        hazard = _hazard(user, pk)
        return _detail(request, hazard, errors=exc.message_dict, data=request.POST, open_action=action, status=422)
    messages.success(request, f"已{services.ACTION_LABELS.get(action, '处理')}")
    return redirect("hazard_detail", pk)


@login_required
def hazard_photo(request, pk):
    photo = HazardPhoto.objects.filter(pk=services.as_id(pk) or 0).first()
    if photo is None:
        raise Http404
    _hazard(request.user, photo.hazard_id)
    return stored_file(photo.image, "image/jpeg")


@login_required
@require_http_methods(["GET", "POST"])
def master_data(request):
    user = request.user
    mine = services.mine_of(user)
    if mine is None or not services.can_edit_master(user, mine):
        raise Http404
    services.ensure_defaults(mine)
    errors = {}
    if request.method == "POST":
        kind = request.POST.get("kind_of")
        try:
            if kind not in forms.MASTER_FORMS:
                raise NotFound()
            services.save_master(user, mine, kind, **inputs.parse(forms.MASTER_FORMS[kind], request.POST))
        except ValidationError as exc:
            errors = exc.message_dict
        except (Forbidden, NotFound):
            raise Http404
        else:
            messages.success(request, "已保存")
            return redirect("hazard_master")
    context = {
        "mine": mine,
        "errors": errors,
        "failed": request.POST.get("kind_of", "") if errors else "",
        "failed_pk": request.POST.get("pk") or request.POST.get("grade") or "",
        "data": request.POST,
        "units": OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.UNIT).order_by("path"),
        "location_kinds": Location._meta.get_field("kind").choices,
        "supervision_levels": SupervisionLevel.choices,
        **_choices(mine),
        "locations": Location.objects.filter(mine=mine)
        .select_related("unit")
        .order_by("-active", "unit__path", "name"),
    }
    return render(request, "hazards/master.html", context, status=422 if errors else 200)


@login_required
def hazard_stats(request):

    from hazards.stats import year_stats

    user = request.user
    mine = services.mine_of(user)
    if mine is None:
        raise Http404
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        year = timezone.localdate().year
    stats = year_stats(user, year, mine)
    chart = {
        "months": [f"{r['month']:%m}月" for r in stats["months"]],
        "found": [r["found"] for r in stats["months"]],
        "open": [r["open"] for r in stats["months"]],
        "overdue": [r["overdue"] for r in stats["months"]],
        "on_time": [r["on_time"] for r in stats["months"]],
        "late": [r["closed"] - r["on_time"] for r in stats["months"]],
        "branches": [r["name"] for r in stats["branches"]],
        "party": [r["party"] for r in stats["branches"]],
    }
    context = {
        "s": stats,
        "year": year,
        "chart": chart,  # json_script in the template encodes it once
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
    }
    return render(request, "hazards/stats.html", context)


@login_required
@require_POST
def hazard_ledger(request):
    """隐患台账: made in the background (``hazards.exports``) with the list's filters; the file's page follows."""
    from common import export

    return export.start_ledger(request, "hazard_ledger")
