"""六个反问 self-inspection (SPEC §5): per branch and period, six answers with evidence from the records, measures
with 目标/任务/措施/期限 tracked to the next period, and the committee's review with its history."""

from django.conf import settings
from django.db import models

from common.models import TransitionEvent
from orgs.models import OrgNode
from scorecard import access

QUESTIONS = {
    1: (
        "党建工作是否真正融入中心、贴合实际",
        "两张皮",
        "防止“就党建抓党建”“离开主业抓党建”,找准党建与安全生产、经营管理的结合部、契合点,做实功、求实效。",
    ),
    2: (
        "在安全生产标准化建设中是否真正尽职尽责、尽心尽力",
        "差不多就行",
        "摒弃“只求过得去、不求过得硬”的凑付心理、过关心态,打通工作落实“最后一公里”。",
    ),
    3: (
        "到底会干不会干,能不能干好",
        "假把式",
        "摒弃“光说不干、光学不练,瞎忙活、乱指挥”,敢于定目标、定任务、定措施、定期限,用效率、业绩、成效说话。",
    ),
    4: (
        "是否真正怀有攻坚克难、积极作为的觉悟与担当",
        "畏难发愁",
        "摒弃“畏难发愁、拈轻怕重、不思进取、安于现状”,树立“准备大于生产、流程高于制度”的理念。",
    ),
    5: (
        "信访稳定工作是否真正做到了万无一失",
        "躲事捂事",
        "杜绝“躲事捂事怕出事、问题上交、推诿扯皮”,稳住人、管住事,确保小事不出区、大事不出矿。",
    ),
    6: (
        "是否在维护班子团结、凝聚班子合力方面真正发挥作用",
        "老好人",
        "摒弃“不敢抓、不敢管、怕得罪人、一团和气”的“老好人”思想,刚柔并济,提升管理艺术。",
    ),
}


class PeriodKind(models.TextChoices):
    MONTH = "month", "月度"
    QUARTER = "quarter", "季度"


class PeriodQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access.mine_q(user, "selfcheck"))


class Period(models.Model):
    """A self-inspection period the committee sets for its mine."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    kind = models.CharField("周期", max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    name = models.CharField("名称", max_length=40)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    due = models.DateField("提交期限")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="设定人"
    )

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-pk"]
        constraints = [models.UniqueConstraint(fields=["mine", "start", "end"], name="selfcheck_period_once")]
        verbose_name = verbose_name_plural = "自查周期"

    def __str__(self):
        return self.name


class Status(models.TextChoices):
    DRAFT = "draft", "填写中"
    SUBMITTED = "submitted", "已提交待审阅"
    RETURNED = "returned", "退回修改"
    ACCEPTED = "accepted", "已审阅"


class InspectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access.branch_q(user, "branch"))


class Inspection(models.Model):
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="inspections", verbose_name="自查周期")
    branch = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="党支部")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    evidence = models.JSONField("提交时的数据依据", default=dict, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-period__start", "branch__path"]
        constraints = [models.UniqueConstraint(fields=["period", "branch"], name="selfcheck_inspection_once")]
        verbose_name = verbose_name_plural = "六个反问自查"

    def __str__(self):
        return f"{self.branch} {self.period} 自查"


class SelfRating(models.TextChoices):
    GOOD = "good", "好"
    FAIRLY = "fairly", "较好"
    FAIR = "fair", "一般"
    POOR = "poor", "差"


class Answer(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers", verbose_name="自查")
    question = models.PositiveSmallIntegerField("反问", choices=[(k, v[0]) for k, v in QUESTIONS.items()])
    rating = models.CharField("自评", max_length=10, choices=SelfRating.choices, blank=True)
    narrative = models.TextField("查摆情况", blank=True)

    class Meta:
        ordering = ["inspection_id", "question"]
        constraints = [models.UniqueConstraint(fields=["inspection", "question"], name="selfcheck_answer_once")]
        verbose_name = verbose_name_plural = "反问回答"

    def __str__(self):
        return f"第{self.question}问"


class MeasureQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access.branch_q(user, "inspection__branch"))


class Measure(models.Model):
    """A problem found and its four 定: 目标, 任务, 措施, 期限 — a 待办 until done, judged met / not met after."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="measures", verbose_name="自查")
    question = models.PositiveSmallIntegerField("反问", choices=[(k, v[0]) for k, v in QUESTIONS.items()])
    problem = models.TextField("查摆出的问题")
    goal = models.CharField("目标", max_length=200)
    task = models.CharField("任务", max_length=200)
    action = models.TextField("措施")
    due = models.DateField("期限")
    done_on = models.DateField("完成日期", null=True, blank=True)
    result = models.TextField("完成情况", blank=True)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = verbose_name_plural = "整改措施"

    def __str__(self):
        return self.goal[:30]

    def met_on(self, day):
        """True met, False not met (past its 期限 undone, or done late), None not yet judged on ``day``."""
        if self.done_on is not None:
            return self.done_on <= self.due
        return False if self.due < day else None


class Event(TransitionEvent):
    """The history: each submission, return, acceptance and comment (written by ``common.workflow``)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="events", verbose_name="自查")

    class Meta(TransitionEvent.Meta):
        verbose_name = verbose_name_plural = "自查流转记录"

    def __str__(self):
        return f"自查 #{self.inspection_id}: {self.action}"
