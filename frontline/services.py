"""红领一线工作法: every state change, validation and permission check of the diary, 急难险重 and 专项工作, once.

Pages (``views.py``) and the API (``api.py``) call these functions. Reads go through ``visible_to``; out of scope
is ``NotFound`` (404), in scope but not the user's role ``Forbidden`` (403), not allowed in this state or a stale
form ``Conflict`` (409), bad input ``ValidationError`` with Chinese messages per field (422).
"""

import os
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from common import audit, workflow
from common.errors import Conflict, Forbidden, NotFound
from common.parsing import as_id
from common.uploads import clean_attachments
from common.workflow import Transition
from frontline.forms import BRANCH, LOCATION, PEOPLE, STALE_FORM
from frontline.models import (
    OPEN_REQUEST_STATUSES,
    TO_REPORT,
    Campaign,
    CampaignTask,
    DiaryEntry,
    DiaryRead,
    DiaryRequest,
    RequestEvent,
    RequestStatus,
    SecretaryRole,
    TaskAttachment,
    TaskEvent,
    TaskStatus,
    UrgentTask,
)
from orgs import scope
from orgs.models import OrgKind, OrgNode, Person
from orgs.services import log_bulk_sensitive
from places.models import Location

R = RequestStatus
T = TaskStatus
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


# ---------------------------------------------------------------- helpers


def branches_for(user, capability):
    """The party branches where ``user`` holds ``capability`` (assigned at a branch, or at a mine/committee above)."""
    paths = scope.subtree_paths(user, capability)
    if not paths:
        return OrgNode.objects.none()
    return OrgNode.objects.filter(scope.subtree_q(paths, "pk"), kind=OrgKind.BRANCH).order_by("path")


def _pick_branch(user, branch, capability):
    """The branch the record is for: the one chosen (one the user records for), or the user's only one."""
    branches = list(branches_for(user, capability)[:200])
    if not branches:
        raise Forbidden("您不是党支部书记,不能记录")
    if branch is not None:
        if branch.pk in {b.pk for b in branches}:
            return next(b for b in branches if b.pk == branch.pk)
        raise ValidationError({"branch": BRANCH})
    if len(branches) > 1:
        raise ValidationError({"branch": "请选择党支部"})
    return branches[0]


def _check_visit(user, mine, location, people):
    """The domain checks of where and whom: a 井下地点 of the branch's mine, people in the user's reach."""
    errors = {}
    if location is not None and (mine is None or location.mine_id != mine.pk):
        errors["location"] = LOCATION
    ids = [p.pk for p in people]
    if ids and Person.objects.visible_to(user).filter(pk__in=ids).count() != len(ids):
        errors["people"] = PEOPLE
    if errors:
        raise ValidationError(errors)


def _by_token(model, token, owner_field, user, message):
    existing = model.objects.filter(token=token).first()
    if existing is None:
        return None
    if getattr(existing, owner_field) != user.pk:
        raise Conflict(message)
    return existing


# ---------------------------------------------------------------- 民情日记: reading


def can_read_diary(user):
    return user.is_authenticated and bool(scope.subtree_paths(user, "frontline_diary"))


def can_write_diary(user):
    return user.is_authenticated and bool(scope.subtree_paths(user, "frontline_diary_write"))


def get_entry(user, pk):
    """The entry, in scope, without showing its contents (callers that show them log the read)."""
    if not as_id(pk):
        raise NotFound()
    entry = (
        DiaryEntry.objects.visible_to(user)
        .filter(pk=pk)
        .select_related("branch", "author", "author__person", "location")
        .first()
    )
    if entry is None:
        raise NotFound()
    return entry


def log_reads(user, entries, via, ip=None):
    """Every time an entry's contents are shown: one DiaryRead per entry, and one SensitiveAccess per person met
    (so the admins' sensitive-view log, searched by person, shows who read about them)."""
    entries = list(entries)
    if not entries:
        return
    now = timezone.now()
    DiaryRead.objects.bulk_create(
        [DiaryRead(user=user, entry=e, via=via, ip=ip, at=now) for e in entries], batch_size=1000
    )
    log_bulk_sensitive(user, [p for e in entries for p in e.people.all()], ["民情日记"], via, ip)


