"""Demo 基层班子建设 in the first mine: every branch has its 支委会 (第2届, the 第1届 as history) and the first unit an
administrative team; this year's 支委会 every month and a 党员大会 each quarter (one 支委会 without a quorum), decisions
done, open and overdue; last year's 组织生活会 closed, this year's in 整改 with open items; a 民主评议; notices from the
committee (some units have not read them) and reports up (one answered)."""

from datetime import date, timedelta

from django.utils import timezone

from common.demo import demo_step
from leadership.models import (
    AgendaItem,
    Appraisal,
    AppraisalRow,
    Attendance,
    Criticism,
    Decision,
    Duty,
    LifeMeeting,
    LifeStep,
    Meeting,
    Notice,
    NoticeReceipt,
    Opinion,
    Presence,
    Rectification,
    Report,
    Team,
    TeamMember,
)
from leadership.services import LIFE_MACHINE
from orgs.models import PARTY_STATUSES, OrgKind, OrgNode, Person

POSTS = ("书记", "组织委员", "宣传委员", "纪检委员", "青年委员")
DUTIES = (
    "主持支部全面工作",
    "组织发展、党员教育管理",
    "宣传思想、安全宣教",
    "纪律检查、廉洁教育",
    "青年工作、群团工作",
)
DECISIONS = (
    "开展“手指口述”专项检查,覆盖全部班组",
    "落实新入职职工师带徒结对",
    "组织党员安全示范岗月度讲评",
    "整改井下皮带巷文明生产问题",
    "走访慰问困难职工家庭",
)


def _months_back(today, n):
    y, m = today.year, today.month - n
    while m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1)


