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
from django.utils.dateparse import parse_date

from common import workflow
from common.errors import Conflict, Forbidden, NotFound
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
    DecisionMode,
    Duty,
    Grade,
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

# ---------------------------------------------------------------- input helpers


def as_id(value):
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number < 2**63 else None


def _date(value, field, label, required=True, future=True):
    if value in (None, ""):
        if required:
            raise ValidationError({field: f"请填写{label}"})
        return None
    if isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = parse_date(str(value).strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise ValidationError({field: f"{label}格式不正确,应为 年-月-日"})
    today = timezone.localdate()
    if parsed.year < 2000 or parsed > today + timedelta(days=3 * 366):
        raise ValidationError({field: f"{label}超出可选范围"})
    if not future and parsed > today:
        raise ValidationError({field: f"{label}不能晚于今天"})
    return parsed


def _text(value, field, label, required=True, longest=200):
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: f"请填写{label}"})
    if len(text) > longest:
        raise ValidationError({field: f"{label}最长{longest}字"})
    return text


def _choice(value, choices, field, label):
    if value not in dict(choices):
        raise ValidationError({field: f"请选择{label}"})
    return value


def _ids(values):
    if values in (None, ""):
        return []
    if isinstance(values, (str, int)):
        values = str(values).replace(",", " ").split()
    out = []
    for v in values:
        pk = as_id(v)
        if pk and pk not in out:
            out.append(pk)
    return out


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


def _org(user, org_id, capability="leadership_manage", kinds=(OrgKind.BRANCH, OrgKind.UNIT, OrgKind.PARTY_GROUP)):
    pk = as_id(org_id)
    node = OrgNode.objects.visible_to(user, capability).filter(pk=pk, kind__in=kinds).first() if pk else None
    if node is None:
        raise ValidationError({"org": "请选择您负责的组织"})
    return node


def _person_in(node, person_id, field, label):
    """A person of the branch above ``node`` (班子 members, attendees, owners belong to the unit's branch)."""
    pk = as_id(person_id)
    branch = node.ancestor_of_kind(OrgKind.BRANCH) or node
    found = (
        Person.objects.filter(pk=pk)
        .filter(Q(org__path__startswith=branch.path) | Q(party_org__path__startswith=branch.path))
        .first()
        if pk
        else None
    )
    if found is None:
        raise ValidationError({field: f"请选择本支部的{label}"})
    return found


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
def create_team(user, *, org, kind, elected_on, term_years=None, note=""):
    """A new 届: the current one of the same unit and kind is closed that day (its members' posts end with it)."""
    node = _org(user, org, kinds=(OrgKind.BRANCH, OrgKind.UNIT))
    kind = _choice(kind, TeamKind.choices, "kind", "班子类型")
    if kind == TeamKind.COMMITTEE and node.kind != OrgKind.BRANCH:
        raise ValidationError({"org": "支委会只能建在党支部上"})
    if kind == TeamKind.ADMIN and node.kind != OrgKind.UNIT:
        raise ValidationError({"org": "行政班子只能建在区队/科室上"})
    elected = _date(elected_on, "elected_on", "选举/组建日期", future=False)
    if term_years in (None, ""):
        term_years = rules.setting("term_years") if kind == TeamKind.COMMITTEE else None
    else:
        term = as_id(term_years)
        if term is None or term > 10:
            raise ValidationError({"term_years": "任期应为 1–10 年"})
        term_years = term
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
        note=_text(note, "note", "说明", required=False),
    )


def get_team(user, pk):
    return _get(Team.objects.visible_to(user).select_related("org"), pk)


def posts_for(kind):
    return COMMITTEE_POSTS if kind == TeamKind.COMMITTEE else ADMIN_POSTS


def add_member(user, *, team, person, post, starts_on, duty=""):
    _require(user, "leadership_manage", team.org)
    if team.closed_on:
        raise Conflict("这一届班子已换届,不能再增补成员")
    member_person = _person_in(team.org, person, "person", "人员")
    post = _text(post, "post", "职务", longest=20)
    start = _date(starts_on, "starts_on", "任职日期", future=False)
    if start < team.elected_on:
        raise ValidationError({"starts_on": f"不能早于本届组建日期 {team.elected_on:%Y-%m-%d}"})
    if team.kind == TeamKind.COMMITTEE and member_person.political_status not in PARTY_STATUSES:
        raise ValidationError({"person": "支委会成员须是党员"})
    if team.members.filter(person=member_person, ends_on=None).exists():
        raise ValidationError({"person": "此人已在本届班子中"})
    duty = _text(duty, "duty", "分工", required=False)
    with transaction.atomic():
        member = TeamMember.objects.create(team=team, person=member_person, post=post, starts_on=start)
        if duty:
            Duty.objects.create(member=member, area=duty, starts_on=start)
    return member


