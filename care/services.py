"""Every state change, validation and permission check of ``care`` (SPEC §4.4), shared by the pages and the API."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from care import access, forms, rules
from care.models import (
    DEFAULT_CRITERIA,
    CareSettings,
    Criterion,
    Decision,
    Entry,
    EntryEvent,
    EntryStatus,
    Evaluation,
    Finding,
    FollowUp,
    HelpForm,
    HelpRecord,
    Measure,
    Rule,
    Screening,
    SuggestionDecision,
    Talk,
    TalkPerson,
    Trend,
)
from common import workflow
from common.errors import Conflict, Forbidden, NotFound
from common.parsing import as_id
from common.workflow import Transition
from orgs import scope
from orgs.models import OrgKind, OrgNode, Person, RoleAssignment, SensitiveAccess
from orgs.scope import mine_of

# ---------------------------------------------------------------- helpers
# Input arrives typed (``care.forms``, through ``common.inputs``): these functions take records and values and do the
# domain checks (a 帮教人 of the person's branch, people the user may reach, a date not before the entry) and permissions.


def _once(model, token, by_field, user):
    """The record a form with this token already made by ``user`` (a double tap, a retry), or None; a token of
    another user is a stale form: ``Conflict``."""
    if not token:
        return None
    existing = model.objects.filter(token=token).first()
    if existing is not None and getattr(existing, by_field) != user.pk:
        raise Conflict("该表单已失效,请刷新页面后重新提交")
    return existing


def can_record_talk(user):
    """Who is offered 记录谈心谈话: a talker of the platform inside a mine (a group-level user has no branch to talk in)."""
    return access.can(user, "care_talk") and mine_of(user) is not None


def ensure_defaults(mine):
    if not Criterion.objects.filter(mine=mine).exists():
        Criterion.objects.bulk_create(
            [Criterion(mine=mine, name=n, rule=r, order=i) for i, (n, r) in enumerate(DEFAULT_CRITERIA)],
            ignore_conflicts=True,
        )
    cfg, _ = CareSettings.objects.get_or_create(mine=mine)
    return cfg


def settings_for(mine):
    cfg = CareSettings.objects.filter(mine=mine).first()
    return cfg or ensure_defaults(mine)


def branch_people(user, capability="care_read"):
    """People in the user's subtrees of ``capability`` (not the helper rule: for lists of a branch or a mine)."""
    return Person.objects.filter(access.org_q(user, "org__path", capability))


def person_for(user, pk, capability="care_read"):
    """A person in the user's subtree of ``capability``; otherwise NotFound."""
    person = (
        Person.objects.filter(access.org_q(user, "org__path", capability), pk=as_id(pk) or 0)
        .select_related("org")
        .first()
    )
    if person is None:
        raise NotFound()
    return person


# ---------------------------------------------------------------- the care file


def get_file_person(user, pk):
    person = Person.objects.filter(pk=as_id(pk) or 0).select_related("org", "job_type", "mine").first()
    if person is None or not access.can_read_file(user, person):
        raise NotFound()
    return person