@demo_step(order=70)
def leadership(ctx):
    mine = ctx.mines[0]
    today = ctx.today
    actor = ctx.accounts["secretary"]
    committee_user = ctx.accounts.get("committee") or actor
    designated = {u.person_id: key for key, u in ctx.accounts.items() if getattr(u, "person_id", None) is not None}
    branches = list(OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.BRANCH).order_by("path"))
    members_of = {}
    for pk, party_path, org_path, status in Person.objects.filter(mine=mine).values_list(
        "pk", "party_org__path", "org__path", "political_status"
    ):
        if status not in PARTY_STATUSES:
            continue
        for b in branches:
            if (party_path or org_path).startswith(b.path):
                members_of.setdefault(b.pk, []).append(pk)
                break
    meetings = 0
    for index, branch in enumerate(branches):
        people = members_of.get(branch.pk, [])
        # the demo accounts' persons lead the first branch's committee
        lead = [p for p in people if designated.get(p) in ("secretary", "branch_committee")]
        rest = [p for p in people if p not in lead]
        committee = (lead + rest)[:5]
        if len(committee) < 3:
            continue
        elected = date(today.year - 1, 3, 10)
        old = Team.objects.create(
            org=branch,
            kind="committee",
            number=1,
            elected_on=date(today.year - 4, 3, 10),
            term_years=3,
            closed_on=elected,
        )
        TeamMember.objects.bulk_create(
            [
                TeamMember(
                    team=old, person_id=p, post=POSTS[i], starts_on=old.elected_on, ends_on=elected, end_reason="换届"
                )
                for i, p in enumerate(committee[:3])
            ]
        )
        team = Team.objects.create(org=branch, kind="committee", number=2, elected_on=elected, term_years=3)
        members = TeamMember.objects.bulk_create(
            [TeamMember(team=team, person_id=p, post=POSTS[i], starts_on=elected) for i, p in enumerate(committee)]
        )
        Duty.objects.bulk_create([Duty(member=m, area=DUTIES[i], starts_on=elected) for i, m in enumerate(members)])
        if index == 0:
            unit = OrgNode.objects.filter(path__startswith=branch.path, kind=OrgKind.UNIT).order_by("path").first()
            if unit is not None:
                admin = Team.objects.create(org=unit, kind="admin", number=1, elected_on=elected)
                leaders = Person.objects.filter(org__path__startswith=unit.path).order_by("emp_no")[:3]
                TeamMember.objects.bulk_create(
                    [
                        TeamMember(team=admin, person=p, post=("区队长", "副区队长", "技术主管")[i], starts_on=elected)
                        for i, p in enumerate(leaders)
                    ]
                )
        # this year's meetings: a 支委会 a month (the one two months ago without a quorum), a 党员大会 a quarter
        months = [_months_back(today, n) for n in range(min(today.month, 4) - 1, -1, -1)]
        for n, month in enumerate(months):
            day = min(month.replace(day=10), today)
            short = n == len(months) - 3 and index % 2 == 0
            present = committee[:2] if short else committee[:-1] if n % 2 else committee
            m = Meeting.objects.create(
                org=branch,
                kind="committee",
                date=day,
                topic=f"{month.month}月支委会:研究安全生产与党建重点工作",
                place="区队会议室",
                host_id=committee[0],
                held=True,
                expected=len(committee),
                present=len(present),
                valid=len(present) * 2 > len(committee),
                minutes="通报上月安全生产情况;研究本月重点工作;讨论通过相关决议。"
                if not short
                else "到会人数不足,改期召开。",
                recorded_by=actor,
            )
            meetings += 1
            AgendaItem.objects.bulk_create(
                [
                    AgendaItem(meeting=m, order=1, title="通报安全生产情况"),
                    AgendaItem(meeting=m, order=2, title="研究本月重点工作"),
                ]
            )
            Attendance.objects.bulk_create(
                [
                    Attendance(
                        meeting=m,
                        person_id=p,
                        status=Presence.PRESENT if p in present else Presence.LEAVE,
                        reason="" if p in present else "下井带班",
                    )
                    for p in committee
                ]
            )
            if m.valid:
                owner = committee[(n + 1) % len(committee)]
                deadline = day + timedelta(days=20)
                done = deadline < today and n % 2 == 0
                Decision.objects.create(
                    meeting=m,
                    text=DECISIONS[(n + index) % len(DECISIONS)],
                    mode="delegated" if n % 2 else "collective",
                    owner_id=owner,
                    deadline=deadline,
                    done_on=min(deadline, today) if done else None,
                    done_note="已按期完成" if done else "",
                )
        if people:
            q = Meeting.objects.create(
                org=branch,
                kind="general",
                date=min(today.replace(day=1) + timedelta(days=4), today),
                topic="党员大会:学习《中国共产党支部工作条例(试行)》",
                held=True,
                expected=len(people),
                present=len(people) - 1,
                valid=(len(people) - 1) * 2 > len(people),
                recorded_by=actor,
            )
            Attendance.objects.bulk_create(
                [
                    Attendance(meeting=q, person_id=p, status=Presence.LEAVE if i == 0 else Presence.PRESENT,
                               reason="病休" if i == 0 else "")
                    for i, p in enumerate(people)
                ]
            )  # fmt: skip
        if index > 2:
            continue
        # 组织生活会: last year's closed, this year's in 整改 with one open, one overdue and one waiting item
        participants = people[:12]
        last = LifeMeeting.objects.create(
            org=branch, year=today.year - 1, theme="对照党章党规找差距", state="closed", study="学习党章", date=date(today.year - 1, 12, 20),
            minutes="逐一开展批评与自我批评。", created_by=actor
        )  # fmt: skip
        last.participants.set(participants)
        crit = Criticism.objects.create(
            life=last, target_id=participants[0], kind="self", text="深入井下一线不够,调查研究少。"
        )
        Rectification.objects.create(
            life=last, criticism=crit, problem="深入一线不够", measure="每周至少两次下井跟班", owner_id=participants[0],
            deadline=date(today.year, 3, 31), evidence="跟班记录齐全", done_on=date(today.year, 3, 20),
            checked_by=committee_user, checked_on=date(today.year, 3, 25)
        )  # fmt: skip
        LifeStep.objects.bulk_create(
            [
                LifeStep(life=last, action=t.action, from_status=t.source[0], to_status=t.target, actor=actor)
                for t in LIFE_MACHINE.table
            ]
        )
        this = LifeMeeting.objects.create(
            org=branch, year=today.year, theme="强化担当作为,守牢安全底线", state="rectify", study="学习安全生产法律法规",
            date=max(date(today.year, 1, 1), today - timedelta(days=40)), anonymous_criticism=index == 1,
            minutes="会前征求意见12条,会上逐一开展批评与自我批评。", created_by=actor
        )  # fmt: skip
        this.participants.set(participants)
        LifeStep.objects.bulk_create(
            [
                LifeStep(life=this, action=t.action, from_status=t.source[0], to_status=t.target, actor=actor)
                for t in LIFE_MACHINE.table[:-1]
            ]
        )
        Opinion.objects.create(life=this, source="职工座谈会", count=8, summary="班前会形式单一;困难职工帮扶不及时。")
        Opinion.objects.create(life=this, source="意见箱", count=4, summary="井下食堂送饭不准时。")
        c1 = Criticism.objects.create(
            life=this,
            target_id=participants[0],
            kind="received",
            giver_id=participants[1],
            text="对三违人员帮教跟进不够。",
        )
        c2 = Criticism.objects.create(life=this, target_id=participants[1], kind="self", text="学习不够系统。")
        member_person = ctx.accounts["member"].person_id if "member" in ctx.accounts else None
        owner3 = member_person if index == 0 and member_person in participants else participants[-1]
        Rectification.objects.bulk_create(
            [
                Rectification(life=this, criticism=c1, problem="三违人员帮教跟进不够", measure="建立帮教台账,每周回访",
                              owner_id=participants[0], deadline=today + timedelta(days=20)),
                Rectification(life=this, criticism=c2, problem="理论学习不系统", measure="制定个人学习计划",
                              owner_id=participants[1], deadline=today - timedelta(days=5)),
                Rectification(life=this, problem="井下送饭不准时", measure="与后勤协调固定送饭时间", owner_id=owner3,
                              deadline=today + timedelta(days=10), evidence="已与后勤签订送餐时间表",
                              done_on=today - timedelta(days=1)),
            ]
        )  # fmt: skip
        appraisal = Appraisal.objects.create(org=branch, year=today.year, life=this, state="poll", created_by=actor)
        AppraisalRow.objects.bulk_create(
            [AppraisalRow(appraisal=appraisal, person_id=p, self_summary="认真履行党员义务,带头遵章守纪。",
                          mutual_notes="工作积极", votes_excellent=3 + i % 3, votes_qualified=6, votes_basic=i % 2)
             for i, p in enumerate(participants)]
        )  # fmt: skip
    committee_node = OrgNode.objects.filter(path__startswith=mine.path, kind=OrgKind.COMMITTEE).order_by("path").first()
    if committee_node is not None and branches:
        now = timezone.now()
        for k, (title, days) in enumerate(
            (("关于开展安全生产月活动的通知", 10), ("关于做好年度组织生活会准备工作的通知", 1))
        ):
            notice = Notice.objects.create(
                org=committee_node,
                sender=committee_user,
                title=title,
                body="各党支部:请按要求认真组织,按时报送情况。",
                sent_on=today - timedelta(days=days),
            )
            NoticeReceipt.objects.bulk_create(
                [
                    NoticeReceipt(
                        notice=notice,
                        org=b,
                        read_at=now if (i + k) % 3 == 0 and i else None,
                        read_by=committee_user if (i + k) % 3 == 0 and i else None,
                    )
                    for i, b in enumerate(branches)
                ]
            )
        Report.objects.create(
            org=branches[0], author=actor, title="关于职工反映井下送饭问题的情况报告",
            body="近期职工反映井下送饭不准时,支部已与后勤协调,请党委协调解决送餐车辆。",
            submitted_at=now - timedelta(days=6), reply="已协调后勤增加一辆送餐车。", replied_by=committee_user,
            replied_at=now - timedelta(days=2)
        )  # fmt: skip
        Report.objects.create(
            org=branches[0], author=actor, title="本月安全生产与思想动态情况", body="本月无三违,职工思想稳定。"
        )
    ctx.log(f"班子建设: {len(branches)} 个支部, {meetings} 次支委会")