def get_member(user, pk):
    return _get(TeamMember.objects.visible_to(user).select_related("team__org", "person"), pk)


@transaction.atomic
def end_member(user, *, member, ends_on, reason):
    _require(user, "leadership_manage", member.team.org)
    if member.ends_on:
        raise Conflict("此人已离任")
    end = _date(ends_on, "ends_on", "离任日期", future=False)
    if end < member.starts_on:
        raise ValidationError({"ends_on": "离任日期不能早于任职日期"})
    member.ends_on = end
    member.end_reason = _text(reason, "reason", "离任原因", longest=100)
    member.save(update_fields=["ends_on", "end_reason"])
    member.duties.filter(ends_on=None).update(ends_on=end)
    return member


def set_duty(user, *, member, area, starts_on):
    """A new 分工 from ``starts_on``: the member's current one ends the day before (history kept)."""
    _require(user, "leadership_manage", member.team.org)
    if member.ends_on:
        raise Conflict("此人已离任,不能调整分工")
    area = _text(area, "area", "分工内容")
    start = _date(starts_on, "starts_on", "开始日期", future=False)
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


def create_meeting(user, *, org, kind, date, topic, place="", host=None, agenda=(), people=None, token=None):
    """Plan (or record) a meeting; attendance starts with everyone expected present until recorded otherwise."""
    if token:
        existing = Meeting.objects.filter(token=token).first()
        if existing is not None:
            if existing.recorded_by_id != user.pk:
                raise Conflict("表单已过期,请重新提交")
            return existing
    node = _org(user, org)
    kind = _choice(kind, MeetingKind.choices, "kind", "会议类型")
    if kind == MeetingKind.GROUP and node.kind != OrgKind.PARTY_GROUP:
        raise ValidationError({"org": "党小组会请选择党小组"})
    if kind != MeetingKind.GROUP and node.kind != OrgKind.BRANCH:
        raise ValidationError({"org": "请选择党支部"})
    day = _date(date, "date", "日期")
    topic = _text(topic, "topic", "主题")
    place = _text(place, "place", "地点", required=False, longest=100)
    host_person = _person_in(node, host, "host", "主持人") if host not in (None, "") else None
    items = [t.strip() for t in (agenda.splitlines() if isinstance(agenda, str) else agenda) if str(t).strip()]
    if any(len(t) > 200 for t in items):
        raise ValidationError({"agenda": "每个议题最长200字"})
    if people:
        ids = _ids(people)
        attendees = list(branch_people(node).filter(pk__in=ids))
        if len(attendees) != len(ids):
            raise ValidationError({"people": "应到人员须是本支部人员"})
    else:
        attendees = list(expected_people(node, kind))
    if not attendees:
        raise ValidationError(
            {"people": "没有应到人员:请先在班子中登记支委会成员" if kind == MeetingKind.COMMITTEE else "没有应到人员"}
        )
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                org=node,
                kind=kind,
                date=day,
                topic=topic,
                place=place,
                host=host_person,
                expected=len(attendees),
                recorded_by=user,
                token=token or None,
            )
            AgendaItem.objects.bulk_create(
                [AgendaItem(meeting=meeting, order=i + 1, title=t) for i, t in enumerate(items)]
            )
            Attendance.objects.bulk_create([Attendance(meeting=meeting, person=p) for p in attendees])
    except IntegrityError:
        return create_meeting(
            user, org=org, kind=kind, date=date, topic=topic, place=place, host=host, agenda=agenda, token=token
        )
    return meeting


def get_meeting(user, pk):
    return _get(Meeting.objects.visible_to(user).select_related("org", "host", "recorded_by"), pk)


@transaction.atomic
def record_attendance(user, *, meeting, statuses, minutes=""):
    """``statuses``: {person_id: (status, reason)} for the expected people (missing → present). Records 应到 / 实到
    and whether more than half attended; a meeting without a quorum is recorded as held but not valid."""
    _require(user, "leadership_manage", meeting.org)
    if meeting.date > timezone.localdate():
        raise Conflict("会议日期未到,不能登记出席情况")
    rows = list(meeting.attendance.all())
    errors = {}
    for row in rows:
        status, reason = statuses.get(row.person_id, (Presence.PRESENT, ""))
        if status not in dict(Presence.choices):
            errors[f"status_{row.person_id}"] = "请选择出席情况"
            continue
        reason = str(reason or "").strip()[:200]
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
    meeting.minutes = _text(minutes, "minutes", "会议记录", required=False, longest=20000)
    meeting.save(update_fields=["expected", "present", "valid", "held", "minutes"])
    return meeting


