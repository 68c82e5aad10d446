"""Every state change, validation and permission check of 基层班子建设, once. Pages and the API call these.

Scope: ``Model.objects.visible_to(user)`` (``orgs.scope``, capability ``leadership``); out of scope → ``NotFound``;
in scope but not allowed → ``Forbidden``; not allowed in the current state → ``Conflict`` with the reason; bad input →
``ValidationError`` by field, in Chinese.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from common import workflow
from common.errors import Conflict, Forbidden, NotFound
from common.parsing import as_id
from common.workflow import Transition
from leadership import rules
from leadership.models import (
    ADMIN_POSTS,
    COMMITTEE_POSTS,
    AgendaItem,
    Appraisal,
    AppraisalRow,
    Attendance,
    Criticism,
    CriticismKind,
    Decision,
    Duty,
    LifeMeeting,
    LifeStep,
    Meeting,
    MeetingKind,
    Notice,
    NoticeReceipt,
    Opinion,
    Presence,
    Rectification,
    Report,
    Team,
    TeamKind,
    TeamMember,
)
from orgs import scope
from orgs.models import PARTY_STATUSES, OrgKind, OrgNode, Person
from orgs.services import log_bulk_sensitive

# ---------------------------------------------------------------- helpers


def _once(model, token, **same):
    """The record a form with this token already made (a double tap, a retry), or None. A token of another parent
    or user is a stale form: ``Conflict``."""
    if not token:
        return None
    existing = model.objects.filter(token=token).first()
    if existing is not None and any(getattr(existing, k) != v for k, v in same.items()):
        raise Conflict("表单已过期,请重新提交")
    return existing


def _get(queryset, pk):
    pk = as_id(pk)
    found = queryset.filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound()
    return found


# ---------------------------------------------------------------- who may do what


def can(user, capability, node=None):
    return scope.can(user, capability, node)


def _require(user, capability, node):
    if not scope.can(user, capability, node):
        raise Forbidden()


def can_manage(user, node=None):
    return scope.can(user, "leadership_manage", node)


def managed_orgs(user, capability="leadership_manage"):
    """The 党支部 and 区队 where the user may keep 班子 and meetings."""
    return (
        OrgNode.objects.visible_to(user, capability)
        .filter(kind__in=(OrgKind.BRANCH, OrgKind.UNIT, OrgKind.PARTY_GROUP))
        .order_by("path")
    )


def branches(user, capability="leadership"):
    return OrgNode.objects.visible_to(user, capability).filter(kind=OrgKind.BRANCH).order_by("path")


def _check_org(user, node, capability="leadership_manage", kinds=(OrgKind.BRANCH, OrgKind.UNIT, OrgKind.PARTY_GROUP)):
    """``node`` is one the user keeps with ``capability``, of one of ``kinds``: else a field error on ``org``."""
    if not OrgNode.objects.visible_to(user, capability).filter(pk=node.pk, kind__in=kinds).exists():
        raise ValidationError({"org": "请选择您负责的组织"})
    return node


def _check_in_branch(node, people, field, message):
    """Every one of ``people`` belongs to the branch above ``node`` (班子 members, attendees, owners belong to the
    unit's branch): else a field error."""
    people = [p for p in people if p is not None]
    if people and branch_people(node).filter(pk__in=[p.pk for p in people]).count() != len(people):
        raise ValidationError({field: message})


def branch_people(node):
    branch = node.ancestor_of_kind(OrgKind.BRANCH) or node
    return (
        Person.objects.filter(Q(org__path__startswith=branch.path) | Q(party_org__path__startswith=branch.path))
        .select_related("org")
        .order_by("org__path", "name")
    )


def party_members_of(node):
    """Party members of ``node`` (a branch: its members; a 党小组: the group's)."""
    if node.kind == OrgKind.PARTY_GROUP:
        q = Q(party_org=node)
    else:
        q = Q(party_org__path__startswith=node.path) | Q(party_org=None, org__path__startswith=node.path)
    return Person.objects.filter(q, political_status__in=PARTY_STATUSES).order_by("org__path", "name")


# ---------------------------------------------------------------- the team


def current_team(org, kind):
    return Team.objects.filter(org=org, kind=kind, closed_on=None).order_by("-number").first()


@transaction.atomic
def create_team(user, *, org: OrgNode, kind: str, elected_on: date, term_years: int | None = None, note: str = ""):
    """A new 届: the current one of the same unit and kind is closed that day (its members' posts end with it)."""
    node = _check_org(user, org, kinds=(OrgKind.BRANCH, OrgKind.UNIT))
    if kind == TeamKind.COMMITTEE and node.kind != OrgKind.BRANCH:
        raise ValidationError({"org": "支委会只能建在党支部上"})
    if kind == TeamKind.ADMIN and node.kind != OrgKind.UNIT:
        raise ValidationError({"org": "行政班子只能建在区队/科室上"})
    elected = elected_on
    if term_years is None and kind == TeamKind.COMMITTEE:
        term_years = rules.setting("term_years")
    previous = current_team(node, kind)
    if previous is not None:
        if elected < previous.elected_on:
            raise ValidationError({"elected_on": f"不能早于上一届的组建日期 {previous.elected_on:%Y-%m-%d}"})
        previous.closed_on = elected
        previous.save(update_fields=["closed_on"])
        previous.members.filter(ends_on=None).update(ends_on=elected, end_reason="换届")
        Duty.objects.filter(member__team=previous, ends_on=None).update(ends_on=elected)
    return Team.objects.create(
        org=node,
        kind=kind,
        number=(previous.number + 1) if previous else 1,
        elected_on=elected,
        term_years=term_years,
        note=note,
    )


def get_team(user, pk):
    return _get(Team.objects.visible_to(user).select_related("org"), pk)


def posts_for(kind):
    return COMMITTEE_POSTS if kind == TeamKind.COMMITTEE else ADMIN_POSTS


def add_member(user, *, team: Team, person: Person, post: str, starts_on: date, duty: str = ""):
    _require(user, "leadership_manage", team.org)
    if team.closed_on:
        raise Conflict("这一届班子已换届,不能再增补成员")
    _check_in_branch(team.org, [person], "person", "请选择本支部的人员")
    member_person, start = person, starts_on
    if start < team.elected_on:
        raise ValidationError({"starts_on": f"不能早于本届组建日期 {team.elected_on:%Y-%m-%d}"})
    if team.kind == TeamKind.COMMITTEE and member_person.political_status not in PARTY_STATUSES:
        raise ValidationError({"person": "支委会成员须是党员"})
    if team.members.filter(person=member_person, ends_on=None).exists():
        raise ValidationError({"person": "此人已在本届班子中"})
    with transaction.atomic():
        member = TeamMember.objects.create(team=team, person=member_person, post=post, starts_on=start)
        if duty:
            Duty.objects.create(member=member, area=duty, starts_on=start)
    return member


def get_member(user, pk):
    return _get(TeamMember.objects.visible_to(user).select_related("team__org", "person"), pk)


@transaction.atomic
def end_member(user, *, member: TeamMember, ends_on: date, reason: str):
    _require(user, "leadership_manage", member.team.org)
    if member.ends_on:
        raise Conflict("此人已离任")
    end = ends_on
    if end < member.starts_on:
        raise ValidationError({"ends_on": "离任日期不能早于任职日期"})
    member.ends_on = end
    member.end_reason = reason
    member.save(update_fields=["ends_on", "end_reason"])
    member.duties.filter(ends_on=None).update(ends_on=end)
    return member


def set_duty(user, *, member: TeamMember, area: str, starts_on: date):
    """A new 分工 from ``starts_on``: the member's current one ends the day before (history kept)."""
    _require(user, "leadership_manage", member.team.org)
    if member.ends_on:
        raise Conflict("此人已离任,不能调整分工")
    start = starts_on
    if start < member.starts_on:
        raise ValidationError({"starts_on": "不能早于任职日期"})
    with transaction.atomic():
        for d in member.duties.filter(ends_on=None):
            d.ends_on = max(d.starts_on, start - timedelta(days=1))
            d.save(update_fields=["ends_on"])
        return Duty.objects.create(member=member, area=area, starts_on=start)


# ---------------------------------------------------------------- meetings


def expected_people(org, kind):
    """Who should attend: a 支委会 its current members; the others the party members of the branch / group."""
    if kind == MeetingKind.COMMITTEE:
        team = current_team(org.ancestor_of_kind(OrgKind.BRANCH) or org, TeamKind.COMMITTEE)
        if team is None:
            return Person.objects.none()
        return Person.objects.filter(pk__in=team.members.filter(ends_on=None).values("person_id")).order_by(
            "org__path", "name"
        )
    return party_members_of(org)


def create_meeting(
    user,
    *,
    org: OrgNode,
    kind: str,
    date: date,
    topic: str,
    place: str = "",
    host: Person | None = None,
    agenda: list[str] = (),
    people: list[Person] | None = None,
    token: str | None = None,
):
    """Plan (or record) a meeting; attendance starts with everyone expected present until recorded otherwise."""
    if token:
        existing = Meeting.objects.filter(token=token).first()
        if existing is not None:
            if existing.recorded_by_id != user.pk:
                raise Conflict("表单已过期,请重新提交")
            return existing
    node = _check_org(user, org)
    if kind == MeetingKind.GROUP and node.kind != OrgKind.PARTY_GROUP:
        raise ValidationError({"org": "党小组会请选择党小组"})
    if kind != MeetingKind.GROUP and node.kind != OrgKind.BRANCH:
        raise ValidationError({"org": "请选择党支部"})
    _check_in_branch(node, [host], "host", "请选择本支部的主持人")
    if people:
        _check_in_branch(node, people, "people", "应到人员须是本支部人员")
    attendees = list(people) if people else list(expected_people(node, kind))
    if not attendees:
        raise ValidationError(
            {"people": "没有应到人员:请先在班子中登记支委会成员" if kind == MeetingKind.COMMITTEE else "没有应到人员"}
        )
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                org=node,
                kind=kind,
                date=date,
                topic=topic,
                place=place,
                host=host,
                expected=len(attendees),
                recorded_by=user,
                token=token or None,
            )
            AgendaItem.objects.bulk_create(
                [AgendaItem(meeting=meeting, order=i + 1, title=t) for i, t in enumerate(agenda)]
            )
            Attendance.objects.bulk_create([Attendance(meeting=meeting, person=p) for p in attendees])
    except IntegrityError:  # the same token, saved meanwhile by a second tap: answered with that meeting
        return create_meeting(
            user, org=org, kind=kind, date=date, topic=topic, place=place, host=host, agenda=agenda, token=token
        )
    return meeting


