"""六个反问 self-inspection (SPEC §5): periods, the six answers, evidence pulled from the records, measures with
目标/任务/措施/期限, and the committee's review — a state table run by ``common.workflow``."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common import workflow
from common.errors import Conflict, Forbidden, NotFound
from common.workflow import Transition
from orgs import scope
from orgs.models import OrgKind, OrgNode
from scorecard import access, indicators
from selfcheck.models import QUESTIONS, Answer, Event, Inspection, Measure, Period, PeriodKind, Status

S = Status

# which indicators are evidence for which question (the secretary does not type what the records know)
EVIDENCE = {
    1: ("H_PARTY", "V_CLEAN", "T_PASS", "T_NEWCOMER"),  # 融入中心: members' hazards, 包保 results, training results
    2: ("H_ON_TIME", "H_REPEAT"),  # 标准化: closure on time, repeats (overdue added below)
    3: ("SC_MEASURES",),  # 会干能干: measures set and met (last period's listed below)
    4: ("C_RELEASED", "C_TALK"),  # 担当: hard cases taken on (urgent tasks added below)
    5: ("S_LOCAL", "S_OVERDUE", "S_RESOLVED", "D_RESOLVED"),  # 信访稳定
    6: ("L_DECISIONS", "L_RECTIFY"),  # 班子: decisions done, rectification closed
}


def _mines(user, capability="selfcheck"):
    return access.mine_ids(user, capability)


def committee_of(user, mine):
    return scope.can(user, "scorecard_manage", mine)


def visible_periods(user):
    return Period.objects.visible_to(user).select_related("mine")


def create_period(user, *, mine: OrgNode, kind: str, start: date, end: date, due: date, name: str = ""):
    """设定自查周期 (``forms.PeriodForm``) of a mine whose committee the user is."""
    if not committee_of(user, mine):
        if _mines(user, "scorecard_manage"):
            raise ValidationError({"mine": ["请选择矿"]})
        raise Forbidden("只有本矿党委(组织部)可以设定自查周期")
    if Period.objects.filter(mine=mine, start=start, end=end).exists():
        raise ValidationError({"start": ["这个周期已经设定过了"]})
    label = name.strip() or (
        f"{start:%Y年%m月}" if kind == PeriodKind.MONTH else f"{start:%Y年}第{(start.month - 1) // 3 + 1}季度"
    )
    return Period.objects.create(mine=mine, kind=kind, name=label[:40], start=start, end=end, due=due, created_by=user)


def get_period(user, pk):
    period = visible_periods(user).filter(pk=pk).first()
    if period is None:
        raise NotFound()
    return period


def branches_for(user, period):
    """The branches of the period's mine the user reads self-inspections of."""
    return [b for b in access.branches_of(period.mine) if scope.can(user, "selfcheck", b)]


def writer_of(user, branch):
    """The branch's secretary (or a 支委) fills the self-inspection."""
    if user.is_superuser:
        return False
    paths = [p for role, p in scope.assignments_of(user) if role in ("secretary", "branch_committee")]
    return any(branch.path.startswith(p) for p in paths)


def inspection(user, period, branch_pk, create=False):
    """The branch's self-inspection of the period (made, empty, when its writer opens it)."""
    branch = OrgNode.objects.filter(pk=branch_pk, kind=OrgKind.BRANCH, path__startswith=period.mine.path).first()
    if branch is None or not scope.can(user, "selfcheck", branch):
        raise NotFound()
    found = Inspection.objects.filter(period=period, branch=branch).first()
    if found is None and create and writer_of(user, branch):
        found, _ = Inspection.objects.get_or_create(period=period, branch=branch)
    return branch, found


def get_inspection(user, pk):
    found = Inspection.objects.visible_to(user).select_related("period__mine", "branch").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


# ---------------------------------------------------------------- evidence


def evidence(branch, period, today=None):
    """{question: [(label, text, url)]} from the records of the branch and period."""
    return evidence_of_branches([branch], period, today)[branch.pk]