def add_decision(user, *, meeting, text, mode, owner, deadline, token=None):
    _require(user, "leadership_manage", meeting.org)
    if done := _once(Decision, token, meeting_id=meeting.pk):
        return done
    if not meeting.held:
        raise Conflict("请先登记出席情况(会议召开后才能形成决议)")
    if not meeting.valid:
        raise Conflict(f"到会 {meeting.present}/{meeting.expected} 人,未过半数,会议无效,不能形成决议")
    return Decision.objects.create(
        meeting=meeting,
        text=_text(text, "text", "决议事项", longest=300),
        mode=_choice(mode, DecisionMode.choices, "mode", "决策方式"),
        owner=_person_in(meeting.org, owner, "owner", "责任人"),
        deadline=_date(deadline, "deadline", "完成期限"),
        token=token or None,
    )


def get_decision(user, pk):
    """A decision in scope, or one the user owns."""
    qs = Decision.objects.select_related("meeting__org", "owner")
    own = Q(owner_id=user.person_id) if user.is_authenticated and user.person_id else Q(pk__in=[])
    return _get(qs.filter(Q(pk__in=Decision.objects.visible_to(user).values("pk")) | own), pk)


def complete_decision(user, *, decision, note, done_on=None):
    if not (can_manage(user, decision.meeting.org) or (user.person_id and user.person_id == decision.owner_id)):
        raise Forbidden("只有责任人或支部委员可以办结决议")
    if decision.done_on:
        raise Conflict("这项决议已办结")
    decision.done_note = _text(note, "note", "完成情况", longest=300)
    decision.done_on = _date(done_on, "done_on", "完成日期", required=False, future=False) or timezone.localdate()
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


def create_life(user, *, org, year, theme, participants=None, anonymous_criticism=False):
    node = _org(user, org, kinds=(OrgKind.BRANCH,))
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": "年度不正确"})
    theme = _text(theme, "theme", "会议主题")
    ids = _ids(participants)
    people = list(branch_people(node).filter(pk__in=ids)) if ids else list(party_members_of(node))
    if ids and len(people) != len(ids):
        raise ValidationError({"participants": "参会人员须是本支部人员"})
    with transaction.atomic():
        life = LifeMeeting.objects.create(
            org=node, year=year, theme=theme, anonymous_criticism=bool(anonymous_criticism), created_by=user
        )
        life.participants.set(people)
    return life


def get_life(user, pk):
    return _get(LifeMeeting.objects.visible_to(user).select_related("org"), pk)


def update_life(user, *, life, study=None, date=None, minutes=None, anonymous_criticism=None):
    _require(user, "leadership_manage", life.org)
    if life.state == "closed":
        raise Conflict("组织生活会已闭环,不能再修改")
    fields = []
    if study is not None:
        life.study = _text(study, "study", "会前学习内容", required=False, longest=5000)
        fields.append("study")
    if date is not None:
        life.date = _date(date, "date", "召开日期", required=False)
        fields.append("date")
    if minutes is not None:
        life.minutes = _text(minutes, "minutes", "会议记录", required=False, longest=20000)
        fields.append("minutes")
    if anonymous_criticism is not None:
        life.anonymous_criticism = bool(anonymous_criticism)
        fields.append("anonymous_criticism")
    life.save(update_fields=fields)
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


def add_opinion(user, *, life, source, count, summary, token=None):
    _require(user, "leadership_manage", life.org)
    if done := _once(Opinion, token, life_id=life.pk):
        return done
    if life.state not in ("opinions", "meeting"):
        raise Conflict("征求意见环节才能登记意见")
    n = as_id(count)
    if n is None or n > 9999:
        raise ValidationError({"count": "意见条数应为正整数"})
    return Opinion.objects.create(
        life=life,
        source=_text(source, "source", "征求渠道", longest=60),
        count=n,
        summary=_text(summary, "summary", "意见摘要", longest=5000),
        token=token or None,
    )


def add_criticism(user, *, life, target, kind, text, giver=None, token=None):
    _require(user, "leadership_manage", life.org)
    if done := _once(Criticism, token, life_id=life.pk):
        return done
    if life.state != "meeting":
        raise Conflict("召开会议环节才能登记批评与自我批评")
    kind = _choice(kind, CriticismKind.choices, "kind", "类型")
    ids = set(life.participants.values_list("pk", flat=True))
    target_id = as_id(target)
    if target_id not in ids:
        raise ValidationError({"target": "请选择参会人员"})
    giver_id = None
    if kind == CriticismKind.RECEIVED:
        giver_id = as_id(giver)
        if giver_id not in ids:
            raise ValidationError({"giver": "请选择提出批评的参会人员"})
        if giver_id == target_id:
            raise ValidationError({"giver": "相互批评的提出人不能是本人"})
    return Criticism.objects.create(
        life=life,
        target_id=target_id,
        kind=kind,
        giver_id=giver_id,
        text=_text(text, "text", "内容", longest=5000),
        token=token or None,
    )


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


