"""Demo data of 薄弱人物排查 / 谈心谈话: the default catalogue for every mine; in the first mine a year of talks
(about two thirds of the workers, so coverage has something to show), a few screenings, and an at-risk register:
the demo worker (100005) helped by the demo party member (100004), plus a few others, some already released."""

from datetime import timedelta

from django.utils import timezone

from care.models import (
    Criterion,
    Entry,
    EntryEvent,
    EntryStatus,
    Evaluation,
    Finding,
    HelpRecord,
    Measure,
    Screening,
    Talk,
    TalkPerson,
)
from care.services import ensure_defaults
from common.demo import demo_step
from orgs.models import OrgKind, OrgNode, Person

TOPICS = (
    "了解家庭情况,子女上学",
    "询问身体状况,提醒按时体检",
    "交流工作安排,倾听意见",
    "班前谈心,提醒安全注意事项",
    "了解住房困难",
    "谈转岗后的适应情况",
)


@demo_step(order=60)
def care(ctx):
    rng = ctx.rng
    for mine in ctx.mines:
        ensure_defaults(mine)
    mine = ctx.mines[0]
    secretary = ctx.accounts["secretary"]
    today = ctx.today
    start = today.replace(month=1, day=1)
    span = max((today - start).days, 1)
    branches = {b.path: b for b in OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.BRANCH)}
    people = list(
        Person.objects.filter(mine=mine, work_status="on_duty").values_list("pk", "org__path", "political_status")
    )
    talkers = {}
    for pk, path, status in people:
        if status == "member":
            branch = next((p for p in branches if path.startswith(p)), None)
            talkers.setdefault(branch, pk)
    talks, links = [], []
    for pk, path, _status in people:
        if rng.random() > 0.66:
            continue
        branch = next((p for p in branches if path.startswith(p)), None)
        if branch is None:
            continue
        day = start + timedelta(days=rng.randrange(span))
        talks.append(Talk(org=branches[branch], talker_id=talkers.get(branch, pk), date=day, form=rng.choice(("face", "face", "phone", "home")),
                          topics=rng.choice(TOPICS), recorded_by=secretary))  # fmt: skip
        links.append((pk, day))
    created = Talk.objects.bulk_create(talks, batch_size=2000)
    TalkPerson.objects.bulk_create(
        [TalkPerson(talk=t, person_id=pk, date=day) for t, (pk, day) in zip(created, links)], batch_size=2000
    )
    ctx.log(f"谈心谈话: {len(created)} 次")
    helpers = {pk: talkers.get(next((p for p in branches if path.startswith(p)), None)) for pk, path, _s in people}
    _register(ctx, mine, secretary, people, rng, today, helpers)


def _register(ctx, mine, secretary, people, rng, today, helpers):
    from care.access import branch_of

    worker = ctx.accounts["worker"].person
    helper = ctx.accounts["member"].person
    criteria = {c.name: c for c in Criterion.objects.filter(mine=mine)}
    screening = Screening.objects.create(org=branch_of(worker.org),
                                         kind="home_visit", date=today - timedelta(days=20), summary="入户走访新入职职工", recorded_by=secretary)  # fmt: skip
    screening.participants.set([secretary.person_id, helper.pk])
    Finding.objects.create(
        screening=screening, person=worker, note="新入职,对井下环境不熟悉,家中母亲生病", concern=True
    )
    now = timezone.now()
    plan = [(worker, "B", ["新入职", "家庭变故"], 25, None)]
    pool = [pk for pk, _p, status in people if status != "member" and pk != worker.pk and helpers.get(pk)]
    for pk in rng.sample(pool, min(len(pool), 12 if ctx.size == "small" else 60)):
        tier = rng.choice("ABCCC")
        days = rng.randrange(10, 200)
        released = rng.random() < 0.35 and days > 40
        plan.append(
            (
                Person.objects.get(pk=pk),
                tier,
                [rng.choice(["情绪异常", "多次三违", "经济困难", "身体欠佳", "思想波动"])],
                days,
                released,
            )
        )
    for person, tier, names, days, released in plan:
        entered = today - timedelta(days=days)
        entry = Entry.objects.create(
            person=person, mine=mine, tier=tier, helper=helper if person == worker else Person(pk=helpers[person.pk]), reason="排查发现", entered_on=entered,
            eval_days={"A": 7}.get(tier, 30), created_by=secretary,
            status=EntryStatus.RELEASED if released else EntryStatus.ACTIVE,
            released_on=entered + timedelta(days=rng.randrange(30, days)) if released else None,
            release_reason="帮教期满,表现良好" if released else "",
        )  # fmt: skip
        entry.criteria.set([criteria[n] for n in names if n in criteria])
        Measure.objects.bulk_create(
            [
                Measure(entry=entry, text="党员结对帮扶", done=bool(released)),
                Measure(entry=entry, text="不安排单岗作业"),
            ]
        )
        HelpRecord.objects.create(
            entry=entry,
            date=entered + timedelta(days=3),
            form="talk",
            content="谈心,了解困难并帮助联系工会",
            by=secretary,
        )
        Evaluation.objects.create(
            entry=entry, date=entered + timedelta(days=min(days - 1, 7)), trend="stable", by=secretary
        )
        EntryEvent.objects.create(
            entry=entry, action="enter", to_status=entry.status, actor=secretary, at=now, note="排查发现"
        )
    ctx.log(f"薄弱人物: {len(plan)} 人")