def meetings_listed(user, *, kind=""):
    """The meetings of the list (and its ledger): the user's scope, one kind or all, newest first."""
    qs = Meeting.objects.visible_to(user).select_related("org").order_by("-date", "-pk")
    return qs.filter(kind=kind) if kind else qs


def meeting_kind(value):
    """A 会议类型 of the list's query, or "" (all) for anything else."""
    return value if value in MeetingKind.values else ""


def get_meeting(user, pk):
    return _get(Meeting.objects.visible_to(user).select_related("org", "host", "recorded_by"), pk)


@transaction.atomic
def record_attendance(user, *, meeting: Meeting, statuses: dict[int, tuple[str, str]], minutes: str = ""):
    """``statuses``: {person_id: (status, reason)} for the expected people (missing → present). Records 应到 / 实到
    and whether more than half attended; a meeting without a quorum is recorded as held but not valid."""
    _require(user, "leadership_manage", meeting.org)
    if meeting.date > timezone.localdate():
        raise Conflict("会议日期未到,不能登记出席情况")
    rows = list(meeting.attendance.all())
    errors = {}
    for row in rows:
        status, reason = statuses.get(row.person_id, (Presence.PRESENT, ""))
        if status == Presence.LEAVE and not reason:
            errors[f"reason_{row.person_id}"] = "请假须填写原因"
        row.status, row.reason = status, reason if status != Presence.PRESENT else ""
    if errors:
        raise ValidationError(errors)
    Attendance.objects.bulk_update(rows, ["status", "reason"])
    meeting.expected = len(rows)
    meeting.present = sum(1 for r in rows if r.status == Presence.PRESENT)
    meeting.valid = rules.more_than_half(meeting.present, meeting.expected)
    meeting.held = True
    meeting.minutes = minutes
    meeting.save(update_fields=["expected", "present", "valid", "held", "minutes"])
    return meeting


