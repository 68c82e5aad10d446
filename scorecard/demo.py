"""Demo data of 履职评价: last month's example scheme in the first mine with entered scores, a bonus and a veto, two
scoring runs (the second after a change, so the page says the data changed since), and the 二十字 evaluation — a
closed round with enough answers and an open one the demo party member is asked to vote in."""

import random
from datetime import timedelta

from common.demo import demo_step
from orgs.models import OrgKind, OrgNode
from scorecard import evaluation, services
from scorecard.models import Ballot, ComponentKind, Round, RoundStatus, Voter


@demo_step(order=95)
def scorecard(ctx):
    mine = ctx.mines[0]
    committee, secretary = ctx.accounts["committee"], ctx.accounts["secretary"]
    branches = list(OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.BRANCH).order_by("path"))
    own = OrgNode.objects.filter(pk__in=secretary.role_assignments.filter(role="secretary").values("org_id")).first()
    if not branches or own is None:
        return
    rng = random.Random(f"scorecard:{ctx.size}")
    end = ctx.today.replace(day=1) - timedelta(days=1)
    start = end.replace(day=1)
    _rounds(ctx, rng, own, committee, start, end)
    scheme = services.create_example_scheme(committee, mine=mine, start=start, end=end)
    parts = {c.kind: c for c in scheme.components.all()}
    now = ctx.now if hasattr(ctx, "now") else None
    for b in branches:
        services.enter_score(committee, component=parts[ComponentKind.ENTERED], branch=b,
                             score=str(rng.randint(70, 98)), evidence="党委组织部实地检查记录", now=now)  # fmt: skip
    services.enter_score(committee, component=parts[ComponentKind.BONUS], branch=own, score="3",
                         evidence="获集团“四好班子”表彰", now=now)  # fmt: skip
    if len(branches) > 2:
        services.enter_score(committee, component=parts[ComponentKind.VETO], branch=branches[-1], vetoed=True,
                             evidence="发生一起越级上访", now=now)  # fmt: skip
    services.run(committee, scheme=scheme, today=ctx.today)
    # a correction after the run: the page of that run then says the data changed since
    services.enter_score(committee, component=parts[ComponentKind.ENTERED], branch=own, score="95",
                         evidence="党委组织部实地检查记录(复核后更正)", now=now)  # fmt: skip
    ctx.log(f"履职评价: {len(branches)} 个支部的评分")


def _rounds(ctx, rng, own, committee, start, end):
    closed = evaluation.open_round(committee, branch=own, title=f"{start:%Y年%m月}书记二十字测评", opens_on=start,
                                   closes_on=end)  # fmt: skip
    voters = list(Voter.objects.filter(round=closed))
    member = ctx.accounts["member"].person_id
    # a small branch has few members: the committee sets the minimum below the default 5 (never below half)
    Round.objects.filter(pk=closed.pk).update(min_answers=min(5, max(1, len(voters) - 1)))
    voting = [v for v in voters if v.person_id != member][: max(5, len(voters) // 2 + 1)]
    comments = ["多下井了解情况", "", "班前会讲得实在", "", "希望多关心新工人"]
    for n, _voter in enumerate(voting):
        ratings = {
            k: rng.choice((4, 4, 4, 3, 3, 2)) for k in ("belief", "service", "diligence", "courage", "integrity")
        }
        Ballot.objects.create(
            round=closed, overall=rng.choice((4, 4, 3)), comment=comments[n % len(comments)], **ratings
        )
    Voter.objects.filter(pk__in=[v.pk for v in voting]).update(voted=True)
    Round.objects.filter(pk=closed.pk).update(status=RoundStatus.CLOSED)
    evaluation.open_round(committee, branch=own, title=f"{ctx.today:%Y年%m月}书记二十字测评(进行中)",
                          opens_on=ctx.today, closes_on=ctx.today + timedelta(days=14))  # fmt: skip