def read_entry(user, pk, via, ip=None):
    """The entry with its people and 诉求, for showing its contents (logged)."""
    entry = get_entry(user, pk)
    entry.people_list = list(entry.people.select_related("org").order_by("emp_no"))
    entry.request_list = list(entry.requests.prefetch_related("events", "events__actor", "events__actor__person"))
    DiaryRead.objects.create(user=user, entry=entry, via=via, ip=ip)
    log_bulk_sensitive(user, entry.people_list, ["民情日记"], via, ip)
    return entry


def diary_items_about(user, person, via, ip=None):
    """The 民情日记 visits that met ``person`` and that ``user`` may read (the diary's own ``visible_to``), for
    another module's timeline (care's file): each shown entry is logged like any read of the diary. A reader
    without the diary's capability (a 帮教人 who is an ordinary 党员) gets nothing."""
    entries = list(
        DiaryEntry.objects.visible_to(user).filter(people=person).prefetch_related("people").order_by("-date", "-pk")
    )
    log_reads(user, entries, via, ip)
    return [
        {
            "date": e.date,
            "kind": "民情日记",
            "title": f"{e.place} · 需关注" if e.concern else e.place,
            "text": e.learned + (f"\n措施:{e.action}" if e.action else ""),
            "concern": e.concern,
        }
        for e in entries
    ]


def concern_visits(person_ids, since):
    """[{pk, people, date}] of visits marked 需关注 since ``since`` that met these people (dates only, no contents:
    care's suggestions say "民情日记标记需关注" and link nothing)."""
    return DiaryEntry.objects.filter(people__in=person_ids, concern=True, date__gte=since).values(
        "pk", "people", "date"
    )


def _diary_mines(user):
    """Ids of the mines in or above the subtrees whose diaries the user reads."""
    paths = scope.subtree_paths(user, "frontline_diary") if user.is_authenticated else []
    if user.is_superuser and not paths:
        return list(OrgNode.objects.filter(kind=OrgKind.MINE).values_list("pk", flat=True))
    mines = OrgNode.objects.filter(kind=OrgKind.MINE).values_list("pk", "path")
    return [pk for pk, path in mines if any(p.startswith(path) or path.startswith(p) for p in paths)]


def filter_entries(
    user,
    *,
    q: str = "",
    person: int | None = None,
    branch: int | None = None,
    start: date | None = None,
    end: date | None = None,
    concern: bool = False,
    open: bool = False,
):
    """The diary list and its search (``forms.DiaryFilters``): words (in 民情, 措施, 诉求, 地点, people's names),
    dates, person, branch, 需关注, with open 诉求."""
    qs = DiaryEntry.objects.visible_to(user)
    for word in q.split()[:5]:
        # uncorrelated sub-selects: evaluated once each and hashed, not once per diary entry
        in_requests = DiaryRequest.objects.filter(
            Q(problem__contains=word)
            | Q(handling__contains=word)
            | Q(result__contains=word)
            | Q(feedback__contains=word)
        ).values("entry_id")
        # people of the mines whose diaries the user reads (by the indexed mine column), not every person of the group
        # read first, as a list: as a sub-select the planner walked all 200,000 people of the group to join them
        people = list(
            Person.objects.filter(mine_id__in=_diary_mines(user))
            .filter(Q(name__contains=word) | Q(emp_no=word))
            .values_list("pk", flat=True)[:5000]
        )
        met = DiaryEntry.people.through.objects.filter(person_id__in=people).values("diaryentry_id")
        qs = qs.filter(
            Q(learned__contains=word)
            | Q(action__contains=word)
            | Q(place__contains=word)
            | Q(pk__in=in_requests)
            | Q(pk__in=met)
        )
    if person:
        qs = qs.filter(people=person)
    if branch:
        qs = qs.filter(branch_id=branch)
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    if concern:
        qs = qs.filter(concern=True)
    if open:
        qs = qs.filter(Exists(DiaryRequest.objects.filter(entry=OuterRef("pk"), status__in=OPEN_REQUEST_STATUSES)))
    return qs


def list_rows(qs):
    """List rows: who, where, when; never the contents (they are not even loaded)."""
    return (
        qs.select_related("branch", "author", "author__person")
        .prefetch_related("people")
        .defer("learned", "action")
        .order_by("-date", "-pk")
    )


