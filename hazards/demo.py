"""Demo data of the hazard loop: master data for every mine, locations per 区队, and a year of hazards in the first mine."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from common.demo import demo_step
from hazards.models import Category, Grade, Hazard, HazardEvent, HazardStatus
from hazards.services import ensure_defaults
from orgs.models import OrgKind, OrgNode, Person
from places.models import Location, LocationKind

PLACES = (
    ("工作面", LocationKind.FACE),
    ("运输巷", LocationKind.ROADWAY),
    ("回风巷", LocationKind.ROADWAY),
    ("施工地点", LocationKind.SITE),
)
COUNTS = {"small": 80, "mine": 1200, "group": 1200}
TEXTS = {
    "顶板": ("顶板离层仪读数超限未上报", "锚杆托盘松动", "超前支护距离不足"),
    "通风": ("风门未关闭", "局部通风机吸循环风", "风筒破口漏风"),
    "瓦斯": ("瓦斯检查牌板未填写", "便携仪未按规定悬挂", "瓦斯浓度0.8%未撤人"),
    "煤尘": ("喷雾装置不喷雾", "巷道积尘未冲洗"),
    "机电": ("电缆吊挂不规范", "开关失爆", "接地不良"),
    "运输": ("跑车防护装置未关闭", "托辊缺失"),
    "防治水": ("水沟堵塞", "探放水记录不全"),
    "防灭火": ("灭火器过期", "消防沙箱无沙"),
    "爆破": ("炮泥装填不足",),
    "其他": ("安全出口堆放杂物",),
}


@demo_step(order=20)
def hazards(ctx):
    rng = ctx.rng
    for mine in ctx.mines:
        ensure_defaults(mine)
        units = list(OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.UNIT).order_by("path"))
        Location.objects.bulk_create(
            [
                Location(mine=mine, unit=u, name=f"{u.name}{name}", kind=kind)
                for u in units
                for name, kind in PLACES[: 2 + (u.pk % 3)]
            ],
            ignore_conflicts=True,
        )
    mine = ctx.mines[0]
    _history(ctx, mine, rng)


def _history(ctx, mine, rng):
    locations = list(Location.objects.filter(mine=mine).select_related("unit"))
    if not locations:
        return
    categories = list(Category.objects.filter(mine=mine))
    grades = list(Grade.objects.filter(mine=mine))
    weights = [1 if g.major else (3 if g.name == "A" else 8) for g in grades]
    people = list(Person.objects.filter(mine=mine).values_list("pk", "political_status", "org__path")[:3000])
    actor = ctx.accounts["safety"]
    tz = timezone.get_current_timezone()
    hazards = []
    for _n in range(COUNTS[ctx.size]):
        days_ago = int(rng.random() ** 1.5 * 365)
        found = datetime.combine(
            ctx.today - timedelta(days=days_ago), time(rng.choice((1, 9, 17)), rng.randrange(60)), tzinfo=tz
        )
        location = rng.choice(locations)
        category = rng.choice(categories)
        grade = rng.choices(grades, weights)[0]
        finder = rng.choice(people)
        deadline = found.date() + timedelta(days=grade.deadline_days)
        if days_ago > 40:
            status = HazardStatus.CLOSED
        else:
            status = rng.choice(
                (
                    HazardStatus.REGISTERED,
                    HazardStatus.RECTIFYING,
                    HazardStatus.RECTIFYING,
                    HazardStatus.PENDING,
                    HazardStatus.CLOSED,
                )
            )
        late = rng.random() < 0.1
        closed_at = (
            datetime.combine(deadline + timedelta(days=3 if late else -1), time(15), tzinfo=tz)
            if status == HazardStatus.CLOSED
            else None
        )
        if closed_at and closed_at < found:
            closed_at = found + timedelta(hours=6)
        hazards.append(
            Hazard(
                mine=mine,
                location=location,
                category=category,
                grade=grade,
                description=rng.choice(TEXTS.get(category.name, ("现场存在安全隐患",))),
                found_by_id=finder[0],
                finder_is_party_member=finder[1] in ("member", "probationary"),
                found_at=found,
                recorded_by=actor,
                status=status,
                responsible_unit=location.unit if status != HazardStatus.REGISTERED else None,
                responsible_person_id=finder[0] if status != HazardStatus.REGISTERED else None,
                measures="按规程整改" if status != HazardStatus.REGISTERED else "",
                deadline=deadline if status != HazardStatus.REGISTERED else None,
                supervised=grade.major,
                closed_at=closed_at,
                external_id="",
            )  # fmt: skip
        )
    created = Hazard.objects.bulk_create(hazards, batch_size=2000)
    HazardEvent.objects.bulk_create(
        [
            HazardEvent(
                hazard=h, action="register", to_status=HazardStatus.REGISTERED, actor=actor, at=h.found_at, note="登记"
            )
            for h in created
        ],
        batch_size=2000,
    )
    from hazards import tally

    tally.recount(mine.pk)
    ctx.log(f"隐患: {len(created)} 条")
