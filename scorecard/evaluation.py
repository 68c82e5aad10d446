"""二十字好干部标准 evaluation (SPEC §6): anonymous by construction.

- ``Voter`` holds, per eligible member, only whether they have voted;
- ``Ballot`` holds the ratings and an optional comment, nothing about who, when (finer than the round) or from where,
  under a random key, so its rows carry no voting order;
- neither is in the audit log; the vote's page view leaves no row with the answer;
- results show only with at least ``min_answers`` answers and at least half of those eligible.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count

from common.errors import Conflict, Forbidden, NotFound
from orgs.models import PARTY_STATUSES, OrgKind, Person, WorkStatus
from scorecard import access
from scorecard.models import CRITERIA, Ballot, Rating, Round, RoundStatus, Voter

FIELDS = [name for name, _ in CRITERIA] + ["overall"]


def _require_manage(user, branch):
    if not access.manages(user, branch):
        raise Forbidden("只有党委(组织部)可以发起和结束测评")


def eligible_people(branch):
    """The branch's party members on the roster: who may rate its secretary."""
    return Person.objects.filter(
        org__path__startswith=branch.path, political_status__in=PARTY_STATUSES, work_status=WorkStatus.ON_DUTY
    )


@transaction.atomic
def open_round(user, *, branch, title, opens_on, closes_on, min_answers=5):
    if branch.kind != OrgKind.BRANCH:
        raise ValidationError({"branch": ["请选择党支部"]})
    _require_manage(user, branch)
    if closes_on < opens_on:
        raise ValidationError({"closes_on": ["截止日期不能早于开始日期"]})
    if Round.objects.filter(branch=branch, status=RoundStatus.OPEN).exists():
        raise Conflict("该支部已有正在进行的测评")
    from scorecard.services import secretaries_of

    secretary = secretaries_of([branch]).get(branch.pk, "")
    people = list(eligible_people(branch).values_list("pk", flat=True))
    # the secretary does not rate themselves
    from orgs.models import Role, RoleAssignment

    own = set(
        RoleAssignment.objects.filter(role=Role.SECRETARY, org=branch, user__person__isnull=False).values_list(
            "user__person_id", flat=True
        )
    )
    r = Round.objects.create(
        branch=branch,
        secretary=secretary,
        title=(title or "").strip()[:60] or f"{branch.name}书记二十字测评",
        opens_on=opens_on,
        closes_on=closes_on,
        min_answers=max(1, int(min_answers or 5)),
        created_by=user,
    )
    Voter.objects.bulk_create([Voter(round=r, person_id=p) for p in people if p not in own])
    return r


def get_round(user, pk):
    """A round the user reads (committee, secretary of the branch) or may vote in."""
    r = Round.objects.filter(pk=pk).select_related("branch").first()
    if r is None:
        raise NotFound()
    if Round.objects.visible_to(user).filter(pk=pk).exists() or _voter(user, r) is not None:
        return r
    raise NotFound()


def _voter(user, r):
    if not user.is_authenticated or not user.person_id:
        return None
    return Voter.objects.filter(round=r, person_id=user.person_id).first()


def can_vote(user, r):
    voter = _voter(user, r)
    return voter is not None and not voter.voted and r.status == RoundStatus.OPEN


def has_voted(user, r):
    voter = _voter(user, r)
    return voter is not None and voter.voted


def open_rounds_for(user):
    if not user.is_authenticated or not user.person_id:
        return Round.objects.none()
    return Round.objects.filter(
        status=RoundStatus.OPEN, voters__person_id=user.person_id, voters__voted=False
    ).select_related("branch")


def _rating(data, key, label):
    try:
        value = int(data.get(key) or 0)
    except (TypeError, ValueError):
        value = 0
    if value not in Rating.values:
        raise ValidationError({key: [f"请为“{label}”选择 好 / 较好 / 一般 / 差"]})
    return value


@transaction.atomic
def vote(user, *, round_pk, ratings, comment=""):
    """One ballot; the voter row only says "has voted". Both in one transaction; a second vote is refused."""
    r = Round.objects.select_for_update().filter(pk=round_pk).first()
    if r is None:
        raise NotFound()
    voter = _voter(user, r)
    if voter is None:
        raise NotFound()
    if r.status != RoundStatus.OPEN:
        raise Conflict("测评已结束")
    labels = dict(CRITERIA, overall="总体评价")
    errors, values = {}, {}
    for key in FIELDS:
        try:
            values[key] = _rating(ratings, key, labels[key])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    claimed = Voter.objects.filter(pk=voter.pk, voted=False).update(voted=True)
    if not claimed:
        raise Conflict("您已经投过票了")
    Ballot.objects.create(round=r, comment=(comment or "").strip()[:1000], **values)


def close_round(user, *, round_pk):
    r = get_round(user, round_pk)
    _require_manage(user, r.branch)
    if r.status != RoundStatus.OPEN:
        raise Conflict("测评已经结束")
    Round.objects.filter(pk=r.pk).update(status=RoundStatus.CLOSED)
    r.status = RoundStatus.CLOSED
    return r


def counts(r):
    agg = Voter.objects.filter(round=r).aggregate(eligible=Count("pk"), voted=Count("pk", filter=_voted_q()))
    return agg["eligible"], agg["voted"]


def _voted_q():
    from django.db.models import Q

    return Q(voted=True)


def publishable(r):
    eligible, _ = counts(r)
    answers = Ballot.objects.filter(round=r).count()
    return answers >= r.min_answers and answers * 2 >= eligible


def results(user, r):
    """The round's results for readers (committee, the branch), or None while too few answered."""
    if not Round.objects.visible_to(user).filter(pk=r.pk).exists():
        raise NotFound()
    if not publishable(r):
        return None
    agg = Ballot.objects.filter(round=r).aggregate(n=Count("pk"), **{k: Avg(k) for k in FIELDS})
    overall = dict(
        Ballot.objects.filter(round=r)
        .values_list("overall")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("overall", "n")
    )
    comments = sorted(c for c in Ballot.objects.filter(round=r).exclude(comment="").values_list("comment", flat=True))
    return {
        "n": agg["n"],
        "criteria": [(label, round(agg[key], 2)) for key, label in CRITERIA],
        "overall_avg": round(agg["overall"], 2),
        "overall": [(label, overall.get(value, 0)) for value, label in Rating.choices],
        "comments": comments,
    }
