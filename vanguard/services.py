"""包保 / 责任区 assignments and 党员示范岗 (SPEC §4.2). Every change and check lives here once."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common import audit
from common.errors import Conflict, Forbidden, NotFound
from common.parsing import as_id
from orgs import scope
from orgs.models import OrgKind, OrgNode, Person, PoliticalStatus
from orgs.scope import mine_of
from places.models import Location
from vanguard import compliance, forms
from vanguard.models import Assessment, Assignment, ModelPost

PARTY = (PoliticalStatus.MEMBER, PoliticalStatus.PROBATIONARY)
MAX_WORKERS = 30


def can_manage(user, node=None):
    """Arrange 包保 and 示范岗 (secretary, committee, admin) — at ``node``, or (no node) in the user's own mine: a
    group-level user has no mine to arrange them in."""
    if node is None:
        return scope.can(user, "vanguard_manage") and mine_of(user) is not None
    return scope.can(user, "vanguard_manage", node)


def is_holder(user, post):
    return bool(user.person_id) and user.person_id == post.holder_id


def can_rate(user, post):
    """The secretary (or committee) over the post's team rates it, never the holder themselves."""
    return can_manage(user, post.org) and not is_holder(user, post)


def managed_people(user, mine):
    return Person.objects.visible_to(user, "vanguard_manage").filter(mine=mine)


def party_members(user, mine):
    return managed_people(user, mine).filter(political_status__in=PARTY)


# ---------------------------------------------------------------- 包保 / 责任区


def _check_sets(mine, workers, locations, errors):
    """The workers and places are of ``mine``, at most ``MAX_WORKERS`` workers, at least one of either."""
    if any(p.mine_id != mine.pk for p in workers):
        errors["workers"] = forms.WORKERS
    if len(workers) > MAX_WORKERS:
        errors["workers"] = f"一名党员最多包保{MAX_WORKERS}人"
    if any(loc.mine_id != mine.pk for loc in locations):
        errors["locations"] = forms.LOCATIONS
    if not workers and not locations and "workers" not in errors:
        errors["workers"] = "请至少选择一名包保对象或一个责任区地点"


def _clashes(workers, member, starts_on, ends_on, exclude=None):
    """A worker is answered for by one member at a time: the first clash, as a message, or None."""
    if not workers:
        return None
    others = (
        Assignment.objects.active_between(starts_on, ends_on or timezone.localdate() + timedelta(days=36500))
        .filter(workers__in=workers)
        .exclude(member=member)
    )
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    clash = others.select_related("member").prefetch_related("workers").first()
    if clash is None:
        return None
    names = "、".join(p.name for p in clash.workers.all() if p in workers)
    return f"{names} 在该期间已由党员 {clash.member.name} 包保"


def assign(
    user,
    *,
    member: Person,
    workers=(),
    locations=(),
    starts_on: date | None = None,
    ends_on: date | None = None,
    note: str = "",
    now=None,
):
    """New 包保 / 责任区 assignment (``vanguard.forms.AssignForm``): a party member the user manages answers for
    ``workers`` and ``locations`` of the mine from ``starts_on`` (default today) to ``ends_on`` (open when None)."""
    mine = mine_of(user)
    if mine is None or not can_manage(user):
        raise Forbidden("只有支部书记、党委和管理员可以安排包保")
    workers, locations = list(workers), list(locations)
    errors = {}
    if not party_members(user, mine).filter(pk=member.pk).exists():
        errors["member"] = forms.MEMBER
    starts_on = starts_on or timezone.localdate()
    if ends_on and ends_on < starts_on:
        errors["ends_on"] = "结束日期不能早于开始日期"
    _check_sets(mine, workers, locations, errors)
    if member in workers:
        errors["workers"] = "党员不能包保自己"
    if not errors:
        clash = _clashes(workers, member, starts_on, ends_on)
        if clash:
            errors["workers"] = clash
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        a = Assignment.objects.create(
            mine=mine,
            member=member,
            org=member.org,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note,
            created_by=user,
        )
        a.workers.set(workers)
        a.locations.set(locations)
    return a


