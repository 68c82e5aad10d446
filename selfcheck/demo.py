"""Demo data of 六个反问: last month's and the month before's periods in the first mine; the secretary's branch with
answers, measures (met, missed, still running) and a review; other branches at every stage of the review."""

from datetime import timedelta

from django.utils import timezone

from common.demo import demo_step
from orgs.models import OrgKind, OrgNode
from selfcheck.models import QUESTIONS, Answer, Event, Inspection, Measure, Period, PeriodKind, Status

NARRATIVES = {
    1: "支部围绕工作面安全生产开展党员查隐患活动,但党员发现隐患的比例仍偏低,结合得不够紧。",
    2: "限时整改隐患基本按期销号,个别隐患在同一地点反复出现,说明整改还停留在“差不多就行”。",
    3: "上期定下的措施大多按期完成,有一项超期未完成,原因是协调不到位。",
    4: "书记亲自带队处置顶板离层,但对薄弱人物的帮教转化还不够主动。",
    5: "职工诉求大多在区队化解,一件诉求办理拖延,需要跟踪。",
    6: "支委分工明确,但批评与自我批评还不够大胆,存在一团和气的倾向。",
}
MEASURES = (
    (2, "同一地点隐患反复出现", "重复隐患率降到10%以下", "对反复出现的地点逐一分析原因", "书记每周带队复查重点地点"),
    (4, "薄弱人物帮教不够主动", "本季度转化2名薄弱人物", "落实一人一策", "党员结对帮扶,每月评估一次"),
    (5, "个别诉求办理拖延", "诉求全部在承诺期限内办结", "建立诉求销号台账", "每周五书记调度诉求办理"),
)


def _month_bounds(day):
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


@demo_step(order=90)
def selfcheck(ctx):
    mine = ctx.mines[0]
    committee, secretary = ctx.accounts["committee"], ctx.accounts["secretary"]
    branches = list(OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.BRANCH).order_by("path"))
    own = OrgNode.objects.filter(pk__in=secretary.role_assignments.filter(role="secretary").values("org_id")).first()
    if not branches or own is None:
        return
    last_start, last_end = _month_bounds(ctx.today.replace(day=1) - timedelta(days=1))
    prev_start, prev_end = _month_bounds(last_start - timedelta(days=1))
    now = timezone.now()
    prev = Period.objects.create(mine=mine, kind=PeriodKind.MONTH, name=f"{prev_start:%Y年%m月}", start=prev_start,
                                 end=prev_end, due=prev_end + timedelta(days=5), created_by=committee)  # fmt: skip
    last = Period.objects.create(mine=mine, kind=PeriodKind.MONTH, name=f"{last_start:%Y年%m月}", start=last_start,
                                 end=last_end, due=ctx.today + timedelta(days=5), created_by=committee)  # fmt: skip
    # the month before: accepted, with measures whose 期限 fell in last month (met, missed) and one still running
    old = Inspection.objects.create(period=prev, branch=own, status=Status.ACCEPTED, submitted_at=now, version=3)
    _answers(old)
    for n, (q, problem, goal, task, action) in enumerate(MEASURES):
        due = last_start + timedelta(days=10 + 5 * n) if n < 2 else ctx.today + timedelta(days=20)
        done = due - timedelta(days=2) if n == 0 else None
        Measure.objects.create(inspection=old, question=q, problem=problem, goal=goal, task=task, action=action,
                               due=due, done_on=done, result="已完成,重复隐患率降至8%" if done else "")  # fmt: skip
    Event.objects.create(inspection=old, action="submit", from_status=Status.DRAFT, to_status=Status.SUBMITTED,
                         actor=secretary, at=now - timedelta(days=30))  # fmt: skip
    Event.objects.create(inspection=old, action="accept", from_status=Status.SUBMITTED, to_status=Status.ACCEPTED,
                         actor=committee, at=now - timedelta(days=28), note="查摆问题具体,措施可行")  # fmt: skip
    # last month: the secretary's branch still writing; others submitted, returned, accepted
    draft = Inspection.objects.create(period=last, branch=own)
    Answer.objects.create(inspection=draft, question=1, rating="fairly", narrative=NARRATIVES[1])
    others = [b for b in branches if b.pk != own.pk][:3]
    for b, status in zip(others, (Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED)):
        i = Inspection.objects.create(period=last, branch=b, status=status, submitted_at=now, version=2)
        _answers(i)
        Event.objects.create(inspection=i, action="submit", from_status=Status.DRAFT, to_status=Status.SUBMITTED,
                             actor=committee, at=now - timedelta(days=2))  # fmt: skip
        if status != Status.SUBMITTED:
            Event.objects.create(inspection=i, action="return" if status == Status.RETURNED else "accept",
                                 from_status=Status.SUBMITTED, to_status=status, actor=committee, at=now,
                                 note="第3问措施不具体,请补充期限" if status == Status.RETURNED else "同意")  # fmt: skip
    ctx.log(f"六个反问: {Inspection.objects.count()} 份自查")


def _answers(inspection):
    Answer.objects.bulk_create(
        [Answer(inspection=inspection, question=q, rating="fairly", narrative=NARRATIVES[q]) for q in QUESTIONS]
    )
