"""Pages of 基层班子建设. Thin: parse input (``leadership.forms``), call ``leadership.services``, render.

A POST carries ``op`` (what the form does); bad input re-renders the page with what was typed and the messages by
field (422); a refused action answers with the reason (403 / 409)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from care.services import can_record_talk
from common import inputs
from common.errors import Conflict, Forbidden
from common.responses import form_status, new_form_token, refused, submit_once
from leadership import forms, rules, services
from leadership.models import (
    CriticismKind,
    Decision,
    DecisionMode,
    Grade,
    LifeMeeting,
    Meeting,
    MeetingKind,
    Presence,
    Rectification,
    Team,
    TeamKind,
)
from orgs import scope
from orgs.models import OrgNode

PAGE_SIZE = 30


def _ip(request):
    from common.client import client_ip

    return client_ip(request)


def _render(request, template, context, status=200):
    """Every page of the module: ``lead`` says whether the user may open the module's lists (its tab bar)."""
    context.setdefault("lead", scope.can(request.user, "leadership"))
    return render(request, template, context, status=status)


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _handle(request, action, back, done_message):
    """Run ``action()``; (None, {}) and a redirect on success, or (response or None, errors)."""
    try:
        action()
    except ValidationError as exc:
        return None, exc.message_dict
    except (Forbidden, Conflict) as exc:
        return refused(request, exc, back), {}
    messages.success(request, done_message)
    return redirect(back), {}


@login_required
def home(request):
    user = request.user
    if not scope.can(user, "leadership"):
        if services.reader_paths(user):
            return redirect("leadership_notices")
        if services.open_decisions_of(user).exists():
            return redirect("leadership_decisions")
        if services.my_rectifications(user).exists():
            return redirect("leadership_rectifications")
        row = services.my_self_assessments(user).first()
        if row is not None:
            return redirect("leadership_appraisal", row.appraisal_id)
        raise Http404
    today = timezone.localdate()
    teams = list(
        Team.objects.visible_to(user).filter(closed_on=None).select_related("org").order_by("org__path", "kind")[:50]
    )
    context = {
        "tab": "home",
        "f": services.overview(user, today),
        "teams": teams,
        "meetings": Meeting.objects.visible_to(user).select_related("org").order_by("-date", "-pk")[:8],
        "lives": LifeMeeting.objects.visible_to(user).select_related("org").order_by("-year", "-pk")[:5],
        "unread": services.unread_for_me(user).select_related("notice")[:10],
        "due": [(b, services.meetings_due(b, today)) for b in services.branches(user, "leadership_manage")[:5]],
        "can_manage": services.can_manage(user),
    }
    return _render(request, "leadership/home.html", context)


# ---------------------------------------------------------------- teams