def care_file(user, pk, via="page", ip=None):
    """Everything ``care`` keeps about a person as one timeline, newest first. Logged as a sensitive read."""
    person = get_file_person(user, pk)
    items = []
    for f in Finding.objects.filter(person=person).select_related("screening"):
        items.append(
            {
                "date": f.screening.date,
                "kind": "排查",
                "title": f.screening.get_kind_display(),
                "text": f.note,
                "concern": f.concern,
            }
        )
    for tp in TalkPerson.objects.filter(person=person).select_related("talk", "talk__talker"):
        t = tp.talk
        text = t.topics + (f"\n反映:{t.concerns}" if t.concerns else "")
        items.append(
            {
                "date": t.date,
                "kind": "谈心谈话",
                "title": f"{t.get_form_display()} · 谈话人 {t.talker.name}",
                "text": text,
                "concern": t.concern,
            }
        )
    entries = list(
        Entry.objects.filter(person=person).select_related("helper").prefetch_related("criteria", "measures")
    )
    for e in entries:
        items.append(
            {
                "date": e.entered_on,
                "kind": "列入台账",
                "title": f"{e.get_tier_display()} · {'、'.join(c.name for c in e.criteria.all())}",
                "text": e.reason,
                "concern": True,
            }
        )
        if e.released_on:
            items.append(
                {"date": e.released_on, "kind": "解除", "title": "转化解除", "text": e.release_reason, "concern": False}
            )
    for h in HelpRecord.objects.filter(entry__person=person).select_related("by", "by__person"):
        items.append(
            {
                "date": h.date,
                "kind": "帮教",
                "title": f"{h.get_form_display()} · {h.by.display_name()}",
                "text": h.content,
                "concern": False,
            }
        )
    for ev in Evaluation.objects.filter(entry__person=person).select_related("by", "by__person"):
        items.append(
            {
                "date": ev.date,
                "kind": "评估",
                "title": f"{ev.get_trend_display()} · {ev.by.display_name()}",
                "text": ev.note,
                "concern": ev.trend == Trend.WORSE,
            }
        )
    from frontline.services import diary_items_about  # the diary decides who reads it, and logs the read

    items.extend(diary_items_about(user, person, via=via, ip=ip))
    items.sort(key=lambda i: i["date"], reverse=True)
    log_read(user, [person], "care_file,family_notes,thoughts_notes", via, ip)
    return {
        "person": person,
        "family_notes": person.family_notes,
        "thoughts_notes": person.thoughts_notes,
        "entries": entries,
        "timeline": items,
    }


def log_read(user, people, what, via, ip=None):
    """Every read of a care record is logged per person read about (``orgs.services.log_bulk_sensitive``)."""
    from orgs.services import log_bulk_sensitive

    log_bulk_sensitive(user, people, [what], via, ip)


def file_readers(user, pk):
    """Who read a person's care file, for an administrator (who does not read the file itself)."""
    person = Person.objects.filter(pk=as_id(pk) or 0).select_related("org").first()
    if person is None or not (scope.can(user, "audit", person.org) or access.can(user, "care_readers", person.org)):
        raise NotFound()
    rows = SensitiveAccess.objects.filter(person=person, fields__startswith="care_file").select_related(
        "user", "user__person"
    )
    return person, rows


# ---------------------------------------------------------------- suggestions


def suggestions_for(user, today=None):
    mine = mine_of(user)
    if mine is None or not access.can(user, "care_read"):
        return []
    return rules.suggestions(branch_people(user).filter(mine=mine), settings_for(mine), today=today)


def _suggestion_of(user, person, rule, today=None):
    if rule not in Rule.values:
        raise NotFound()
    for s in rules.suggestions(Person.objects.filter(pk=person.pk), settings_for(person.mine), today=today):
        if rule in s.rules:
            return s.rules[rule]
    raise Conflict("该建议已处理或已不再成立,请刷新后再看")


def dismiss(user, person_pk, rule, *, reason: str, now=None):
    """排除一条建议, with the reason (``care.forms.DismissForm``)."""
    person = person_for(user, person_pk, "care_manage") if access.can(user, "care_manage") else None
    if person is None:
        person_for(user, person_pk)  # 404 outside scope, then 403
        raise Forbidden("只有本支部书记可以处理建议")
    facts = _suggestion_of(user, person, rule)
    return SuggestionDecision.objects.create(
        person=person, rule=rule, facts=[{"key": k, "text": t} for k, t, _ in facts], decision=Decision.DISMISSED,
        reason=reason, by=user, at=now or timezone.now(),
    )  # fmt: skip


# ---------------------------------------------------------------- the register


def eligible_helpers(mine, node=None):
    """帮教人: party members and 班组长 (post 班长/副班长 or a team_leader role) of the mine, near ``node`` first."""
    from django.db.models import Q

    leaders = RoleAssignment.objects.filter(role="team_leader", user__person__isnull=False).values("user__person_id")
    q = Q(political_status__in=("member", "probationary")) | Q(post__in=("班长", "副班长")) | Q(pk__in=leaders)
    qs = Person.objects.filter(q, mine=mine).exclude(work_status__in=rules.GONE)
    if node is not None:
        branch = access.branch_of(node)
        qs = qs.filter(org__in=OrgNode.objects.filter(path__startswith=branch.path).values("pk"))
    return qs.select_related("org").order_by("org__path", "emp_no")