def add_decision(
    user, *, meeting: Meeting, text: str, mode: str, owner: Person, deadline: date, token: str | None = None
):
    _require(user, "leadership_manage", meeting.org)
    if done := _once(Decision, token, meeting_id=meeting.pk):
        return done
    if not meeting.held:
        raise Conflict("请先登记出席情况(会议召开后才能形成决议)")
    if not meeting.valid:
        raise Conflict(f"到会 {meeting.present}/{meeting.expected} 人,未过半数,会议无效,不能形成决议")
    _check_in_branch(meeting.org, [owner], "owner", "请选择本支部的责任人")
    return Decision.objects.create(
        meeting=meeting, text=text, mode=mode, owner=owner, deadline=deadline, token=token or None
    )


def get_decision(user, pk):
    """A decision in scope, or one the user owns."""
    qs = Decision.objects.select_related("meeting__org", "owner")
    own = Q(owner_id=user.person_id) if user.is_authenticated and user.person_id else Q(pk__in=[])
    return _get(qs.filter(Q(pk__in=Decision.objects.visible_to(user).values("pk")) | own), pk)


def complete_decision(user, *, decision: Decision, note: str, done_on: date | None = None):
    if not (can_manage(user, decision.meeting.org) or (user.person_id and user.person_id == decision.owner_id)):
        raise Forbidden("只有责任人或支部委员可以办结决议")
    if decision.done_on:
        raise Conflict("这项决议已办结")
    decision.done_note = note
    decision.done_on = done_on or timezone.localdate()
    decision.save(update_fields=["done_on", "done_note"])
    return decision


