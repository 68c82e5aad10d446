"""三违 records (SPEC §4.2): recording, the appeal as one table of transitions, 帮教 steps, the re-exam hook."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from common import audit, workflow
from common.errors import Conflict, Forbidden, NotFound
from common.parsing import as_id, parse_day, parse_int
from common.uploads import clean_photo
from common.workflow import Transition
from orgs import scope
from orgs.models import OrgKind, OrgNode, Person
from orgs.scope import mine_of
from places.models import Location, Shift
from violations.models import (
    DEFAULT_SEVERITIES,
    HelpStep,
    Severity,
    Violation,
    ViolationEvent,
    ViolationKind,
    ViolationRules,
    ViolationStatus,
)

S = ViolationStatus
MAX_POINTS = 100
MAX_FINE = Decimal("100000")

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


def save_severity(user, mine, data):
    """Add a severity or edit one: name, serious, points, fine, 帮教 steps (one per line), re-exam."""
    if not can_edit_rules(user, mine):
        raise Forbidden("只有本矿管理员和安监员可以维护三违设置")
    errors = {}
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 20:
        errors["name"] = "请填写严重程度名称(不超过20字)"
    points = parse_int(data.get("points"), 0, MAX_POINTS)
    if points is None:
        errors["points"] = f"扣分须为0到{MAX_POINTS}之间的整数"
    fine = _money(data.get("fine"))
    if fine is None:
        errors["fine"] = "罚款须为不小于0的数字"
    steps = [line.strip()[:30] for line in str(data.get("help_steps") or "").splitlines() if line.strip()]
    if len(steps) > 12:
        errors["help_steps"] = "帮教步骤最多12步"
    existing = Severity.objects.filter(mine=mine, pk=as_id(data.get("id")) or 0).first() if data.get("id") else None
    if data.get("id") and existing is None:
        raise NotFound()
    if name and Severity.objects.filter(mine=mine, name=name).exclude(pk=existing.pk if existing else None).exists():
        errors["name"] = f"已有“{name}”"
    if errors:
        raise ValidationError(errors)
    severity = existing or Severity(mine=mine, order=Severity.objects.filter(mine=mine).count())
    severity.name, severity.points, severity.fine, severity.help_steps = name, points, fine, steps
    severity.serious = _flag(data.get("serious"))
    severity.requires_reexam = _flag(data.get("requires_reexam"))
    severity.save()
    return severity


def save_rules(user, mine, data):
    if not can_edit_rules(user, mine):
        raise Forbidden("只有本矿管理员和安监员可以维护三违设置")
    rules = rules_of(mine)
    days = parse_int(data.get("appeal_days"), 1, 60)
    if days is None:
        raise ValidationError({"appeal_days": "申诉期限须为1到60天"})
    role = str(data.get("appeal_role") or "")
    from violations.models import AppealRole

    if role not in AppealRole.values:
        raise ValidationError({"appeal_role": "请选择裁决申诉的角色"})
    rules.appeals_allowed, rules.appeal_days, rules.appeal_role = _flag(data.get("appeals_allowed")), days, role
    rules.save()
    return rules


def _flag(value):
    return str(value or "").lower() in ("1", "on", "true", "yes")


def _money(value, default=Decimal(0)):
    text = str(value if value is not None else "").strip()
    if text == "":
        return default
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_FINE:
        return None
    return amount.quantize(Decimal("0.01"))


# ---------------------------------------------------------------- recording


def recordable_people(user, mine):
    """People whose violations the user may record: their subtree of the mine."""
    return Person.objects.visible_to(user, "violations_record").filter(mine=mine)


def _person(user, mine, data):
    """The posted person: by 工号 (``emp_no``, what a recorder knows) or by id (``person``)."""
    people = recordable_people(user, mine)
    emp_no = str(data.get("emp_no") or "").strip()[:20]
    if emp_no:
        return people.filter(emp_no=emp_no).first()
    return people.filter(pk=as_id(data.get("person"))).first() if as_id(data.get("person")) else None


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


def record(user, data, photo=None, now=None):
    """登记三违. ``data``: person (id or 工号), occurred_on, shift, location, kind, severity, description, clauses,
    points, fine (defaults from the severity), requires_reexam, reexam_points (knowledge point ids), token."""
    now = now or timezone.now()
    mine = mine_of(user)
    if not can_record(user):
        raise Forbidden("您的角色不能登记三违")
    ensure_defaults(mine)
    token = str(data.get("token") or "")[:40] or None
    if token:
        existing = _by_token(user, token)
        if existing is not None:
            return existing
    errors = {}
    person = _person(user, mine, data)
    if person is None:
        given = data.get("emp_no") or data.get("person")
        errors["emp_no"] = "请填写违章人工号" if not given else "工号不存在或该职工不在您的管理范围内"
    today = timezone.localdate(now)
    occurred_on = parse_day(data.get("occurred_on")) if data.get("occurred_on") else today
    if not occurred_on:
        errors["occurred_on"] = "日期格式不正确"
    elif occurred_on > today:
        errors["occurred_on"] = "违章日期不能晚于今天"
    elif occurred_on < today - timedelta(days=366):
        errors["occurred_on"] = "违章日期太早了(一年以前的请用Excel导入)"
    elif person is not None and occurred_on < person.hire_date:
        errors["occurred_on"] = f"违章日期早于该职工入职日期({person.hire_date})"
    kind = str(data.get("kind") or "")
    if kind not in ViolationKind.values:
        errors["kind"] = "请选择三违类型"
    severity = Severity.objects.filter(mine=mine, pk=as_id(data.get("severity")) or 0).first()
    if severity is None:
        errors["severity"] = "请选择严重程度"
    shift = location = None
    if data.get("shift"):
        shift = Shift.objects.filter(mine=mine, pk=as_id(data.get("shift")) or 0).first()
        if shift is None:
            errors["shift"] = "班次不存在或不属于本矿"
    if data.get("location"):
        location = Location.objects.filter(mine=mine, pk=as_id(data.get("location")) or 0).first()
        if location is None:
            errors["location"] = "地点不存在或不属于本矿"
    description = str(data.get("description") or "").strip()
    if len(description) < 4:
        errors["description"] = "请描述违章情况(至少4个字)"
    points = parse_int(data.get("points"), 0, MAX_POINTS, default=severity.points if severity else 0)
    if points is None:
        errors["points"] = f"扣分须为0到{MAX_POINTS}之间的整数"
    fine = _money(data.get("fine"), default=severity.fine if severity else Decimal(0))
    if fine is None:
        errors["fine"] = "罚款须为不小于0的金额(元)"
    image = None
    if photo is not None:
        try:
            image = clean_photo(photo, field="photo")
        except ValidationError as exc:
            errors["photo"] = exc.message_dict["photo"]
    if errors:
        raise ValidationError(errors)
    requires_reexam = _flag(data.get("requires_reexam")) if "requires_reexam" in data else severity.requires_reexam
    try:
        with transaction.atomic():
            violation = Violation(
                mine=mine, person=person, org=person.org, occurred_on=occurred_on, shift=shift, location=location,
                kind=kind, severity=severity, description=description, clauses=str(data.get("clauses") or "").strip()[:300],
                points=points, fine=fine, recorded_by=user, requires_reexam=requires_reexam, token=token,
            )  # fmt: skip
            if image is not None:
                violation.photo.save("photo.jpg", image, save=False)
            violation.save()
            HelpStep.objects.bulk_create(
                [HelpStep(violation=violation, order=i, name=n) for i, n in enumerate(severity.help_steps)]
            )
            ViolationEvent.objects.create(
                violation=violation, action="record", to_status=S.RECORDED, actor=user, at=now, note="登记"
            )
    except IntegrityError:
        existing = _by_token(user, token) if token else None
        if existing is None:
            raise
        return existing
    if requires_reexam:
        _assign_reexam(user, violation, data.get("reexam_points"), now)
    return violation


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

    if isinstance(point_ids, str):
        point_ids = [p for p in point_ids.split(",")]
    ids = [as_id(p) for p in (point_ids or []) if as_id(p)]
    try:
        paper = assign_reexam(
            violation.person, ids, title=f"三违复考 {violation.person.name} {violation.occurred_on}", author=user
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


def schedule_reexam(user, pk, data, now=None):
    now = now or timezone.now()
    violation = get(user, pk)
    refusal = reexam_refusal(user, violation)
    if refusal:
        raise refusal
    Violation.objects.filter(pk=violation.pk).update(requires_reexam=True)
    before = audit.snapshot(violation)
    violation.requires_reexam = True
    audit.audit_update(before, violation, actor=user)
    if _assign_reexam(user, violation, data.get("reexam_points"), now) is None:
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


def act(user, pk, action, data, now=None):
    """Apply one action of the table (``common.workflow``): invalid now -> Conflict (409), stale form -> Conflict,
    not allowed -> Forbidden."""
    return MACHINE.apply(user, pk, action, version=data.get("version"), note=data.get("note"), now=now)


def timeline(violation):
    return MACHINE.timeline(violation.events.select_related("actor", "actor__person"), ACTION_LABELS)


def record_help(user, pk, step_id, data, now=None):
    """Mark one 帮教 step done (date, note). Done steps stay done: a second submit answers 409."""
    now = now or timezone.now()
    violation = get(user, pk)
    refusal = help_refusal(user, violation)
    if refusal:
        raise refusal
    step = violation.help_steps.filter(pk=as_id(step_id) or 0).first()
    if step is None:
        raise NotFound()
    done_on = parse_day(data.get("done_on")) if data.get("done_on") else timezone.localdate(now)
    errors = {}
    if not done_on:
        errors["done_on"] = "日期格式不正确"
    elif done_on > timezone.localdate(now):
        errors["done_on"] = "完成日期不能晚于今天"
    elif done_on < violation.occurred_on:
        errors["done_on"] = "完成日期不能早于违章日期"
    note = str(data.get("note") or "").strip()[:500]
    if len(note) < 2:
        errors["note"] = "请简要记录帮教情况"
    if errors:
        raise ValidationError(errors)
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


def filter_list(user, params):
    qs = Violation.objects.visible_to(user)
    if params.get("status") in S.values:
        qs = qs.filter(status=params["status"])
    if params.get("kind") in ViolationKind.values:
        qs = qs.filter(kind=params["kind"])
    for key in ("severity", "location", "shift"):
        if as_id(params.get(key)):
            qs = qs.filter(**{f"{key}_id": as_id(params[key])})
    if as_id(params.get("branch")):
        branch = OrgNode.objects.filter(pk=as_id(params["branch"])).first()
        if branch:
            qs = qs.filter(org__in=OrgNode.objects.filter(path__startswith=branch.path).values("pk"))
    person = str(params.get("person") or "").strip()[:30]
    if person:
        qs = qs.filter(Q(person__emp_no=person) | Q(person__name__contains=person))
    if as_id(params.get("person_id")):
        qs = qs.filter(person_id=as_id(params["person_id"]))
    start, end = parse_day(params.get("from")), parse_day(params.get("to"))
    if start:
        qs = qs.filter(occurred_on__gte=start)
    if end:
        qs = qs.filter(occurred_on__lte=end)
    if params.get("help_open"):
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


def similar_recent(user, data, since):
    """A 三违 this user recorded since ``since`` for the same 工号 with the same description (a repeated submit)."""
    text = str(data.get("description") or "").strip()
    emp_no = str(data.get("emp_no") or "").strip()
    if not text or not emp_no:
        return None
    same = Violation.objects.filter(recorded_by=user, created_at__gte=since, description=text, person__emp_no=emp_no)
    return same.order_by("-created_at").first()