def _check_helper(helper, person):
    """``helper`` may help ``person``: a party member or 班组长 of the person's branch, not the person."""
    if not eligible_helpers(person.mine, person.org).filter(pk=helper.pk).exists():
        raise ValidationError({"helper": forms.HELPER})
    if helper.pk == person.pk:
        raise ValidationError({"helper": "帮教人不能是本人"})
    return helper


def person_to_enter(user, pk):
    """The person the user may enter into the register: 404 outside the user's reach, 403 without care_manage."""
    if not access.can(user, "care_manage"):
        person_for(user, pk)
        raise Forbidden("只有本支部书记可以列入薄弱人物台账")
    return person_for(user, pk, "care_manage")


def enter(
    user,
    *,
    person: Person,
    tier: str,
    criteria: list[Criterion],
    helper: Person,
    measures: list[str],
    reason: str = "",
    rule_keys=(),
    token: str | None = None,
    now=None,
):
    """列入台账: from a confirmed suggestion (``rule_keys``: the rules confirmed) or by hand after a screening
    (``care.forms.EntryForm``)."""
    now = now or timezone.now()
    person = person_to_enter(user, person.pk)
    if existing := _once(Entry, token, "created_by_id", user):
        return existing
    cfg = settings_for(person.mine)
    errors = {}
    if any(c.mine_id != person.mine_id for c in criteria):
        errors["criteria"] = forms.CRITERIA
    try:
        _check_helper(helper, person)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if Entry.objects.filter(person=person, status=EntryStatus.ACTIVE).exists():
        raise Conflict(f"{person.name} 已在薄弱人物台账中(帮教中)")
    facts = []
    for rule in rule_keys:
        try:
            facts.append((rule, _suggestion_of(user, person, rule)))
        except Conflict:
            pass
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                person=person, mine=person.mine, tier=tier, helper=helper, reason=reason,
                facts=[{"rule": r, "key": k, "text": t} for r, fs in facts for k, t, _ in fs], entered_on=timezone.localdate(now),
                eval_days=cfg.eval_days(tier), created_by=user, token=token,
            )  # fmt: skip
            entry.criteria.set(criteria)
            Measure.objects.bulk_create([Measure(entry=entry, text=m) for m in measures])
            for rule, fs in facts:
                SuggestionDecision.objects.create(
                    person=person,
                    rule=rule,
                    facts=[{"key": k, "text": t} for k, t, _ in fs],
                    decision=Decision.CONFIRMED,
                    by=user,
                    at=now,
                )
            EntryEvent.objects.create(
                entry=entry, action="enter", to_status=entry.status, actor=user, at=now, note=entry.reason,
                data={"等级": entry.tier, "帮教人": entry.helper.name, "类型": "、".join(c.name for c in criteria)},
            )  # fmt: skip
    except IntegrityError:
        if token and Entry.objects.filter(token=token, created_by=user).exists():
            return Entry.objects.get(token=token)
        raise Conflict(f"{person.name} 已在薄弱人物台账中(帮教中)")
    return entry


def get_entry(user, pk):
    entry = (
        Entry.objects.visible_to(user)
        .filter(pk=as_id(pk) or 0)
        .select_related("person", "person__org", "helper", "mine")
        .first()
    )
    if entry is None:
        raise NotFound()
    return entry


def _roles_on(user, entry):
    """ "manage": care_manage over the person; "helper": the entry's 帮教人."""
    who = set()
    if access.can(user, "care_manage", entry.person.org):
        who.add("manage")
    if user.person_id and entry.helper_id == user.person_id:
        who.add("helper")
    return who


def open_measures(entry):
    return [m for m in entry.measures.all() if not m.done]


# The effects of the register's changes: ``ctx.params`` is the typed input of the action's form
# (``care.forms.ACTION_FORMS``).