def current_duties(org):
    """{person_id: 分工} of the current 支委会 of the branch above ``org``: what 分工负责 decisions are delegated to."""
    branch = org.ancestor_of_kind(OrgKind.BRANCH) or org
    rows = Duty.objects.filter(
        member__team__org=branch, member__team__kind=TeamKind.COMMITTEE, member__team__closed_on=None,
        member__ends_on=None, ends_on=None,
    ).values_list("member__person_id", "area")  # fmt: skip
    out = {}
    for person_id, area in rows:
        out[person_id] = f"{out[person_id]}、{area}" if person_id in out else area
    return out


def open_decisions_of(user):
    if not (user.is_authenticated and user.person_id):
        return Decision.objects.none()
    return Decision.objects.filter(owner_id=user.person_id, done_on=None).select_related("meeting")


# ---------------------------------------------------------------- 组织生活会


def _check_year(year):
    if year > timezone.localdate().year + 1:
        raise ValidationError({"year": "年度不正确"})


def create_life(
    user, *, org: OrgNode, year: int, theme: str, participants: list[Person] = (), anonymous_criticism: bool = False
):
    node = _check_org(user, org, kinds=(OrgKind.BRANCH,))
    _check_year(year)
    _check_in_branch(node, participants, "participants", "参会人员须是本支部人员")
    people = list(participants) or list(party_members_of(node))
    with transaction.atomic():
        life = LifeMeeting.objects.create(
            org=node, year=year, theme=theme, anonymous_criticism=anonymous_criticism, created_by=user
        )
        life.participants.set(people)
    return life


def get_life(user, pk):
    return _get(LifeMeeting.objects.visible_to(user).select_related("org"), pk)


LIFE_FIELDS = ("study", "date", "minutes", "anonymous_criticism")


def update_life(user, *, life: LifeMeeting, **changes):
    """Writes the given fields of ``LIFE_FIELDS`` (study: str, date: date | None, minutes: str,
    anonymous_criticism: bool); the others are kept."""
    _require(user, "leadership_manage", life.org)
    if life.state == "closed":
        raise Conflict("组织生活会已闭环,不能再修改")
    unknown = set(changes) - set(LIFE_FIELDS)
    if unknown:
        raise TypeError(f"update_life: unknown fields {sorted(unknown)}")
    for name, value in changes.items():
        setattr(life, name, value)
    life.save(update_fields=list(changes))
    return life


def _manager_roles(user, obj):
    return {"manage"} if can_manage(user, obj.org) else set()


def _life_guard(ctx):
    """What a step needs before it may be left (the reason, or None)."""
    life, action = ctx.obj, ctx.action
    if action == "start_talks" and not life.study:
        return "请先登记会前学习内容"
    if action == "hold" and not life.opinions.exists():
        return "请先登记征求到的意见"
    if action == "rectify":
        if not life.date:
            return "请先填写召开日期"
        if not life.criticisms.exists():
            return "请先登记批评与自我批评"
    if action == "close":
        if not life.rectifications.exists():
            return "还没有整改事项"
        if life.rectifications.filter(checked_on=None).exists():
            return "还有整改事项未验收销号"
    return None


# 组织生活会: theme → study → talks → opinions → meeting → rectification → closed (the labels: rules.LIFE_STATES)
LIFE_MACHINE = workflow.Machine(
    name="组织生活会",
    model=LifeMeeting,
    event_model=LifeStep,
    event_fk="life",
    get=lambda user, pk: get_life(user, pk),
    roles_of=_manager_roles,
    status_field="state",
    version_field=None,
    note_max=200,
    messages={"state": "组织生活会当前环节为“{status}”,不能{label}"},
    table=[
        Transition("start_study", "开始会前学习", ["planned"], "study", {"manage"}, guard=_life_guard),
        Transition("start_talks", "进入谈心谈话", ["study"], "talks", {"manage"}, guard=_life_guard),
        Transition("gather", "进入征求意见", ["talks"], "opinions", {"manage"}, guard=_life_guard),
        Transition("hold", "召开会议", ["opinions"], "meeting", {"manage"}, guard=_life_guard),
        Transition("rectify", "会议结束,转入整改", ["meeting"], "rectify", {"manage"}, guard=_life_guard),
        Transition("close", "整改全部销号,闭环", ["rectify"], "closed", {"manage"}, guard=_life_guard),
    ],
)  # fmt: skip


def life_act(user, *, life, action, note=""):
    """One step of the loop, by the table (``common.workflow``): recorded (who, when, from, to, note)."""
    return LIFE_MACHINE.apply(user, life.pk, action, note=note)


