"""Pages of 包保 / 责任区, 党员身边无违章 and 党员示范岗. Thin: parse input (``vanguard.forms``), call
``vanguard.services``, render.

Bad input re-renders the page with what was typed and the Chinese message next to the field (422)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from common import inputs
from common.errors import Conflict, Forbidden, NotFound
from common.pagination import page_of
from common.parsing import as_id
from common.responses import refused
from orgs.models import OrgKind, OrgNode
from places.models import Location
from vanguard import forms, services
from vanguard.models import Assignment, ModelPost, Rating


def _month(request):
    today = timezone.localdate()
    month = forms.month_of(request.GET.get("month"), today)
    return month if month and month <= today else today.replace(day=1)


@login_required
def overview(request):
    """党员身边无违章 for a month: the branch rate, the committee's branches side by side, every member's line."""
    user = request.user
    month = _month(request)
    branches = list(OrgNode.objects.visible_to(user, "vanguard").filter(kind=OrgKind.BRANCH).order_by("path"))
    branch = next((b for b in branches if str(b.pk) == request.GET.get("branch")), None)
    # the figures counted by the database; the members' lines one page at a time (the cost of a page does not grow
    # with the mine)
    ok, assigned, rate, side_by_side = services.overview_figures(user, month, branches, branch=branch)
    page = page_of(request, services.answering_members(user, branch), per_page=50)
    rows = services.compliance_rows(user, month, members=page.object_list)
    context = {
        "month": month,
        "rows": rows,
        "page": page,
        "ok": ok,
        "assigned": assigned,
        "rate": rate,
        "branches": branches,
        "branch": branch,
        "side_by_side": side_by_side,
        "can_manage": services.can_manage(user),
    }
    return render(request, "vanguard/overview.html", context)


def _assign_choices(user, mine=None):
    mine = mine or services.mine_of(user)
    if mine is None:
        raise Http404
    # (only what the options show: a mine's thousand members as full rows cost more than the page)
    return mine, {
        "members": services.party_members(user, mine)
        .select_related("org")
        .only("pk", "name", "org__name")
        .order_by("org__path", "name"),
        "people": services.managed_people(user, mine)
        .select_related("org")
        .only("pk", "name", "emp_no", "org__name")
        .order_by("org__path", "name")[:1000],
        "locations": Location.objects.filter(mine=mine, active=True)
        .select_related("unit")
        .only("pk", "name", "unit__name")
        .order_by("unit__path", "name"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def assign(request):
    user = request.user
    if not services.can_manage(user):
        raise Http404
    _mine, choices = _assign_choices(user)
    errors, data = {}, {"starts_on": timezone.localdate().isoformat()}
    selected = {"workers": set(), "locations": set()}
    if request.method == "POST":
        data = request.POST
        selected = {
            "workers": set(request.POST.getlist("workers")),
            "locations": set(request.POST.getlist("locations")),
        }
        try:
            services.assign(user, **inputs.parse(forms.AssignForm, request.POST))
        except ValidationError as exc:
            errors = exc.message_dict
        except Forbidden:
            raise Http404
        else:
            messages.success(request, "包保已安排")
            return redirect("vanguard_overview")
    return render(
        request,
        "vanguard/assign.html",
        {"data": data, "errors": errors, "selected": selected, **choices},
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_detail(request, pk):
    user = request.user
    a = services.get_assignment(user, pk)
    errors, data, status = {}, {}, 200
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "end":
                services.end(user, pk, **inputs.parse(forms.EndForm, request.POST))
            else:
                a = services.adjust(user, pk, **inputs.parse(forms.AdjustForm, request.POST))
        except ValidationError as exc:
            errors, data, status = exc.message_dict, request.POST, 422
        except (Forbidden, Conflict) as exc:
            return refused(request, exc, request.path)
        else:
            messages.success(request, "已结束" if op == "end" else "已调整:新的包保从调整日起算")
            return redirect("vanguard_assignment", a.pk)
    can_manage = services.can_manage(user, a.org)
    context = {
        "a": a,
        "workers": a.workers.select_related("org"),
        "places": a.locations.select_related("unit"),
        "errors": errors,
        "data": data,
        "can_manage": can_manage,
    }
    if can_manage:
        context.update(_assign_choices(user, a.mine)[1])
        context["selected"] = {
            "workers": set(request.POST.getlist("workers")) if errors else {str(p.pk) for p in a.workers.all()},
            "locations": set(request.POST.getlist("locations")) if errors else {str(p.pk) for p in a.locations.all()},
        }
    return render(request, "vanguard/assignment.html", context, status=status)


@login_required
def member_page(request, person_id):
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else timezone.localdate().year
    member, months, assignments = services.member_year(request.user, person_id, year)
    posts = ModelPost.objects.visible_to(request.user).filter(holder=member)
    return render(
        request,
        "vanguard/member.html",
        {"member": member, "months": months, "assignments": assignments, "year": year, "posts": posts},
    )


@login_required
def my_page(request):
    """A party member's own 无违章 page; for any other worker, who answers for them (their 包保党员)."""
    user = request.user
    if not user.person_id:
        raise Http404
    if services.members_in_scope(user).filter(pk=user.person_id).exists():
        return redirect("vanguard_member", user.person_id)
    today = timezone.localdate()
    guardians = (
        Assignment.objects.active_between(today, today)
        .filter(workers=user.person_id)
        .select_related("member", "member__org")
    )
    return render(request, "vanguard/guardian.html", {"guardians": guardians})