def _retier(ctx):
    entry, tier = ctx.obj, ctx.params["tier"]
    if tier == entry.tier:
        raise ValidationError({"tier": "等级没有变化"})
    ctx.changes.update(tier=tier, eval_days=settings_for(entry.mine).eval_days(tier))
    ctx.data = {"原等级": entry.tier, "新等级": tier}


def _new_helper(ctx):
    entry = ctx.obj
    helper = _check_helper(ctx.params["helper"], entry.person)
    ctx.changes["helper"] = helper
    ctx.data = {"原帮教人": entry.helper.name if entry.helper_id else "", "新帮教人": helper.name}


def _new_measure(ctx):
    text = ctx.params["text"]
    ctx.data = {"措施": text}
    ctx.then(lambda ctx: Measure.objects.create(entry=ctx.obj, text=text))


def _measure_done(ctx):
    measure = ctx.params["measure"]
    if measure.entry_id != ctx.obj.pk or measure.done:
        raise ValidationError({"measure": "请选择未落实的措施"})
    ctx.data = {"措施": measure.text}

    def mark(ctx):
        measure.done, measure.done_on = True, timezone.localdate(ctx.now)
        measure.save(update_fields=["done", "done_on"])

    ctx.then(mark)


def _helped(ctx):
    entry, params, user = ctx.obj, ctx.params, ctx.user
    token = params.get("token")
    if _once(HelpRecord, token, "by_id", user):
        raise workflow.Unchanged(entry)  # the same form sent twice: one record
    form, content = params["form"], params["content"]
    day = params.get("date") or timezone.localdate(ctx.now)
    if day < entry.entered_on:
        raise ValidationError({"date": "日期不能早于列入台账的日期"})
    ctx.data = {"形式": HelpForm(form).label, "日期": day.isoformat()}

    def save(ctx):
        try:
            with transaction.atomic():
                HelpRecord.objects.create(entry=entry, date=day, form=form, content=content, by=user, token=token)
        except IntegrityError:
            raise Conflict("该表单已提交")

    ctx.then(save)


def _evaluated(ctx):
    trend = ctx.params["trend"]
    day = ctx.params.get("date") or timezone.localdate(ctx.now)
    ctx.data = {"结论": Trend(trend).label, "日期": day.isoformat()}
    ctx.then(lambda ctx: Evaluation.objects.create(entry=ctx.obj, date=day, trend=trend, note=ctx.note, by=ctx.user))


def _released(ctx):
    entry, reason = ctx.obj, ctx.params["reason"]
    still_open = open_measures(entry)
    if still_open and not ctx.params.get("confirm_open"):
        names = "、".join(m.text for m in still_open)
        raise ValidationError(
            {"confirm_open": f"还有 {len(still_open)} 项帮教措施未落实:{names}。确认仍要解除请勾选确认。"}
        )
    ctx.changes.update(released_on=timezone.localdate(ctx.now), release_reason=reason)
    ctx.data = {"未落实措施": [m.text for m in still_open]} if still_open else {}
    ctx.note = reason


A = EntryStatus.ACTIVE
HELPER = {"manage", "helper"}  # what the 帮教人 records themselves; the rest is care_manage's over the person
# The register: every change of an entry, one row each.
MACHINE = workflow.Machine(
    name="台账",
    model=Entry,
    event_model=EntryEvent,
    event_fk="entry",
    get=lambda user, pk: get_entry(user, pk),
    roles_of=_roles_on,
    reread=lambda user, pk, entry: Entry.objects.select_related("person", "person__org", "helper", "mine").get(
        pk=entry.pk
    ),
    messages={"stale": "该台账已被他人更新,请刷新后再操作", "busy": "该台账已被他人更新,请刷新后再操作",
              "state": "该人员当前为“{status}”,不能{label}"},
    table=[
        Transition("tier", "调整等级", [A], A, {"manage"}, effect=_retier),
        Transition("helper", "更换帮教人", [A], A, {"manage"}, effect=_new_helper),
        Transition("measure", "增加帮教措施", [A], A, {"manage"}, effect=_new_measure),
        Transition("measure_done", "措施落实", [A], A, HELPER, effect=_measure_done),
        Transition("help", "记录帮教", [A], A, HELPER, effect=_helped),
        Transition("evaluate", "阶段评估", [A], A, HELPER, effect=_evaluated),
        Transition("release", "转化解除", [A], EntryStatus.RELEASED, {"manage"}, effect=_released),
    ],
)  # fmt: skip
ACTION_LABELS = MACHINE.labels | {"enter": "列入台账"}