def next_steps(machine, user, obj):
    """[(action, label, reason)] the table offers the user from the object's state; ``reason``: why it cannot be
    done yet (the guard's answer), shown next to the button instead of hiding it."""
    out = []
    for t in machine.table:
        if obj.state in t.source and machine.may(t, user, obj):
            reason = t.guard(workflow.Context(machine, user, obj, t, timezone.now())) if t.guard else None
            out.append((t.action, t.label, reason))
    return out


def talk_pairs(life):
    """谈心谈话 before the meeting (SPEC §4.4): every participant with every other. Returns (done, required,
    [(a, b)] still missing). A pair is done by a talk of the care module between them this year, up to the meeting."""
    people = sorted(life.participants.all(), key=lambda p: p.pk)
    ids = [p.pk for p in people]
    required = len(ids) * (len(ids) - 1) // 2
    if required == 0:
        return 0, 0, []
    from care.models import TalkPerson

    end = life.date or timezone.localdate()
    found = set()
    for a, b in TalkPerson.objects.filter(
        talk__talker_id__in=ids, person_id__in=ids, date__gte=date(life.year, 1, 1), date__lte=end
    ).values_list("talk__talker_id", "person_id"):
        if a != b:
            found.add((min(a, b), max(a, b)))
    missing = [(p, q) for i, p in enumerate(people) for q in people[i + 1 :] if (p.pk, q.pk) not in found]
    return required - len(missing), required, missing


def add_opinion(user, *, life: LifeMeeting, source: str, count: int, summary: str, token: str | None = None):
    _require(user, "leadership_manage", life.org)
    if done := _once(Opinion, token, life_id=life.pk):
        return done
    if life.state not in ("opinions", "meeting"):
        raise Conflict("征求意见环节才能登记意见")
    return Opinion.objects.create(life=life, source=source, count=count, summary=summary, token=token or None)


def add_criticism(
    user,
    *,
    life: LifeMeeting,
    target: Person,
    kind: str,
    text: str,
    giver: Person | None = None,
    token: str | None = None,
):
    _require(user, "leadership_manage", life.org)
    if done := _once(Criticism, token, life_id=life.pk):
        return done
    if life.state != "meeting":
        raise Conflict("召开会议环节才能登记批评与自我批评")
    ids = set(life.participants.values_list("pk", flat=True))
    if target.pk not in ids:
        raise ValidationError({"target": "请选择参会人员"})
    if kind != CriticismKind.RECEIVED:
        giver = None
    elif giver is None or giver.pk not in ids:
        raise ValidationError({"giver": "请选择提出批评的参会人员"})
    elif giver.pk == target.pk:
        raise ValidationError({"giver": "相互批评的提出人不能是本人"})
    return Criticism.objects.create(life=life, target=target, kind=kind, giver=giver, text=text, token=token or None)


def can_read_criticism(user, life):
    return scope.can(user, "leadership_sensitive", life.org)


def criticisms_for(user, life, via="page", ip=None):
    """Criticism contents (sensitive): the secretary and the committee see all, a participant what is about them; the
    giver hidden when the committee set so. Every read is logged (one line per person read about)."""
    qs = life.criticisms.select_related("target", "giver")
    if not can_read_criticism(user, life):
        qs = qs.filter(target_id=user.person_id) if user.person_id else qs.none()
    rows = list(qs)
    log_bulk_sensitive(user, [c.target for c in rows], ["criticism"], via, ip)
    for c in rows:
        c.shown_giver = None if life.anonymous_criticism else c.giver
    return rows


def add_rectification(
    user,
    *,
    life: LifeMeeting,
    problem: str,
    measure: str,
    owner: Person,
    deadline: date,
    criticism: Criticism | None = None,
    token: str | None = None,
):
    _require(user, "leadership_manage", life.org)
    if done := _once(Rectification, token, life_id=life.pk):
        return done
    if life.state not in ("meeting", "rectify"):
        raise Conflict("召开会议后才能列整改事项")
    if criticism is not None and criticism.life_id != life.pk:
        raise ValidationError({"criticism": "请选择本次会议的批评意见"})
    if not life.participants.filter(pk=owner.pk).exists():
        raise ValidationError({"owner": "请选择参会人员作为责任人"})
    return Rectification.objects.create(
        life=life,
        criticism=criticism,
        problem=problem,
        measure=measure,
        owner=owner,
        deadline=deadline,
        token=token or None,
    )


def get_rectification(user, pk):
    qs = Rectification.objects.select_related("life__org", "owner", "checked_by", "criticism")
    own = Q(owner_id=user.person_id) if user.is_authenticated and user.person_id else Q(pk__in=[])
    return _get(qs.filter(Q(pk__in=Rectification.objects.visible_to(user).values("pk")) | own), pk)


