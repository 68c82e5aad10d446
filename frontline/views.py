"""Pages of 红领一线工作法. Thin: parse input (``frontline.forms``), call ``frontline.services``, render.

Bad input re-renders the form with what was typed and the messages by field (422); a refused action answers with
the reason (403 / 409)."""

import uuid
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from common import inputs
from common.errors import Conflict, Forbidden
from common.pagination import CappedPaginator
from common.responses import form_status, refused, stored_file, submit_once
from frontline import forms, services
from frontline.models import SecretaryRole, TaskStatus, UrgentKind
from orgs import scope
from orgs.models import OrgKind, OrgNode, Person
from places.models import Location

PAGE_SIZE = 30


def _ip(request):
    from common.client import client_ip

    return client_ip(request)


def _page(request, qs):
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _conflict(request, exc, back):
    return refused(request, exc, back)


def _form_choices(user, capability):
    """Branches the user records for, and for the first (or only) one: its people and the mine's places."""
    branches = list(services.branches_for(user, capability)[:200])
    people, locations = [], []
    if branches:
        paths = [b.path for b in branches]
        people = (
            Person.objects.visible_to(user)
            .filter(scope.subtree_q(paths, "org"))
            .select_related("org")
            .order_by("org__path", "emp_no")[:600]
        )
        locations = (
            Location.objects.filter(mine=branches[0].mine, active=True)
            .select_related("unit")
            .order_by("unit__path", "name")
        )
    return {"branches": branches, "people": people, "locations": locations}


def _selected(data, key):
    return set(data.getlist(key)) if hasattr(data, "getlist") else {str(v) for v in data.get(key, [])}


# ---------------------------------------------------------------- hub


@login_required
def index(request):
    user = request.user
    if services.can_read_diary(user):
        return redirect("frontline_diary")
    return redirect("frontline_campaigns")


# ---------------------------------------------------------------- 民情日记


def _require_diary(user):
    if not services.can_read_diary(user):
        raise Http404


