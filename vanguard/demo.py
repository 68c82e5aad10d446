"""Demo 包保 / 责任区 and 示范岗 in the first mine: every party member answers for a few workers of their 区队 and one
location since the start of the year; two 示范岗 per branch with last month's assessment rated."""

from datetime import date, timedelta

from django.utils import timezone

from common.demo import demo_step
from orgs.models import OrgKind, OrgNode, Person
from places.models import Location
from vanguard.models import Assessment, Assignment, ModelPost

PARTY = ("member", "probationary")


@demo_step(order=26)
def vanguard(ctx):
    rng = ctx.rng
    mine = ctx.mines[0]
    actor = ctx.accounts["secretary"]
    start = date(ctx.today.year, 1, 1)
    people = list(Person.objects.filter(mine=mine).values_list("pk", "org_id", "org__path", "political_status"))
    locations = {}
    for pk, unit_path in Location.objects.filter(mine=mine).values_list("pk", "unit__path"):
        locations.setdefault(unit_path, []).append(pk)
    units = list(OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.UNIT).values_list("path", flat=True))
    through_w, through_l = Assignment.workers.through, Assignment.locations.through
    plans = []
    for unit in units:
        inside = [p for p in people if p[2].startswith(unit)]
        members = [p for p in inside if p[3] in PARTY]
        others = [p[0] for p in inside if p[3] not in PARTY]
        rng.shuffle(others)
        for i, m in enumerate(members):
            workers = others[i * 4 : i * 4 + 4]
            places = locations.get(unit, [])
            plans.append((m, workers, [places[i % len(places)]] if places else []))
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(mine=mine, member_id=m[0], org_id=m[1], starts_on=start, created_by=actor, note="年度包保")
            for m, _, _ in plans
        ],
        batch_size=2000,
    )
    through_w.objects.bulk_create(
        [through_w(assignment_id=a.pk, person_id=w) for a, (_, ws, _) in zip(assignments, plans) for w in ws],
        batch_size=5000,
    )
    through_l.objects.bulk_create(
        [through_l(assignment_id=a.pk, location_id=loc) for a, (_, _, ls) in zip(assignments, plans) for loc in ls],
        batch_size=5000,
    )
    posts = []
    branches = OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.BRANCH)
    member_account = ctx.accounts.get("member")
    for branch in branches:
        holders = [p for p in people if p[2].startswith(branch.path) and p[3] in PARTY][:2]
        for n, h in enumerate(holders):
            posts.append(
                ModelPost(
                    mine=mine,
                    name=("安全生产示范岗", "党员先锋岗")[n],
                    holder_id=h[0],
                    org_id=h[1],
                    commitments="不违章、不冒险、不蛮干;身边无违章",
                    created_by=actor,
                )
            )
    if member_account and member_account.person_id and not any(p.holder_id == member_account.person_id for p in posts):
        me = Person.objects.get(pk=member_account.person_id)
        posts.append(
            ModelPost(
                mine=mine,
                name="党员安全示范岗",
                holder=me,
                org_id=me.org_id,
                commitments="带头执行手指口述,身边无违章",
                created_by=actor,
            )
        )
    posts = ModelPost.objects.bulk_create(posts)
    last_month = (ctx.today.replace(day=1) - timedelta(days=1)).replace(day=1)
    now = timezone.now()
    Assessment.objects.bulk_create(
        [Assessment(post=p, month=last_month, summary="按承诺带班,组织班前安全学习", self_rating="good", submitted_at=now,
                    rating=rng.choice(("excellent", "good")) if i % 2 else "", rated_by=actor if i % 2 else None, rated_at=now if i % 2 else None)
         for i, p in enumerate(posts)]
    )  # fmt: skip
    ctx.log(f"包保: {len(assignments)} 名党员; 示范岗: {len(posts)} 个")
