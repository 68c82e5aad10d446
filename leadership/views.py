"""Pages of 基层班子建设. Thin: parse input, call ``leadership.services``, render.

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
from django.views.decorators.http import require_http_methods

from care.services import can_record_talk
from common.errors import Conflict, Forbidden
from common.responses import form_status, new_form_token, refused, submit_once
from leadership import rules, services
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
            team = services.create_team(
                user,
                org=data.get("org"),
                kind=data.get("kind"),
                elected_on=data.get("elected_on"),
                term_years=data.get("term_years"),
                note=data.get("note"),
            )
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
                services.add_member(
                    user,
                    team=team,
                    person=data.get("person"),
                    post=data.get("post"),
                    starts_on=data.get("starts_on"),
                    duty=data.get("duty"),
                )
            elif op in ("end", "duty"):
                member = services.get_member(user, data.get("member"))
                if member.team_id != team.pk:
                    raise Http404
                if op == "end":
                    services.end_member(user, member=member, ends_on=data.get("ends_on"), reason=data.get("reason"))
                else:
                    services.set_duty(user, member=member, area=data.get("area"), starts_on=data.get("starts_on"))
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
    qs = Meeting.objects.visible_to(user).select_related("org").order_by("-date", "-pk")
    kind = request.GET.get("kind")
    if kind in dict(MeetingKind.choices):
        qs = qs.filter(kind=kind)
    context = {
        "tab": "meetings",
        "page": _page(request, qs),
        "kinds": MeetingKind.choices,
        "kind": kind,
        "can_manage": services.can_manage(user),
    }
    return _render(request, "leadership/meetings.html", context)


@login_required
def ledger(request):
    """会议与整改台账 (.xlsx): the meetings, decisions and rectification items in the user's scope. Criticism contents
    are not in it (sensitive)."""
    from django.db.models import Count

    from common import export
    from common.excel import Column, Sheet, workbook_bytes, xlsx_response

    user = request.user
    if not scope.can(user, "leadership"):
        raise Http404
    meetings, cut_m = export.capped(
        Meeting.objects.visible_to(user).select_related("org").annotate(n=Count("decisions")).order_by("-date", "-pk")
    )
    decisions, cut_d = export.capped(
        Decision.objects.visible_to(user).select_related("meeting__org", "owner").order_by("deadline", "pk")
    )
    items, cut_r = export.capped(
        Rectification.objects.visible_to(user)
        .select_related("life__org", "owner", "checked_by__person")
        .order_by("checked_on", "deadline", "pk")
    )
    sheets = [
        Sheet(
            "会议",
            [Column("date", "日期", width=12), Column("org", "组织", width=20), Column("kind", "类型", width=10),
             Column("topic", "主题", width=36), Column("expected", "应到", width=6), Column("present", "实到", width=6),
             Column("valid", "是否有效", width=10), Column("n", "决议数", width=8)],
            [(m.date, m.org.name, m.get_kind_display(), m.topic, m.expected, m.present,
              ("有效" if m.valid else "未过半数") if m.held else "未登记出席", m.n) for m in meetings],
            notes=export.notes("会议", len(meetings), cut_m, unit="次"),
        ),
        Sheet(
            "决议",
            [Column("meeting", "会议", width=30), Column("text", "决议事项", width=40), Column("mode", "决策方式", width=10),
             Column("owner", "责任人", width=10), Column("deadline", "期限", width=12), Column("done", "完成", width=12)],
            [(str(d.meeting), d.text, d.get_mode_display(), d.owner.name, d.deadline,
              d.done_on or ("已超期" if d.overdue else "办理中")) for d in decisions],
            notes=export.notes("会议决议", len(decisions), cut_d),
        ),
        Sheet(
            "整改事项",
            [Column("org", "支部", width=20), Column("year", "年度", width=6), Column("problem", "问题", width=36),
             Column("measure", "措施", width=36), Column("owner", "责任人", width=10), Column("deadline", "期限", width=12),
             Column("status", "状态", width=8), Column("checked", "验收", width=16)],
            [(r.life.org.name, r.life.year, r.problem, r.measure, r.owner.name, r.deadline, r.status_label,
              f"{r.checked_by.display_name()} {r.checked_on:%Y-%m-%d}" if r.checked_on else "") for r in items],
            notes=export.notes("整改事项", len(items), cut_r),
        ),
    ]  # fmt: skip
    return xlsx_response(f"班子建设台账-{timezone.localdate():%Y%m%d}.xlsx", workbook_bytes(sheets))


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
        p = request.POST
        return services.create_meeting(
            user,
            org=p.get("org"),
            kind=p.get("kind"),
            date=p.get("date"),
            topic=p.get("topic"),
            place=p.get("place"),
            host=p.get("host"),
            agenda=p.get("agenda", ""),
            token=p.get("token"),
        )

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
                statuses = {
                    a.person_id: (
                        data.get(f"status_{a.person_id}", Presence.PRESENT),
                        data.get(f"reason_{a.person_id}"),
                    )
                    for a in attendance
                }
                services.record_attendance(user, meeting=meeting, statuses=statuses, minutes=data.get("minutes"))
            elif op == "decision":
                services.add_decision(
                    user,
                    meeting=meeting,
                    text=data.get("text"),
                    mode=data.get("mode"),
                    owner=data.get("owner"),
                    deadline=data.get("deadline"),
                    token=data.get("token"),
                )
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
            lambda: services.complete_decision(user, decision=d, note=data.get("note"), done_on=data.get("done_on")),
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
            life = services.create_life(
                user,
                org=data.get("org"),
                year=data.get("year"),
                theme=data.get("theme"),
                participants=data.getlist("participants"),
                anonymous_criticism=data.get("anonymous_criticism") == "1",
            )
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


@login_required
@require_http_methods(["GET", "POST"])
def life_detail(request, pk):
    user = request.user
    life = services.get_life(user, pk)
    errors, failed, data = {}, "", {}
    if request.method == "POST":
        op, data = request.POST.get("op"), request.POST

        def action():
            if op == "update":
                services.update_life(
                    user,
                    life=life,
                    study=data.get("study"),
                    date=data.get("date"),
                    minutes=data.get("minutes"),
                    anonymous_criticism=data.get("anonymous_criticism") == "1",
                )
            elif op == "opinion":
                services.add_opinion(
                    user,
                    life=life,
                    source=data.get("source"),
                    count=data.get("count"),
                    summary=data.get("summary"),
                    token=data.get("token"),
                )
            elif op == "criticism":
                services.add_criticism(
                    user,
                    life=life,
                    target=data.get("target"),
                    kind=data.get("kind"),
                    text=data.get("text"),
                    giver=data.get("giver"),
                    token=data.get("token"),
                )
            elif op == "rectification":
                services.add_rectification(
                    user,
                    life=life,
                    problem=data.get("problem"),
                    measure=data.get("measure"),
                    owner=data.get("owner"),
                    deadline=data.get("deadline"),
                    criticism=data.get("criticism"),
                    token=data.get("token"),
                )
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
                services.rectification_done(user, item=item, evidence=data.get("evidence"), done_on=data.get("done_on"))
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
            a = services.create_appraisal(user, org=data.get("org"), year=data.get("year"), life=data.get("life"))
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
                        values = {
                            f: data.get(f"{f}_{row.pk}")
                            for f in services.APPRAISAL_FIELDS.get(a.state, ())
                            if f"{f}_{row.pk}" in data
                        }
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
            n = services.send_notice(
                user,
                org=data.get("org"),
                title=data.get("title"),
                body=data.get("body"),
                targets=data.getlist("targets"),
                token=data.get("token"),
            )
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
            r = services.submit_report(
                user, org=data.get("org"), title=data.get("title"), body=data.get("body"), token=data.get("token")
            )
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
            request, lambda: services.reply_report(user, report=r, reply=data.get("reply")), request.path, "已答复"
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