def get_assignment(user, pk):
    a = Assignment.objects.visible_to(user).filter(pk=as_id(pk) or 0).select_related("member", "org").first()
    if a is None:
        raise NotFound()
    return a


def _may_manage(user, a):
    if not can_manage(user, a.org):
        raise Forbidden("只有支部书记、党委和管理员可以调整包保")


def end(user, pk, *, ends_on: date | None = None):
    """End an assignment on a day (default today; ``vanguard.forms.EndForm``)."""
    a = get_assignment(user, pk)
    _may_manage(user, a)
    ends_on = ends_on or timezone.localdate()
    if ends_on < a.starts_on:
        raise ValidationError({"ends_on": "结束日期不能早于开始日期"})
    if a.ends_on and a.ends_on < timezone.localdate():
        raise Conflict("该包保已经结束")
    Assignment.objects.filter(pk=a.pk).update(ends_on=ends_on)
    after = get_assignment(user, pk)
    audit.audit_update(a, after, actor=user)  # an update() sends no signal: the audit log is told here
    return after


def adjust(user, pk, *, workers=(), locations=(), from_day: date | None = None):
    """Change who and what a member answers for from a day on (``vanguard.forms.AdjustForm``; default today): the
    current assignment ends the day before and a new one starts, so earlier months keep being judged by the old
    sets."""
    a = get_assignment(user, pk)
    _may_manage(user, a)
    if a.ends_on and a.ends_on < timezone.localdate():
        raise Conflict("该包保已经结束,请新建")
    from_day = from_day or timezone.localdate()
    workers, locations = list(workers), list(locations)
    errors = {}
    if from_day <= a.starts_on:
        errors["from"] = "调整日期须晚于原开始日期"
    _check_sets(a.mine, workers, locations, errors)
    if a.member in workers:
        errors["workers"] = "党员不能包保自己"
    if not errors:
        clash = _clashes(workers, a.member, from_day, a.ends_on, exclude=a)
        if clash:
            errors["workers"] = clash
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        new = Assignment.objects.create(
            mine=a.mine,
            member=a.member,
            org=a.member.org,
            starts_on=from_day,
            ends_on=a.ends_on,
            note=a.note,
            created_by=user,
        )
        new.workers.set(workers)
        new.locations.set(locations)
        Assignment.objects.filter(pk=a.pk).update(ends_on=from_day - timedelta(days=1))
        before = audit.snapshot(a)
        a.ends_on = from_day - timedelta(days=1)
        audit.audit_update(before, a, actor=user)
    return new


# ---------------------------------------------------------------- 党员身边无违章


def members_in_scope(user, branch=None):
    """Party members whose 无违章 the user reads: of their subtree (or one branch of it), or themselves."""
    people = Person.objects.visible_to(user, "vanguard").filter(political_status__in=PARTY)
    if branch is not None:
        people = people.filter(org__path__startswith=branch.path)
    return people


def assignment_list(user, limit=2000):
    """[(assignment, worker ids, place ids)] of the assignments in scope, by member and start: the ids read from the
    two link tables (two queries, whatever the number), not the people and places themselves."""
    rows = list(
        Assignment.objects.visible_to(user)
        .select_related("member")
        .only("pk", "member_id", "member__name", "starts_on", "ends_on", "note")
        .order_by("member_id", "starts_on", "pk")[:limit]
    )
    workers, places = compliance.links([a.pk for a in rows])
    return [(a, sorted(workers.get(a.pk, ())), sorted(places.get(a.pk, ()))) for a in rows]


def answering_members(user, branch=None):
    """The party members in scope who answered for something this month or before, in the order the lists show."""
    return (
        members_in_scope(user, branch)
        .filter(pk__in=Assignment.objects.values("member_id"))
        .select_related("org")
        .order_by("org__path", "name", "pk")
    )


