"""矿区和谐维稳 (SPEC §4.6): the unstable-factor register, petitions (信访) with their legal clock, emergency plans
and drills, and the optional health monitoring of a mine.

Factor and petition contents are sensitive (SPEC §7.2): read through ``visible_to`` (``stability/access.py``), only
by the branch secretary and the mine's party committee over their subtree, never by a person a 检举控告 accuses, and
every read of the contents is logged (``ContentRead``).
"""

from django.conf import settings
from django.db import models

from common.models import TransitionEvent
from orgs import scope
from orgs.models import OrgNode, Person

# ---------------------------------------------------------------- settings


class StabilitySettings(models.Model):
    """A mine's numbers. The defaults are those of 《信访工作条例》(2022), 《生产安全事故应急条例》(2019) and
    《生产安全事故应急预案管理办法》; a mine changes them only when its own rules are stricter."""

    mine = models.OneToOneField(OrgNode, on_delete=models.CASCADE, related_name="+", verbose_name="矿")
    major_people = models.PositiveSmallIntegerField("人数达到即为重大(人)", default=10)
    follow_up_days = models.PositiveSmallIntegerField("重大因素书记跟踪间隔(天)", default=7)
    accept_days = models.PositiveSmallIntegerField("受理告知期限(日)", default=15)
    handle_days = models.PositiveSmallIntegerField("办理期限(日,自受理)", default=60)
    extend_days = models.PositiveSmallIntegerField("延期最多(日,一次)", default=30)
    review_request_days = models.PositiveSmallIntegerField("请求复查/复核期限(日)", default=30)
    review_answer_days = models.PositiveSmallIntegerField("复查/复核答复期限(日)", default=30)
    near_days = models.PositiveSmallIntegerField("临期提示(剩余日)", default=5)
    roll_holidays = models.BooleanField("期限末日遇休息日顺延", default=True)
    mine_drill_months = models.PositiveSmallIntegerField("全矿演练间隔(月)", default=6)
    onsite_drill_months = models.PositiveSmallIntegerField("现场处置方案演练间隔(月)", default=6)
    plan_drill_months = models.PositiveSmallIntegerField("综合/专项预案演练间隔(月)", default=12)
    assessment_years = models.PositiveSmallIntegerField("预案评估间隔(年)", default=3)
    due_soon_days = models.PositiveSmallIntegerField("演练/评估提前提示(天)", default=30)
    health_enabled = models.BooleanField("启用健康监测", default=False)
    fever_threshold = models.DecimalField("体温异常(℃,达到)", max_digits=3, decimal_places=1, default=37.3)

    class Meta:
        verbose_name = verbose_name_plural = "维稳设置"

    def __str__(self):
        return "维稳设置"


# ---------------------------------------------------------------- access


class ContentQuerySet(models.QuerySet):
    """Factors and petitions: reading goes through ``stability.access``."""

    def visible_to(self, user):
        from stability import access

        return self.filter(access.content_q(user, self.model))


