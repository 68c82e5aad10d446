"""Every state change, validation and permission check of ``stability`` (SPEC §4.6), shared by the pages and the API.

Services take typed keyword arguments (the pages parse with ``stability.forms``, the API with its schemas).
"""

from calendar import monthrange
from datetime import date, timedelta
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from common import workflow
from common.errors import Conflict, Forbidden, NotFound
from common.parsing import as_id
from common.workflow import Transition
from orgs import scope
from orgs.models import OrgKind, OrgNode, Person, WorkStatus
from orgs.services import log_bulk_sensitive
from stability import access, clock
from stability.models import (
    LOCAL_LEVELS,
    Assessment,
    Campaign,
    CampaignResult,
    Channel,
    ContentRead,
    Drill,
    EmergencyPlan,
    Factor,
    FactorEvent,
    FactorMeasure,
    FactorStatus,
    FollowUp,
    Level,
    Petition,
    PetitionClass,
    PetitionEvent,
    PetitionStatus,
    PlanKind,
    PlanVersion,
    RevisionTrigger,
    Satisfaction,
    Severity,
    StabilitySettings,
    Temperature,
    TriggerReason,
)

F = FactorStatus
P = PetitionStatus

# ---------------------------------------------------------------- helpers


def mine_of(user):
    from orgs import scope

    return scope.mine_of(user)


def settings_for(mine):
    cfg, _ = StabilitySettings.objects.get_or_create(mine=mine)
    return cfg


def numbers_for(mine):
    return clock.Numbers.of(settings_for(mine))


def _settings_by_mine(mine_ids, user=None):
    """{mine id: its settings (the defaults when it has none yet)}. With ``user``: the settings of the user's mines
    are read once per request and shared by the tile, the 待办 and the pages."""
    mine_ids = set(mine_ids)
    known = dict(user_settings(user)) if user is not None else {}
    missing = mine_ids - set(known)
    if missing:
        known.update({s.mine_id: s for s in StabilitySettings.objects.filter(mine_id__in=missing)})
    return {m: known.get(m) or StabilitySettings(mine_id=m) for m in mine_ids}


USER_CAPABILITIES = ("stability_read", "stability_plans_read", "stability_health")


def user_mines(user):
    """[(mine id, path, name)] above or below any of the user's stability subtrees, read once per request."""
    if not access._active(user):
        return []

    def read():
        paths = sorted({p for c in USER_CAPABILITIES for p in access.paths(user, c)})
        return list(access.mines_of_paths(paths).values_list("pk", "path", "name"))

    return scope.memo(user, "stability_mines", read)


def user_settings(user):
    """{mine id: settings} of ``user_mines`` (the defaults where a mine has none), read once per request."""

    def read():
        ids = [pk for pk, _path, _name in user_mines(user)]
        found = {s.mine_id: s for s in StabilitySettings.objects.filter(mine_id__in=ids)} if ids else {}
        return {m: found.get(m) or StabilitySettings(mine_id=m) for m in ids}

    return scope.memo(user, "stability_settings", read) if access._active(user) else {}


