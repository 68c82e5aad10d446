"""Demo data of 红领一线工作法: a few diary entries (with 诉求 at every stage) and 急难险重 tasks per branch of the first
mine, and a 专项工作 ("双化双提" 工作下沉) sent to all its branches, some reported, one accepted, one returned."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from common.demo import demo_step
from frontline.models import (
    Campaign,
    CampaignTask,
    DiaryEntry,
    DiaryRequest,
    RequestEvent,
    RequestStatus,
    SecretaryRole,
    TaskEvent,
    TaskStatus,
    UrgentKind,
    UrgentTask,
)
from orgs.models import OrgKind, OrgNode, Person
from places.models import Location

ENTRIES_PER_BRANCH = {"small": 4, "mine": 6, "group": 6}
VISITS = (
    (
        "职工家中",
        "母亲住院,家中只有妻子照顾,本人近期夜班较多,精神状态一般。",
        "孩子上学接送有困难,希望调整到白班",
        "协调班组长暂时调整为八点班",
        True,
    ),
    ("班前会", "班组对新下发的考核细则有疑问,担心影响收入。", "希望把考核细则讲清楚", "会后逐条解释了考核细则", False),
    ("井下工作面", "工作面温度偏高,职工反映饮水供应不及时。", "井下增加饮水点", "", False),
    ("职工宿舍", "新入职职工对井下环境还不熟悉,思想有波动。", "", "安排党员师傅一对一帮带", True),
    ("班组座谈", "职工普遍关心冬季通勤班车时间。", "班车发车时间提前十分钟", "向矿后勤反映", False),
    ("职工家中", "爱人下岗,家庭经济压力大。", "申请困难职工帮扶", "登记困难职工信息", True),
)
URGENT = (
    ("工作面顶板离层处置", UrgentKind.DANGEROUS, "带领突击队连夜补打锚索,恢复正常生产", SecretaryRole.HANDS_ON),
    ("暴雨期间排水抢险", UrgentKind.URGENT, "6小时内排净积水,无人员伤亡", SecretaryRole.COMMAND),
    ("综采设备搬家倒面", UrgentKind.HEAVY, "提前两天完成搬家倒面", SecretaryRole.HANDS_ON),
)


@demo_step(order=40)
def frontline(ctx):
    mine = ctx.mines[0]
    branches = list(OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.BRANCH).order_by("path"))
    if not branches:
        return
    rng = ctx.rng
    tz = timezone.get_current_timezone()
    secretary, committee = ctx.accounts["secretary"], ctx.accounts["committee"]
    own_branch = OrgNode.objects.filter(
        pk__in=secretary.role_assignments.filter(role="secretary").values("org_id")
    ).first()
    locations = {}
    for loc in Location.objects.filter(mine=mine).select_related("unit"):
        locations.setdefault(loc.unit.path[: len(loc.unit.path) - loc.unit.steplen], []).append(loc)
    entries, people_links, requests = [], [], []
    per_branch = ENTRIES_PER_BRANCH[ctx.size]
    for branch in branches:
        author = (
            secretary if own_branch and branch.pk == own_branch.pk else committee
        )  # one secretary account in the demo
        staff = list(Person.objects.filter(org__path__startswith=branch.path).values_list("pk", flat=True)[:200])
        for n in range(per_branch):
            place, learned, problem, action, concern = VISITS[(n + branch.pk) % len(VISITS)]
            day = ctx.today - timedelta(days=int(rng.random() * 120))
            branch_locations = locations.get(branch.path, [])
            location = rng.choice(branch_locations) if place == "井下工作面" and branch_locations else None
            entry = DiaryEntry(
                branch=branch,
                author=author,
                date=day,
                place=location.name if location else place,
                location=location,
                learned=learned,
                action=action,
                concern=concern,
            )
            met = rng.sample(staff, min(len(staff), rng.randint(1, 3))) if staff else []
            entries.append((entry, met, problem))
    DiaryEntry.objects.bulk_create([e for e, _m, _p in entries], batch_size=1000)
    through = DiaryEntry.people.through
    for entry, met, problem in entries:
        people_links += [through(diaryentry_id=entry.pk, person_id=p) for p in met]
        if problem:
            age = (ctx.today - entry.date).days
            status = (
                RequestStatus.CLOSED
                if age > 60
                else rng.choice(
                    (RequestStatus.OPEN, RequestStatus.HANDLING, RequestStatus.RESOLVED, RequestStatus.CLOSED)
                )
            )
            requests.append(DiaryRequest(
                entry=entry, problem=problem, due=entry.date + timedelta(days=15), status=status,
                handling="已与区队协调" if status != RequestStatus.OPEN else "",
                result="已解决" if status in (RequestStatus.RESOLVED, RequestStatus.CLOSED) else "",
                feedback="职工表示满意" if status == RequestStatus.CLOSED else "",
                closed_at=datetime.combine(entry.date + timedelta(days=10), time(16), tzinfo=tz) if status == RequestStatus.CLOSED else None,
            ))  # fmt: skip
    through.objects.bulk_create(people_links, batch_size=2000)
    DiaryRequest.objects.bulk_create(requests, batch_size=1000)
    RequestEvent.objects.bulk_create(
        [
            RequestEvent(
                request=r,
                action="create",
                to_status=RequestStatus.OPEN,
                actor=r.entry.author,
                at=datetime.combine(r.entry.date, time(10), tzinfo=tz),
                note=r.problem[:200],
            )
            for r in requests
        ],
        batch_size=1000,
    )
    urgent = []
    for i, branch in enumerate(branches):
        title, kind, result, role = URGENT[i % len(URGENT)]
        author = secretary if own_branch and branch.pk == own_branch.pk else committee
        urgent.append(
            UrgentTask(
                branch=branch,
                recorded_by=author,
                title=title,
                kind=kind,
                date=ctx.today - timedelta(days=5 + i),
                place=f"{branch.name.removesuffix('党支部')}现场",
                role=role,
                result=result,
            )
        )
    UrgentTask.objects.bulk_create(urgent, batch_size=1000)
    _campaign(ctx, mine, branches, committee, secretary, own_branch, tz)
    ctx.log(
        f"一线工作法: 民情日记 {len(entries)} 篇, 诉求 {len(requests)} 条, 急难险重 {len(urgent)} 项, 专项工作 1 项下发到 {len(branches)} 个支部"
    )


def _campaign(ctx, mine, branches, committee, secretary, own_branch, tz):
    sent_at = datetime.combine(ctx.today - timedelta(days=10), time(9), tzinfo=tz)
    campaign = Campaign.objects.create(
        mine=mine, title="“双化双提”工作下沉推进情况报告", created_by=committee, deadline=ctx.today + timedelta(days=5),
        description="各党支部对照“双化双提”工作要求,报告本支部党员身边无违章、划片包保、示范岗建立的推进情况、存在问题和下步措施。",
    )  # fmt: skip
    Campaign.objects.filter(pk=campaign.pk).update(created_at=sent_at)
    tasks = CampaignTask.objects.bulk_create([CampaignTask(campaign=campaign, branch=b) for b in branches])
    tasks = list(campaign.tasks.order_by("branch_id"))
    events = [TaskEvent(task=t, action="send", to_status=TaskStatus.SENT, actor=committee, at=sent_at) for t in tasks]
    for i, t in enumerate(tasks):
        if own_branch and t.branch_id == own_branch.pk:
            continue  # the demo secretary still has it to report: it is on their 待办
        stage = i % 4
        if stage == 0:
            continue
        at = sent_at + timedelta(days=2 + i % 5)
        actor = committee
        t.report, t.reported_at, t.status = "已组织全体党员学习,划片包保全覆盖,示范岗3个。", at, TaskStatus.REPORTED
        events.append(
            TaskEvent(
                task=t,
                action="report",
                from_status=TaskStatus.SENT,
                to_status=TaskStatus.REPORTED,
                actor=actor,
                at=at,
                note=t.report,
            )
        )
        if stage == 2:
            t.status = TaskStatus.ACCEPTED
            events.append(
                TaskEvent(
                    task=t,
                    action="accept",
                    from_status=TaskStatus.REPORTED,
                    to_status=TaskStatus.ACCEPTED,
                    actor=committee,
                    at=at + timedelta(days=1),
                )
            )
        elif stage == 3:
            t.status = TaskStatus.RETURNED
            events.append(
                TaskEvent(
                    task=t,
                    action="return",
                    from_status=TaskStatus.REPORTED,
                    to_status=TaskStatus.RETURNED,
                    actor=committee,
                    at=at + timedelta(days=1),
                    note="缺少存在问题和下步措施,请补充",
                )
            )
        t.version = 1 + (stage >= 1) + (stage >= 2)
    CampaignTask.objects.bulk_update(tasks, ["report", "reported_at", "status", "version"])
    TaskEvent.objects.bulk_create(events, batch_size=1000)
