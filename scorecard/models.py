"""履职评价 (SPEC §6): schemes the committee sets per period, scoring runs stored with what they were computed from,
and the anonymous 二十字好干部 evaluation. The indicators themselves are code (``scorecard.library``)."""

import uuid

from django.conf import settings
from django.db import models

from orgs.models import OrgNode
from scorecard import access


class SchemeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access.mine_q(user))


class Scheme(models.Model):
    """A mine's scheme for one period: its parts (计算指标, 录入评分, 否决项, 加分项), weights and targets."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    name = models.CharField("方案名称", max_length=60)
    start = models.DateField("考核期开始")
    end = models.DateField("考核期结束")
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="设定人"
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = SchemeQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-pk"]
        verbose_name = verbose_name_plural = "考核方案"

    def __str__(self):
        return f"{self.name}({self.start:%Y-%m-%d}至{self.end:%Y-%m-%d})"


class ComponentKind(models.TextChoices):
    COMPUTED = "computed", "指标计算"
    ENTERED = "entered", "录入评分"
    EVALUATION = "evaluation", "二十字测评"
    VETO = "veto", "否决项"
    BONUS = "bonus", "加分项"


class Component(models.Model):
    """A part of a scheme: e.g. 月度考核 30 % (computed from the indicators), 实地考核 30 % (entered with evidence)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="components", verbose_name="考核方案")
    name = models.CharField("名称", max_length=40)
    kind = models.CharField("类型", max_length=12, choices=ComponentKind.choices)
    weight = models.PositiveSmallIntegerField("权重(%)", default=0)
    max_points = models.DecimalField("加分上限", max_digits=5, decimal_places=1, default=0)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["scheme_id", "order", "pk"]
        verbose_name = verbose_name_plural = "方案组成"

    def __str__(self):
        return f"{self.name}({self.get_kind_display()})"


class SchemeIndicator(models.Model):
    """An indicator of a computed part, with its weight inside the part and the target for this period."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="indicators", verbose_name="组成")
    code = models.CharField("指标编码", max_length=30)
    weight = models.PositiveSmallIntegerField("权重", default=1)
    target = models.FloatField("目标值", null=True, blank=True)

    class Meta:
        ordering = ["component_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["component", "code"], name="scheme_indicator_once")]
        verbose_name = verbose_name_plural = "方案指标"

    def __str__(self):
        return f"{self.code} × {self.weight}"


class ManualScoreQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access.branch_q(user))


class ManualScore(models.Model):
    """The committee's entry for a branch: a score 0–100 (录入评分), bonus points (加分项) or a veto (否决项), always
    with its evidence."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="scores", verbose_name="组成")
    branch = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="党支部")
    score = models.DecimalField("得分/加分", max_digits=5, decimal_places=1, null=True, blank=True)
    vetoed = models.BooleanField("否决", default=False)
    evidence = models.TextField("依据")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    entered_at = models.DateTimeField("录入时间")

    objects = ManualScoreQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["component", "branch"], name="manual_score_once")]
        verbose_name = verbose_name_plural = "录入评分"

    def __str__(self):
        return f"{self.branch} · {self.component.name}"


class IndicatorVersion(models.Model):
    """Each formula an indicator has had: a changed formula (its code or its text) is a new version."""

    code = models.CharField("指标编码", max_length=30)
    version = models.CharField("版本", max_length=16)
    name = models.CharField("名称", max_length=40)
    formula = models.TextField("计算公式")
    responsibility = models.PositiveSmallIntegerField("第一责任")
    first_used_at = models.DateTimeField("首次使用", auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="indicator_version_once")]
        verbose_name = verbose_name_plural = "指标版本"

    def __str__(self):
        return f"{self.name} v{self.version}"


class RunQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access.mine_q(user, field="scheme__mine"))