def people_by_emp_no(mine, codes, field):
    """The people of ``mine`` with the 工号 ``codes`` (``stability.forms.CodesField``); an unknown 工号 is an error
    of ``field``."""
    found = {p.emp_no: p for p in Person.objects.filter(mine=mine, emp_no__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError({field: "本矿没有工号:" + "、".join(missing[:5])})
    return [found[c] for c in codes]


def person_by_emp_no(mine, code, field):
    """The person of ``mine`` with the 工号 ``code``, None when empty; an unknown 工号 is an error of ``field``."""
    return people_by_emp_no(mine, [code], field)[0] if code else None


def _not_before(value, earliest, field, message):
    if earliest and value < earliest:
        raise ValidationError({field: message})


def is_secretary_of(user, node):
    """Whether ``user`` holds the 党支部书记 role over ``node`` (the "secretary's own" entries of a major factor)."""
    if not access._active(user):
        return False
    return any(role == "secretary" and node.path.startswith(path) for role, path in scope.assignments_of(user))


def branches_for(user, capability="stability_manage"):
    """The branches the user may record for (those in their subtrees of ``capability``)."""
    return OrgNode.objects.filter(access.nodes_q(user, capability, "pk"), kind=OrgKind.BRANCH).order_by("path")


def _branch(user, node, capability="stability_manage", field="org"):
    """``node`` is a branch the user records for: else a field error."""
    if not branches_for(user, capability).filter(pk=node.pk).exists():
        raise ValidationError({field: "请选择您负责的支部"})
    return node


def log_read(user, kind, object_id, via, ip=None):
    """The record read (a petition or a factor need not be about a person of the roster); the people it names are
    logged as well, through the platform's one log of reads about people (``orgs.services.log_bulk_sensitive``)."""
    ContentRead.objects.create(user=user, kind=kind, object_id=object_id, via=via, ip=ip)


def reads_for(user, *, kind="", object_id=None):
    """The read log of factors and petitions for whoever holds ``audit`` (administrators): reads of records in
    their subtrees, newest first. Only who, what, when and where: never the contents."""
    if not scope.can(user, "audit"):
        raise Forbidden("只有系统管理员可以查看内容查看记录")
    in_scope = scope.filter_for(user, "audit", path_field="org__path", self_field=None)
    q = Q(kind="factor", object_id__in=Factor.objects.filter(in_scope).values("pk")) | Q(
        kind="petition", object_id__in=Petition.objects.filter(in_scope).values("pk")
    )
    reads = ContentRead.objects.filter(q).select_related("user__person")
    if kind in ("factor", "petition"):
        reads = reads.filter(kind=kind)
    if object_id:
        reads = reads.filter(object_id=object_id)
    return reads.order_by("-at", "-pk")


def events_of(kind, object_id):
    """The record's timeline, labelled by its machine (``common/timeline.html``)."""
    if kind == "factor":
        rows = FactorEvent.objects.filter(factor_id=object_id)
        return FACTOR_MACHINE.timeline(rows.select_related("actor__person"), {"create": "登记"})
    rows = PetitionEvent.objects.filter(petition_id=object_id)
    return PETITION_MACHINE.timeline(rows.select_related("actor__person"), {"create": "登记"})


def _token_hit(model, user, token):
    """The record this user already created with this form token; another user's token is a stale form."""
    if not token:
        return None
    existing = model.objects.filter(token=token).first()
    if existing is None:
        return None
    if existing.created_by_id != user.pk:
        raise Conflict("该表单已失效,请刷新页面后重新填写")
    return existing


def _create_once(model, user, token, build):
    existing = _token_hit(model, user, token)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return build()
    except IntegrityError:
        existing = _token_hit(model, user, token)
        if existing is None:
            raise
        return existing


# ---------------------------------------------------------------- unstable factors


def major_q(mine_ids, user=None):
    """反映强烈、涉及面广、人数众多: marked 重大, or as many people as the mine's setting or more."""
    q = Q(severity=Severity.MAJOR)
    for mine_id, cfg in _settings_by_mine(mine_ids, user).items():
        q |= Q(mine_id=mine_id, people_count__gte=cfg.major_people)
    return q


def is_major(factor, cfg=None):
    cfg = cfg or settings_for(factor.mine)
    return factor.severity == Severity.MAJOR or factor.people_count >= cfg.major_people


def _user_mine_ids(user):
    return [pk for pk, _path, _name in user_mines(user)]


def factors_for(user):
    """Factors the user may read, major ones marked (``major``), major and open ones first."""
    from django.db.models import BooleanField, Case, When

    qs = Factor.objects.visible_to(user)
    major = major_q(_user_mine_ids(user), user)
    return qs.annotate(major=Case(When(major, then=True), default=False, output_field=BooleanField())).order_by(
        "-major", "status", "-found_on", "-pk"
    )


def create_factor(user, *, org: OrgNode, title: str, description: str, people_count: int, severity: str,
                  found_on: date, people: list[str] = (), extent: str = "", leader: str = "",
                  plans: list[EmergencyPlan] = (), token: str | None = None):  # fmt: skip
    branch = _branch(user, org)
    mine = branch.mine
    persons = people_by_emp_no(mine, people, "people")
    if len(persons) > people_count:
        raise ValidationError({"people_count": "涉及人数不能少于所填人员数"})
    head = person_by_emp_no(mine, leader, "leader")
    plan_rows = list(plans)
    if any(p.mine_id != mine.pk for p in plan_rows):
        raise ValidationError({"plans": "预案不存在或不属于本矿"})

    def build():
        factor = Factor.objects.create(
            mine=mine, org=branch, title=title, description=description, people_count=people_count,
            extent=extent, severity=severity, leader=head, found_on=found_on, created_by=user, token=token or None,
        )  # fmt: skip
        factor.people.set(persons)
        factor.plans.set(plan_rows)
        FactorEvent.objects.create(
            factor=factor, action="create", to_status=factor.status, actor=user, at=timezone.now()
        )
        return factor

    return _create_once(Factor, user, token, build)


def get_factor(user, pk, via=None, ip=None):
    """A factor the user may read; its contents' read is logged when ``via`` is given."""
    factor = Factor.objects.visible_to(user).filter(pk=as_id(pk) or 0).select_related("org", "mine", "leader").first()
    if factor is None:
        raise NotFound()
    if via:
        log_read(user, "factor", factor.pk, via, ip)
        people = [*factor.people.all(), factor.leader]
        log_bulk_sensitive(user, people, ["不稳定因素"], via, ip)
    return factor


def _manage_factor(user, factor):
    if not access.can(user, "stability_manage", factor.org):
        raise Forbidden()


def _manage_roles(user, obj):
    """ "manage": stability_manage over the record's branch (the branch secretary, the mine's party committee)."""
    return {"manage"} if access.can(user, "stability_manage", obj.org) else set()


def _closing(ctx):
    ctx.changes["closed_on"] = None if ctx.target == F.CONTROL else timezone.localdate(ctx.now)


FACTOR_MACHINE = workflow.Machine(
    name="不稳定因素",
    model=Factor,
    event_model=FactorEvent,
    event_fk="factor",
    get=lambda user, pk: get_factor(user, pk),
    roles_of=_manage_roles,
    note_min=2,
    table=[
        Transition("resolve", "化解销号", [F.CONTROL, F.REPORTED], F.RESOLVED, {"manage"}, note="请填写化解情况", effect=_closing),
        Transition("report", "上报上级", [F.CONTROL], F.REPORTED, {"manage"}, note="请填写上报的情况和对象", effect=_closing),
        Transition("return", "上级交回,继续稳控", [F.REPORTED], F.CONTROL, {"manage"}, note="请填写交回的原因", effect=_closing),
        Transition("reopen", "出现反复,重新稳控", [F.RESOLVED], F.CONTROL, {"manage"}, note="请填写反复的情况", effect=_closing),
    ],
)  # fmt: skip
FACTOR_ACTIONS = FACTOR_MACHINE.actions


def factor_actions(user, factor):
    return FACTOR_MACHINE.allowed(user, factor)


def act_on_factor(user, pk, *, action, note, version=None):
    return FACTOR_MACHINE.apply(user, pk, action, version=version, note=note)


def add_measure(user, pk, *, text: str, owner: str = "", due: date | None = None):
    factor = get_factor(user, pk)
    _manage_factor(user, factor)
    if not factor.open:
        raise Conflict("该因素已不在控,不能再添加稳控措施")
    person = person_by_emp_no(factor.mine, owner, "owner")
    return FactorMeasure.objects.create(factor=factor, text=text, owner=person, due=due)


def complete_measure(user, measure_pk, *, on=None):
    measure = FactorMeasure.objects.filter(pk=as_id(measure_pk) or 0).select_related("factor").first()
    if measure is None:
        raise NotFound()
    factor = get_factor(user, measure.factor_id)
    _manage_factor(user, factor)
    if measure.done_on:
        raise Conflict("该措施已落实")
    measure.done_on = on or timezone.localdate()
    measure.save()
    return measure


def add_assessment(user, pk, *, date: date, judgement: str, trend: str):
    factor = get_factor(user, pk)
    _manage_factor(user, factor)
    if not factor.open:
        raise Conflict("该因素已不在控,不需再研判")
    _not_before(date, factor.found_on, "date", "研判日期不能早于发现日期")
    return Assessment.objects.create(factor=factor, date=date, judgement=judgement, trend=trend, by=user)


def add_follow_up(user, pk, *, date: date, text: str):
    """The secretary's own entry (亲自过问、动态跟踪): only the branch's 党支部书记 writes it."""
    factor = get_factor(user, pk)
    if not is_secretary_of(user, factor.org):
        raise Forbidden("书记跟踪记录只能由本支部书记本人填写")
    if factor.status == F.RESOLVED:
        raise Conflict("该因素已化解")
    _not_before(date, factor.found_on, "date", "日期不能早于发现日期")
    return FollowUp.objects.create(factor=factor, date=date, text=text, by=user)


def follow_up_due(factor, cfg, last):
    """When the secretary's next own entry on an open major factor is due."""
    return (last or factor.found_on) + timedelta(days=cfg.follow_up_days)


def follow_ups_waiting(user):
    """Open major factors of the branches where the user is secretary, with the date their next entry is due."""
    paths = [p for role, p in scope.assignments_of(user) if role == "secretary"] if access._active(user) else []
    if not paths:
        return []
    rows = list(
        Factor.objects.filter(scope.subtree_q(paths, "org"))
        .exclude(status=F.RESOLVED)
        .annotate(last=Max("follow_ups__date"))
        .select_related("mine")
    )
    cfgs = _settings_by_mine((f.mine_id for f in rows), user)
    return [(f, follow_up_due(f, cfgs[f.mine_id], f.last)) for f in rows if is_major(f, cfgs[f.mine_id])]


# ---------------------------------------------------------------- petitions


def create_petition(user, *, org: OrgNode, channel: str, klass: str, received_on: date, petitioner_names: str,
                    people_count: int, matter: str, petitioners: list[str] = (), accused: list[str] = (),
                    token: str | None = None):  # fmt: skip
    branch = _branch(user, org)
    mine = branch.mine
    who = people_by_emp_no(mine, petitioners, "petitioners")
    against = people_by_emp_no(mine, accused, "accused") if klass == PetitionClass.ACCUSATION else []
    if user.person_id and any(p.pk == user.person_id for p in against):
        raise ValidationError({"accused": "被检举控告人是您本人:请交由上级或其他负责人登记"})

    def build():
        petition = Petition.objects.create(
            mine=mine, org=branch, channel=channel, klass=klass, received_on=received_on,
            petitioner_names=petitioner_names, people_count=people_count, matter=matter, created_by=user,
            token=token or None,
        )  # fmt: skip
        petition.petitioners.set(who)
        petition.accused.set(against)
        PetitionEvent.objects.create(
            petition=petition, action="create", to_status=petition.status, actor=user, at=timezone.now()
        )
        return petition

    return _create_once(Petition, user, token, build)


def get_petition(user, pk, via=None, ip=None):
    petition = Petition.objects.visible_to(user).filter(pk=as_id(pk) or 0).select_related("org", "mine").first()
    if petition is None:
        raise NotFound()
    if via:
        log_read(user, "petition", petition.pk, via, ip)
        log_bulk_sensitive(user, [*petition.petitioners.all(), *petition.accused.all()], ["信访内容"], via, ip)
    return petition


def _on(ctx):
    day = ctx.params.get("date")
    if day is None:
        raise ValidationError({"date": "请填写日期"})
    return day


def _accept(ctx):
    day = _on(ctx)
    _not_before(day, ctx.obj.received_on, "date", "告知日期不能早于收到日期")
    ctx.changes["accepted_on"] = day


def _decline(ctx):
    day = _on(ctx)
    _not_before(day, ctx.obj.received_on, "date", "告知日期不能早于收到日期")
    ctx.changes.update(answered_on=day, result=ctx.note)


def _extend(ctx):
    """Once, by at most the mine's days, approved, with the reason told to the petitioner, before the last day.
    ``ctx.params``: ``stability.forms.ExtendForm`` (days, reason, approved_by, told_on)."""
    p, n = ctx.obj, numbers_for(ctx.obj.mine)
    days, reason, approved_by, told_on = (ctx.params[k] for k in ("days", "reason", "approved_by", "told_on"))
    if not 1 <= days <= n.extend_days:
        raise ValidationError({"days": f"延长日数为1至{n.extend_days}日"})
    last = clock.handle_due(p.accepted_on or p.received_on, p.paused_days, n)
    if timezone.localdate(ctx.now) > last:
        raise ValidationError({"days": f"办理期限已于{last:%Y-%m-%d}届满,不能再延期"})
    _not_before(told_on, p.accepted_on, "told_on", "告知日期不能早于受理日期")
    ctx.changes.update(extended_days=days, extension_reason=reason, extension_approved_by=approved_by,
                       extension_told_on=told_on)  # fmt: skip
    ctx.data = {"延长日数": days, "批准人": approved_by}
    ctx.note = ctx.note or f"延长{days}日:{reason}"


def _answer(ctx):
    """``ctx.params``: ``stability.forms.AnswerForm`` (date, result, level, satisfaction)."""
    day, params = _on(ctx), ctx.params
    _not_before(day, ctx.obj.accepted_on, "date", "答复日期不能早于受理日期")
    ctx.changes.update(
        answered_on=day, result=params["result"], level=params["level"], satisfaction=params.get("satisfaction", "")
    )


def _suspend(ctx):
    day = _on(ctx)
    _not_before(day, ctx.obj.accepted_on, "date", "中止日期不能早于受理日期")
    ctx.changes["suspended_on"] = day


def _resume(ctx):
    day, p = _on(ctx), ctx.obj
    _not_before(day, p.suspended_on, "date", "恢复日期不能早于中止日期")
    paused = (day - p.suspended_on).days if p.suspended_on else 0
    ctx.changes.update(paused_days=p.paused_days + paused, suspended_on=None)
    ctx.data = {"中止日数": paused}


def _window(answered_field, what, field):
    def effect(ctx):
        day, p = _on(ctx), ctx.obj
        answered = getattr(p, answered_field) or p.received_on
        n = numbers_for(p.mine)
        _not_before(day, answered, "date", "请求日期不能早于答复日期")
        until = clock.review_request_until(answered, n)
        if day > until:
            raise ValidationError(
                {"date": f"请求{what}的期限已于{until:%Y-%m-%d}届满(答复后{n.review_request_days}日内)"}
            )
        ctx.changes[field] = day

    return effect


def _answered(asked_field, field):
    def effect(ctx):
        day = _on(ctx)
        _not_before(day, getattr(ctx.obj, asked_field), "date", "答复日期不能早于请求日期")
        ctx.changes[field] = day
        if ctx.params.get("satisfaction"):
            ctx.changes["satisfaction"] = ctx.params["satisfaction"]

    return effect


def _not_extended(ctx):
    return "办理期限只能延长一次" if ctx.obj.extended_days else None


NOTE = "请填写说明(理由、意见或答复内容)"
PETITION_MACHINE = workflow.Machine(
    name="信访",
    model=Petition,
    event_model=PetitionEvent,
    event_fk="petition",
    get=lambda user, pk: get_petition(user, pk),
    roles_of=_manage_roles,
    note_min=2,
    note_max=2000,
    table=[
        Transition("accept", "受理并书面告知", [P.RECEIVED], P.ACCEPTED, {"manage"}, effect=_accept),
        Transition("decline", "不予受理并书面告知", [P.RECEIVED], P.DECLINED, {"manage"}, note=NOTE, effect=_decline),
        Transition("extend", "延长办理期限", [P.ACCEPTED], None, {"manage"}, guard=_not_extended, effect=_extend),
        Transition("answer", "办结并答复", [P.ACCEPTED], P.ANSWERED, {"manage"}, effect=_answer),
        Transition("suspend", "中止办理", [P.ACCEPTED], P.SUSPENDED, {"manage"}, note=NOTE, effect=_suspend),
        Transition("resume", "恢复办理", [P.SUSPENDED], P.ACCEPTED, {"manage"}, effect=_resume),
        Transition("request_review", "信访人请求复查", [P.ANSWERED], P.REVIEWING, {"manage"},
                   effect=_window("answered_on", "复查", "review_requested_on")),
        Transition("answer_review", "复查答复", [P.REVIEWING], P.REVIEWED, {"manage"}, note=NOTE,
                   effect=_answered("review_requested_on", "review_answered_on")),
        Transition("request_recheck", "信访人请求复核", [P.REVIEWED], P.RECHECKING, {"manage"},
                   effect=_window("review_answered_on", "复核", "recheck_requested_on")),
        Transition("answer_recheck", "复核答复", [P.RECHECKING], P.RECHECKED, {"manage"}, note=NOTE,
                   effect=_answered("recheck_requested_on", "recheck_answered_on")),
    ],
)  # fmt: skip
PETITION_ACTIONS = PETITION_MACHINE.actions
# the input each action asks for (the page's form, the API's fields)
PETITION_FORMS = {
    "accept": "dated", "decline": "dated_note", "extend": "extend", "answer": "answer", "suspend": "dated_note",
    "resume": "dated", "request_review": "dated", "answer_review": "dated_note", "request_recheck": "dated",
    "answer_recheck": "dated_note",
}  # fmt: skip


def petition_actions(user, petition):
    return [(a, label, PETITION_FORMS[a]) for a, label in PETITION_MACHINE.allowed(user, petition)]


def act_on_petition(user, pk, *, action, date=None, note="", version=None, **params):
    """One step of the petition's table. ``date``: the day it happened (the notice sent, the answer given, the
    request received…). A step may be late (the ledger shows it), but a 复查/复核 request after its window, or an
    extension after the last day, is refused."""
    return PETITION_MACHINE.apply(user, pk, action, version=version, note=note, params={"date": date, **params})


LEDGER_MAX = 5000  # the page's list: a mine receives a few hundred a year


def ledger(user, *, year=None, colour="", klass="", branch=None, today=None, limit=LEDGER_MAX):
    """The petition ledger: [(petition, colour, deadline)] of the user's scope, newest first; colours derived."""
    today = today or timezone.localdate()
    qs = ledger_rows(user, year=year, colour=colour, klass=klass, branch=branch, today=today)
    return clocked(user, qs[:limit], today)


def clocked(user, rows, today=None):
    """[(petition, colour, deadline)] of ledger rows (``ledger_rows`` values, e.g. one page of them)."""
    return with_clock(user, [PetitionRow(r) for r in rows], today or timezone.localdate())


def ledger_rows(user, *, year=None, colour="", klass="", branch=None, today=None):
    """The ledger's rows as a values queryset (``ROW_FIELDS``, no contents) of the user's scope, newest first — the
    list and its export. The colour is derived: 中止 and 办结 are statuses; 超期, 临期 and 在办 are read among the
    open petitions of the filters (a mine has tens) and kept by id."""
    qs = Petition.objects.visible_to(user)
    if year:
        qs = qs.filter(received_on__year=year)
    if klass:
        qs = qs.filter(klass=klass)
    if branch:
        qs = qs.filter(org_id=branch)
    running = [s for s in OPEN_STATUSES if s != P.SUSPENDED]
    if colour == clock.SUSPENDED:
        qs = qs.filter(status=P.SUSPENDED)
    elif colour == clock.DONE:
        qs = qs.exclude(status__in=OPEN_STATUSES)
    elif colour:
        today = today or timezone.localdate()
        open_rows = _rows_with_clock(user, qs.filter(status__in=running), today)
        qs = qs.filter(pk__in=[row.pk for row, c, _due in open_rows if c == colour])
    return qs.order_by("-received_on", "-pk").values(*ROW_FIELDS)


OPEN_STATUSES = (P.RECEIVED, P.ACCEPTED, P.SUSPENDED, P.REVIEWING, P.RECHECKING)


def open_petitions(user, today=None):
    """[(petition, colour, deadline)] of the user's petitions the mine still has to act on (any year); read once
    per request for today (the tile and the 待办 share it)."""
    if today is None:
        return scope.memo(user, "stability_open_petitions", lambda: _open_petitions(user, timezone.localdate()))
    return _open_petitions(user, today)


class PetitionRow:
    """A petition as the ledger, the tile and the 待办 show it, read as values (a mine's year is hundreds of rows):
    the clock's dates, the labels, no contents."""

    def __init__(self, row):
        org = SimpleNamespace(pk=row["org_id"], name=row.pop("org__name"), path=row.pop("org__path"))
        self.__dict__.update(row)
        self.pk, self.org = row["id"], org

    def _label(self, choices, value):
        return choices(value).label if value else ""

    def get_klass_display(self):
        return self._label(PetitionClass, self.klass)

    def get_channel_display(self):
        return self._label(Channel, self.channel)

    def get_status_display(self):
        return self._label(PetitionStatus, self.status)

    def get_level_display(self):
        return self._label(Level, self.level)

    def get_satisfaction_display(self):
        return self._label(Satisfaction, self.satisfaction)

    def get_absolute_url(self):
        return f"/stability/petitions/{self.pk}/"


ROW_FIELDS = (
    "id", "mine_id", "org_id", "org__name", "org__path", "status", "klass", "channel", "received_on", "people_count",
    "accepted_on", "extended_days", "paused_days", "answered_on", "review_requested_on", "review_answered_on",
    "recheck_requested_on", "recheck_answered_on", "level", "satisfaction", "version",
)  # fmt: skip


def _rows_with_clock(user, qs, today):
    return clocked(user, qs.values(*ROW_FIELDS), today)


def with_clock(user, rows, today):
    """[(row, colour, deadline)] of ``PetitionRow``s; the numbers of their mines read once."""
    cfgs = _settings_by_mine((r.mine_id for r in rows), user)
    numbers = {m: clock.Numbers.of(cfg) for m, cfg in cfgs.items()}
    return [(r, clock.colour(r, today, numbers[r.mine_id]), clock.deadline(r, numbers[r.mine_id])) for r in rows]


def _open_petitions(user, today):
    return _rows_with_clock(user, Petition.objects.visible_to(user).filter(status__in=OPEN_STATUSES), today)


def petition_counts(user, today=None):
    """{colour: count} of the user's open petitions (for the tile and the home)."""
    counts = {}
    for _p, c, _d in open_petitions(user, today):
        counts[c] = counts.get(c, 0) + 1
    return counts


CLOCK_FIELDS = (
    "mine", "org", "status", "received_on", "accepted_on", "extended_days", "paused_days", "answered_on",
    "review_requested_on", "review_answered_on", "recheck_requested_on", "recheck_answered_on", "level", "klass",
    "suspended_on",
)  # fmt: skip


def local_share(rows):
    """小事不出区、大事不出矿: of the petitions settled (answered with a level), the share settled inside the mine
    (班组, 区队 or 矿). None when nothing was settled."""
    settled = [r for r in rows if r["level"]]
    if not settled:
        return None
    local = sum(1 for r in settled if r["level"] in LOCAL_LEVELS)
    return round(local * 100 / len(settled))


def local_table(user, year):
    """Per branch and month of the year: (settled, settled locally) and the share, for the mine's figure."""
    rows = list(
        Petition.objects.visible_to(user)
        .filter(answered_on__year=year)
        .exclude(level="")
        .values("org_id", "org__name", "answered_on", "level")
    )
    branches = {}
    for r in rows:
        b = branches.setdefault(r["org_id"], {"name": r["org__name"], "months": {}, "rows": []})
        b["rows"].append(r)
        b["months"].setdefault(r["answered_on"].month, []).append(r)
    table = []
    for _pk, b in sorted(branches.items(), key=lambda item: item[1]["name"]):
        months = [local_share(b["months"].get(m, [])) for m in range(1, 13)]
        table.append({"name": b["name"], "months": months, "year": local_share(b["rows"]), "count": len(b["rows"])})
    return {"rows": table, "total": local_share(rows), "count": len(rows)}


def branch_figures(*, branch, start, end):
    """The stability figures of one branch over [start, end] (dates, both included), for the scorecard and 反问 Q5:

    petitions received, settled (answered) and settled locally (班组/区队/矿) in the period, overdue (open past
    their last day at ``end``, or a step done late), the 不出区 share; unstable factors in control at ``end`` and
    resolved in the period. No scope check: the caller has already decided the user may see the branch."""
    today = min(end, timezone.localdate())
    n = numbers_for(branch.mine)
    in_branch = Q(org__path__startswith=branch.path)
    received = Petition.objects.filter(in_branch, received_on__gte=start, received_on__lte=end).count()
    settled_rows = list(
        Petition.objects.filter(in_branch, answered_on__gte=start, answered_on__lte=end)
        .exclude(level="")
        .values("level")
    )
    overdue = 0
    for p in Petition.objects.filter(in_branch, received_on__lte=end).only(*CLOCK_FIELDS):
        if p.received_on < start and p.answered_on and p.answered_on < start:
            continue
        if clock.is_overdue(p, today, n):
            overdue += 1
    factors = Factor.objects.filter(in_branch)
    return {
        "petitions_received": received,
        "petitions_settled": len(settled_rows),
        "petitions_settled_locally": sum(1 for r in settled_rows if r["level"] in LOCAL_LEVELS),
        "petitions_overdue": overdue,
        "local_share": local_share(settled_rows),
        "factors_in_control": factors.filter(found_on__lte=end).exclude(status=F.RESOLVED, closed_on__lte=end).count(),
        "factors_resolved": factors.filter(status=F.RESOLVED, closed_on__gte=start, closed_on__lte=end).count(),
    }


# ---------------------------------------------------------------- emergency plans


def plan_orgs(user):
    """Where the user may keep plans: their mine (party committee, 安监) or their branch and its units."""
    return OrgNode.objects.filter(
        access.nodes_q(user, "stability_plans", "pk"), kind__in=(OrgKind.MINE, OrgKind.BRANCH, OrgKind.UNIT)
    ).order_by("path")


def _manage_plan(user, plan):
    if not scope.can(user, "stability_plans", plan.org):
        raise Forbidden()


def create_plan(user, *, org: OrgNode, title: str, kind: str, version: str, extent: str, issued_on: date,
                owner: str = "", assessed_on: date | None = None):  # fmt: skip
    node = org
    if not plan_orgs(user).filter(pk=node.pk).exists():
        raise ValidationError({"org": "请选择您负责的单位"})
    mine = node if node.kind == OrgKind.MINE else node.mine
    person = person_by_emp_no(mine, owner, "owner")
    return EmergencyPlan.objects.create(
        mine=mine, org=node, title=title, kind=kind, version=version, extent=extent, owner=person,
        issued_on=issued_on, assessed_on=assessed_on,
    )  # fmt: skip


def get_plan(user, pk):
    plan = EmergencyPlan.objects.visible_to(user).filter(pk=as_id(pk) or 0).select_related("org", "owner").first()
    if plan is None:
        raise NotFound()
    return plan


def record_drill(user, pk, *, date: date, participants: int, whole_mine: bool = False, summary: str = "",
                 problems: str = "", major_problem: bool = False, token: str | None = None):  # fmt: skip
    plan = get_plan(user, pk)
    _manage_plan(user, plan)
    if token:
        existing = Drill.objects.filter(token=token).first()
        if existing is not None:
            if existing.by_id != user.pk:
                raise Conflict("该表单已失效,请刷新页面后重新填写")
            return existing
    if major_problem and not problems:
        raise ValidationError({"problems": "请写明发现的重大问题"})
    with transaction.atomic():
        drill = Drill.objects.create(
            plan=plan, date=date, whole_mine=whole_mine, participants=participants, summary=summary,
            problems=problems, major_problem=major_problem, by=user, token=token or None,
        )  # fmt: skip
        if major_problem:
            RevisionTrigger.objects.create(
                plan=plan, reason=TriggerReason.DRILL, note=problems[:300], recorded_on=date, by=user
            )
    return drill


def add_trigger(user, pk, *, reason: str, recorded_on: date, note: str = ""):
    plan = get_plan(user, pk)
    _manage_plan(user, plan)
    return RevisionTrigger.objects.create(plan=plan, reason=reason, note=note, recorded_on=recorded_on, by=user)


def revise_plan(user, pk, *, version: str, issued_on: date, note: str = ""):
    """A new version: the old one kept, open revision triggers resolved, and the revision counts as assessed."""
    plan = get_plan(user, pk)
    _manage_plan(user, plan)
    if version == plan.version:
        raise ValidationError({"version": "新版本号须与现行版本不同"})
    _not_before(issued_on, plan.issued_on, "issued_on", "发布日期不能早于现行版本")
    with transaction.atomic():
        PlanVersion.objects.create(
            plan=plan, version=plan.version, issued_on=plan.issued_on, replaced_on=issued_on, note=note
        )
        plan.triggers.filter(resolved_on=None).update(resolved_on=issued_on)
        plan.version, plan.issued_on, plan.assessed_on = version, issued_on, issued_on
        plan.save()
    return plan


def assess_plan(user, pk, *, date: date):
    plan = get_plan(user, pk)
    _manage_plan(user, plan)
    _not_before(date, plan.issued_on, "date", "评估日期不能早于发布日期")
    plan.assessed_on = date
    plan.save()
    return plan


def add_months(day, months):
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def plan_dues(plans, cfgs):
    """For each plan: (next drill due, assessment due, open triggers). One query each for drills and triggers."""
    ids = [p.pk for p in plans]
    last = dict(
        Drill.objects.filter(plan_id__in=ids).values("plan_id").annotate(d=Max("date")).values_list("plan_id", "d")
    )
    triggers = dict(
        RevisionTrigger.objects.filter(plan_id__in=ids, resolved_on=None)
        .values("plan_id")
        .annotate(n=Count("pk"))
        .values_list("plan_id", "n")
    )
    out = {}
    for p in plans:
        cfg = cfgs[p.mine_id]
        months = cfg.onsite_drill_months if p.kind == PlanKind.ONSITE else cfg.plan_drill_months
        drill_due = add_months(last.get(p.pk) or p.issued_on, months)
        assess_due = add_months(p.assessed_on or p.issued_on, 12 * cfg.assessment_years)
        out[p.pk] = (drill_due, assess_due, triggers.get(p.pk, 0), last.get(p.pk))
    return out


def mine_drill_due(mine, cfg=None):
    cfg = cfg or settings_for(mine)
    last = Drill.objects.filter(plan__mine=mine, whole_mine=True).aggregate(d=Max("date"))["d"]
    start = last or EmergencyPlan.objects.filter(mine=mine).aggregate(d=Max("issued_on"))["d"]
    return (add_months(start, cfg.mine_drill_months) if start else None), last


def plans_waiting(user, today=None):
    """[(plan or None, title, due)] a plan keeper must act on: drills due, assessments due, revision triggers, and
    for those who keep the mine's plans the mine's half-yearly drill."""
    today = today or timezone.localdate()
    if not access.paths(user, "stability_plans"):
        return []
    plans = list(EmergencyPlan.objects.filter(access.nodes_q(user, "stability_plans", "org"), active=True))
    cfgs = _settings_by_mine((p.mine_id for p in plans), user)
    dues = plan_dues(plans, cfgs) if plans else {}
    out = []
    for p in plans:
        drill_due, assess_due, open_triggers, _last = dues[p.pk]
        cfg = cfgs[p.mine_id]
        soon = timedelta(days=cfg.due_soon_days)
        if drill_due - soon <= today:
            out.append((p, f"应急演练:{p.title}", drill_due))
        if assess_due - soon <= today:
            out.append((p, f"预案评估(每{cfg.assessment_years}年):{p.title}", assess_due))
        if open_triggers:
            out.append((p, f"预案修订:{p.title}({open_triggers}项修订事由)", None))
    keeps = access.paths(user, "stability_plans")
    names = {pk: name for pk, path, name in user_mines(user) if any(path.startswith(k) for k in keeps)}
    mine_ids = list(names)
    if mine_ids:
        mine_cfgs = _settings_by_mine(mine_ids, user)
        drilled = dict(
            Drill.objects.filter(plan__mine_id__in=mine_ids, whole_mine=True)
            .values("plan__mine_id")
            .annotate(d=Max("date"))
            .values_list("plan__mine_id", "d")
        )
        issued = dict(
            EmergencyPlan.objects.filter(mine_id__in=mine_ids)
            .values("mine_id")
            .annotate(d=Max("issued_on"))
            .values_list("mine_id", "d")
        )
        for mine_id in mine_ids:
            cfg, start = mine_cfgs[mine_id], drilled.get(mine_id) or issued.get(mine_id)
            due = add_months(start, cfg.mine_drill_months) if start else None
            if due and due - timedelta(days=cfg.due_soon_days) <= today:
                title = f"全矿应急演练(每{cfg.mine_drill_months}个月)"
                out.append((None, title if len(names) == 1 else f"{names[mine_id]}{title}", due))
    return out


# ---------------------------------------------------------------- health monitoring


def health_enabled(mine):
    return bool(mine) and StabilitySettings.objects.filter(mine=mine, health_enabled=True).exists()


def teams_for(user):
    """The 班组 whose temperatures the user may enter: in their subtrees of ``stability_health``, in mines where
    health monitoring is on."""
    if not access.paths(user, "stability_health"):
        return []

    def read():
        cfgs = user_settings(user)
        on = [path for pk, path, _name in user_mines(user) if cfgs[pk].health_enabled]
        if not on:
            return []
        teams = OrgNode.objects.filter(access.nodes_q(user, "stability_health", "pk"), kind=OrgKind.TEAM)
        return [t for t in teams.order_by("path") if any(t.path.startswith(p) for p in on)]

    return scope.memo(user, "stability_teams", read)


def get_team(user, pk):
    team = next((t for t in teams_for(user) if t.pk == as_id(pk)), None)
    if team is None:
        raise NotFound()
    return team


def team_people(team):
    return list(
        Person.objects.filter(org__path__startswith=team.path, work_status=WorkStatus.ON_DUTY).order_by("emp_no")
    )


def sheet(user, team, day, shift):
    """The team's sheet: [(person, recorded value or None)] for the day and shift."""
    people = team_people(team)
    done = dict(Temperature.objects.filter(team=team, date=day, shift=shift).values_list("person_id", "value"))
    return [(p, done.get(p.pk)) for p in people]


def save_sheet(user, team_pk, *, date: date, shift: str, values: dict):
    """Record the team's temperatures of a shift at once. ``values``: {person_id: Decimal or None (absent)}.
    A value ≥ the mine's threshold is flagged and becomes a follow-up 待办. Entering again corrects the values."""
    from decimal import Decimal

    team = get_team(user, team_pk)
    people = {p.pk: p for p in team_people(team)}
    errors = {}
    for pid, value in values.items():
        if pid not in people:
            errors[f"t{pid}"] = "不是本班组在岗人员"
        elif value is not None and not Decimal("34.0") <= value <= Decimal("42.0"):
            errors[f"t{pid}"] = "体温应在34.0至42.0之间"
    if errors:
        raise ValidationError(errors)
    rows = [
        Temperature(person_id=pid, team=team, date=date, shift=shift, value=value, by=user)
        for pid, value in values.items()
        if value is not None
    ]
    with transaction.atomic():
        Temperature.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["person", "date", "shift"],
            update_fields=["value", "team", "by"],
        )
    threshold = settings_for(team.mine).fever_threshold
    return len(rows), sum(1 for r in rows if r.value >= threshold)


def fevers_waiting(user, days=7):
    """Flagged temperatures of the last ``days`` days not yet followed up, in the user's scope."""
    since = timezone.localdate() - timedelta(days=days)
    if not access.paths(user, "stability_health"):
        return []
    on = [(m, cfg.fever_threshold) for m, cfg in user_settings(user).items() if cfg.health_enabled]
    if not on:
        return []
    q = Q(pk__in=[])
    for mine_id, threshold in on:
        q |= Q(person__mine_id=mine_id, value__gte=threshold)
    return list(
        Temperature.objects.filter(
            access.nodes_q(user, "stability_health", "team"), q, date__gte=since, followed_on=None
        )  # fmt: skip
        .select_related("person")
        .order_by("date", "pk")[:50]
    )


def follow_fever(user, pk, *, note: str, on: date | None = None):
    t = Temperature.objects.filter(access.nodes_q(user, "stability_health", "team"), pk=as_id(pk) or 0).first()
    if t is None:
        raise NotFound()
    if t.followed_on:
        raise Conflict("已跟进")
    t.followed_on, t.follow_note = on or timezone.localdate(), note
    t.save()
    return t


def campaign_orgs(user):
    return OrgNode.objects.filter(
        access.nodes_q(user, "stability_health", "pk"),
        kind__in=(OrgKind.MINE, OrgKind.BRANCH, OrgKind.UNIT, OrgKind.TEAM),
    ).order_by("path")


def create_campaign(user, *, org: OrgNode, title: str, starts_on: date, ends_on: date):
    node = org
    if not campaign_orgs(user).filter(pk=node.pk).exists():
        raise ValidationError({"org": "请选择您负责的单位"})
    mine = node if node.kind == OrgKind.MINE else node.mine
    if not health_enabled(mine):
        raise Conflict("本矿未启用健康监测")
    return Campaign.objects.create(mine=mine, org=node, title=title, starts_on=starts_on, ends_on=ends_on, by=user)


def get_campaign(user, pk):
    c = Campaign.objects.filter(access.nodes_q(user, "stability_health", "org"), pk=as_id(pk) or 0).first()
    if c is None:
        raise NotFound()
    return c


def campaign_targets(campaign):
    return Person.objects.filter(org__path__startswith=campaign.org.path, work_status=WorkStatus.ON_DUTY)


def record_results(user, pk, *, date: date, results: dict[int, str]):
    """``results``: {person_id: "normal" | "abnormal"} of target people; recorded again = corrected."""
    campaign = get_campaign(user, pk)
    targets = set(campaign_targets(campaign).filter(pk__in=list(results)).values_list("pk", flat=True))
    unknown = [pid for pid in results if pid not in targets]
    if unknown:
        raise ValidationError({"results": "有人员不在筛查对象中"})
    CampaignResult.objects.bulk_create(
        [CampaignResult(campaign=campaign, person_id=pid, date=date, result=r) for pid, r in results.items()],
        update_conflicts=True,
        unique_fields=["campaign", "person"],
        update_fields=["date", "result"],
    )
    return coverage(campaign)


def campaigns_with_coverage(user, limit=100):
    """[(campaign, (target, covered, abnormal, percent))] of the user's campaigns, in three queries whatever their
    number (targets counted by a subquery per campaign's unit, results grouped)."""
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    targets = (
        Person.objects.filter(org__path__startswith=OuterRef("org__path"), work_status=WorkStatus.ON_DUTY)
        .order_by()
        .values("work_status")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = list(
        Campaign.objects.visible_to(user)
        .select_related("org")
        .annotate(target=Coalesce(Subquery(targets, output_field=IntegerField()), 0))
        .annotate(covered=Count("results"), bad=Count("results", filter=Q(results__result="abnormal")))[:limit]
    )
    return [(c, (c.target, c.covered, c.bad, round(c.covered * 100 / c.target) if c.target else 0)) for c in rows]


def coverage(campaign):
    """(target, covered, abnormal, percent)."""
    target = campaign_targets(campaign).count()
    results = campaign.results.aggregate(n=Count("pk"), bad=Count("pk", filter=Q(result="abnormal")))
    pct = round(results["n"] * 100 / target) if target else 0
    return target, results["n"], results["bad"], pct


# ---------------------------------------------------------------- settings


def can_edit_settings(user, mine):
    return bool(mine) and scope.can(user, "stability_settings", mine)


def update_settings(user, mine, **values):
    if not can_edit_settings(user, mine):
        raise Forbidden()
    cfg = settings_for(mine)
    for key, value in values.items():
        setattr(cfg, key, value)
    cfg.save()
    return cfg