class ContentRead(models.Model):
    """One line per time a factor's or petition's contents were shown (SPEC §7.2): who, when, what, through where."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="账号")
    kind = models.CharField("类别", max_length=10, choices=[("factor", "不稳定因素"), ("petition", "信访")])
    object_id = models.PositiveBigIntegerField("记录编号")
    via = models.CharField(
        max_length=20, choices=[("page", "页面"), ("api", "接口"), ("export", "导出")], verbose_name="途径"
    )
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="IP 地址")
    at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="时间")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["kind", "object_id"])]
        verbose_name = verbose_name_plural = "维稳内容查看记录"

    def __str__(self):
        return f"{self.user} 查看{self.get_kind_display()} #{self.object_id}"


# ---------------------------------------------------------------- unstable factors


class Severity(models.TextChoices):
    GENERAL = "general", "一般"
    SERIOUS = "serious", "较大"
    MAJOR = "major", "重大"


class FactorStatus(models.TextChoices):
    CONTROL = "control", "在控"
    RESOLVED = "resolved", "已化解"
    REPORTED = "reported", "已上报"


class Factor(models.Model):
    """不稳定因素: a matter that could unsettle people, kept under control until it is resolved or passed up."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="支部/单位")
    title = models.CharField("名称", max_length=100)
    description = models.TextField("情况描述")
    people_count = models.PositiveIntegerField("涉及人数", default=1)
    people = models.ManyToManyField(Person, blank=True, related_name="+", verbose_name="涉及人员")
    extent = models.CharField("涉及范围", max_length=200, blank=True)
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices, default=Severity.GENERAL)
    leader = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="包案领导"
    )
    plans = models.ManyToManyField("EmergencyPlan", blank=True, related_name="factors", verbose_name="关联预案")
    status = models.CharField("状态", max_length=10, choices=FactorStatus.choices, default=FactorStatus.CONTROL)
    found_on = models.DateField("发现日期")
    closed_on = models.DateField("化解/上报日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    version = models.PositiveIntegerField(default=1, verbose_name="版本")
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["-found_on", "-pk"]
        indexes = [models.Index(fields=["mine", "status"]), models.Index(fields=["org", "status"])]
        verbose_name = "不稳定因素"
        verbose_name_plural = "不稳定因素台账"

    def __str__(self):
        return f"不稳定因素:{self.title}"

    def get_absolute_url(self):
        return f"/stability/factors/{self.pk}/"

    @property
    def open(self):
        return self.status == FactorStatus.CONTROL


class FactorMeasure(models.Model):
    """稳控措施 with its owner, open until done."""

    factor = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="measures", verbose_name="不稳定因素")
    text = models.CharField("措施", max_length=200)
    owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="责任人"
    )
    due = models.DateField("期限", null=True, blank=True)
    done_on = models.DateField("落实日期", null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = verbose_name_plural = "稳控措施"

    def __str__(self):
        return self.text[:30]


class FactorTrend(models.TextChoices):
    EASING = "easing", "趋缓"
    STEADY = "steady", "平稳"
    RISING = "rising", "升级"


class Assessment(models.Model):
    """研判: what the branch judged on a day, and where the matter is heading."""

    factor = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="assessments", verbose_name="不稳定因素")
    date = models.DateField("研判日期")
    judgement = models.TextField("研判意见")
    trend = models.CharField("趋势", max_length=10, choices=FactorTrend.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = verbose_name_plural = "研判记录"

    def __str__(self):
        return f"{self.date:%Y-%m-%d} 研判"


class FollowUp(models.Model):
    """The secretary's own entry on a major factor (亲自过问、动态跟踪): what they did or learned that day."""

    factor = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="follow_ups", verbose_name="不稳定因素")
    date = models.DateField("日期")
    text = models.TextField("跟踪情况")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="书记")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["factor", "date"])]
        verbose_name = verbose_name_plural = "书记跟踪记录"

    def __str__(self):
        return f"{self.date:%Y-%m-%d} 书记跟踪"


class FactorEvent(TransitionEvent):
    """One recorded step of a factor (who, when, from, to, note; SPEC §7.1), written by ``common.workflow``."""

    factor = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="events", verbose_name="不稳定因素")

    class Meta(TransitionEvent.Meta):
        verbose_name = verbose_name_plural = "不稳定因素流转记录"

    def __str__(self):
        return f"不稳定因素 #{self.factor_id}: {self.action}"


# ---------------------------------------------------------------- petitions (信访)


class Channel(models.TextChoices):
    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    PHONE = "phone", "电话"
    ONLINE = "online", "网上信访"
    OTHER = "other", "其他"


class PetitionClass(models.TextChoices):
    ADVICE = "advice", "建议意见"
    ACCUSATION = "accusation", "检举控告"
    CLAIM = "claim", "申诉求决"


class PetitionStatus(models.TextChoices):
    RECEIVED = "received", "已登记"
    ACCEPTED = "accepted", "办理中"
    DECLINED = "declined", "不予受理"
    ANSWERED = "answered", "已办结"
    SUSPENDED = "suspended", "中止"
    REVIEWING = "reviewing", "复查中"
    REVIEWED = "reviewed", "复查已答复"
    RECHECKING = "rechecking", "复核中"
    RECHECKED = "rechecked", "复核已答复"


class Level(models.TextChoices):
    TEAM = "team", "班组"
    UNIT = "unit", "区队"
    MINE = "mine", "矿"
    ABOVE = "above", "上级"