class Run(models.Model):
    """A scoring run: the figures as computed on ``as_of``, with the indicator versions, the weights and a
    fingerprint of every input (records read and scores entered)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="runs", verbose_name="考核方案")
    as_of = models.DateField("数据截止日")
    fingerprint = models.CharField("输入指纹", max_length=64)
    versions = models.JSONField("指标版本", default=dict)
    weights = models.JSONField("权重与目标", default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="计算人"
    )
    created_at = models.DateTimeField("计算时间", auto_now_add=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "评分结果"

    def __str__(self):
        return f"{self.scheme.name} 第{self.pk}次计算"


class RunRowQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access.branch_q(user)).filter(access.mine_q(user, field="run__scheme__mine"))


class RunBranch(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="rows", verbose_name="评分结果")
    branch = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="党支部")
    secretary = models.CharField("支部书记", max_length=60, blank=True)
    total = models.FloatField("总分", null=True)
    rank = models.PositiveSmallIntegerField("名次", null=True)
    vetoed = models.BooleanField("被否决", default=False)
    bonus = models.FloatField("加分", default=0)
    components = models.JSONField("各部分得分", default=dict)
    responsibilities = models.JSONField("六项责任得分", default=dict)

    objects = RunRowQuerySet.as_manager()

    class Meta:
        ordering = ["run_id", "rank", "branch_id"]
        verbose_name = verbose_name_plural = "支部得分"

    def __str__(self):
        return f"{self.branch} 得分"


class RunFigure(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="figures", verbose_name="评分结果")
    branch = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="党支部")
    code = models.CharField("指标编码", max_length=30)
    value = models.FloatField("指标值", null=True)
    numerator = models.FloatField("分子", null=True)
    denominator = models.FloatField("分母", null=True)
    score = models.FloatField("得分", null=True)
    digest = models.CharField("输入摘要", max_length=64)
    url = models.CharField("明细链接", max_length=300, blank=True)

    objects = RunRowQuerySet.as_manager()

    class Meta:
        ordering = ["run_id", "branch_id", "code"]
        indexes = [models.Index(fields=["run", "branch"])]
        verbose_name = verbose_name_plural = "指标结果"

    def __str__(self):
        return f"{self.branch} {self.code}"


# ---------------------------------------------------------------- 二十字好干部 evaluation


class RoundStatus(models.TextChoices):
    OPEN = "open", "测评中"
    CLOSED = "closed", "已结束"


class RoundQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access.branch_q(user))


class Round(models.Model):
    """A round in which a branch's members rate their secretary against the 二十字好干部标准."""

    branch = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="党支部")
    secretary = models.CharField("被测评书记", max_length=60)
    title = models.CharField("名称", max_length=60)
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    status = models.CharField("状态", max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    min_answers = models.PositiveSmallIntegerField("最少答卷数", default=5)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发起人"
    )

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = verbose_name_plural = "好干部测评"

    def __str__(self):
        return self.title


class Voter(models.Model):
    """Who may vote in a round, and whether they have: nothing else (no time, no answer)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="voters", verbose_name="测评")
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+", verbose_name="党员")
    voted = models.BooleanField("已投票", default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="voter_once")]
        verbose_name = verbose_name_plural = "测评人"

    def __str__(self):
        return f"{self.person.name}({'已投票' if self.voted else '未投票'})"


class Rating(models.IntegerChoices):
    GOOD = 4, "好"
    FAIRLY = 3, "较好"
    FAIR = 2, "一般"
    POOR = 1, "差"


CRITERIA = (
    ("belief", "信念坚定"),
    ("service", "为民服务"),
    ("diligence", "勤政务实"),
    ("courage", "敢于担当"),
    ("integrity", "清正廉洁"),
)


class Ballot(models.Model):
    """One answer. By construction it names no one: no person, account, session, address or time; the key is random
    so the rows carry no voting order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name="编号")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ballots", verbose_name="测评")
    belief = models.PositiveSmallIntegerField("信念坚定", choices=Rating.choices)
    service = models.PositiveSmallIntegerField("为民服务", choices=Rating.choices)
    diligence = models.PositiveSmallIntegerField("勤政务实", choices=Rating.choices)
    courage = models.PositiveSmallIntegerField("敢于担当", choices=Rating.choices)
    integrity = models.PositiveSmallIntegerField("清正廉洁", choices=Rating.choices)
    overall = models.PositiveSmallIntegerField("总体评价", choices=Rating.choices)
    comment = models.TextField("意见建议", blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "测评票"

    def __str__(self):
        return "测评票"