@login_required
@require_http_methods(["GET", "POST"])
def team_new(request):
    user = request.user
    if not services.can_manage(user):
        raise Http404
    errors, data = {}, {"elected_on": timezone.localdate().isoformat(), "kind": TeamKind.COMMITTEE}
    if request.method == "POST":
        data = request.POST
        try:
            team = services.create_team(user, **inputs.parse(forms.TeamForm, data))
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, f"已组建{team}")
            return redirect("leadership_team", team.pk)
    context = {
        "tab": "home",
        "orgs": services.managed_orgs(user).exclude(kind="party_group"),
        "kinds": TeamKind.choices,
        "data": data,
        "errors": errors,
        "default_term": rules.setting("term_years"),
    }
    return _render(request, "leadership/team_new.html", context, status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def team_detail(request, pk):
    user = request.user
    team = services.get_team(user, pk)
    errors, failed, data = {}, "", {}
    if request.method == "POST":
        op, data = request.POST.get("op"), request.POST
        back = request.path

        def action():
            if op == "member":
                services.add_member(user, team=team, **inputs.parse(forms.MemberForm, data))
            elif op in ("end", "duty"):
                member = services.get_member(user, data.get("member"))
                if member.team_id != team.pk:
                    raise Http404
                if op == "end":
                    services.end_member(user, member=member, **inputs.parse(forms.EndMemberForm, data))
                else:
                    services.set_duty(user, member=member, **inputs.parse(forms.DutyForm, data))
            else:
                raise ValidationError({"op": "未知操作"})

        response, errors = _handle(request, action, back, "已保存")
        if response is not None:
            return response
        failed = op
    members = list(team.members.select_related("person__org").prefetch_related("duties").order_by("ends_on", "pk"))
    history = Team.objects.filter(org=team.org, kind=team.kind).exclude(pk=team.pk).order_by("-number")
    can_manage = services.can_manage(user, team.org)
    context = {
        "tab": "home",
        "team": team,
        "current": [m for m in members if m.ends_on is None],
        "former": [m for m in members if m.ends_on is not None],
        "history": history,
        "can_manage": can_manage and not team.closed_on,
        "people": services.branch_people(team.org) if can_manage else [],
        "posts": services.posts_for(team.kind),
        "errors": errors,
        "failed": failed,
        "failed_duty": str(data.get("member") or "") if failed == "duty" else "",  # the member whose form failed
        "failed_end": str(data.get("member") or "") if failed == "end" else "",
        "data": data,
        "today": timezone.localdate(),
    }
    return _render(request, "leadership/team.html", context, status=422 if errors else 200)


# ---------------------------------------------------------------- meetings


@login_required
def meeting_list(request):
    user = request.user
    if not scope.can(user, "leadership"):
        raise Http404
    kind = services.meeting_kind(request.GET.get("kind", ""))
    qs = services.meetings_listed(user, kind=kind)
    context = {
        "tab": "meetings",
        "page": _page(request, qs),
        "kinds": MeetingKind.choices,
        "kind": kind,
        "can_manage": services.can_manage(user),
    }
    return _render(request, "leadership/meetings.html", context)


@login_required
@require_POST
def ledger(request):
    """会议与整改台账 (``leadership.exports``): made in the background with the list's 会议类型; the file's page
    follows. Criticism contents are not in it (sensitive)."""
    from common import export

    if not scope.can(request.user, "leadership"):
        raise Http404
    kind = services.meeting_kind(request.GET.get("kind", ""))
    return export.start_ledger(request, "leadership_ledger", params={"kind": kind} if kind else {})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    user = request.user
    if not services.can_manage(user):
        raise Http404
    orgs = list(services.managed_orgs(user))
    initial = {
        "date": timezone.localdate().isoformat(),
        "kind": request.GET.get("kind") or MeetingKind.COMMITTEE,
        "org": str(orgs[0].pk) if orgs else "",
    }

    def create():
        return services.create_meeting(user, **inputs.parse(forms.MeetingForm, request.POST))

    meeting, data, errors = submit_once(request, create, initial)
    if meeting is not None:
        messages.success(request, "会议已登记;会后请登记出席情况")
        return redirect("leadership_meeting", meeting.pk)
    context = {
        "tab": "meetings",
        "orgs": orgs,
        "kinds": MeetingKind.choices,
        "data": data,
        "errors": errors,
        "general_errors": errors.get("__all__", []),
    }
    return _render(request, "leadership/meeting_new.html", context, status=form_status(errors))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request, pk):
    user = request.user
    meeting = services.get_meeting(user, pk)
    errors, failed, data = {}, "", {}
    attendance = list(meeting.attendance.select_related("person__org"))
    if request.method == "POST":
        op, data = request.POST.get("op"), request.POST

        def action():
            if op == "attendance":
                form = forms.AttendanceForm(data, people=[a.person_id for a in attendance])
                services.record_attendance(user, meeting=meeting, **inputs.clean(form))
            elif op == "decision":
                services.add_decision(user, meeting=meeting, **inputs.parse(forms.DecisionForm, data))
            else:
                raise ValidationError({"op": "未知操作"})

        response, errors = _handle(request, action, request.path, "已保存")
        if response is not None:
            return response
        failed = op
        if op == "attendance":  # show what was typed, not what is stored
            for a in attendance:
                a.status = data.get(f"status_{a.person_id}", a.status)
                a.reason = data.get(f"reason_{a.person_id}", a.reason)
    can_manage = services.can_manage(user, meeting.org)
    branch = meeting.org if meeting.org.kind == "branch" else meeting.org.branch
    context = {
        "tab": "meetings",
        "m": meeting,
        "agenda": meeting.agenda.all(),
        "attendance": attendance,
        "decisions": _with_duty(meeting.decisions.select_related("owner"), services.current_duties(meeting.org)),
        "open_items": services.open_rectifications(branch).order_by("deadline")[:20] if branch else [],
        "can_manage": can_manage,
        "people": services.branch_people(meeting.org) if can_manage else [],
        "presences": Presence.choices,
        "modes": DecisionMode.choices,
        "errors": errors,
        "failed": failed,
        "data": data,
        "half": meeting.expected // 2 + 1,
        "token": new_form_token(),
    }
    return _render(request, "leadership/meeting.html", context, status=422 if errors else 200)


def _with_duty(decisions, duties):
    decisions = list(decisions)
    for d in decisions:
        d.duty = duties.get(d.owner_id, "") if d.mode == DecisionMode.DELEGATED else ""
    return decisions


