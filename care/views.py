"""Pages of 薄弱人物排查 and 谈心谈话. Thin: parse input (``care.forms``), call ``care.services``, render.

Bad input re-renders the page with what was typed and the Chinese message next to the field (422)."""

import uuid
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from care import access, forms, services
from care.coverage import coverage
from care.models import (
    DEFAULT_MEASURES,
    Criterion,
    Entry,
    EntryStatus,
    HelpForm,
    Rule,
    Screening,
    ScreeningKind,
    Talk,
    TalkForm,
    Tier,
    Trend,
)
from common import inputs
from common.errors import Conflict, Forbidden, NotFound
from common.parsing import as_id
from common.responses import form_status, refused
from orgs.models import Person


def _ip(request):
    from common.client import client_ip as address

    return address(request)


def _mine_or_404(user):
    mine = services.mine_of(user)
    if mine is None:
        raise Http404
    services.ensure_defaults(mine)
    return mine


def _year(request):
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        year = timezone.localdate().year
    return year


@login_required
def home(request):
    """The branch view (secretary) or the mine's view across branches (party committee)."""
    user = request.user
    if not access.can(user, "care_read"):
        if access.can(user, "care_talk"):
            return redirect("care_talks")
        if user.person_id and access.helped_person_ids(user).exists():
            return redirect("care_register")
        raise Http404
    mine = _mine_or_404(user)
    stats = services.register_stats(user)
    data = coverage(user, mine, timezone.localdate().year)
    context = {
        "stats": stats,
        "cov": data,
        "table": [(r, stats["branches"].get(r["branch"]["pk"])) for r in data["rows"]],
        "can_manage": access.can(user, "care_manage"),
        "can_talk": services.can_record_talk(user),
        "can_settings": services.can_edit_settings(user, mine),
        "suggestion_count": len(services.suggestions_for(user)) if access.can(user, "care_manage") else None,
        "overdue": services.overdue_for(user),
    }
    return render(request, "care/home.html", context)


# ---------------------------------------------------------------- suggestions


@login_required
def suggestion_list(request):
    user = request.user
    if not access.can(user, "care_read"):
        raise Http404
    return render(
        request,
        "care/suggestions.html",
        {"suggestions": _logged_suggestions(request), "can_manage": access.can(user, "care_manage")},
    )


def _logged_suggestions(request):
    suggestions = services.suggestions_for(request.user)
    services.log_read(request.user, [s.person for s in suggestions], "排查建议", "page", _ip(request))
    return suggestions


@login_required
@require_POST
def suggestion_dismiss(request, person, rule):
    try:
        services.dismiss(request.user, person, rule, **inputs.parse(forms.DismissForm, request.POST))
    except (Forbidden, Conflict) as exc:
        return refused(request, exc, "/care/", "返回")
    except ValidationError as exc:
        context = {
            "suggestions": services.suggestions_for(request.user),
            "can_manage": True,
            "errors": exc.message_dict,
            "failed": f"{person}-{rule}",
            "data": request.POST,
        }
        return render(request, "care/suggestions.html", context, status=422)
    messages.success(request, "已排除该建议")
    return redirect("care_suggestions")


# ---------------------------------------------------------------- the register


@login_required
def register_list(request):
    user = request.user
    status = request.GET.get("status") if request.GET.get("status") in EntryStatus.values else EntryStatus.ACTIVE
    qs = (
        Entry.objects.visible_to(user)
        .filter(status=status)
        .select_related("person", "person__org", "helper")
        .prefetch_related("criteria")
    )
    tier = request.GET.get("tier")
    if tier in Tier.values:
        qs = qs.filter(tier=tier)
    if not access.can(user, "care_read") and not qs.exists():
        raise Http404
    page = Paginator(qs.order_by("tier", "-entered_on", "pk"), 50).get_page(request.GET.get("page"))
    entries = services.with_due(page.object_list)
    services.log_read(user, [e.person for e in entries], "薄弱人物台账", "page", _ip(request))
    context = {
        "page": page,
        "entries": entries,
        "status": status,
        "tier": tier,
        "tiers": Tier.choices,
        "can_manage": access.can(user, "care_manage"),
    }
    return render(request, "care/register.html", context)