def compliance_rows(user, month, branch=None, today=None, members=None):
    """[(member, MemberMonth)] for the members in scope who answered for something this month or before (or for
    ``members``, e.g. one page of them)."""
    members = list(answering_members(user, branch) if members is None else members)
    months = compliance.member_months([m.pk for m in members], month, today=today)
    return [(m, months[m.pk]) for m in members]


def compliance_rate(user, month, branch=None, today=None, counts=None):
    """(达标, assigned, percent) of the members in scope (or of one branch), counted by the database: one query (none
    when ``counts`` of ``counts_by_org`` over the same members is given)."""
    if counts is None:
        counts = compliance.counts_by_org(members_in_scope(user, branch), month, today=today)
    return compliance.rate_of(sum(ok for ok, _ in counts.values()), sum(n for _, n in counts.values()))


def overview_figures(user, month, branches, branch=None, today=None):
    """(达标, assigned, percent, side by side per branch) of the overview: the members in scope counted once, the
    branches' figures summed from the same counts (``branches``: those in scope, by path). The counts (one query over
    every member of the mine, ~40 ms at mine size) are kept for the user and day while no assignment, violation or
    person has been written since (common.homecache), as the home's 无违章 tile keeps them."""
    from common import homecache

    today = today or timezone.localdate()
    counts = homecache.cached(
        f"vanguard_counts:{month:%Y%m}:{branch.pk if branch else ''}",
        user,
        lambda: compliance.counts_by_org(members_in_scope(user, branch), month, today=today),
    )
    rate = compliance_rate(user, month, counts=counts)
    if branch is not None or len(branches) < 2:
        return (*rate, [])
    return (*rate, branch_figures(user, month, counts=counts, known=branches))


def branch_figures(user, month, today=None, counts=None, known=None):
    """Per 党支部 in scope: (branch, 达标, assigned, percent) — the committee's side-by-side view. Counted per org by
    the database (one row per team, not per member), then summed per branch. ``counts`` (of ``counts_by_org`` over
    every member in scope) and ``known`` (the branches in scope, by path) when the caller has them already."""
    if counts is None:
        counts = compliance.counts_by_org(members_in_scope(user), month, today=today)
    if known is None:
        known = list(OrgNode.objects.visible_to(user, "vanguard").filter(kind=OrgKind.BRANCH).order_by("path"))
    paths = dict(OrgNode.objects.filter(pk__in=list(counts)).values_list("pk", "path"))
    branches = {}
    for org_id, (ok, n) in counts.items():
        branch = next((b for b in known if paths.get(org_id, "").startswith(b.path)), None)
        if branch is not None:
            total = branches.setdefault(branch, [0, 0])
            total[0] += ok
            total[1] += n
    return [(b, *compliance.rate_of(ok, n)) for b, (ok, n) in sorted(branches.items(), key=lambda kv: kv[0].path)]


def member_year(user, member_id, year, today=None):
    """A member's own page: their assignments and each month of the year."""
    today = today or timezone.localdate()
    member = members_in_scope(user).filter(pk=as_id(member_id) or 0).select_related("org").first()
    if member is None:
        raise NotFound()
    months = []
    for m in range(1, 13):
        first = timezone.datetime(year, m, 1).date()
        if first > today:
            break
        months.append((first, compliance.member_months([member.pk], first, today=today)[member.pk]))
    assignments = (
        Assignment.objects.filter(member=member).prefetch_related("workers", "locations").order_by("-starts_on")
    )
    return member, months, assignments


# ---------------------------------------------------------------- 党员示范岗


def create_post(user, *, name: str, holder: Person, commitments: str, location: Location | None = None):
    """设立示范岗 (``vanguard.forms.PostForm``): held by a party member the user manages, at a place of the mine."""
    mine = mine_of(user)
    if mine is None or not can_manage(user):
        raise Forbidden("只有支部书记、党委和管理员可以设立示范岗")
    errors = {}
    if not party_members(user, mine).filter(pk=holder.pk).exists():
        errors["holder"] = forms.HOLDER
    if location is not None and location.mine_id != mine.pk:
        errors["location"] = forms.LOCATION
    if errors:
        raise ValidationError(errors)
    return ModelPost.objects.create(
        mine=mine,
        name=name,
        holder=holder,
        org=holder.org,
        location=location,
        commitments=commitments,
        created_by=user,
    )


