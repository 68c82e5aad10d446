"""Demo 三违 of the first mine: a year of records, most with their 帮教 done, a few under appeal."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from common.demo import demo_step
from orgs.models import Person
from places.models import Location, Shift
from violations.models import HelpStep, Severity, Violation, ViolationEvent, ViolationKind, ViolationStatus
from violations.services import ensure_defaults

COUNTS = {"small": 40, "mine": 900, "group": 900}
TEXTS = {
    ViolationKind.OPERATION: ("空顶作业", "未执行敲帮问顶", "带电检修", "跨越运转的输送带", "未戴自救器入井"),
    ViolationKind.COMMAND: ("安排未经培训人员上岗", "瓦斯超限时指挥继续作业"),
    ViolationKind.DISCIPLINE: ("班中睡岗", "脱岗串岗", "酒后入井"),
}


@demo_step(order=25)
def violations(ctx):
    rng = ctx.rng
    for mine in ctx.mines:
        ensure_defaults(mine)
    mine = ctx.mines[0]
    severities = list(Severity.objects.filter(mine=mine))
    locations = list(Location.objects.filter(mine=mine).values_list("pk", flat=True))
    shifts = list(Shift.objects.filter(mine=mine).values_list("pk", flat=True))
    people = list(
        Person.objects.filter(mine=mine)
        .exclude(political_status__in=("member", "probationary"))
        .values_list("pk", "org_id", "hire_date")[:3000]
    )
    if not people or not severities:
        return
    actor = ctx.accounts["safety"]
    tz = timezone.get_current_timezone()
    rows = []
    for _ in range(COUNTS[ctx.size]):
        pk, org_id, hired = rng.choice(people)
        day = max(ctx.today - timedelta(days=int(rng.random() ** 1.3 * 365)), hired)
        kind = rng.choices(list(TEXTS), (6, 1, 3))[0]
        severity = rng.choices(severities, [5 if not s.serious else 1 for s in severities])[0]
        status = ViolationStatus.RECORDED
        if (ctx.today - day).days < 3 and rng.random() < 0.3:
            status = ViolationStatus.APPEALING
        rows.append(Violation(
            mine=mine, person_id=pk, org_id=org_id, occurred_on=day, shift_id=rng.choice(shifts) if shifts else None,
            location_id=rng.choice(locations) if locations else None, kind=kind, severity=severity,
            description=rng.choice(TEXTS[kind]), points=severity.points, fine=severity.fine, recorded_by=actor, status=status,
        ))  # fmt: skip
    created = Violation.objects.bulk_create(rows, batch_size=2000)
    steps, events = [], []
    for v in created:
        at = datetime.combine(v.occurred_on, time(16), tzinfo=tz)
        events.append(
            ViolationEvent(
                violation=v, action="record", to_status=ViolationStatus.RECORDED, actor=actor, at=at, note="登记"
            )
        )
        age = (ctx.today - v.occurred_on).days
        for i, name in enumerate(v.severity.help_steps):
            done = age > 7 * (i + 1)
            steps.append(HelpStep(violation=v, order=i, name=name, done_on=v.occurred_on + timedelta(days=2 * i + 1) if done else None,
                                  done_by=actor if done else None, note="已谈话教育,本人认识到错误" if done else ""))  # fmt: skip
    HelpStep.objects.bulk_create(steps, batch_size=2000)
    ViolationEvent.objects.bulk_create(events, batch_size=2000)
    ctx.log(f"三违: {len(created)} 条")