def _entry_form_context(user, person, data, errors):
    mine = person.mine
    return {
        "person": person,
        "criteria": Criterion.objects.filter(mine=mine, active=True),
        "helpers": services.eligible_helpers(mine, person.org),
        "tiers": Tier.choices,
        "default_measures": DEFAULT_MEASURES,
        "data": data,
        "errors": errors,
        "general_errors": errors.get("__all__", []),
    }


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request, person):
    """列入台账: from a suggestion (``?rule=…`` the rules confirmed, their criteria ticked) or after a screening."""
    user = request.user
    if not access.can(user, "care_manage"):
        raise Http404
    target = services.person_for(user, person, "care_manage")
    services.ensure_defaults(target.mine)
    rules = [
        r
        for r in (request.POST.getlist("rule") if request.method == "POST" else request.GET.getlist("rule"))
        if r in Rule.values
    ]
    errors = {}
    if request.method == "POST":
        try:
            entry = services.enter(user, person=target, **inputs.parse(forms.EntryForm, request.POST))
        except ValidationError as exc:
            errors, data = exc.message_dict, request.POST
        except Conflict as exc:
            errors, data = {"__all__": [exc.message]}, request.POST.copy()
            data["token"] = uuid.uuid4().hex
        else:
            messages.success(request, f"{target.name} 已列入薄弱人物台账")
            return redirect("care_entry", entry.pk)
    else:
        ticked = [str(c.pk) for c in Criterion.objects.filter(mine=target.mine, rule__in=rules)]
        facts = []
        if rules:
            for s in services.rules.suggestions(
                Person.objects.filter(pk=target.pk), services.settings_for(target.mine)
            ):
                facts = [text for r in rules for _k, text, _n in s.rules.get(r, [])]
        data = {
            "token": uuid.uuid4().hex,
            "criteria": ticked,
            "tier": "C",
            "measures": "\n".join(DEFAULT_MEASURES[:2]),
            "reason": ";".join(facts),
        }
    context = _entry_form_context(user, target, data, errors) | {"rules": rules}
    return render(request, "care/entry_new.html", context, status=form_status(errors))


def _entry_or_404(user, pk):
    return services.get_entry(user, pk)


def _entry_page(request, entry, errors=None, data=None, open_action=None, status=200):
    entry = services.with_due([entry])[0]
    context = {
        "e": entry,
        "criteria": entry.criteria.all(),
        "measures": entry.measures.all(),
        "helps": entry.helps.select_related("by", "by__person"),
        "evaluations": entry.evaluations.select_related("by", "by__person"),
        "events": services.timeline(entry),
        "actions": services.allowed_actions(request.user, entry),
        "open_measures": services.open_measures(entry),
        "helpers": services.eligible_helpers(entry.mine, entry.person.org)
        if access.can(request.user, "care_manage")
        else [],
        "tiers": Tier.choices,
        "help_forms": HelpForm.choices,
        "trends": Trend.choices,
        "errors": errors or {},
        "data": data or {},
        "open_action": open_action,
        "token": uuid.uuid4().hex,
        "today": timezone.localdate(),
        "can_file": access.can_read_file(request.user, entry.person),
    }
    return render(request, "care/entry.html", context, status=status)


@login_required
def entry_detail(request, pk):
    entry = _entry_or_404(request.user, pk)
    services.log_read(request.user, [entry.person], "薄弱人物台账", "page", _ip(request))
    return _entry_page(request, entry)


@login_required
@require_POST
def entry_act(request, pk, action):
    user = request.user
    form_class = forms.ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    version = as_id(request.POST.get("version"))
    try:
        services.act(user, pk, action, version=version, **inputs.parse(form_class, request.POST))
    except (Forbidden, Conflict) as exc:
        return refused(request, exc, f"/care/register/{pk}/")
    except ValidationError as exc:
        return _entry_page(
            request, _entry_or_404(user, pk), errors=exc.message_dict, data=request.POST, open_action=action, status=422
        )
    messages.success(request, f"已{services.ACTION_LABELS.get(action, '保存')}")
    if action == "release":
        return redirect("care_register")
    return redirect("care_entry", pk)


