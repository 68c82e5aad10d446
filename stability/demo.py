"""Demo data of 矿区和谐维稳, in the first mine: emergency plans with drills (one overdue, one with a revision trigger),
unstable factors (a major one in the demo secretary's branch with the secretary's own follow-ups), a year of
petitions in every state of the clock (in time, 临期, 超期, 中止, 办结, 复查), health monitoring switched on with today's
temperatures of the demo team (one flagged) and a screening campaign."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from common.demo import demo_step
from orgs.models import OrgKind, OrgNode, Person, WorkStatus
from stability.models import (
    Assessment,
    Campaign,
    CampaignResult,
    Drill,
    EmergencyPlan,
    Factor,
    FactorEvent,
    FactorMeasure,
    FollowUp,
    Petition,
    PetitionEvent,
    PetitionStatus,
    RevisionTrigger,
    StabilitySettings,
    Temperature,
)

FACTORS = (
    ("工资调整引发部分职工不满", "部分职工对本月绩效工资核算有意见,多次在班前会上反映,情绪较大。", 14, "general"),
    ("采区接续调整涉及人员分流", "工作面接续调整,约二十名职工需转岗分流,担心收入下降。", 22, "serious"),
    ("职工家属反映住房维修问题", "家属区两栋楼屋面漏水,住户多次反映。", 6, "general"),
    ("劳务派遣工社保缴纳疑问", "几名派遣工询问社保缴纳年限,担心影响退休。", 4, "general"),
    ("工伤认定争议", "一名职工对工伤认定结论有异议,家属情绪激动。", 3, "major"),
)
MATTERS = (
    ("claim", "反映夜班误餐补助发放不及时"),
    ("advice", "建议改善井口等候室取暖条件"),
    ("claim", "申请核查加班工时记录"),
    ("accusation", "检举某班组长在考勤中弄虚作假"),
    ("claim", "反映家属区供暖温度不达标"),
    ("advice", "建议调整通勤班车时间"),
    ("claim", "对岗位工资等级评定有异议"),
)


def _plans(mine, branches, secretary, today):
    plans = []
    comprehensive = EmergencyPlan.objects.create(
        mine=mine, org=mine, title="生产安全事故综合应急预案", kind="comprehensive", version="3.0",
        extent="全矿各类生产安全事故", issued_on=today - timedelta(days=900), assessed_on=today - timedelta(days=400),
    )  # fmt: skip
    plans.append(comprehensive)
    for title in ("瓦斯爆炸事故专项应急预案", "水灾事故专项应急预案"):
        plans.append(
            EmergencyPlan.objects.create(
                mine=mine,
                org=mine,
                title=title,
                kind="special",
                version="2.1",
                extent="井下各采掘工作面",
                issued_on=today - timedelta(days=1100),
            )  # fmt: skip
        )
    for i, branch in enumerate(branches[:4]):
        unit = (
            OrgNode.objects.filter(path__startswith=branch.path, kind=OrgKind.UNIT).order_by("path").first() or branch
        )
        plans.append(
            EmergencyPlan.objects.create(
                mine=mine,
                org=unit,
                title=f"{unit.name}顶板冒落现场处置方案",
                kind="onsite",
                version="1.2",
                extent=f"{unit.name}作业地点",
                issued_on=today - timedelta(days=300 + 40 * i),
            )  # fmt: skip
        )
    Drill.objects.create(
        plan=comprehensive, date=today - timedelta(days=120), whole_mine=True, participants=320,
        summary="全矿井下人员撤离演练", by=secretary,
    )  # fmt: skip
    Drill.objects.create(
        plan=plans[1], date=today - timedelta(days=200), participants=45, summary="瓦斯超限撤人演练",
        problems="部分人员不熟悉避灾路线", major_problem=True, by=secretary,
    )  # fmt: skip
    RevisionTrigger.objects.create(
        plan=plans[1],
        reason="drill",
        note="部分人员不熟悉避灾路线",
        recorded_on=today - timedelta(days=200),
        by=secretary,
    )
    for p in plans[3:5]:
        Drill.objects.create(
            plan=p, date=today - timedelta(days=100), participants=18, summary="班组演练", by=secretary
        )
    return plans


def _factors(mine, branches, home_branch, secretary, people, plans, today):
    order = [home_branch] + [b for b in branches if b != home_branch]
    for i, (title, text, count, severity) in enumerate(FACTORS):
        branch = order[i % len(order)]
        status = "resolved" if i == 3 else "control"
        f = Factor.objects.create(
            mine=mine, org=branch, title=title, description=text, people_count=count, severity=severity,
            extent=f"{branch.name}", leader=people[i % len(people)], found_on=today - timedelta(days=40 - 5 * i),
            status=status, closed_on=today - timedelta(days=3) if status == "resolved" else None, created_by=secretary,
        )  # fmt: skip
        f.people.set(people[i : i + min(count, 3)])
        if i < 2:
            f.plans.set([plans[0]])
        FactorMeasure.objects.create(factor=f, text="逐一谈心,讲清政策", owner=people[i], due=today + timedelta(days=7))
        FactorMeasure.objects.create(
            factor=f, text="协调劳资部门复核", owner=people[i + 1], done_on=today - timedelta(days=5)
        )
        Assessment.objects.create(
            factor=f, date=today - timedelta(days=20), judgement="情绪趋于平稳,仍需关注", trend="steady", by=secretary
        )
        FactorEvent.objects.create(
            factor=f,
            action="create",
            to_status="control",
            actor=secretary,
            at=timezone.now() - timedelta(days=40 - 5 * i),
        )
        if branch == home_branch and i == 0:
            FollowUp.objects.create(
                factor=f, date=today - timedelta(days=9), text="到班组听取意见,协调劳资科答复", by=secretary
            )


def _petitions(mine, branches, secretary, people, accused, today, rng):
    levels = ["team", "unit", "unit", "mine", "mine", "unit", "above"]
    rows = []
    for i in range(36):
        branch = branches[i % len(branches)]
        klass, matter = MATTERS[i % len(MATTERS)]
        received = today - timedelta(days=int(300 * (36 - i) / 36) + rng.randint(0, 3))
        p = Petition(
            mine=mine, org=branch, channel=["letter", "visit", "phone", "online"][i % 4], klass=klass,
            received_on=received, petitioner_names=people[i % len(people)].name, people_count=1 + i % 3,
            matter=matter, created_by=secretary,
        )  # fmt: skip
        age = (today - received).days
        if i % 9 == 8 and age > 20:
            p.status = PetitionStatus.SUSPENDED
            p.accepted_on = received + timedelta(days=5)
            p.suspended_on = received + timedelta(days=15)
        elif age <= 10:
            p.status = PetitionStatus.RECEIVED
        elif age < 70 or i % 11 == 5:
            p.status = PetitionStatus.ACCEPTED
            p.accepted_on = received + timedelta(days=min(10, age // 2))
        else:
            p.status = PetitionStatus.ANSWERED
            p.accepted_on = received + timedelta(days=7)
            p.answered_on = received + timedelta(days=20 + i % 30)
            p.result = "已核实并答复信访人"
            p.level = levels[i % len(levels)]
            p.satisfaction = ["satisfied", "satisfied", "fair", "unsatisfied"][i % 4]
            if i % 7 == 6:
                p.status = PetitionStatus.REVIEWED
                p.review_requested_on = p.answered_on + timedelta(days=10)
                p.review_answered_on = p.review_requested_on + timedelta(days=20)
        rows.append(p)
    Petition.objects.bulk_create(rows)
    events = []
    for p in rows:
        events.append(
            PetitionEvent(petition=p, action="create", to_status="received", actor=secretary, at=timezone.now())
        )
        if p.klass == "accusation" and accused is not None:
            p.accused.add(accused)
    PetitionEvent.objects.bulk_create(events)


def _health(mine, team, leader, today, rng):
    StabilitySettings.objects.update_or_create(mine=mine, defaults={"health_enabled": True})
    people = list(Person.objects.filter(org__path__startswith=team.path, work_status=WorkStatus.ON_DUTY))
    rows = []
    for i, p in enumerate(people):
        value = Decimal("37.6") if i == 1 else Decimal(f"36.{rng.randint(2, 8)}")
        rows.append(Temperature(person=p, team=team, date=today, shift="morning", value=value, by=leader))
    Temperature.objects.bulk_create(rows)
    unit = team.get_parent()
    campaign = Campaign.objects.create(
        mine=mine, org=unit, title="秋季职业健康筛查", starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=5),
        by=leader,
    )  # fmt: skip
    targets = list(Person.objects.filter(org__path__startswith=unit.path, work_status=WorkStatus.ON_DUTY)[:200])
    CampaignResult.objects.bulk_create(
        [
            CampaignResult(
                campaign=campaign,
                person=p,
                date=today - timedelta(days=i % 5),
                result="abnormal" if i == 3 else "normal",
            )
            for i, p in enumerate(targets[: len(targets) * 2 // 3])
        ]
    )


@demo_step(order=70)
def stability(ctx):
    mine = ctx.mines[0]
    today = ctx.today
    secretary = ctx.accounts["secretary"]
    leader = ctx.accounts["team_leader"]
    for m in ctx.mines:
        StabilitySettings.objects.get_or_create(mine=m)
    branches = list(OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.BRANCH).order_by("path"))
    home = secretary.role_assignments.filter(role="secretary").first().org
    people = list(Person.objects.filter(mine=mine, work_status=WorkStatus.ON_DUTY).order_by("emp_no")[20:60])
    accused = ctx.accounts.get("branch_committee").person if ctx.accounts.get("branch_committee") else None
    plans = _plans(mine, branches, secretary, today)
    _factors(mine, branches, home, secretary, people, plans, today)
    _petitions(mine, branches, secretary, people, accused, today, ctx.rng)
    team = leader.role_assignments.filter(role="team_leader").first().org
    _health(mine, team, leader, today, ctx.rng)