def evidence_of_branches(branches, period, today=None):
    """{branch pk: evidence(branch, period)} for branches of the period's mine, each indicator reckoned once for all
    of them (the API's list of drafts)."""
    from django.db.models import Count, Q

    from frontline.models import SecretaryRole, UrgentTask
    from hazards.models import Hazard

    today = today or timezone.localdate()
    as_of = min(period.end, today)
    ctx = indicators.Context(branches=list(branches), start=period.start, end=period.end, as_of=as_of)
    out = {b.pk: {q: [] for q in QUESTIONS} for b in ctx.branches}
    if not out:
        return out
    for q, codes in EVIDENCE.items():
        for code in codes:
            ind = indicators.get(code)
            if ind is None or not ind.available:
                continue
            values = ind.fn(ctx)
            for pk, items in out.items():
                v = values[pk]
                text = "无数据" if v.value is None else f"{v.value:g}{ind.unit}"
                if v.numerator is not None and v.denominator is not None:
                    text += f"({v.numerator:g} / {v.denominator:g})"
                items[q].append((ind.name, text, v.url))
    places = ctx.places()
    overdue = dict.fromkeys(out, 0)
    late = Hazard.objects.filter(location_id__in=ctx.place_ids()).overdue(as_of)
    for location, n in late.values_list("location_id").annotate(n=Count("pk")).order_by():
        overdue[places[location]] += n
    tasks = {
        branch: (led, n)
        for branch, led, n in UrgentTask.objects.filter(
            branch_id__in=list(out), date__gte=period.start, date__lte=as_of
        )
        .values_list("branch_id")
        .annotate(led=Count("pk", filter=Q(role=SecretaryRole.HANDS_ON)), n=Count("pk"))
        .order_by()
    }
    measures = _previous_measures(list(out), period)
    for pk, items in out.items():
        items[2].append(("截止日超期未整改隐患", f"{overdue[pk]} 条", f"/hazards/?branch={pk}&overdue=1"))
        led, n = tasks.get(pk, (0, 0))
        items[4].insert(
            0,
            ("急难险重任务(书记亲自上阵 / 全部)", f"{led} / {n} 项",
             f"/frontline/urgent/?branch={pk}&from={period.start}&to={as_of}"),
        )  # fmt: skip
        met, missed = measures.get(pk, ([], []))
        items[3].append(
            ("上期整改措施:按期完成 / 未完成", f"{len(met)} / {len(missed)} 项", f"/selfcheck/measures/?branch={pk}")
        )
    return out


def previous_measures(branch, period):
    """Measures of the branch's earlier self-inspections due by this period's end: (met, not met)."""
    return _previous_measures([branch.pk], period).get(branch.pk, ([], []))


def _previous_measures(branch_ids, period):
    rows = Measure.objects.filter(
        inspection__branch_id__in=branch_ids, inspection__period__start__lt=period.start, due__lte=period.end
    )
    out = {}
    for m in rows.select_related("inspection__period").order_by("due", "pk"):
        met, missed = out.setdefault(m.inspection.branch_id, ([], []))
        (met if m.met_on(period.end) else missed).append(m)
    return out


# ---------------------------------------------------------------- writing


def _require_writer(user, found):
    if not writer_of(user, found.branch):
        raise Forbidden("只有本支部书记或支委可以填写自查")
    if found.status not in (S.DRAFT, S.RETURNED):
        raise Conflict(f"自查当前状态为“{found.get_status_display()}”,不能修改")


@transaction.atomic
def save_answers(user, *, inspection_pk, answers: dict[int, tuple[str, str]]):
    """``answers`` (``forms.AnswersForm``): {question: (rating or "", narrative)} of the questions answered."""
    found = get_inspection(user, inspection_pk)
    _require_writer(user, found)
    for q, (rating, narrative) in answers.items():
        Answer.objects.update_or_create(
            inspection=found, question=q, defaults={"rating": rating or "", "narrative": narrative or ""}
        )
    return found


def add_measure(user, *, inspection_pk, question: int, problem: str, goal: str, task: str, action: str, due: date):
    """A problem found and its 目标 / 任务 / 措施 / 期限 (``forms.MeasureForm``); the 期限 not before the period."""
    found = get_inspection(user, inspection_pk)
    _require_writer(user, found)
    if due < found.period.start:
        raise ValidationError({"due": ["期限不能早于本期开始"]})
    return Measure.objects.create(
        inspection=found, question=question, problem=problem, goal=goal, task=task, action=action, due=due
    )