# ---------------------------------------------------------------- screenings


@login_required
def screening_list(request):
    user = request.user
    if not access.can(user, "care_read"):
        raise Http404
    qs = (
        Screening.objects.visible_to(user)
        .prefetch_related("participants", "findings", "findings__person")
        .order_by("-date", "-pk")
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    people = [f.person for screening in page for f in screening.findings.all()]
    services.log_read(user, people, "排查发现", "page", _ip(request))
    return render(request, "care/screenings.html", {"page": page, "can_manage": access.can(user, "care_manage")})


@login_required
@require_http_methods(["GET", "POST"])
def screening_new(request):
    user = request.user
    if not access.can(user, "care_manage"):
        raise Http404
    mine = _mine_or_404(user)
    errors, data = (
        {},
        {
            "token": uuid.uuid4().hex,
            "date": timezone.localdate().isoformat(),
            "participants": [str(user.person_id or "")],
        },
    )
    if request.method == "POST":
        data = request.POST
        try:
            services.record_screening(user, **inputs.parse(forms.ScreeningForm, request.POST))
        except ValidationError as exc:
            errors = exc.message_dict
        except Conflict as exc:
            errors = {"__all__": [exc.message]}
        else:
            messages.success(request, "排查已登记")
            return redirect("care_screenings")
    people = (
        services.branch_people(user, "care_manage")
        .exclude(work_status__in=services.rules.GONE)
        .select_related("org")
        .order_by("org__path", "emp_no")[:500]
    )
    context = {
        "kinds": ScreeningKind.choices, "data": data, "errors": errors,
        "general_errors": errors.get("__all__", []) + [m for k, ms in errors.items() if k.startswith("note_") for m in ms],
        "people": [(p, data.get(f"note_{p.pk}", "")) for p in people],  # each with the 情况 typed for them
        "participants": services.eligible_helpers(mine).filter(pk__in=services.branch_people(user, "care_manage").values("pk"))[:200],
        "selected": data.getlist("people") if hasattr(data, "getlist") else [], "concerns": data.getlist("concern") if hasattr(data, "getlist") else [],
        "chosen_participants": data.getlist("participants") if hasattr(data, "getlist") else data.get("participants", []),
    }  # fmt: skip
    return render(request, "care/screening_new.html", context, status=422 if errors else 200)


# ---------------------------------------------------------------- talks


@login_required
def talk_list(request):
    user = request.user
    if not (access.can(user, "care_read") or access.can(user, "care_talk")):
        raise Http404
    qs = Talk.objects.visible_to(user).select_related("talker").prefetch_related("people").order_by("-date", "-pk")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "care/talks.html", {"page": page, "can_talk": services.can_record_talk(user)})


@login_required
@require_http_methods(["GET", "POST"])
def talk_new(request):
    user = request.user
    if not services.can_record_talk(user):
        raise Http404
    errors, data = {}, {"token": uuid.uuid4().hex, "date": timezone.localdate().isoformat(), "form": "face"}
    preset = request.GET.getlist("person")
    if request.method == "POST":
        data = request.POST
        try:
            talk = services.record_talk(user, **inputs.parse(forms.TalkRecordForm, request.POST))
        except ValidationError as exc:
            errors = exc.message_dict
        except Conflict as exc:
            errors = {"__all__": [exc.message]}
        else:
            messages.success(request, "谈话已记录")
            return redirect("care_talk", talk.pk)
    people = (
        services.branch_people(user, "care_talk")
        .exclude(work_status__in=services.rules.GONE)
        .select_related("org")
        .order_by("org__path", "emp_no")[:800]
    )
    selected = data.getlist("people") if hasattr(data, "getlist") else preset
    talkers = [] if user.person_id else services.eligible_helpers(services.mine_of(user))[:300]
    context = {
        "talkers": talkers,
        "forms": TalkForm.choices,
        "data": data,
        "errors": errors,
        "general_errors": errors.get("__all__", []),
        "people": people,
        "selected": selected,
    }
    return render(request, "care/talk_new.html", context, status=422 if errors else 200)