def attach_counts(entries):
    """Each row's number of 诉求 and of open ones, in one query for the page (not a GROUP BY over the whole diary)."""
    entries = list(entries)
    counts = {}
    rows = (
        DiaryRequest.objects.filter(entry__in=[e.pk for e in entries])
        .values_list("entry_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for entry_id, status, n in rows:
        total, opened = counts.get(entry_id, (0, 0))
        counts[entry_id] = (total + n, opened + (n if status in OPEN_REQUEST_STATUSES else 0))
    for e in entries:
        e.request_count, e.open_count = counts.get(e.pk, (0, 0))
    return entries


# ---------------------------------------------------------------- 民情日记: writing


def create_entry(
    user,
    *,
    branch: OrgNode | None = None,
    date: date | None = None,
    place: str,
    location: Location | None = None,
    people: list[Person] = (),
    learned: str,
    action: str = "",
    concern: bool = False,
    requests: list[str] = (),
    due: date | None = None,
    token: str | None = None,
    now=None,
):
    """记民情日记 (``forms.DiaryForm``): the visit, the people met, and a 诉求 per text (each with ``due``). An empty
    date is today; ``branch`` may be left out by a secretary of one branch."""
    now = now or timezone.now()
    token = token or None
    if token:
        existing = _by_token(DiaryEntry, token, "author_id", user, STALE_FORM)
        if existing is not None:  # a double submit of the same form
            return existing
    branch = _pick_branch(user, branch, "frontline_diary_write")
    _check_visit(user, branch.mine, location, people)
    day = date or timezone.localdate(now)
    try:
        with transaction.atomic():
            entry = DiaryEntry.objects.create(
                branch=branch, author=user, date=day, place=place, location=location, learned=learned,
                action=action, concern=concern, token=token,
            )  # fmt: skip
            entry.people.set(people)
            for problem in requests:
                _new_request(user, entry, problem, due, now)
    except IntegrityError:
        existing = _by_token(DiaryEntry, token, "author_id", user, STALE_FORM) if token else None
        if existing is None:
            raise
        return existing
    return entry


def _new_request(user, entry, problem, due, now, token=None):
    request = DiaryRequest.objects.create(entry=entry, problem=problem, due=due, token=token)
    RequestEvent.objects.create(
        request=request, action="create", to_status=R.OPEN, actor=user, at=now, note=problem[:200]
    )
    return request


def _require_write(user, entry):
    if not scope.can(user, "frontline_diary_write", entry.branch):
        raise Forbidden("只有本支部书记可以修改民情日记和办理诉求")


def update_entry(
    user,
    pk,
    *,
    version: int | None = None,
    date: date | None = None,
    place: str,
    location: Location | None = None,
    people: list[Person] = (),
    learned: str,
    action: str = "",
    concern: bool = False,
    now=None,
):
    """Correct an entry (``forms.DiaryEditForm``; its 诉求 are followed on their own). A form read before someone
    else's change (``version``) is stale."""
    entry = get_entry(user, pk)
    _require_write(user, entry)
    if version is not None and version != entry.version:
        raise Conflict("该日记已被修改,请刷新后再改")
    _check_visit(user, entry.branch.mine, location, people)
    day = date or timezone.localdate(now or timezone.now())
    with transaction.atomic():
        updated = DiaryEntry.objects.filter(pk=entry.pk, version=entry.version).update(
            date=day, place=place, location=location, learned=learned, action=action, concern=concern,
            version=entry.version + 1, updated_at=timezone.now(),
        )  # fmt: skip
        if not updated:
            raise Conflict("该日记已被修改,请刷新后再改")
        before = audit.snapshot(entry)
        entry.refresh_from_db()
        audit.audit_update(before, entry, actor=user)
        entry.people.set(people)
    return entry


def add_request(user, pk, *, problem: str, due: date | None = None, token: str | None = None, now=None):
    """Add a 诉求 heard later on to an entry (``forms.RequestForm``)."""
    now = now or timezone.now()
    entry = get_entry(user, pk)
    _require_write(user, entry)
    token = token or None
    if token:
        existing = DiaryRequest.objects.filter(token=token).first()
        if existing is not None:  # a double submit of the same form
            if existing.entry_id != entry.pk:
                raise Conflict(STALE_FORM)
            return existing
    if entry.requests.count() >= 50:
        raise Conflict("一篇日记最多50条诉求")
    try:
        with transaction.atomic():
            return _new_request(user, entry, problem, due, now, token)
    except IntegrityError:
        existing = DiaryRequest.objects.filter(token=token, entry=entry).first() if token else None
        if existing is None:
            raise
        return existing


def get_request(user, pk):
    if not as_id(pk):
        raise NotFound()
    request = (
        DiaryRequest.objects.filter(pk=pk, entry__in=DiaryEntry.objects.visible_to(user).values("pk"))
        .select_related("entry", "entry__branch")
        .first()
    )
    if request is None:
        raise NotFound()
    return request


def _request_roles(user, request):
    return {"write"} if scope.can(user, "frontline_diary_write", request.entry.branch) else set()


def _handled(ctx):
    handling = ctx.obj.handling
    ctx.changes["handling"] = f"{handling}\n{ctx.note}".strip() if handling else ctx.note


def _resolved(ctx):
    ctx.changes["result"] = ctx.note


def _fed_back(ctx):
    ctx.changes.update(feedback=ctx.note, closed_at=ctx.now)


# 诉求: 问题 → 办理 → 结果 → 反馈. "write" = a secretary of the entry's branch (the author is one). Every step carries
# its text (what was done, the result, what the worker was told, why it goes on); labels read per state.
REQUEST_MACHINE = workflow.Machine(
    name="诉求",
    model=DiaryRequest,
    event_model=RequestEvent,
    event_fk="request",
    get=lambda user, pk: get_request(user, pk),
    roles_of=_request_roles,
    note_min=2,
    note_max=2000,
    labels={"handle": "办理", "resolve": "办结"},
    table=[
        Transition("handle", "登记办理情况", [R.OPEN], R.HANDLING, {"write"}, note="请填写办理情况", effect=_handled),
        Transition("handle", "补充办理情况", [R.HANDLING], R.HANDLING, {"write"}, note="请填写办理情况",
                   effect=_handled),
        Transition("resolve", "办结", [R.OPEN, R.HANDLING], R.RESOLVED, {"write"}, note="请填写办理结果",
                   effect=_resolved),
        Transition("feedback", "反馈职工并销号", [R.RESOLVED], R.CLOSED, {"write"}, note="请填写向职工反馈的情况",
                   effect=_fed_back),
        Transition("reopen", "职工不满意,继续办理", [R.RESOLVED], R.HANDLING, {"write"}, note="请填写职工不满意的原因"),
    ],
)  # fmt: skip
REQUEST_TRANSITIONS = REQUEST_MACHINE.as_dict()
REQUEST_ACTIONS = REQUEST_MACHINE.actions
REQUEST_LABELS = REQUEST_MACHINE.labels | {"create": "提出诉求"}  # what each action is called on the timeline


def request_actions(user, request):
    return REQUEST_MACHINE.allowed(user, request)


def act_on_request(user, pk, action, *, note: str = "", version: int | None = None, now=None):
    """One step of 问题 → 办理 → 结果 → 反馈, as the table allows (``common.workflow``; ``forms.StepForm``)."""
    return REQUEST_MACHINE.apply(user, pk, action, version=version, note=note, now=now)


def request_timeline(request):
    return REQUEST_MACHINE.timeline(request.events.all(), REQUEST_LABELS)


def book_entries(user, start, end, branch=None, ip=None):
    """The entries of a period for the printable book, oldest first, with people and 诉求 (and their reads logged)."""
    qs = DiaryEntry.objects.visible_to(user).filter(date__gte=start, date__lt=end)
    if branch is not None:
        qs = qs.filter(branch=branch)
    entries = list(
        qs.select_related("branch", "author", "author__person")
        .prefetch_related("people", "requests")
        .order_by("date", "pk")[:5000]
    )
    log_reads(user, entries, "pdf", ip)
    return entries


# ---------------------------------------------------------------- 急难险重


def create_urgent(
    user,
    *,
    branch: OrgNode | None = None,
    title: str,
    kind: str,
    role: str = SecretaryRole.HANDS_ON,
    date: date | None = None,
    place: str,
    location: Location | None = None,
    content: str = "",
    result: str,
    people: list[Person] = (),
    token: str | None = None,
    now=None,
):
    """记录急难险重任务 (``forms.UrgentForm``). An empty date is today."""
    now = now or timezone.now()
    token = token or None
    if token:
        existing = _by_token(UrgentTask, token, "recorded_by_id", user, STALE_FORM)
        if existing is not None:
            return existing
    branch = _pick_branch(user, branch, "frontline_branch")
    _check_visit(user, branch.mine, location, people)
    day = date or timezone.localdate(now)
    try:
        with transaction.atomic():
            task = UrgentTask.objects.create(
                branch=branch, recorded_by=user, title=title, kind=kind, date=day, place=place, location=location,
                role=role, content=content, result=result, token=token,
            )  # fmt: skip
            task.people.set(people)
    except IntegrityError:
        existing = _by_token(UrgentTask, token, "recorded_by_id", user, STALE_FORM) if token else None
        if existing is None:
            raise
        return existing
    return task


def get_urgent(user, pk):
    if not as_id(pk):
        raise NotFound()
    task = (
        UrgentTask.objects.visible_to(user)
        .filter(pk=pk)
        .select_related("branch", "recorded_by", "recorded_by__person", "location")
        .first()
    )
    if task is None:
        raise NotFound()
    return task


def filter_urgent(
    user, *, q: str = "", kind: str = "", branch: int | None = None, start: date | None = None, end: date | None = None
):
    """The 急难险重 list and its ledger (``forms.UrgentFilters``)."""
    qs = UrgentTask.objects.visible_to(user)
    if branch:
        qs = qs.filter(branch_id=branch)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(place__contains=q) | Q(result__contains=q) | Q(content__contains=q))
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    return qs


# ---------------------------------------------------------------- 专项工作


def review_mines(user):
    """Mines where the user may send 专项工作."""
    if user.is_superuser:
        return OrgNode.objects.filter(kind=OrgKind.MINE).order_by("path")
    paths = scope.subtree_paths(user, "frontline_review")
    mines = set()
    for path in paths:
        node = OrgNode.objects.filter(path=path).first()
        if node is None:
            continue
        if node.kind == OrgKind.GROUP:
            mines.update(OrgNode.objects.filter(path__startswith=path, kind=OrgKind.MINE).values_list("pk", flat=True))
        else:
            mine = node.ancestor_of_kind(OrgKind.MINE)
            if mine:
                mines.add(mine.pk)
    return OrgNode.objects.filter(pk__in=mines).order_by("path")


def can_send(user):
    return user.is_authenticated and (user.is_superuser or bool(scope.subtree_paths(user, "frontline_review")))


def create_campaign(
    user,
    *,
    mine: OrgNode | None = None,
    title: str,
    description: str,
    deadline: date,
    branches: list[OrgNode] = (),
    token: str | None = None,
    now=None,
):
    """下发专项工作 (``forms.CampaignForm``) to ``branches`` of the mine (none chosen: all of them). ``mine`` may be
    left out by a committee of one mine."""
    now = now or timezone.now()
    token = token or None
    if token:
        existing = _by_token(Campaign, token, "created_by_id", user, STALE_FORM)
        if existing is not None:
            return existing
    mines = list(review_mines(user))
    if not mines:
        raise Forbidden("只有矿党委可以下发专项工作")
    if mine is None:
        mine = mines[0]
    elif mine.pk not in {m.pk for m in mines}:
        raise ValidationError({"mine": "请选择您所在的矿"})
    of_mine = list(OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.BRANCH).order_by("path"))
    wanted = {b.pk for b in branches}
    if not wanted <= {b.pk for b in of_mine}:
        raise ValidationError({"branches": "所选支部不属于本矿"})
    targets = [b for b in of_mine if b.pk in wanted] if wanted else of_mine
    if not targets:
        raise ValidationError({"branches": "本矿还没有党支部"})
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                mine=mine, title=title, description=description, deadline=deadline, created_by=user, token=token
            )
            tasks = CampaignTask.objects.bulk_create([CampaignTask(campaign=campaign, branch=b) for b in targets])
            if not all(t.pk for t in tasks):  # a backend that does not return ids
                tasks = list(campaign.tasks.all())
            TaskEvent.objects.bulk_create(
                [TaskEvent(task=t, action="send", to_status=T.SENT, actor=user, at=now) for t in tasks]
            )
    except IntegrityError:
        existing = _by_token(Campaign, token, "created_by_id", user, STALE_FORM) if token else None
        if existing is None:
            raise
        return existing
    return campaign