def allowed_actions(user, entry):
    return MACHINE.allowed(user, entry)


def act(user, pk, action, *, version=None, note="", now=None, **params):
    """One change of a register entry, as the table allows (``common.workflow``); ``params``: the typed input of
    the action's form (``care.forms.ACTION_FORMS``)."""
    return MACHINE.apply(user, pk, action, version=version, note=note, params=params, now=now)


def timeline(entry):
    return MACHINE.timeline(entry.events.select_related("actor", "actor__person"), ACTION_LABELS)


def next_evaluation(entry, last_eval=None):
    """The date the next evaluation is due: the last one (or the entry) plus the tier's interval."""
    base = last_eval or entry.entered_on
    return base + timedelta(days=entry.eval_days)


def with_due(entries):
    """Annotate entries (active ones) with ``due`` and ``overdue`` in one query."""
    from django.db.models import Max

    entries = list(entries)
    last = dict(
        Evaluation.objects.filter(entry__in=[e.pk for e in entries])
        .values("entry_id")
        .annotate(d=Max("date"))
        .values_list("entry_id", "d")
    )
    today = timezone.localdate()
    for e in entries:
        e.last_eval = last.get(e.pk)
        e.due = next_evaluation(e, e.last_eval) if e.status == EntryStatus.ACTIVE else None
        e.overdue = bool(e.due and e.due < today)
    return entries


def overdue_for(user):
    """Active entries whose evaluation is overdue: for the 帮教人 (their people) and the secretary (their branch)."""
    from django.db.models import Q

    q = Q(pk__in=[])
    if user.is_authenticated and user.person_id:
        q |= Q(helper_id=user.person_id)
    if access.can(user, "care_manage"):
        q |= access.org_q(user, "person__org__path", "care_manage")
    qs = Entry.objects.filter(q, status=EntryStatus.ACTIVE).select_related("person").order_by()[:200]
    return [e for e in with_due(qs) if e.overdue]


def helped_by(user):
    """The active entries whose 帮教人 the user is, each with its next evaluation date (``due``)."""
    if not user.is_authenticated or not user.person_id:
        return []
    qs = Entry.objects.filter(helper_id=user.person_id, status=EntryStatus.ACTIVE).select_related("person")
    return list(with_due(qs.order_by("pk")[:50]))


# ---------------------------------------------------------------- branch and mine figures


def register_stats(user, today=None):
    """Counts by tier and criterion, new and released this month, days from entry to release; per branch."""
    from collections import Counter, defaultdict

    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    entries = Entry.objects.filter(access.org_q(user, "person__org__path")).values(
        "pk", "tier", "status", "entered_on", "released_on", "person__org__path"
    )
    entries = list(entries)
    criteria = defaultdict(Counter)
    for entry_id, name in Entry.criteria.through.objects.filter(
        entry_id__in=[e["pk"] for e in entries if e["status"] == EntryStatus.ACTIVE]
    ).values_list("entry_id", "criterion__name"):
        criteria[entry_id][name] += 1
    mine = mine_of(user)
    branches = (
        list(OrgNode.objects.filter(kind=OrgKind.BRANCH, path__startswith=mine.path).order_by("path")) if mine else []
    )
    rows = {
        b.pk: {"branch": b, "A": 0, "B": 0, "C": 0, "active": 0, "new": 0, "released": 0, "days": []} for b in branches
    }
    total = {"A": 0, "B": 0, "C": 0, "active": 0, "new": 0, "released": 0, "days": [], "criteria": Counter()}
    for e in entries:
        branch = next((b for b in branches if e["person__org__path"].startswith(b.path)), None)
        targets = [total] + ([rows[branch.pk]] if branch else [])
        for t in targets:
            if e["status"] == EntryStatus.ACTIVE:
                t[e["tier"]] += 1
                t["active"] += 1
            if e["entered_on"] >= month_start:
                t["new"] += 1
            if e["released_on"] and e["released_on"] >= month_start:
                t["released"] += 1
            if e["released_on"]:
                t["days"].append((e["released_on"] - e["entered_on"]).days)
        total["criteria"].update(criteria.get(e["pk"], {}))
    for t in [total, *rows.values()]:
        t["avg_days"] = round(sum(t["days"]) / len(t["days"])) if t["days"] else None
    return {"total": total, "branches": rows, "criteria": total["criteria"].most_common()}