@login_required
def talk_detail(request, pk):
    talk = (
        Talk.objects.visible_to(request.user)
        .filter(pk=services.as_id(pk) or 0)
        .select_related("talker", "recorded_by")
        .first()
    )
    if talk is None:
        raise Http404
    services.log_read(request.user, talk.people.all(), "谈心谈话", "page", _ip(request))
    return render(
        request, "care/talk.html", {"t": talk, "people": talk.people.all(), "follow_ups": talk.follow_ups.all()}
    )


@login_required
@require_POST
def follow_up_close(request, pk):
    try:
        follow = services.close_follow_up(request.user, pk, **inputs.parse(forms.CloseFollowUpForm, request.POST))
    except (Forbidden, Conflict) as exc:
        return refused(request, exc, "/care/", "返回")
    except ValidationError as exc:  # the one box of the inline form: its message, 422
        said = SimpleNamespace(message="；".join(m for ms in exc.message_dict.values() for m in ms), status=422)
        return refused(request, said, "/care/", "返回")
    messages.success(request, "跟进事项已关闭")
    return redirect("care_talk", follow.talk_id)


# ---------------------------------------------------------------- coverage


@login_required
def coverage_page(request):
    user = request.user
    if not access.can(user, "care_read"):
        raise Http404
    mine = _mine_or_404(user)
    year = _year(request)
    branch = services.as_id(request.GET.get("branch"))
    data = coverage(user, mine, year, branch_pk=branch)
    if data["branch"] is None and len(data["rows"]) == 1:
        data = coverage(user, mine, year, branch_pk=data["rows"][0]["branch"]["pk"])
    this_year = timezone.localdate().year
    return render(request, "care/coverage.html", {"cov": data, "years": range(this_year, this_year - 4, -1)})


# ---------------------------------------------------------------- the care file


@login_required
def person_file(request, pk):
    data = services.care_file(request.user, pk, via="page", ip=_ip(request))
    entries = services.with_due(data["entries"])
    visible = {e.pk for e in Entry.objects.visible_to(request.user).filter(pk__in=[e.pk for e in entries])}
    return render(
        request,
        "care/file.html",
        data
        | {
            "entries": entries,
            "visible_entries": visible,
            "can_manage": access.can(request.user, "care_manage", data["person"].org),
            "can_talk": services.can_record_talk(request.user),
            # a 帮教人 (an ordinary 党员) reads this file but not the person's roster record
            "can_open_person": Person.objects.visible_to(request.user).filter(pk=data["person"].pk).exists(),
        },
    )


@login_required
def file_readers(request, pk):
    person, rows = services.file_readers(request.user, pk)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "care/readers.html", {"person": person, "page": page})


# ---------------------------------------------------------------- settings


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    user = request.user
    mine = _mine_or_404(user)
    if not services.can_edit_settings(user, mine):
        raise Http404
    errors = {}
    if request.method == "POST":
        kind = request.POST.get("kind_of")
        if kind not in forms.SETTINGS_FORMS:
            raise Http404
        try:
            services.SETTINGS[kind](user, mine, **inputs.parse(forms.SETTINGS_FORMS[kind], request.POST))
        except ValidationError as exc:
            errors = exc.message_dict
        except (Forbidden, NotFound):
            raise Http404
        else:
            messages.success(request, "已保存")
            return redirect("care_settings")
    cfg = services.settings_for(mine)
    fields = [
        (
            key,
            cfg._meta.get_field(key).verbose_name,
            request.POST.get(key, getattr(cfg, key)) if errors else getattr(cfg, key),
        )
        for key, _l, _h in forms.THRESHOLDS
    ]
    context = {
        "mine": mine,
        "criteria": Criterion.objects.filter(mine=mine),
        "fields": fields,
        "errors": errors,
        "data": request.POST,
        "failed": request.POST.get("kind_of", "") if errors else "",
        "rules": dict(Rule.choices),
    }
    return render(request, "care/settings.html", context, status=422 if errors else 200)