def get_campaign(user, pk):
    if not as_id(pk):
        raise NotFound()
    campaign = (
        Campaign.objects.visible_to(user)
        .filter(pk=pk)
        .select_related("mine", "created_by", "created_by__person")
        .first()
    )
    if campaign is None:
        raise NotFound()
    return campaign


def campaign_tasks(user, campaign):
    return list(
        CampaignTask.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("branch", "campaign")
        .order_by("branch__path")
    )


def campaigns_with_progress(user):
    """The campaigns the user sees, each with how many of its branches are to report / to review / accepted / overdue."""
    today = timezone.localdate()
    visible = CampaignTask.objects.visible_to(user).filter(campaign=OuterRef("pk")).values("pk")
    qs = (
        Campaign.objects.visible_to(user)
        .select_related("mine")
        .annotate(
            total=Count("tasks", filter=Q(tasks__in=visible), distinct=True),
            to_report=Count("tasks", filter=Q(tasks__in=visible, tasks__status__in=TO_REPORT), distinct=True),
            to_review=Count("tasks", filter=Q(tasks__in=visible, tasks__status=T.REPORTED), distinct=True),
            accepted=Count("tasks", filter=Q(tasks__in=visible, tasks__status=T.ACCEPTED), distinct=True),
        )
    )
    return qs, today