def get_post(user, pk):
    post = (
        ModelPost.objects.visible_to(user).filter(pk=as_id(pk) or 0).select_related("holder", "org", "location").first()
    )
    if post is None:
        raise NotFound()
    return post


def self_assess(user, pk, *, summary: str, self_rating: str, month: date | None = None, now=None):
    """The holder's monthly self-assessment (``vanguard.forms.SelfAssessForm``; ``month`` default this month, never a
    future one); they may correct it until it is rated."""
    now = now or timezone.now()
    post = get_post(user, pk)
    if not is_holder(user, post):
        raise Forbidden("只有示范岗党员本人可以自评")
    today = timezone.localdate(now)
    month = month or today.replace(day=1)
    if month > today.replace(day=1):
        raise ValidationError({"month": "不能为将来的月份自评"})
    if Assessment.objects.filter(post=post, month=month).exclude(rating="").exists():
        raise Conflict("该月已评定,不能再修改自评")
    with transaction.atomic():
        existing = Assessment.objects.select_for_update().filter(post=post, month=month).first()
        if existing is None:
            return Assessment.objects.create(
                post=post, month=month, summary=summary, self_rating=self_rating, submitted_at=now
            )
        if existing.rated:
            raise Conflict("该月已评定,不能再修改自评")
        Assessment.objects.filter(pk=existing.pk, rating="").update(
            summary=summary, self_rating=self_rating, submitted_at=now, version=existing.version + 1
        )
        after = Assessment.objects.get(pk=existing.pk)
        audit.audit_update(existing, after, actor=user)
    return after


def rate(user, assessment_id, *, rating: str, note: str = "", version=None, now=None):
    """The secretary rates a month (``vanguard.forms.RateForm``); a rated assessment is final (no edit, no delete).
    ``version``: the self-assessment the rater read (a newer one answers 409)."""
    now = now or timezone.now()
    a = (
        Assessment.objects.filter(pk=as_id(assessment_id) or 0, post__in=ModelPost.objects.visible_to(user))
        .select_related("post")
        .first()
    )
    if a is None:
        raise NotFound()
    if not can_manage(user, a.post.org):
        raise Forbidden("只有支部书记、党委和管理员可以评定")
    if is_holder(user, a.post):
        raise Forbidden("不能评定自己的示范岗")
    if version not in (None, "") and str(version) != str(a.version):
        raise Conflict("自评已被修改,请刷新后再评定")
    if a.rated:
        raise Conflict("该月已评定")
    updated = Assessment.objects.filter(pk=a.pk, rating="", version=a.version).update(
        rating=rating,
        rating_note=note,
        rated_by=user,
        rated_at=now,
        version=a.version + 1,
    )
    if not updated:
        raise Conflict("该月已评定或自评已被修改,请刷新")
    after = Assessment.objects.get(pk=a.pk)
    audit.audit_update(a, after, actor=user)
    return after


def delete_assessment(user, assessment_id):
    """The holder may withdraw an unrated self-assessment; a rated one stays."""
    a = (
        Assessment.objects.filter(pk=as_id(assessment_id) or 0, post__in=ModelPost.objects.visible_to(user))
        .select_related("post")
        .first()
    )
    if a is None:
        raise NotFound()
    if not is_holder(user, a.post):
        raise Forbidden("只有示范岗党员本人可以撤回自评")
    if a.rated or not Assessment.objects.filter(pk=a.pk, rating="").delete()[0]:
        raise Conflict("已评定的自评不能删除")


def waiting_ratings(user):
    """Submitted assessments the user may rate."""
    if not can_manage(user):
        return Assessment.objects.none()
    posts = ModelPost.objects.visible_to(user, "vanguard_manage")
    qs = Assessment.objects.filter(rating="", post__in=posts).select_related("post", "post__holder").order_by("month")
    if user.person_id:
        qs = qs.exclude(post__holder_id=user.person_id)
    return qs
