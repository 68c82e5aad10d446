"""三违 records (SPEC §4.2): recording, the appeal as one table of transitions, 帮教 steps, the re-exam hook."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from common import audit, workflow
from common.errors import Conflict, Forbidden, NotFound
from common.parsing import as_id
from common.workflow import Transition
from orgs import scope
from orgs.models import OrgKind, OrgNode, Person
from orgs.scope import mine_of
from violations.forms import EMP_NO_UNKNOWN, LOCATION, SEVERITY, SHIFT, name_taken
from violations.models import (
    DEFAULT_SEVERITIES,
    HelpStep,
    Severity,
    Violation,
    ViolationEvent,
    ViolationRules,
    ViolationStatus,
)

S = ViolationStatus

# ---------------------------------------------------------------- master data


def ensure_defaults(mine):
    if not Severity.objects.filter(mine=mine).exists():
        Severity.objects.bulk_create(
            [
                Severity(mine=mine, name=n, serious=s, points=p, fine=f, help_steps=steps, requires_reexam=r, order=i)
                for i, (n, s, p, f, steps, r) in enumerate(DEFAULT_SEVERITIES)
            ]
        )
    rules, _ = ViolationRules.objects.get_or_create(mine=mine)
    return rules


def rules_of(mine):
    return ViolationRules.objects.filter(mine=mine).first() or ensure_defaults(mine)


def can_edit_rules(user, mine):
    return scope.can(user, "violations_rules", mine)


RULES_ONLY = "只有本矿管理员和安监员可以维护三违设置"


def save_severity(user, mine, *, severity=None, name, serious=False, points=0, fine=Decimal(0), help_steps=(),
                  requires_reexam=False):  # fmt: skip
    """Add a severity (``severity`` None) or edit one of ``mine``: name (once per mine: ``SeverityForm`` checks it,
    the database keeps it), points, fine, 帮教 steps, re-exam."""
    if not can_edit_rules(user, mine):
        raise Forbidden(RULES_ONLY)
    if severity is not None and severity.mine_id != mine.pk:
        raise NotFound()
    severity = severity or Severity(mine=mine, order=Severity.objects.filter(mine=mine).count())
    severity.name, severity.points, severity.fine, severity.help_steps = name, points, fine, list(help_steps)
    severity.serious, severity.requires_reexam = serious, requires_reexam
    try:
        with transaction.atomic():
            severity.save()
    except IntegrityError:  # the name is once per mine (the form says so first; this is a race)
        raise ValidationError({"name": name_taken(name)}) from None
    return severity


def save_rules(user, mine, *, appeals_allowed, appeal_days, appeal_role):
    if not can_edit_rules(user, mine):
        raise Forbidden(RULES_ONLY)
    rules = rules_of(mine)
    rules.appeals_allowed, rules.appeal_days, rules.appeal_role = appeals_allowed, appeal_days, appeal_role
    rules.save()
    return rules


# ---------------------------------------------------------------- recording


def recordable_people(user, mine):
    """People whose violations the user may record: their subtree of the mine."""
    return Person.objects.visible_to(user, "violations_record").filter(mine=mine)


def can_record(user):
    return mine_of(user) is not None and scope.can(user, "violations_record")


def help_refusal(user, violation):
    """Why the user may not record 帮教 on this violation now (the error to raise), or None."""
    if not scope.can(user, "violations_help", violation.org):
        return Forbidden("您无权记录帮教")
    if violation.status == S.REVOKED:
        return Conflict("该三违已撤销,不需帮教")
    return None


def reexam_refusal(user, violation):
    """Why the user may not (re)schedule the re-exam now, or None."""
    if not scope.can(user, "violations_record", violation.org):
        return Forbidden("您无权安排复考")
    if violation.status == S.REVOKED:
        return Conflict("该三违已撤销,不需复考")
    if violation.reexam_paper_id and violation.reexam_paper.passed is not False:
        return Conflict("已安排复考" if violation.reexam_paper.passed is None else "复考已通过")
    return None


def before_hiring(occurred_on, hire_date):
    """The refusal of a 三违 dated before the person was hired (the page and the import alike), or None."""
    if occurred_on < hire_date:
        return f"违章日期早于该职工入职日期({hire_date})"
    return None


def _refusals(user, mine, *, person, occurred_on, severity, location, shift):
    """{field: message} of the domain checks: a person the user may record, hired by then; the mine's severity,
    place and shift (the form offers only those: the same words)."""
    errors = {}
    if not recordable_people(user, mine).filter(pk=person.pk).exists():
        errors["emp_no"] = EMP_NO_UNKNOWN
    elif before_hiring(occurred_on, person.hire_date):
        errors["occurred_on"] = before_hiring(occurred_on, person.hire_date)
    for field, record, message in (("severity", severity, SEVERITY), ("location", location, LOCATION),
                                   ("shift", shift, SHIFT)):  # fmt: skip
        if record is not None and record.mine_id != mine.pk:
            errors[field] = message
    return errors


def record(user, *, person, kind, severity, description, occurred_on=None, location=None, shift=None, clauses="",
           points=None, fine=None, requires_reexam=None, reexam_points=(), photo=None, token=None, now=None):  # fmt: skip
    """登记三违 on ``person`` (a record; the form reads the 工号). ``occurred_on``: today when None; ``points``,
    ``fine``, ``requires_reexam``: the severity's when None; ``reexam_points``: knowledge point ids (空 = the
    person's 工种); ``photo``: already checked and re-encoded (``violations.forms.RecordForm``); ``token``: one
    record per form."""
    now = now or timezone.now()
    mine = mine_of(user)
    if not can_record(user):
        raise Forbidden("您的角色不能登记三违")
    existing = _by_token(user, token) if token else None
    if existing is not None:
        return existing
    occurred_on = occurred_on or timezone.localdate(now)
    errors = _refusals(user, mine, person=person, occurred_on=occurred_on, severity=severity, location=location,
                       shift=shift)  # fmt: skip
    if errors:
        raise ValidationError(errors)
    violation = Violation(
        mine=mine, person=person, org_id=person.org_id, occurred_on=occurred_on, shift=shift, location=location,
        kind=kind, severity=severity, description=description, clauses=clauses, recorded_by=user, token=token,
        points=severity.points if points is None else points, fine=severity.fine if fine is None else fine,
        requires_reexam=severity.requires_reexam if requires_reexam is None else requires_reexam,
    )  # fmt: skip
    try:
        with transaction.atomic():
            _save_new(violation, photo, now)
    except IntegrityError:
        existing = _by_token(user, token) if token else None
        if existing is None:
            raise
        return existing
    if violation.requires_reexam:
        _assign_reexam(user, violation, reexam_points, now)
    return violation


def _save_new(violation, photo, now):
    if photo is not None:
        violation.photo.save("photo.jpg", photo, save=False)
    violation.save()
    steps = violation.severity.help_steps
    HelpStep.objects.bulk_create([HelpStep(violation=violation, order=i, name=n) for i, n in enumerate(steps)])
    ViolationEvent.objects.create(
        violation=violation, action="record", to_status=S.RECORDED, actor=violation.recorded_by, at=now, note="登记"
    )


def _by_token(user, token):
    existing = Violation.objects.filter(token=token).first()
    if existing is None:
        return None
    if existing.recorded_by_id != user.pk:
        raise Conflict("该表单已失效,请刷新页面后重新登记")
    return existing


def _assign_reexam(user, violation, point_ids, now):
    """The re-exam is served by the training module: a one-person paper over the chosen knowledge points (or the
    points of the person's 工种). If the bank has no questions yet, the violation stays 须复考 without a paper and
    the timeline says so; 安排复考 can be repeated later."""
    from training.exams import assign_reexam

    try:
        paper = assign_reexam(
            violation.person,
            list(point_ids or ()),
            title=f"三违复考 {violation.person.name} {violation.occurred_on}",
            author=user,
        )
    except Conflict as exc:
        ViolationEvent.objects.create(
            violation=violation,
            action="reexam",
            from_status=violation.status,
            to_status=violation.status,
            actor=user,
            at=now,
            note=f"未能安排复考:{exc.message}",
        )
        return None
    Violation.objects.filter(pk=violation.pk).update(reexam_paper=paper)
    before = audit.snapshot(violation)
    violation.reexam_paper = paper
    audit.audit_update(before, violation, actor=user)
    ViolationEvent.objects.create(
        violation=violation,
        action="reexam",
        from_status=violation.status,
        to_status=violation.status,
        actor=user,
        at=now,
        note=f"已安排复考,{timezone.localtime(paper.blueprint.closes_at):%Y-%m-%d %H:%M} 前完成",
    )
    return paper


def schedule_reexam(user, pk, *, reexam_points=(), now=None):
    now = now or timezone.now()
    violation = get(user, pk)
    refusal = reexam_refusal(user, violation)
    if refusal:
        raise refusal
    Violation.objects.filter(pk=violation.pk).update(requires_reexam=True)
    before = audit.snapshot(violation)
    violation.requires_reexam = True
    audit.audit_update(before, violation, actor=user)
    if _assign_reexam(user, violation, reexam_points, now) is None:
        raise Conflict("题库中没有可用于复考的题目,请先完善题库")
    return get(user, pk)


def reexam_state(violation):
    """待安排 / 待复考 / 复考通过 / 复考未通过, or "" when none is required."""
    if not violation.requires_reexam:
        return ""
    paper = violation.reexam_paper
    if paper is None:
        return "待安排复考"
    if paper.passed is None:
        return "待复考"
    return "复考通过" if paper.passed else "复考未通过"


# ---------------------------------------------------------------- reading


def get(user, pk):
    if not as_id(pk):
        raise NotFound()
    violation = (
        Violation.objects.visible_to(user)
        .filter(pk=pk)
        .select_related(
            "person",
            "person__org",
            "org",
            "severity",
            "shift",
            "location",
            "recorded_by",
            "recorded_by__person",
            "reexam_paper",
            "reexam_paper__blueprint",
            "mine",
        )
        .first()
    )
    if violation is None:
        raise NotFound()
    return violation


def appeal_deadline(violation, rules=None):
    rules = rules or rules_of(violation.mine)
    if not rules.appeals_allowed:
        return None
    return timezone.localdate(violation.created_at) + timedelta(days=rules.appeal_days)


def _holds_role_over(user, role, node):
    if user.is_superuser:
        return True
    return any(r == role and node.path.startswith(path) for r, path in scope.assignments_of(user))


def _roles_on(user, violation, rules):
    roles = set()
    if user.person_id and user.person_id == violation.person_id:
        roles.add("person")
    if _holds_role_over(user, rules.appeal_role, violation.org):
        roles.add("decider")
    if scope.can(user, "violations_rules", violation.org):
        roles.add("rules")
    return roles


def _appealable(ctx):
    """Why an appeal cannot be made now (beyond the table), or None."""
    violation = ctx.obj
    rules = rules_of(violation.mine)
    if not rules.appeals_allowed:
        return "本矿未开放三违申诉"
    if (ctx.params.get("today") or timezone.localdate(ctx.now)) > appeal_deadline(violation, rules):
        return f"申诉期已过(登记后{rules.appeal_days}天内可申诉)"
    if violation.events.filter(action="appeal").exists():
        return "每条三违只能申诉一次"
    return None


# The appeal, as one table. "person": the one who committed it; "decider": the mine's appeal role over the
# person's team; "rules": violations_rules (安监员 / 管理员) over the team. Every step carries its reason.
MACHINE = workflow.Machine(
    name="三违",
    model=Violation,
    event_model=ViolationEvent,
    event_fk="violation",
    get=lambda user, pk: get(user, pk),
    roles_of=lambda user, violation: _roles_on(user, violation, rules_of(violation.mine)),
    messages={"stale": "该记录已被他人处理(现在是“{status}”),请刷新后再操作", "busy": "该记录已被他人处理,请刷新后再操作",
              "state": "该三违当前状态为“{status}”,不能{label}", "note": "请填写理由"},
    table=[
        Transition("appeal", "提出申诉", [S.RECORDED], S.APPEALING, {"person"}, note=True, guard=_appealable),
        Transition("uphold", "申诉成立(撤销)", [S.APPEALING], S.REVOKED, {"decider"}, note=True),
        Transition("dismiss", "申诉驳回", [S.APPEALING], S.RECORDED, {"decider"}, note=True),
        Transition("revoke", "登记有误,撤销", [S.RECORDED], S.REVOKED, {"rules"}, note=True),
    ],
)  # fmt: skip
TRANSITIONS = MACHINE.as_dict()
ACTIONS = MACHINE.actions
ACTION_LABELS = MACHINE.labels | {"record": "登记", "import": "导入", "help": "帮教", "reexam": "安排复考"}


def allowed_actions(user, violation, today=None):
    return MACHINE.allowed(user, violation, today=today)


def act(user, pk, action, *, version=None, note="", now=None):
    """Apply one action of the table (``common.workflow``): invalid now -> Conflict (409), stale form (``version``
    not the record's) -> Conflict, not allowed -> Forbidden, no reason where one is required -> a field error."""
    return MACHINE.apply(user, pk, action, version=version, note=note, now=now)


def timeline(violation):
    return MACHINE.timeline(violation.events.select_related("actor", "actor__person"), ACTION_LABELS)


def record_help(user, pk, step_id, *, note, done_on=None, now=None):
    """Mark one 帮教 step done (``done_on``: today when None; not before the violation). Done steps stay done: a
    second submit answers 409."""
    now = now or timezone.now()
    violation = get(user, pk)
    refusal = help_refusal(user, violation)
    if refusal:
        raise refusal
    step = violation.help_steps.filter(pk=as_id(step_id) or 0).first()
    if step is None:
        raise NotFound()
    done_on = done_on or timezone.localdate(now)
    if done_on < violation.occurred_on:
        raise ValidationError({"done_on": "完成日期不能早于违章日期"})
    with transaction.atomic():
        if not HelpStep.objects.filter(pk=step.pk, done_on__isnull=True).update(
            done_on=done_on, done_by=user, note=note
        ):
            raise Conflict(f"“{step.name}”已记录完成")
        before = audit.snapshot(step)
        step.done_on, step.done_by, step.note = done_on, user, note
        audit.audit_update(before, step, actor=user)
        ViolationEvent.objects.create(
            violation=violation,
            action="help",
            from_status=violation.status,
            to_status=violation.status,
            actor=user,
            at=now,
            note=f"{step.name}:{note}",
        )
    return get(user, pk)


# ---------------------------------------------------------------- lists and 待办


def filter_list(user, *, status=None, kind=None, severity=None, location=None, shift=None, branch=None, person="",
                person_id=None, date_from=None, date_to=None, help_open=False):  # fmt: skip
    """The user's 三违 filtered (``violations.forms.FilterForm`` reads the query string): ids of the severity,
    place, shift, 党支部 and person; ``person`` a 工号 or part of a name; the dates inclusive."""
    qs = Violation.objects.visible_to(user)
    exact = {"status": status, "kind": kind, "severity_id": severity, "location_id": location, "shift_id": shift,
             "person_id": person_id, "occurred_on__gte": date_from, "occurred_on__lte": date_to}  # fmt: skip
    qs = qs.filter(**{k: v for k, v in exact.items() if v not in (None, "")})
    if branch:
        node = OrgNode.objects.filter(pk=branch).first()
        if node:
            qs = qs.filter(org__in=OrgNode.objects.filter(path__startswith=node.path).values("pk"))
    if person:
        qs = qs.filter(Q(person__emp_no=person) | Q(person__name__contains=person))
    if help_open:
        qs = qs.filter(status=S.RECORDED, help_steps__done_on__isnull=True).distinct()
    return qs


def with_help_counts(qs):
    return qs.annotate(
        steps_total=Count("help_steps"), steps_done=Count("help_steps", filter=Q(help_steps__done_on__isnull=False))
    )


def waiting_for(user):
    """(violation, what to do) for this user: appeals to decide, 帮教 steps still open in their scope."""
    out = []
    deciding = scope.assignments_of(user)
    if deciding:
        # appeals the mine's deciding role decides, held by the user over the person's team
        q = Q(pk__in=[])
        for role, path in deciding:
            q |= Q(mine__violation_rules__appeal_role=role, org__path__startswith=path)
        for v in (
            Violation.objects.visible_to(user)
            .select_related("person", "org")
            .filter(q, status=S.APPEALING)
            .order_by()[:50]
        ):
            out.append((v, "裁决申诉"))
    if scope.can(user, "violations_help"):
        open_ids = HelpStep.objects.filter(done_on__isnull=True, violation__status=S.RECORDED).values("violation_id")
        helped = Violation.objects.visible_to(user, "violations_help").select_related("person", "org")
        for v in helped.filter(pk__in=open_ids, status=S.RECORDED).order_by("occurred_on")[:50]:
            out.append((v, "帮教"))
    return out


def branches_of(mine):
    return (
        OrgNode.objects.filter(kind=OrgKind.BRANCH, path__startswith=mine.path).order_by("path")
        if mine
        else OrgNode.objects.none()
    )


def similar_recent(user, *, person, description, since):
    """A 三违 this user recorded since ``since`` on the same person with the same description (a repeated submit)."""
    same = Violation.objects.filter(recorded_by=user, created_at__gte=since, description=description, person=person)
    return same.order_by("-created_at").first()