def rectification_done(user, *, item: Rectification, evidence: str, done_on: date | None = None):
    if not (can_manage(user, item.life.org) or (user.person_id and user.person_id == item.owner_id)):
        raise Forbidden("只有责任人或支部委员可以报告整改完成")
    if item.checked_on:
        raise Conflict("已验收销号")
    item.evidence = evidence
    item.done_on = done_on or timezone.localdate()
    item.save(update_fields=["evidence", "done_on"])
    return item


def rectification_check(user, *, item):
    """验收销号: by a manager of the branch who is not the item's owner, after the owner reported it done."""
    _require(user, "leadership_manage", item.life.org)
    if item.checked_on:
        raise Conflict("已验收销号")
    if not item.done_on:
        raise Conflict("责任人尚未报告整改完成")
    if user.person_id and user.person_id == item.owner_id:
        raise Conflict("责任人不能验收自己的整改事项")
    item.checked_by = user
    item.checked_on = timezone.localdate()
    item.save(update_fields=["checked_by", "checked_on"])
    return item


def open_rectifications(org, before=None):
    """Items of the branch still open: shown again at the next meeting and the next 组织生活会."""
    qs = Rectification.objects.filter(life__org=org, checked_on=None).select_related("owner", "life")
    if before is not None:
        qs = qs.exclude(life=before)
    return qs


def my_rectifications(user):
    if not (user.is_authenticated and user.person_id):
        return Rectification.objects.none()
    return Rectification.objects.filter(owner_id=user.person_id, checked_on=None).select_related("life")


# ---------------------------------------------------------------- 民主评议党员


def create_appraisal(user, *, org: OrgNode, year: int, life: LifeMeeting | None = None):
    node = _check_org(user, org, kinds=(OrgKind.BRANCH,))
    _check_year(year)
    if life is not None and life.org_id != node.pk:
        raise ValidationError({"life": "请选择本支部的组织生活会"})
    linked = life
    members = list(party_members_of(node))
    if not members:
        raise ValidationError({"org": "本支部没有党员"})
    with transaction.atomic():
        a = Appraisal.objects.create(org=node, year=year, life=linked, created_by=user)
        AppraisalRow.objects.bulk_create([AppraisalRow(appraisal=a, person=p) for p in members])
    return a


def get_appraisal(user, pk):
    """An appraisal in scope, or one the user is appraised in (their own 自评)."""
    qs = Appraisal.objects.select_related("org", "life")
    own = Q(rows__person_id=user.person_id) if user.is_authenticated and user.person_id else Q(pk__in=[])
    return _get(qs.filter(Q(pk__in=Appraisal.objects.visible_to(user).values("pk")) | own).distinct(), pk)


def my_self_assessments(user):
    """Rows where the user still has to write their 个人自评 (the appraisal is at that step)."""
    if not (user.is_authenticated and user.person_id):
        return AppraisalRow.objects.none()
    return AppraisalRow.objects.filter(person_id=user.person_id, appraisal__state="self", self_summary="")


# which fields each step writes
APPRAISAL_FIELDS = {
    "self": ("self_summary",),
    "mutual": ("mutual_notes",),
    "poll": ("votes_excellent", "votes_qualified", "votes_basic", "votes_unqualified"),
    "decide": ("grade",),
}


def update_appraisal_row(user, *, row: AppraisalRow, **values):
    """Writes the given fields of the row (``self_summary`` / ``mutual_notes``: str, ``votes_*``: int, ``grade``)
    when the appraisal's current step writes them (``APPRAISAL_FIELDS``)."""
    a = row.appraisal
    own = user.person_id and user.person_id == row.person_id and a.state == "self"
    if not (own or can_manage(user, a.org)):
        raise Forbidden()
    allowed = APPRAISAL_FIELDS.get(a.state, ())
    if not allowed:
        raise Conflict("评议已完成,不能修改")
    changed = []
    for name, value in values.items():
        if value is None:
            continue
        if name not in allowed:
            raise Conflict(f"当前环节“{rules.APPRAISAL_STATES[a.state]}”不能修改此项")
        setattr(row, name, value)
        changed.append(name)
    if changed:
        row.save(update_fields=changed)
    return row


def _all_graded(ctx):
    return "还有党员没有评定意见" if ctx.obj.rows.filter(grade="").exists() else None