@login_required
def decision_list(request):
    user = request.user
    own = services.open_decisions_of(user)
    if not scope.can(user, "leadership") and not own.exists():
        raise Http404
    qs = Decision.objects.visible_to(user) if scope.can(user, "leadership") else own
    qs = qs.select_related("meeting__org", "owner")
    overdue = request.GET.get("overdue") == "1"
    state = request.GET.get("state", "open")
    if overdue:
        qs = qs.overdue()
    elif state == "open":
        qs = qs.open()
    elif state == "done":
        qs = qs.exclude(done_on=None)
    context = {
        "tab": "decisions",
        "page": _page(request, qs.order_by("done_on", "deadline", "pk")),
        "overdue": overdue,
        "state": state,
    }
    return _render(request, "leadership/decisions.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def decision_detail(request, pk):
    user = request.user
    d = services.get_decision(user, pk)
    errors, data = {}, {}
    if request.method == "POST":
        data = request.POST
        response, errors = _handle(
            request,
            lambda: services.complete_decision(user, decision=d, **inputs.parse(forms.DoneForm, data)),
            request.path,
            "决议已办结",
        )
        if response is not None:
            return response
    can_finish = not d.done_on and (services.can_manage(user, d.meeting.org) or user.person_id == d.owner_id)
    _with_duty([d], services.current_duties(d.meeting.org))
    context = {"tab": "decisions", "d": d, "can_finish": can_finish, "errors": errors, "data": data}
    return _render(request, "leadership/decision.html", context, status=422 if errors else 200)


# ---------------------------------------------------------------- 组织生活会


@login_required
@require_http_methods(["GET", "POST"])
def life_list(request):
    user = request.user
    if not scope.can(user, "leadership"):
        raise Http404
    errors, data = {}, {"year": timezone.localdate().year}
    if request.method == "POST":
        if not services.can_manage(user):
            raise Http404
        data = request.POST
        try:
            life = services.create_life(user, **inputs.parse(forms.LifeForm, data))
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, "组织生活会已建立:下一步会前学习")
            return redirect("leadership_life", life.pk)
    qs = LifeMeeting.objects.visible_to(user).select_related("org").order_by("-year", "-pk")
    from leadership.models import Appraisal

    context = {
        "tab": "life",
        "page": _page(request, qs),
        "appraisals": Appraisal.objects.visible_to(user).select_related("org").order_by("-year", "-pk")[:20],
        "states": rules.LIFE_STATES,
        "can_manage": services.can_manage(user),
        "orgs": services.branches(user, "leadership_manage"),
        "errors": errors,
        "data": data,
    }
    return _render(request, "leadership/lives.html", context, status=422 if errors else 200)


LIFE_STEPS = list(rules.LIFE_STATES.items())
LIFE_FORMS = {  # op: (the form, the service)
    "update": (forms.LifeUpdateForm, services.update_life),
    "opinion": (forms.OpinionForm, services.add_opinion),
    "criticism": (forms.CriticismForm, services.add_criticism),
    "rectification": (forms.RectificationForm, services.add_rectification),
}


@login_required
@require_http_methods(["GET", "POST"])
def life_detail(request, pk):
    user = request.user
    life = services.get_life(user, pk)
    errors, failed, data = {}, "", {}
    if request.method == "POST":
        op, data = request.POST.get("op"), request.POST

        def action():
            if op in LIFE_FORMS:
                form_class, service = LIFE_FORMS[op]
                service(user, life=life, **inputs.parse(form_class, data))
            elif op == "act":
                services.life_act(user, life=life, action=data.get("action"), note=data.get("note"))
            else:
                raise ValidationError({"op": "未知操作"})

        response, errors = _handle(request, action, request.path, "已保存")
        if response is not None:
            return response
        failed = op
    done, required, missing = services.talk_pairs(life)
    state_index = [s for s, _ in LIFE_STEPS].index(life.state)
    can_manage = services.can_manage(user, life.org)
    context = {
        "tab": "life",
        "life": life,
        "steps": [(s, label, i < state_index, i == state_index) for i, (s, label) in enumerate(LIFE_STEPS)],
        "actions": services.next_steps(services.LIFE_MACHINE, user, life),
        "participants": list(life.participants.order_by("name")),
        "pairs_done": done,
        "pairs_required": required,
        "missing": missing[:30],
        "missing_more": max(0, len(missing) - 30),
        "opinions": life.opinions.all(),
        "criticisms": services.criticisms_for(user, life, ip=_ip(request)),
        "can_read_criticism": services.can_read_criticism(user, life),
        "can_talk": can_record_talk(user),
        "items": life.rectifications.select_related("owner", "checked_by").order_by("deadline", "pk"),
        "earlier": services.open_rectifications(life.org, before=life).order_by("deadline")[:20],
        "history": life.steps.select_related("actor__person"),
        "can_manage": can_manage and life.state != "closed",
        "crit_kinds": CriticismKind.choices,
        "errors": errors,
        "failed": failed,
        "data": data,
        "state_labels": rules.LIFE_STATES,
        "token": new_form_token(),
    }
    return _render(request, "leadership/life.html", context, status=422 if errors else 200)