# ---------------------------------------------------------------- screenings


def record_screening(
    user,
    *,
    kind: str,
    people: list[Person],
    participants: list[Person],
    date=None,
    concerns=frozenset(),
    notes=None,
    summary: str = "",
    follow_up: str = "",
    token: str | None = None,
    now=None,
):
    """排查 (``care.forms.ScreeningForm``): ``people`` screened, each with their 情况 in ``notes`` (by id) and
    flagged when their id is in ``concerns``; ``participants``: people of the user's mine."""
    if not access.can(user, "care_manage"):
        raise Forbidden("只有支部书记可以登记排查")
    if existing := _once(Screening, token, "recorded_by_id", user):
        return existing
    errors = {}
    mine = mine_of(user)
    if mine is None or any(p.mine_id != mine.pk for p in participants):
        errors["participants"] = forms.PARTICIPANTS
    ids = [p.pk for p in people]
    covered = list(branch_people(user, "care_manage").filter(pk__in=ids).select_related("org"))
    if len(covered) != len(set(ids)):
        errors["people"] = forms.SCREENED
    if errors:
        raise ValidationError(errors)
    covered.sort(key=lambda p: ids.index(p.pk))
    notes = notes or {}
    day = date or timezone.localdate()
    with transaction.atomic():
        screening = Screening.objects.create(
            org=access.branch_of(covered[0].org), kind=kind, date=day, summary=summary, follow_up=follow_up,
            recorded_by=user, token=token,
        )  # fmt: skip
        screening.participants.set(participants)
        Finding.objects.bulk_create(
            [
                Finding(screening=screening, person=p, note=notes.get(p.pk, ""), concern=p.pk in concerns)
                for p in covered
            ]
        )
    return screening


# ---------------------------------------------------------------- talks


def record_talk(
    user,
    *,
    form: str,
    people: list[Person],
    topics: str,
    date=None,
    talker: Person | None = None,
    concerns: str = "",
    concern: bool = False,
    follow_ups=(),
    token: str | None = None,
    now=None,
):
    """谈心谈话 (``care.forms.TalkRecordForm``): with ``people`` the user may talk with; ``talker`` (default: the
    user) of the user's mine; each line of ``follow_ups`` is a 跟进事项 due in 30 days."""
    if not access.can(user, "care_talk"):
        raise Forbidden("您的角色不能登记谈心谈话")
    if existing := _once(Talk, token, "recorded_by_id", user):
        return existing
    errors = {}
    ids = [p.pk for p in people]
    reached = list(branch_people(user, "care_talk").filter(pk__in=ids).select_related("org"))
    if len(reached) != len(set(ids)):
        errors["people"] = forms.TALKED
    reached.sort(key=lambda p: ids.index(p.pk))
    mine = mine_of(user)
    talker_pk = talker.pk if talker is not None else user.person_id
    talker = Person.objects.filter(pk=talker_pk, mine=mine).first() if talker_pk and mine else None
    if talker is None:
        errors["talker"] = forms.TALKER
    if errors:
        raise ValidationError(errors)
    day = date or timezone.localdate()
    try:
        with transaction.atomic():
            talk = Talk.objects.create(
                org=access.branch_of(reached[0].org), talker=talker, date=day, form=form, topics=topics,
                concerns=concerns, concern=concern, recorded_by=user, token=token,
            )  # fmt: skip
            TalkPerson.objects.bulk_create([TalkPerson(talk=talk, person=p, date=day) for p in reached])
            FollowUp.objects.bulk_create(
                [FollowUp(talk=talk, text=t, due=day + timedelta(days=30)) for t in follow_ups]
            )
    except IntegrityError:
        existing = Talk.objects.filter(token=token, recorded_by=user).first() if token else None
        if existing is None:
            raise
        return existing
    return talk