# 民主评议党员: 自评 → 互评 → 民主测评 → 支委会评定意见 (the labels: rules.APPRAISAL_STATES)
APPRAISAL_MACHINE = workflow.Machine(
    name="民主评议",
    model=Appraisal,
    event_model=LifeStep,
    event_fk="appraisal",
    get=lambda user, pk: get_appraisal(user, pk),
    roles_of=_manager_roles,
    status_field="state",
    version_field=None,
    note_max=200,
    messages={"state": "民主评议当前环节为“{status}”,不能{label}"},
    table=[
        Transition("to_mutual", "进入党员互评", ["self"], "mutual", {"manage"}),
        Transition("to_poll", "进入民主测评", ["mutual"], "poll", {"manage"}),
        Transition("to_decide", "进入支委会评定", ["poll"], "decide", {"manage"}),
        Transition("finish", "评定完成", ["decide"], "done", {"manage"}, guard=_all_graded),
    ],
)  # fmt: skip


def appraisal_act(user, *, appraisal, action):
    return APPRAISAL_MACHINE.apply(user, appraisal.pk, action)


# ---------------------------------------------------------------- notices and reports

READER_ROLES = {"secretary", "branch_committee", "team_leader"}


def reader_paths(user):
    """The nodes a user reads notices for: where they hold a leading role (the receipt of a unit inside)."""
    if not (user.is_authenticated and user.is_active):
        return []
    return scope.minimal_paths(path for role, path in scope.assignments_of(user) if role in READER_ROLES)


def _paths_q(paths, field):
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def notices_for(user):
    """Notices the user sent or may read in scope (the sender's org in their subtree), or received by their units."""
    received = NoticeReceipt.objects.filter(_paths_q(reader_paths(user), "org__path")).values("notice_id")
    return Notice.objects.filter(
        Q(pk__in=Notice.objects.visible_to(user).values("pk")) | Q(pk__in=received) | Q(sender_id=user.pk)
    )


def notice_targets(user):
    return OrgNode.objects.visible_to(user, "leadership_notice").filter(kind__in=(OrgKind.BRANCH, OrgKind.UNIT))


def send_notice(user, *, org: OrgNode, title: str, body: str, targets: list[OrgNode], token: str | None = None):
    if done := _once(Notice, token, sender_id=user.pk):
        return done
    node = _check_org(user, org, "leadership_notice", kinds=(OrgKind.COMMITTEE, OrgKind.BRANCH, OrgKind.MINE))
    if not targets:
        raise ValidationError({"targets": "请选择接收单位"})
    ids = [t.pk for t in targets]
    nodes = list(notice_targets(user).filter(pk__in=ids, path__startswith=node.path).exclude(pk=node.pk))
    if len(nodes) != len(ids):
        raise ValidationError({"targets": "接收单位须在发文组织之下"})
    with transaction.atomic():
        notice = Notice.objects.create(
            org=node, sender=user, title=title, body=body, sent_on=timezone.localdate(), token=token or None
        )
        NoticeReceipt.objects.bulk_create([NoticeReceipt(notice=notice, org=n) for n in nodes])
    return notice


def get_notice(user, pk):
    return _get(notices_for(user).select_related("org", "sender"), pk)


def mark_read(user, notice):
    """Opening a notice marks the receipts of the units the user reads for (not the sender's own)."""
    paths = reader_paths(user)
    if not paths or notice.sender_id == user.pk:
        return 0
    return notice.receipts.filter(_paths_q(paths, "org__path"), read_at=None).update(
        read_at=timezone.now(), read_by=user
    )


def unread_for_me(user):
    paths = reader_paths(user)
    if not paths:
        return NoticeReceipt.objects.none()
    return NoticeReceipt.objects.filter(_paths_q(paths, "org__path"), read_at=None).exclude(notice__sender=user)


def late_receipts(user, today=None):
    """Receipts of the user's own notices still unread after N days: the sender's 待办."""
    today = today or timezone.localdate()
    due = today - timedelta(days=rules.setting("notice_unread_days"))
    return NoticeReceipt.objects.filter(notice__sender=user, read_at=None, notice__sent_on__lte=due)


def submit_report(user, *, org: OrgNode, title: str, body: str, token: str | None = None):
    if done := _once(Report, token, author_id=user.pk):
        return done
    node = _check_org(user, org, "leadership_notice", kinds=(OrgKind.BRANCH,))
    return Report.objects.create(org=node, author=user, title=title, body=body, token=token or None)


def reports_for(user):
    return Report.objects.filter(Q(pk__in=Report.objects.visible_to(user).values("pk")) | Q(author_id=user.pk))


def get_report(user, pk):
    return _get(reports_for(user).select_related("org", "author", "replied_by"), pk)


def reply_report(user, *, report: Report, reply: str):
    if not scope.can(user, "leadership_reply", report.org):
        raise Forbidden("只有党委可以答复情况报告")
    if report.replied_at:
        raise Conflict("已答复")
    report.reply = reply
    report.replied_by = user
    report.replied_at = timezone.now()
    report.save(update_fields=["reply", "replied_by", "replied_at"])
    return report