@login_required
@require_http_methods(["GET", "POST"])
def posts(request):
    user = request.user
    can_manage = services.can_manage(user)
    errors, data = {}, {}
    if request.method == "POST":
        if not can_manage:
            raise Http404
        data = request.POST
        try:
            post = services.create_post(user, **inputs.parse(forms.PostForm, request.POST))
        except ValidationError as exc:
            errors = exc.message_dict
        except Forbidden:
            raise Http404
        else:
            messages.success(request, "示范岗已设立")
            return redirect("vanguard_post", post.pk)
    context = {
        "posts": ModelPost.objects.visible_to(user)
        .select_related("holder", "org", "location")
        .order_by("org__path", "name"),
        "waiting": services.waiting_ratings(user)[:100],
        "can_manage": can_manage,
        "errors": errors,
        "data": data,
    }
    if can_manage:
        context.update(_assign_choices(user)[1])
    return render(request, "vanguard/posts.html", context, status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def post_detail(request, pk):
    user = request.user
    post = services.get_post(user, pk)
    errors, data, failed, status = {}, {}, "", 200
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "self":
                services.self_assess(user, pk, **inputs.parse(forms.SelfAssessForm, request.POST))
            elif op == "rate":
                values = inputs.parse(forms.RateForm, request.POST)
                version = as_id(request.POST.get("version"))
                services.rate(user, request.POST.get("assessment"), version=version, **values)
            elif op == "withdraw":
                services.delete_assessment(user, request.POST.get("assessment"))
            else:
                raise NotFound()
        except ValidationError as exc:
            errors, data, failed, status = exc.message_dict, request.POST, op, 422
        except (Forbidden, Conflict) as exc:
            return refused(request, exc, request.path)
        else:
            messages.success(request, {"self": "自评已提交", "rate": "已评定", "withdraw": "自评已撤回"}[op])
            return redirect("vanguard_post", pk)
    today = timezone.localdate()
    context = {
        "post": post,
        "assessments": post.assessments.select_related("rated_by", "rated_by__person"),
        "is_holder": services.is_holder(user, post),
        "can_rate": services.can_rate(user, post),
        "ratings": Rating.choices,
        "this_month": today.replace(day=1),
        "errors": errors,
        "data": data,
        "failed": failed,
    }
    return render(request, "vanguard/post.html", context, status=status)