@login_required
def rectification_list(request):
    user = request.user
    own = services.my_rectifications(user)
    if not scope.can(user, "leadership") and not own.exists():
        raise Http404
    qs = Rectification.objects.visible_to(user) if scope.can(user, "leadership") else own
    state = request.GET.get("state", "open")
    if state == "open":
        qs = qs.open()
    elif state == "overdue":
        qs = qs.overdue()
    elif state == "closed":
        qs = qs.exclude(checked_on=None)
    qs = qs.select_related("life__org", "owner").order_by("checked_on", "deadline", "pk")
    return _render(
        request, "leadership/rectifications.html", {"tab": "rect", "page": _page(request, qs), "state": state}
    )


@login_required
@require_http_methods(["GET", "POST"])
def rectification_detail(request, pk):
    user = request.user
    item = services.get_rectification(user, pk)
    errors, data = {}, {}
    if request.method == "POST":
        op, data = request.POST.get("op"), request.POST

        def action():
            if op == "done":
                services.rectification_done(user, item=item, **inputs.parse(forms.EvidenceForm, data))
            elif op == "check":
                services.rectification_check(user, item=item)
            else:
                raise ValidationError({"op": "未知操作"})

        response, errors = _handle(request, action, request.path, "已保存")
        if response is not None:
            return response
    is_owner = bool(user.person_id and user.person_id == item.owner_id)
    manager = services.can_manage(user, item.life.org)
    context = {
        "tab": "rect",
        "r": item,
        "can_report": not item.checked_on and (is_owner or manager),
        "can_check": not item.checked_on and item.done_on and manager and not is_owner,
        "errors": errors,
        "data": data,
    }
    return _render(request, "leadership/rectification.html", context, status=422 if errors else 200)


