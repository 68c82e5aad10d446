"""三违 (violations) and 帮教 (help-teach) — SPEC §4.2.

A violation is recorded against a person at a place; its severity decides the default points, the 帮教 steps to
walk through and whether a re-exam is required. The person may appeal within the mine's window; an appeal upheld
revokes the violation (it no longer counts anywhere: ``Violation.objects.effective()``).
"""

from django.db import models

from common.models import TransitionEvent
from orgs import scope
from orgs.models import OrgNode


class ViolationKind(models.TextChoices):
    COMMAND = "command", "违章指挥"
    OPERATION = "operation", "违章作业"
    DISCIPLINE = "discipline", "违反劳动纪律"


DEFAULT_HELP_STEPS = ["班组长谈话", "区队长谈话", "书记谈话", "家属联保", "停工培训"]
DEFAULT_SEVERITIES = (
    # name, serious, default points, default fine, 帮教 steps, re-exam
    ("一般", False, 2, 50, ["班组长谈话", "区队长谈话"], False),
    ("严重", True, 6, 200, DEFAULT_HELP_STEPS, True),
)


class Severity(models.Model):
    """A mine's severity levels (default 一般 / 严重): points, fine, the 帮教 steps and whether a re-exam follows."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    name = models.CharField("严重程度", max_length=20)
    serious = models.BooleanField("按严重三违对待", default=False)
    points = models.PositiveSmallIntegerField("默认扣分", default=0)
    fine = models.DecimalField("默认罚款(元)", max_digits=10, decimal_places=2, default=0)
    help_steps = models.JSONField("帮教步骤", default=list, blank=True)
    requires_reexam = models.BooleanField("须复考", default=False)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["mine_id", "order"]
        verbose_name = "三违严重程度"
        constraints = [models.UniqueConstraint(fields=["mine", "name"], name="severity_name_unique_per_mine")]

    def __str__(self):
        return self.name


class AppealRole(models.TextChoices):
    SAFETY = "safety", "安监员"
    COMMITTEE = "committee", "党委"
    SECRETARY = "secretary", "支部书记"
    ADMIN = "admin", "管理员"


class ViolationRules(models.Model):
    """Per mine: whether appeals are allowed, within how many days, and which role decides them."""

    mine = models.OneToOneField(OrgNode, on_delete=models.CASCADE, related_name="violation_rules", verbose_name="矿")
    appeals_allowed = models.BooleanField("允许申诉", default=True)
    appeal_days = models.PositiveSmallIntegerField("申诉期限(天)", default=3)
    appeal_role = models.CharField("申诉裁决角色", max_length=20, choices=AppealRole.choices, default=AppealRole.SAFETY)

    class Meta:
        verbose_name = verbose_name_plural = "三违设置"

    def __str__(self):
        return "三违设置"


class ViolationStatus(models.TextChoices):
    RECORDED = "recorded", "有效"
    APPEALING = "appealing", "申诉中"
    REVOKED = "revoked", "已撤销"


class ViolationQuerySet(models.QuerySet):
    def visible_to(self, user, capability="violations"):
        """Violations of people in the user's subtrees (the person's team at the time), and the user's own.
        ``capability``: e.g. ``violations_help``, the ones whose 帮教 the user records."""
        return self.filter(scope.filter_for(user, capability, path_field="org__path", self_field="person"))

    def effective(self):
        """Violations that count: not revoked on appeal (one under appeal counts until the appeal is upheld)."""
        return self.exclude(status=ViolationStatus.REVOKED)


class Violation(models.Model):
    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    person = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="violations", verbose_name="违章人"
    )
    # the person's team when it happened: a later 转岗 does not move the record to another branch
    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="所在班组")
    occurred_on = models.DateField("违章日期")
    shift = models.ForeignKey(
        "places.Shift", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="班次"
    )
    location = models.ForeignKey(
        "places.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="violations",
        verbose_name="地点",
    )
    kind = models.CharField("类型", max_length=12, choices=ViolationKind.choices)
    severity = models.ForeignKey(Severity, on_delete=models.PROTECT, related_name="violations", verbose_name="严重程度")
    description = models.TextField("违章情况")
    clauses = models.CharField("违反条款", max_length=300, blank=True)
    points = models.PositiveSmallIntegerField("扣分", default=0)
    fine = models.DecimalField("罚款(元)", max_digits=10, decimal_places=2, default=0)
    photo = models.ImageField("照片", upload_to="violations/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    status = models.CharField("状态", max_length=12, choices=ViolationStatus.choices, default=ViolationStatus.RECORDED)
    requires_reexam = models.BooleanField("须复考", default=False)
    reexam_paper = models.ForeignKey(
        "training.ExamPaper",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="复考试卷",
    )
    version = models.PositiveIntegerField(default=1, verbose_name="版本")
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")
    external_id = models.CharField("外部编号", max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = ViolationQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = "三违"
        verbose_name_plural = "三违"
        indexes = [
            models.Index(fields=["person", "occurred_on"]),
            models.Index(fields=["location", "occurred_on"]),
            models.Index(fields=["org", "occurred_on"]),
            models.Index(fields=["mine", "occurred_on", "id"], name="violation_mine_date"),
        ]

    def __str__(self):
        return f"三违#{self.pk} {self.get_kind_display()}"


class HelpStep(models.Model):
    """One 帮教 step of a violation (e.g. 书记谈话): done on a date, by someone, with a note."""

    violation = models.ForeignKey(
        Violation, on_delete=models.CASCADE, related_name="help_steps", verbose_name="三违记录"
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name="顺序")
    name = models.CharField("帮教步骤", max_length=30)
    done_on = models.DateField("完成日期", null=True, blank=True)
    done_by = models.ForeignKey(
        "orgs.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="记录人"
    )
    note = models.CharField("情况", max_length=500, blank=True)

    class Meta:
        ordering = ["violation_id", "order"]
        verbose_name = verbose_name_plural = "帮教步骤"

    def __str__(self):
        return f"{self.name}"


class ViolationEvent(TransitionEvent):
    """The record's timeline: recorded, appealed, appeal decided, each help step, the re-exam."""

    violation = models.ForeignKey(Violation, on_delete=models.CASCADE, related_name="events", verbose_name="三违记录")

    class Meta(TransitionEvent.Meta):
        verbose_name = verbose_name_plural = "三违流转记录"

    def __str__(self):
        return f"三违 #{self.violation_id}: {self.action}"


# read violations of people in the subtree (a worker reads their own)
scope.register_capability(
    "violations", {"admin", "committee", "safety", "secretary", "branch_committee", "team_leader"}, self_too=True
)
# record violations and edit the mine's severity levels / appeal rules
scope.register_capability("violations_record", {"admin", "safety", "secretary", "team_leader"})
scope.register_capability("violations_rules", {"admin", "safety"})
# record 帮教 steps done
scope.register_capability("violations_help", {"admin", "safety", "secretary", "branch_committee", "team_leader"})