def complete_measure(user, *, measure_pk, done_on: date, result: str):
    """登记完成 (``forms.DoneForm``)."""
    m = Measure.objects.visible_to(user).select_related("inspection__branch").filter(pk=measure_pk).first()
    if m is None:
        raise NotFound()
    if not writer_of(user, m.inspection.branch):
        raise Forbidden("只有本支部书记或支委可以登记完成情况")
    if m.done_on is not None:
        raise Conflict("这项措施已经登记完成")
    m.done_on, m.result = done_on, result
    m.save(update_fields=["done_on", "result"])
    return m


# ---------------------------------------------------------------- the review: a state table


def _roles(user, found):
    roles = set()
    if writer_of(user, found.branch):
        roles.add("writer")
    if committee_of(user, found.period.mine):
        roles.add("committee")
    return roles


def _snapshot(ctx):
    found = ctx.obj
    unanswered = [
        q for q in QUESTIONS if not Answer.objects.filter(inspection=found, question=q).exclude(narrative="").exists()
    ]
    if unanswered:
        raise ValidationError({"answers": [f"第 {'、'.join(map(str, unanswered))} 问还没有填写查摆情况"]})
    ev = evidence(found.branch, found.period)
    ctx.changes["evidence"] = {str(q): [list(item) for item in items] for q, items in ev.items()}
    ctx.changes["submitted_at"] = ctx.now


MACHINE = workflow.Machine(
    name="自查",
    model=Inspection,
    event_model=Event,
    event_fk="inspection",
    get=get_inspection,
    roles_of=_roles,
    table=[
        Transition(
            "submit", "提交党委审阅", source=[S.DRAFT, S.RETURNED], target=S.SUBMITTED, who={"writer"}, effect=_snapshot
        ),
        Transition(
            "return", "退回修改", source=[S.SUBMITTED], target=S.RETURNED, who={"committee"}, note="请写明退回的理由"
        ),
        Transition("accept", "审阅通过", source=[S.SUBMITTED], target=S.ACCEPTED, who={"committee"}),
        Transition(
            "comment", "批注意见", source=[S.SUBMITTED, S.ACCEPTED], target=None, who={"committee"}, note="请填写意见"
        ),
    ],
)


def act(user, *, inspection_pk, action, note: str = "", version: int | None = None):
    """One step of the review (``forms.ActForm``), as the table allows."""
    return MACHINE.apply(user, inspection_pk, action, note=note, version=version)


def allowed_actions(user, found):
    return MACHINE.allowed(user, found)


def timeline(found):
    return MACHINE.timeline(found.events.select_related("actor__person"))


# ---------------------------------------------------------------- 待办


def open_measures(user):
    """Measures the user's branches still owe (a 待办 each until done)."""
    paths = [p for role, p in scope.assignments_of(user) if role in ("secretary", "branch_committee")]
    if not paths:
        return Measure.objects.none()
    return (
        Measure.objects.filter(scope.subtree_q(paths, "inspection__branch"), done_on__isnull=True)
        .select_related("inspection__branch")
        .order_by("due")[:20]
    )


def waiting_review(user):
    mines = _mines(user, "scorecard_manage")
    if not mines:
        return Inspection.objects.none()
    return Inspection.objects.filter(period__mine_id__in=mines, status=S.SUBMITTED).select_related("branch", "period")[
        :20
    ]


def to_fill(user):
    """(period, branch) pairs whose self-inspection the user should write: begun, submitted neither nor too old."""
    paths = [p for role, p in scope.assignments_of(user) if role == "secretary"]
    if not paths:
        return []
    branches = list(OrgNode.objects.filter(path__in=paths, kind=OrgKind.BRANCH))
    today = timezone.localdate()
    periods = list(Period.objects.filter(start__lte=today, due__gte=today - timedelta(days=60)).select_related("mine"))
    done = set(
        Inspection.objects.filter(branch__in=branches, status__in=(S.SUBMITTED, S.ACCEPTED)).values_list(
            "period_id", "branch_id"
        )
    )
    return [(p, b) for b in branches for p in periods if b.path.startswith(p.mine.path) and (p.pk, b.pk) not in done]