# ---------------------------------------------------------------- 民主评议党员


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_new(request):
    user = request.user
    if not services.can_manage(user):
        raise Http404
    errors, data = {}, {"year": timezone.localdate().year}
    if request.method == "POST":
        data = request.POST
        try:
            a = services.create_appraisal(user, **inputs.parse(forms.AppraisalForm, data))
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, "民主评议已开始:党员个人自评")
            return redirect("leadership_appraisal", a.pk)
    context = {
        "tab": "life",
        "orgs": services.branches(user, "leadership_manage"),
        "lives": LifeMeeting.objects.visible_to(user).select_related("org").order_by("-year")[:30],
        "errors": errors,
        "data": data,
    }
    return _render(request, "leadership/appraisal_new.html", context, status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_detail(request, pk):
    user = request.user
    a = services.get_appraisal(user, pk)
    errors, data = {}, {}
    can_manage = services.can_manage(user, a.org)
    rows = list(a.rows.select_related("person__org"))
    if not can_manage:  # a member sees and writes their own line
        rows = [r for r in rows if r.person_id == user.person_id]
    if request.method == "POST":
        op, data = request.POST.get("op"), request.POST

        def action():
            if op == "act":
                services.appraisal_act(user, appraisal=a, action=data.get("action"))
            elif op == "rows":
                with transaction.atomic():
                    for row in rows:
                        names = services.APPRAISAL_FIELDS.get(a.state, ())
                        values = inputs.parse(forms.AppraisalRowForm, data, row=row, names=names)
                        if values:
                            services.update_appraisal_row(user, row=row, **values)
            else:
                raise ValidationError({"op": "未知操作"})

        response, errors = _handle(request, action, request.path, "已保存")
        if response is not None:
            return response
        rows = list(a.rows.select_related("person__org").filter(pk__in=[r.pk for r in rows]))  # as stored
        for row in rows:  # what was typed goes back into the form
            for f in services.APPRAISAL_FIELDS.get(a.state, ()):
                if f"{f}_{row.pk}" in data:
                    setattr(row, f, data.get(f"{f}_{row.pk}"))
    context = {
        "tab": "life",
        "a": a,
        "rows": rows,
        "state_label": rules.APPRAISAL_STATES[a.state],
        "steps": list(rules.APPRAISAL_STATES.items()),
        "actions": services.next_steps(services.APPRAISAL_MACHINE, user, a),
        "editing": (can_manage and a.state != "done") or (a.state == "self" and bool(rows)),
        "grades": Grade.choices,
        "errors": errors,
        "data": data,
    }
    return _render(request, "leadership/appraisal.html", context, status=422 if errors else 200)


# ---------------------------------------------------------------- notices and reports


@login_required
def notice_list(request):
    user = request.user
    can_send = scope.can(user, "leadership_notice")
    if not (scope.can(user, "leadership") or services.reader_paths(user)):
        raise Http404
    from django.db.models import Count, Q

    qs = (
        services.notices_for(user)
        .select_related("org", "sender__person")
        .annotate(
            targets_n=Count("receipts", distinct=True),
            unread_n=Count("receipts", filter=Q(receipts__read_at=None), distinct=True),
        )
        .order_by("-sent_on", "-pk")
    )
    unread_mine = set(services.unread_for_me(user).values_list("notice_id", flat=True))
    context = {"tab": "notices", "page": _page(request, qs), "can_send": can_send, "unread_mine": unread_mine}
    return _render(request, "leadership/notices.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def notice_new(request):
    user = request.user
    if not scope.can(user, "leadership_notice"):
        raise Http404
    senders = list(
        OrgNode.objects.visible_to(user, "leadership_notice")
        .filter(kind__in=("committee", "branch"))
        .order_by("path")[:50]
    )
    errors, data = {}, {}
    if request.method == "POST":
        data = request.POST
        try:
            n = services.send_notice(user, **inputs.parse(forms.NoticeForm, data))
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, f"通知已发送到 {n.receipts.count()} 个单位")
            return redirect("leadership_notice", n.pk)
    context = {
        "tab": "notices",
        "senders": senders,
        "targets": services.notice_targets(user).order_by("path")[:300],
        "selected": set(data.getlist("targets")) if hasattr(data, "getlist") else set(),
        "token": data.get("token") or new_form_token(),
        "errors": errors,
        "data": data,
    }
    return _render(request, "leadership/notice_new.html", context, status=422 if errors else 200)


@login_required
def notice_detail(request, pk):
    user = request.user
    n = services.get_notice(user, pk)
    services.mark_read(user, n)
    receipts = list(n.receipts.select_related("org", "read_by__person").order_by("read_at", "org__path"))
    late_day = n.sent_on + timedelta(days=rules.setting("notice_unread_days"))
    context = {
        "tab": "notices",
        "n": n,
        "receipts": receipts,
        "unread": [r for r in receipts if not r.read_at],
        "late": timezone.localdate() >= late_day,
        "late_days": rules.setting("notice_unread_days"),
        "is_sender": n.sender_id == user.pk or scope.can(user, "leadership_notice", n.org),
    }
    return _render(request, "leadership/notice.html", context)


@login_required
def report_list(request):
    user = request.user
    if not scope.can(user, "leadership"):
        raise Http404
    qs = services.reports_for(user).select_related("org", "author__person").order_by("-submitted_at", "-pk")
    context = {
        "tab": "reports",
        "page": _page(request, qs),
        "can_submit": services.branches(user, "leadership_notice").exists(),
    }
    return _render(request, "leadership/reports.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request):
    user = request.user
    orgs = list(services.branches(user, "leadership_notice")[:50])
    if not orgs:
        raise Http404
    errors, data = {}, {"org": str(orgs[0].pk)}
    if request.method == "POST":
        data = request.POST
        try:
            r = services.submit_report(user, **inputs.parse(forms.ReportForm, data))
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, "情况报告已报送党委")
            return redirect("leadership_report", r.pk)
    context = {
        "tab": "reports",
        "orgs": orgs,
        "errors": errors,
        "data": data,
        "token": data.get("token") or new_form_token(),
    }
    return _render(request, "leadership/report_new.html", context, status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, pk):
    user = request.user
    r = services.get_report(user, pk)
    errors, data = {}, {}
    if request.method == "POST":
        data = request.POST
        response, errors = _handle(
            request,
            lambda: services.reply_report(user, report=r, **inputs.parse(forms.ReplyForm, data)),
            request.path,
            "已答复",
        )
        if response is not None:
            return response
    context = {
        "tab": "reports",
        "r": r,
        "can_reply": not r.replied_at and scope.can(user, "leadership_reply", r.org),
        "errors": errors,
        "data": data,
    }
    return _render(request, "leadership/report.html", context, status=422 if errors else 200)