def close_follow_up(user, pk, *, note: str = ""):
    """关闭跟进事项 (``care.forms.CloseFollowUpForm``): the talker, who recorded it, or the branch's secretary."""
    follow = FollowUp.objects.filter(pk=as_id(pk) or 0).select_related("talk").first()
    if follow is None or not Talk.objects.visible_to(user).filter(pk=follow.talk_id).exists():
        raise NotFound()
    talk = follow.talk
    if (
        talk.recorded_by_id != user.pk
        and user.person_id != talk.talker_id
        and not access.can(user, "care_manage", talk.org)
    ):
        raise Forbidden("只有谈话人或支部书记可以关闭跟进事项")
    if follow.closed_on:
        raise Conflict("该跟进事项已关闭")
    follow.closed_on = timezone.localdate()
    follow.closed_note = note
    follow.save(update_fields=["closed_on", "closed_note"])
    return follow


def open_follow_ups(user):
    from django.db.models import Q

    if not user.is_authenticated:
        return []
    q = Q(talk__recorded_by_id=user.pk)
    if user.person_id:
        q |= Q(talk__talker_id=user.person_id)
    return list(FollowUp.objects.filter(q, closed_on__isnull=True).select_related("talk").order_by("due")[:50])


# ---------------------------------------------------------------- criteria catalogue and thresholds


def can_edit_settings(user, mine):
    return access.can(user, "care_settings", mine)


def _settings_of(user, mine):
    if not can_edit_settings(user, mine):
        raise Forbidden("只有矿党委(组织部)或管理员可以维护薄弱类型和规则")


def _mine_criterion(mine, criterion):
    if criterion.mine_id != mine.pk:
        raise NotFound()
    return criterion


def _unique_name(mine, name, criterion=None):
    others = Criterion.objects.filter(mine=mine, name=name)
    if criterion is not None:
        others = others.exclude(pk=criterion.pk)
    if others.exists():
        raise ValidationError({"name": f"类型“{name}”已存在"})


def add_criterion(user, mine, *, name: str):
    """A new 薄弱类型 of the mine (``care.forms.CriterionForm``)."""
    _settings_of(user, mine)
    with transaction.atomic():
        _unique_name(mine, name)
        return Criterion.objects.create(mine=mine, name=name, order=Criterion.objects.filter(mine=mine).count())


def rename_criterion(user, mine, *, criterion: Criterion, name: str):
    _settings_of(user, mine)
    criterion = _mine_criterion(mine, criterion)
    _unique_name(mine, name, criterion)
    criterion.name = name
    criterion.save(update_fields=["name"])
    return criterion


def toggle_criterion(user, mine, *, criterion: Criterion):
    """启用 / 停用 a 薄弱类型."""
    _settings_of(user, mine)
    criterion = _mine_criterion(mine, criterion)
    criterion.active = not criterion.active
    criterion.save(update_fields=["active"])
    return criterion


def save_thresholds(user, mine, **values):
    """The rules' thresholds (``care.forms.ThresholdsForm``: each a whole number in its range); one not given keeps
    its value."""
    _settings_of(user, mine)
    cfg = settings_for(mine)
    for key, value in values.items():
        setattr(cfg, key, value)
    cfg.save()
    return cfg


SETTINGS = {  # the settings page's ``kind_of``: its service (the form: ``care.forms.SETTINGS_FORMS``)
    "criterion": add_criterion,
    "criterion_rename": rename_criterion,
    "criterion_toggle": toggle_criterion,
    "thresholds": save_thresholds,
}