def reports_waiting(user):
    paths = scope.subtree_paths(user, "leadership_reply") if user.is_authenticated else []
    if not paths:
        return Report.objects.none()
    return Report.objects.filter(_paths_q(paths, "org__path"), replied_at=None)


# ---------------------------------------------------------------- figures


def quarter_start(day):
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_start(kind, day):
    months = rules.setting("interval_months").get(kind, 1)
    index = (day.month - 1) // months * months
    return date(day.year, index + 1, 1)


def meetings_due(org, today=None):
    """Kinds of meeting not yet held in their current period (a month, a quarter: settings) at a branch."""
    today = today or timezone.localdate()
    held = set(Meeting.objects.filter(org=org, held=True, date__gte=date(today.year, 1, 1)).values_list("kind", "date"))
    out = []
    for kind in (MeetingKind.COMMITTEE, MeetingKind.GENERAL, MeetingKind.THEME_DAY):
        start = period_start(kind, today)
        if not any(k == kind and d >= start for k, d in held):
            months = rules.setting("interval_months").get(kind, 1)
            end_month = start.month + months
            end = date(start.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1) - timedelta(days=1)
            out.append((kind, MeetingKind(kind).label, end))
    return out


def branch_figures(*, branch, start, end):
    """A branch's figures of [start, end] for the scorecard and the 六个反问 (Q6): meetings held / valid,
    decisions (of meetings in the period) done / overdue, rectification items closed in the period / open at its end.
    Reads records of ``branch`` and the nodes below it; the caller has checked the branch is in scope."""
    under = OrgNode.objects.filter(path__startswith=branch.path).values("pk")
    meetings = Meeting.objects.filter(org__in=under, held=True, date__gte=start, date__lte=end).aggregate(
        held=Count("pk"), valid=Count("pk", filter=Q(valid=True))
    )
    decisions = Decision.objects.filter(meeting__org__in=under, meeting__date__gte=start, meeting__date__lte=end)
    decided = decisions.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(done_on__isnull=False, done_on__lte=end)),
        overdue=Count("pk", filter=Q(deadline__lt=end) & (Q(done_on=None) | Q(done_on__gt=end))),
        done_late=Count("pk", filter=Q(done_on__isnull=False, done_on__gt=F("deadline"))),
    )
    rect = Rectification.objects.filter(life__org__in=under).aggregate(
        closed=Count("pk", filter=Q(checked_on__gte=start, checked_on__lte=end)),
        open=Count("pk", filter=Q(life__date__lte=end) & (Q(checked_on=None) | Q(checked_on__gt=end))),
        overdue=Count(
            "pk", filter=Q(life__date__lte=end, deadline__lt=end) & (Q(checked_on=None) | Q(checked_on__gt=end))
        ),
    )
    return {
        "meetings_held": meetings["held"],
        "meetings_valid": meetings["valid"],
        "decisions": decided["total"],
        "decisions_done": decided["done"],
        "decisions_overdue": decided["overdue"],
        "decisions_done_late": decided["done_late"],
        "rectifications_closed": rect["closed"],
        "rectifications_open": rect["open"],
        "rectifications_overdue": rect["overdue"],
    }


def overview(user, today=None):
    """The figures of the home tile and the module's first page, over the user's scope (a fixed number of queries)."""
    today = today or timezone.localdate()
    q0 = quarter_start(today)
    meetings = Meeting.objects.visible_to(user).filter(held=True, date__gte=q0, date__lte=today)
    m = meetings.aggregate(held=Count("pk"), valid=Count("pk", filter=Q(valid=True)))
    d = Decision.objects.visible_to(user).aggregate(
        open=Count("pk", filter=Q(done_on=None)), overdue=Count("pk", filter=Q(done_on=None, deadline__lt=today))
    )
    r = Rectification.objects.visible_to(user).aggregate(
        open=Count("pk", filter=Q(checked_on=None)),
        overdue=Count("pk", filter=Q(checked_on=None, deadline__lt=today)),
        closed=Count("pk", filter=Q(checked_on__isnull=False)),
    )
    unread = (
        NoticeReceipt.objects.filter(notice__in=Notice.objects.visible_to(user), read_at=None).count()
        if scope.can(user, "leadership_notice")
        else 0
    )
    return {
        "meetings_held": m["held"],
        "meetings_valid": m["valid"],
        "decisions_open": d["open"],
        "decisions_overdue": d["overdue"],
        "rect_open": r["open"],
        "rect_overdue": r["overdue"],
        "rect_closed": r["closed"],
        "unread": unread,
        "unread_for_me": unread_for_me(user).count(),
    }