def get_task(user, pk):
    if not as_id(pk):
        raise NotFound()
    task = (
        CampaignTask.objects.visible_to(user)
        .filter(pk=pk)
        .select_related("campaign", "campaign__mine", "branch")
        .first()
    )
    if task is None:
        raise NotFound()
    return task


def filter_tasks(
    user,
    *,
    status: str = "",
    overdue: bool = False,
    todo: bool = False,
    campaign: int | None = None,
    branch: int | None = None,
):
    """The tasks list (``forms.TaskFilters``)."""
    qs = CampaignTask.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.overdue()
    if todo:
        qs = qs.filter(status__in=TO_REPORT)
    if campaign:
        qs = qs.filter(campaign_id=campaign)
    if branch:
        qs = qs.filter(branch_id=branch)
    return qs


def _task_roles(user, task):
    roles = set()
    if scope.can(user, "frontline_branch", task.branch):
        roles.add("branch")
    if scope.can(user, "frontline_review", task.campaign.mine):
        roles.add("review")
    return roles


ATTACHMENT_KINDS = ("pdf", "office", "image", "txt", "zip")


def attachments(files):
    """Every attachment of a 专项工作 report, checked by ``common.uploads`` (content sniffed, images re-encoded: no GPS)."""
    return clean_attachments(
        files, field="attachments", kinds=ATTACHMENT_KINDS, max_bytes=MAX_ATTACHMENT_BYTES, most=MAX_ATTACHMENTS
    )