def add_rectification(user, *, life, problem, measure, owner, deadline, criticism=None, token=None):
    _require(user, "leadership_manage", life.org)
    if done := _once(Rectification, token, life_id=life.pk):
        return done
    if life.state not in ("meeting", "rectify"):
        raise Conflict("召开会议后才能列整改事项")
    crit = None
    if criticism not in (None, ""):
        crit = life.criticisms.filter(pk=as_id(criticism)).first()
        if crit is None:
            raise ValidationError({"criticism": "请选择本次会议的批评意见"})
    owner_id = as_id(owner)
    if not life.participants.filter(pk=owner_id).exists():
        raise ValidationError({"owner": "请选择参会人员作为责任人"})
    return Rectification.objects.create(
        life=life,
        criticism=crit,
        problem=_text(problem, "problem", "问题", longest=300),
        measure=_text(measure, "measure", "整改措施", longest=300),
        owner_id=owner_id,
        deadline=_date(deadline, "deadline", "整改期限"),
        token=token or None,
    )


def get_rectification(user, pk):
    qs = Rectification.objects.select_related("life__org", "owner", "checked_by", "criticism")
    own = Q(owner_id=user.person_id) if user.is_authenticated and user.person_id else Q(pk__in=[])
    return _get(qs.filter(Q(pk__in=Rectification.objects.visible_to(user).values("pk")) | own), pk)


def rectification_done(user, *, item, evidence, done_on=None):
    if not (can_manage(user, item.life.org) or (user.person_id and user.person_id == item.owner_id)):
        raise Forbidden("只有责任人或支部委员可以报告整改完成")
    if item.checked_on:
        raise Conflict("已验收销号")
    item.evidence = _text(evidence, "evidence", "整改成效/佐证", longest=5000)
    item.done_on = _date(done_on, "done_on", "完成日期", required=False, future=False) or timezone.localdate()
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


def create_appraisal(user, *, org, year, life=None):
    node = _org(user, org, kinds=(OrgKind.BRANCH,))
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": "年度不正确"})
    linked = None
    if life not in (None, ""):
        linked = LifeMeeting.objects.filter(pk=as_id(life), org=node).first()
        if linked is None:
            raise ValidationError({"life": "请选择本支部的组织生活会"})
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


def update_appraisal_row(user, *, row, **values):
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
        if name.startswith("votes_"):
            n = 0 if value in ("", None) else as_id(value) if str(value) != "0" else 0
            if n is None or n > 9999:
                raise ValidationError({name: "票数应为 0 或正整数"})
            value = n
        elif name == "grade":
            value = _choice(value, Grade.choices, "grade", "评定意见")
        else:
            value = _text(value, name, "内容", required=False, longest=5000)
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


def send_notice(user, *, org, title, body, targets, token=None):
    if done := _once(Notice, token, sender_id=user.pk):
        return done
    node = _org(user, org, "leadership_notice", kinds=(OrgKind.COMMITTEE, OrgKind.BRANCH, OrgKind.MINE))
    title = _text(title, "title", "标题", longest=100)
    body = _text(body, "body", "正文", longest=20000)
    ids = _ids(targets)
    nodes = list(notice_targets(user).filter(pk__in=ids, path__startswith=node.path).exclude(pk=node.pk))
    if not ids:
        raise ValidationError({"targets": "请选择接收单位"})
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


def submit_report(user, *, org, title, body, token=None):
    if done := _once(Report, token, author_id=user.pk):
        return done
    node = _org(user, org, "leadership_notice", kinds=(OrgKind.BRANCH,))
    return Report.objects.create(
        org=node,
        author=user,
        title=_text(title, "title", "标题", longest=100),
        body=_text(body, "body", "报告内容", longest=20000),
        token=token or None,
    )


def reports_for(user):
    return Report.objects.filter(Q(pk__in=Report.objects.visible_to(user).values("pk")) | Q(author_id=user.pk))


def get_report(user, pk):
    return _get(reports_for(user).select_related("org", "author", "replied_by"), pk)


def reply_report(user, *, report, reply):
    if not scope.can(user, "leadership_reply", report.org):
        raise Forbidden("只有党委可以答复情况报告")
    if report.replied_at:
        raise Conflict("已答复")
    report.reply = _text(reply, "reply", "答复", longest=5000)
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