LOCAL_LEVELS = (Level.TEAM, Level.UNIT, Level.MINE)  # 小事不出区、大事不出矿


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    FAIR = "fair", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class Petition(models.Model):
    """信访事项: from receipt through acceptance, handling, answer and the 复查 / 复核 a petitioner may ask for."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="支部/单位")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    klass = models.CharField("类别", max_length=12, choices=PetitionClass.choices)
    received_on = models.DateField("收到日期")
    petitioner_names = models.CharField("信访人", max_length=200)
    people_count = models.PositiveIntegerField("人数", default=1)
    petitioners = models.ManyToManyField(Person, blank=True, related_name="+", verbose_name="信访人(职工)")
    matter = models.TextField("信访事项")
    accused = models.ManyToManyField(Person, blank=True, related_name="+", verbose_name="被检举控告人")
    factor = models.ForeignKey(
        Factor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="petitions",
        verbose_name="关联不稳定因素",
    )
    status = models.CharField("状态", max_length=12, choices=PetitionStatus.choices, default=PetitionStatus.RECEIVED)
    accepted_on = models.DateField("书面告知受理日期", null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField("延期(日)", default=0)
    extension_reason = models.CharField("延期理由", max_length=300, blank=True)
    extension_approved_by = models.CharField("延期批准人", max_length=60, blank=True)
    extension_told_on = models.DateField("告知信访人延期日期", null=True, blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    result = models.TextField("办理结果", blank=True)
    level = models.CharField("化解层级", max_length=10, choices=Level.choices, blank=True)
    satisfaction = models.CharField("满意度", max_length=12, choices=Satisfaction.choices, blank=True)
    review_requested_on = models.DateField("请求复查日期", null=True, blank=True)
    review_answered_on = models.DateField("复查答复日期", null=True, blank=True)
    recheck_requested_on = models.DateField("请求复核日期", null=True, blank=True)
    recheck_answered_on = models.DateField("复核答复日期", null=True, blank=True)
    suspended_on = models.DateField("中止日期", null=True, blank=True)
    paused_days = models.PositiveSmallIntegerField("中止日数", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    version = models.PositiveIntegerField(default=1, verbose_name="版本")
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["mine", "status"]),
            models.Index(fields=["org", "received_on"]),
            models.Index(fields=["org", "answered_on"]),
        ]
        verbose_name = "信访事项"
        verbose_name_plural = "信访台账"

    def __str__(self):
        return f"信访 {self.received_on:%Y-%m-%d} {self.get_klass_display()}"

    def get_absolute_url(self):
        return f"/stability/petitions/{self.pk}/"


class PetitionEvent(TransitionEvent):
    """One recorded step of a petition, written by ``common.workflow``."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events", verbose_name="信访事项")

    class Meta(TransitionEvent.Meta):
        verbose_name = verbose_name_plural = "信访流转记录"

    def __str__(self):
        return f"信访 #{self.petition_id}: {self.action}"


# ---------------------------------------------------------------- emergency plans and drills


class PlanKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", "综合应急预案"
    SPECIAL = "special", "专项应急预案"
    ONSITE = "onsite", "现场处置方案"


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Plans are not sensitive: whoever reads plans anywhere in a mine reads all of that mine's plans (a branch
        works under the mine's 综合/专项 plans as much as under its own 现场处置方案)."""
        if user is not None and user.is_authenticated and user.is_superuser:
            return self
        from stability import access

        mines = access.mines_of_paths(scope.subtree_paths(user, "stability_plans_read") if access._active(user) else [])
        return self.filter(mine__in=mines.values("pk"))


class EmergencyPlan(models.Model):
    """应急预案: a document of the mine or one of its units, with its version and when it was last assessed."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="编制单位")
    title = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=15, choices=PlanKind.choices)
    version = models.CharField("版本", max_length=20, default="1.0")
    extent = models.CharField("适用范围", max_length=200)
    owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="责任人"
    )
    issued_on = models.DateField("发布日期")
    assessed_on = models.DateField("最近评估日期", null=True, blank=True)
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "title", "pk"]
        verbose_name = "应急预案"
        verbose_name_plural = "应急预案"

    def __str__(self):
        return f"{self.title}(第{self.version}版)"

    def get_absolute_url(self):
        return f"/stability/plans/{self.pk}/"


class PlanVersion(models.Model):
    """A past version of a plan, kept when it is revised."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="versions", verbose_name="预案")
    version = models.CharField("版本", max_length=20)
    issued_on = models.DateField("发布日期")
    replaced_on = models.DateField("修订日期")
    note = models.CharField("修订说明", max_length=300, blank=True)

    class Meta:
        ordering = ["-replaced_on", "-pk"]
        verbose_name = verbose_name_plural = "预案历史版本"

    def __str__(self):
        return f"第{self.version}版"