def _reported(ctx):
    """上报: the report's text (``ctx.params["report"]``, read by ``forms.ReportForm``) and its attachments
    (``ctx.params["files"]``, checked by ``common.uploads``), saved with the event row."""
    uploads = attachments(ctx.params.get("files") or ())
    report = ctx.params["report"]
    ctx.changes.update(report=report, reported_at=ctx.now)
    ctx.note = report[:200]

    def save(ctx):
        for f in uploads:
            a = TaskAttachment(task=ctx.obj, event=ctx.event, name=os.path.basename(f.name)[:120], size=f.size)
            a.file.save("attachment" + os.path.splitext(f.name)[1].lower(), f, save=False)
            a.save()

    ctx.then(save)


# 专项工作: "branch" = 书记/支部委员 of the task's branch; "review" = the party committee of the mine.
TASK_MACHINE = workflow.Machine(
    name="任务",
    model=CampaignTask,
    event_model=TaskEvent,
    event_fk="task",
    get=lambda user, pk: get_task(user, pk),
    roles_of=_task_roles,
    note_min=2,
    note_max=2000,
    table=[
        Transition("report", "上报", [T.SENT], T.REPORTED, {"branch"}, effect=_reported),
        Transition("report", "重新上报", [T.RETURNED], T.REPORTED, {"branch"}, effect=_reported),
        Transition("accept", "审核通过", [T.REPORTED], T.ACCEPTED, {"review"}),
        Transition("return", "退回", [T.REPORTED], T.RETURNED, {"review"}, note="请填写退回原因"),
    ],
)  # fmt: skip
TASK_TRANSITIONS = TASK_MACHINE.as_dict()
TASK_ACTIONS = TASK_MACHINE.actions
TASK_LABELS = TASK_MACHINE.labels | {"send": "下发"}