@login_required
def diary_list(request):
    user = request.user
    _require_diary(user)
    page, querystring = _page(
        request, services.list_rows(services.filter_entries(user, **forms.DiaryFilters(request.GET).values()))
    )
    page.object_list = services.attach_counts(page.object_list)
    today = timezone.localdate()
    branches = services.branches_for(user, "frontline_diary")
    context = {
        "page": page,
        "query": request.GET,
        "querystring": querystring,
        "can_write": services.can_write_diary(user),
        "branches": branches if branches.count() > 1 else [],
        "today": today,
        "years": range(today.year, today.year - 5, -1),
        "months": range(1, 13),
    }
    return render(request, "frontline/diary_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def diary_new(request):
    user = request.user
    if not services.can_write_diary(user):
        raise Http404
    entry, data, errors = submit_once(
        request,
        lambda: services.create_entry(user, **inputs.parse(forms.DiaryForm, request.POST)),
        {"date": timezone.localdate().isoformat()},
    )
    if entry is not None:
        messages.success(request, "民情日记已保存")
        return redirect("frontline_diary_detail", entry.pk)
    requests = list(data.getlist("requests")) if hasattr(data, "getlist") else []
    requests += [""] * max(0, 3 - len(requests))
    context = {
        "data": data, "errors": errors, "general_errors": errors.get("__all__", []), "request_texts": requests,
        "selected_people": _selected(data, "people"), **_form_choices(user, "frontline_diary_write"),
    }  # fmt: skip
    return render(request, "frontline/diary_form.html", context, status=form_status(errors))


@login_required
@require_http_methods(["GET", "POST"])
def diary_edit(request, pk):
    user = request.user
    entry = services.get_entry(user, pk)
    if not services.scope.can(user, "frontline_diary_write", entry.branch):
        raise Http404
    errors = {}
    if request.method == "POST":
        data = request.POST
        try:
            services.update_entry(user, pk, **inputs.parse(forms.DiaryEditForm, request.POST))
        except ValidationError as exc:
            errors = exc.message_dict
        except Conflict as exc:
            return _conflict(request, exc, f"/frontline/diary/{entry.pk}/")
        else:
            messages.success(request, "已修改")
            return redirect("frontline_diary_detail", entry.pk)
        selected = _selected(data, "people")
    else:
        services.log_reads(user, [entry], "page", _ip(request))  # the form shows the contents
        data = {
            "date": entry.date.isoformat(), "place": entry.place, "location": str(entry.location_id or ""),
            "learned": entry.learned, "action": entry.action, "concern": entry.concern, "version": entry.version,
        }  # fmt: skip
        selected = {str(pk) for pk in entry.people.values_list("pk", flat=True)}
    context = {
        "entry": entry,
        "data": data,
        "errors": errors,
        "general_errors": [],
        "selected_people": selected,
        "editing": True,
        **_form_choices(user, "frontline_diary_write"),
    }
    return render(request, "frontline/diary_form.html", context, status=422 if errors else 200)


@login_required
def diary_detail(request, pk):
    return _diary_detail(request, pk)


def _diary_detail(request, pk, errors=None, data=None, open_form=None, status=200):
    user = request.user
    entry = services.read_entry(user, pk, "page", _ip(request))
    for r in entry.request_list:
        r.actions = services.request_actions(user, r)
        r.timeline = services.request_timeline(r)
    context = {
        "e": entry,
        "can_write": services.scope.can(user, "frontline_diary_write", entry.branch),
        "errors": errors or {},
        "data": data or {},
        "open_form": open_form,
        "new_token": uuid.uuid4().hex,
    }
    return render(request, "frontline/diary_detail.html", context, status=status)


@login_required
@require_POST
def diary_add_request(request, pk):
    try:
        services.add_request(request.user, pk, **inputs.parse(forms.RequestForm, request.POST))
    except (Forbidden, Conflict) as exc:
        return _conflict(request, exc, f"/frontline/diary/{pk}/")
    except ValidationError as exc:
        return _diary_detail(request, pk, errors=exc.message_dict, data=request.POST, open_form="add", status=422)
    messages.success(request, "诉求已添加")
    return redirect("frontline_diary_detail", pk)


@login_required
@require_POST
def request_act(request, pk, action):
    user = request.user
    req = services.get_request(user, pk)
    try:
        services.act_on_request(user, pk, action, **inputs.parse(forms.StepForm, request.POST))
    except (Forbidden, Conflict) as exc:
        return _conflict(request, exc, f"/frontline/diary/{req.entry_id}/#request-{req.pk}")
    except ValidationError as exc:
        return _diary_detail(
            request,
            req.entry_id,
            errors=exc.message_dict,
            data=request.POST,
            open_form=f"{req.pk}-{action}",
            status=422,
        )
    messages.success(request, f"已{services.REQUEST_LABELS[action]}")
    return redirect(f"/frontline/diary/{req.entry_id}/#request-{req.pk}")


def _period(params):
    """(start, end, label) of the book: a month when one is given, else the whole year."""
    today = timezone.localdate()
    try:
        year = int(params.get("year") or today.year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        year = today.year
    try:
        month = int(params.get("month") or 0)
        if not 0 <= month <= 12:
            raise ValueError
    except ValueError:
        month = 0
    if month:
        end = date(year + (month == 12), month % 12 + 1, 1)
        return date(year, month, 1), end, f"{year}年{month}月"
    return date(year, 1, 1), date(year + 1, 1, 1), f"{year}年"


@login_required
def diary_book(request):
    """The diary of a month or a year as a printable book: cover, contents by month, the entries."""
    from weasyprint import HTML

    user = request.user
    _require_diary(user)
    start, end, label = _period(request.GET)
    branch = None
    if services.as_id(request.GET.get("branch")):
        branch = services.branches_for(user, "frontline_diary").filter(pk=services.as_id(request.GET["branch"])).first()
        if branch is None:
            raise Http404
    else:
        readable = list(services.branches_for(user, "frontline_diary")[:2])
        if len(readable) > 1:  # the committee prints one branch's book at a time (a mine-year is thousands of pages)
            messages.warning(request, "请选择要打印的党支部")
            return redirect("frontline_diary")
        branch = readable[0] if readable else None
    entries = services.book_entries(user, start, end, branch, _ip(request))
    html = render_to_string("frontline/diary_book.html", book_context(user, entries, label, branch))
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"红领民情日记-{label}.pdf"
    from urllib.parse import quote

    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    return response


def book_context(user, entries, label, branch):
    months = []
    for e in entries:
        key = (e.date.year, e.date.month)
        if not months or months[-1]["key"] != key:
            months.append(
                {
                    "key": key,
                    "anchor": f"m{e.date.year}{e.date.month:02d}",
                    "title": f"{e.date.year}年{e.date.month}月",
                    "entries": [],
                }
            )
        months[-1]["entries"].append(e)
    authors = sorted({e.author.display_name() for e in entries})
    return {
        "months": months,
        "label": label,
        "branch": branch,
        "authors": authors,
        "count": len(entries),
        "now": timezone.localtime(),
        "user": user,
    }


# ---------------------------------------------------------------- 急难险重


@login_required
def urgent_list(request):
    user = request.user
    if not services.scope.can(user, "frontline"):
        raise Http404
    qs = (
        services.filter_urgent(user, **forms.UrgentFilters(request.GET).values())
        .select_related("branch", "recorded_by", "recorded_by__person")
        .order_by("-date", "-pk")
    )
    page, querystring = _page(request, qs)
    branches = services.branches_for(user, "frontline")
    context = {
        "page": page, "query": request.GET, "querystring": querystring, "kinds": UrgentKind.choices,
        "can_write": bool(services.branches_for(user, "frontline_branch")[:1]), "branches": branches if branches.count() > 1 else [],
    }  # fmt: skip
    return render(request, "frontline/urgent_list.html", context)


@login_required
@require_POST
def urgent_ledger(request):
    """急难险重任务台账: made in the background (``frontline.exports``); the file's page follows."""
    from common import export

    if not services.scope.can(request.user, "frontline"):
        raise Http404
    return export.start_ledger(request, "urgent_ledger")


@login_required
def campaign_xlsx(request, pk):
    """One 专项工作's branches with status, report and dates, for the committee's meeting."""
    from common.excel import Column, Sheet, workbook_bytes, xlsx_response

    user = request.user
    campaign = services.get_campaign(user, pk)
    tasks = services.campaign_tasks(user, campaign)
    rows = [
        [n, t.branch.name, t.get_status_display(), "是" if t.overdue else "", "是" if t.late else "",
         timezone.localtime(t.reported_at).replace(tzinfo=None) if t.reported_at else None, t.report]
        for n, t in enumerate(tasks, start=1)
    ]  # fmt: skip
    columns = [Column("no", "序号", width=6), Column("branch", "党支部", width=20), Column("status", "状态", width=10), Column("overdue", "超期未报", width=8),
               Column("late", "逾期上报", width=8), Column("at", "上报时间", width=18), Column("report", "上报内容", width=60)]  # fmt: skip
    note = f"{campaign.title} 上报期限 {campaign.deadline:%Y-%m-%d} 导出于 {timezone.localtime():%Y-%m-%d %H:%M}"
    return xlsx_response(
        f"{campaign.title}-各支部上报情况.xlsx", workbook_bytes([Sheet("各支部上报情况", columns, rows, notes=[note])])
    )


@login_required
@require_http_methods(["GET", "POST"])
def urgent_new(request):
    user = request.user
    choices = _form_choices(user, "frontline_branch")
    if not choices["branches"]:
        raise Http404
    task, data, errors = submit_once(
        request,
        lambda: services.create_urgent(user, **inputs.parse(forms.UrgentForm, request.POST)),
        {"date": timezone.localdate().isoformat(), "role": SecretaryRole.HANDS_ON},
    )
    if task is not None:
        messages.success(request, "急难险重任务已记录")
        return redirect("frontline_urgent_detail", task.pk)
    context = {
        "data": data, "errors": errors, "general_errors": errors.get("__all__", []), "kinds": UrgentKind.choices,
        "roles": SecretaryRole.choices, "selected_people": _selected(data, "people"), **choices,
    }  # fmt: skip
    return render(request, "frontline/urgent_form.html", context, status=form_status(errors))


@login_required
def urgent_detail(request, pk):
    task = services.get_urgent(request.user, pk)
    return render(
        request,
        "frontline/urgent_detail.html",
        {"t": task, "people": task.people.select_related("org").order_by("emp_no")},
    )


# ---------------------------------------------------------------- 专项工作


@login_required
def campaign_list(request):
    user = request.user
    if not services.scope.can(user, "frontline") and not services.can_send(user):
        raise Http404
    qs, today = services.campaigns_with_progress(user)
    page, querystring = _page(request, qs.order_by("-created_at", "-pk"))
    return render(
        request,
        "frontline/campaign_list.html",
        {"page": page, "querystring": querystring, "today": today, "can_send": services.can_send(user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    user = request.user
    mines = list(services.review_mines(user)[:50])
    if not mines:
        raise Http404
    campaign, data, errors = submit_once(
        request,
        lambda: services.create_campaign(user, **inputs.parse(forms.CampaignForm, request.POST)),
        {"deadline": (timezone.localdate() + timezone.timedelta(days=14)).isoformat()},
    )
    if campaign is not None:
        messages.success(request, f"已下发到 {campaign.tasks.count()} 个党支部")
        return redirect("frontline_campaign_detail", campaign.pk)
    branches = OrgNode.objects.filter(scope.subtree_q([m.path for m in mines], "pk"), kind=OrgKind.BRANCH).order_by(
        "path"
    )
    context = {
        "data": data,
        "errors": errors,
        "general_errors": errors.get("__all__", []),
        "mines": mines,
        "branches": branches,
        "selected_branches": _selected(data, "branches"),
    }
    return render(request, "frontline/campaign_form.html", context, status=form_status(errors))


@login_required
def campaign_detail(request, pk):
    user = request.user
    campaign = services.get_campaign(user, pk)
    tasks = services.campaign_tasks(user, campaign)
    counts = {s: sum(1 for t in tasks if t.status == s) for s in TaskStatus.values}
    overdue = sum(1 for t in tasks if t.overdue)
    return render(
        request,
        "frontline/campaign_detail.html",
        {"c": campaign, "tasks": tasks, "counts": counts, "overdue": overdue, "statuses": TaskStatus.choices},
    )


@login_required
def task_list(request):
    user = request.user
    if not services.scope.can(user, "frontline"):
        raise Http404
    qs = (
        services.filter_tasks(user, **forms.TaskFilters(request.GET).values())
        .select_related("campaign", "branch")
        .order_by("campaign__deadline", "-campaign_id", "branch_id")
    )
    page, querystring = _page(request, qs)
    return render(
        request,
        "frontline/task_list.html",
        {"page": page, "query": request.GET, "querystring": querystring, "statuses": TaskStatus.choices},
    )


@login_required
def task_detail(request, pk):
    return _task_detail(request, services.get_task(request.user, pk))


def _task_detail(request, task, errors=None, data=None, open_action=None, status=200):
    events = services.task_timeline(task)
    for e in events:
        e.links = [{"url": reverse("frontline_attachment", args=[a.pk]), "name": a.name} for a in e.attachments.all()]
    context = {
        "t": task, "events": events, "actions": services.task_actions(request.user, task), "errors": errors or {},
        "general_errors": (errors or {}).get("__all__", []), "data": data or {}, "open_action": open_action,
        "returned": next((e for e in reversed(events) if e.action == "return"), None) if task.status == TaskStatus.RETURNED else None,
    }  # fmt: skip
    return render(request, "frontline/task_detail.html", context, status=status)


@login_required
@require_POST
def task_act(request, pk, action):
    user = request.user
    try:
        values = inputs.parse(forms.task_form(action), request.POST)
        services.act_on_task(user, pk, action, files=request.FILES.getlist("attachments"), **values)
    except (Forbidden, Conflict) as exc:
        return _conflict(request, exc, f"/frontline/tasks/{pk}/")
    except ValidationError as exc:
        task = services.get_task(user, pk)
        return _task_detail(request, task, errors=exc.message_dict, data=request.POST, open_action=action, status=422)
    messages.success(request, f"已{services.TASK_LABELS[action]}")
    return redirect("frontline_task_detail", pk)


@login_required
def attachment(request, pk):
    a = services.get_attachment(request.user, pk)
    return stored_file(a.file, download_name=a.name)