class TriggerReason(models.TextChoices):
    RISK = "risk", "面临的风险发生重大变化"
    LAW = "law", "依据的法律法规、标准发生变化"
    ORG = "org", "应急指挥机构及职责调整"
    DRILL = "drill", "演练或应急处置中发现重大问题"
    RESOURCE = "resource", "重要应急资源发生重大变化"
    OTHER = "other", "其他"


class RevisionTrigger(models.Model):
    """A reason recorded for revising a plan: a 待办 until the plan is revised."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="triggers", verbose_name="预案")
    reason = models.CharField("修订原因", max_length=10, choices=TriggerReason.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_on = models.DateField("记录日期")
    resolved_on = models.DateField("已修订日期", null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人")

    class Meta:
        ordering = ["-recorded_on", "-pk"]
        verbose_name = verbose_name_plural = "预案修订事由"

    def __str__(self):
        return self.get_reason_display()


class Drill(models.Model):
    """An exercise of a plan. ``whole_mine`` marks the mine's own drill (at least every half year)."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.PROTECT, related_name="drills", verbose_name="预案")
    date = models.DateField("演练日期")
    whole_mine = models.BooleanField("全矿演练", default=False)
    participants = models.PositiveIntegerField("参演人数", default=0)
    summary = models.TextField("演练情况", blank=True)
    problems = models.TextField("发现的问题", blank=True)
    major_problem = models.BooleanField("发现重大问题(需修订预案)", default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人")
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["plan", "date"])]
        verbose_name = verbose_name_plural = "应急演练"

    def __str__(self):
        return f"{self.date:%Y-%m-%d} 演练"


# ---------------------------------------------------------------- health monitoring


class TemperatureQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope.filter_for(user, "stability_health", path_field="team__path", self_field="person_id"))


class Shift(models.TextChoices):
    MORNING = "morning", "早班"
    MIDDLE = "middle", "中班"
    NIGHT = "night", "夜班"


class Temperature(models.Model):
    """One person's temperature at shift start, entered by the 班组长 for the whole team."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name="职工")
    team = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="班组")
    date = models.DateField("日期")
    shift = models.CharField("班次", max_length=10, choices=Shift.choices)
    value = models.DecimalField("体温(℃)", max_digits=3, decimal_places=1)
    followed_on = models.DateField("跟进日期", null=True, blank=True)
    follow_note = models.CharField("跟进情况", max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人")

    objects = TemperatureQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "team_id", "person_id"]
        indexes = [models.Index(fields=["team", "date"])]
        constraints = [
            models.UniqueConstraint(fields=["person", "date", "shift"], name="stability_one_temperature_per_shift")
        ]
        verbose_name = verbose_name_plural = "体温检测"

    def __str__(self):
        return f"{self.person.name} {self.date:%Y-%m-%d} {self.value}℃"


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope.filter_for(user, "stability_health", path_field="org__path", self_field=None))


class Campaign(models.Model):
    """排查筛查: a screening of the people of a unit (or the mine) over a few days."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="对象单位")
    title = models.CharField("名称", max_length=100)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="组织人")

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = verbose_name_plural = "筛查"

    def __str__(self):
        return self.title


class ScreenResult(models.TextChoices):
    NORMAL = "normal", "正常"
    ABNORMAL = "abnormal", "异常"


class CampaignResult(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="results", verbose_name="筛查")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name="职工")
    date = models.DateField("日期")
    result = models.CharField("结果", max_length=10, choices=ScreenResult.choices)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "person"], name="stability_one_result_per_person")]
        verbose_name = verbose_name_plural = "筛查结果"

    def __str__(self):
        return f"{self.person.name} {self.get_result_display()}"


# Contents (factors, petitions) answer only to these roles over their subtree; administrators get nothing here.
scope.register_capability("stability_read", {"secretary", "committee"}, superuser=False)
scope.register_capability("stability_manage", {"secretary", "committee"}, superuser=False)
scope.register_capability(
    "stability_plans_read", {"admin", "committee", "safety", "secretary", "branch_committee", "team_leader"}
)
scope.register_capability("stability_plans", {"committee", "safety", "secretary"})
scope.register_capability("stability_health", {"committee", "secretary", "team_leader"})
scope.register_capability("stability_settings", {"committee", "admin"})