def task_actions(user, task):
    return TASK_MACHINE.allowed(user, task)


def act_on_task(user, pk, action, *, version: int | None = None, note: str = "", report: str = "", files=(), now=None):
    """One transition of a branch's 专项工作 task, as the table allows (``common.workflow``; ``forms.task_form``):
    上报 reads ``report`` and the attached ``files``."""
    return TASK_MACHINE.apply(
        user, pk, action, version=version, note=note, params={"report": report, "files": files}, now=now
    )


def task_timeline(task):
    events = task.events.select_related("actor", "actor__person").prefetch_related("attachments")
    return TASK_MACHINE.timeline(events, TASK_LABELS)


def get_attachment(user, pk):
    if not as_id(pk):
        raise NotFound()
    attachment = TaskAttachment.objects.filter(
        pk=pk, task__in=CampaignTask.objects.visible_to(user).values("pk")
    ).first()
    if attachment is None:
        raise NotFound()
    return attachment


# ---------------------------------------------------------------- 待办 and the home figures


def diary_waiting(user):
    """Open 诉求 of the branches where the user writes the diary: each is their 待办 until closed."""
    if not can_write_diary(user):
        return []
    writable = DiaryEntry.objects.writable_by(user).values("pk")
    return list(
        DiaryRequest.objects.filter(entry__in=writable, status__in=OPEN_REQUEST_STATUSES)
        .select_related("entry")
        .order_by()[:50]
    )


def tasks_waiting(user):
    """(task, what) the user must act on: report for their branch, or review for their mine."""
    out = []
    if user.is_superuser:
        return out
    base = CampaignTask.objects.select_related("campaign", "branch").order_by()
    if scope.subtree_paths(user, "frontline_branch"):
        q = scope.filter_for(user, "frontline_branch", path_field="branch__path", self_field=None)
        for t in base.filter(q, status__in=TO_REPORT)[:50]:
            out.append((t, "重新上报" if t.status == T.RETURNED else "上报"))
    if scope.subtree_paths(user, "frontline_review"):
        q = scope.filter_for(user, "frontline_review", path_field="campaign__mine__path", self_field=None)
        for t in base.filter(q, status=T.REPORTED)[:50]:
            out.append((t, "审核"))
    return out


def home_figures(user):
    """{name: number} for the home tile: a fixed number of count queries whatever the data."""
    today = timezone.localdate()
    figures = {}
    if can_write_diary(user):
        writable = DiaryEntry.objects.writable_by(user).values("pk")
        figures["requests_open"] = DiaryRequest.objects.filter(
            entry__in=writable, status__in=OPEN_REQUEST_STATUSES
        ).count()
    if scope.subtree_paths(user, "frontline_branch"):
        q = scope.filter_for(user, "frontline_branch", path_field="branch__path", self_field=None)
        counts = CampaignTask.objects.filter(q, status__in=TO_REPORT).aggregate(
            due=Count("pk", filter=Q(campaign__deadline__gte=today)),
            overdue=Count("pk", filter=Q(campaign__deadline__lt=today)),
        )
        figures["tasks_due"], figures["tasks_overdue"] = counts["due"], counts["overdue"]
    if scope.subtree_paths(user, "frontline_review"):
        q = scope.filter_for(user, "frontline_review", path_field="campaign__mine__path", self_field=None)
        counts = CampaignTask.objects.filter(q).aggregate(
            review=Count("pk", filter=Q(status=T.REPORTED)),
            overdue=Count("pk", filter=Q(status__in=TO_REPORT, campaign__deadline__lt=today)),
        )
        figures["tasks_review"], figures["branches_overdue"] = counts["review"], counts["overdue"]
    return figures
