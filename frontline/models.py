"""红领一线工作法 (SPEC §4.2): the secretary's 民情日记 with its 诉求 followed until resolved, 急难险重 tasks the
secretary led personally, and 专项工作 the party committee sends down to branches ("工作下沉")."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from common.models import TransitionEvent
from orgs import scope
from orgs.models import OrgNode

# Diary contents are sensitive (SPEC §7.2): the author secretary, the secretaries of the branch and the mine's party
# committee read them. Nobody else, whatever else they may see (not 支部委员, not 安监, not the system admin, not a
# superuser by that flag alone).
scope.register_capability("frontline_diary", {"secretary", "committee"}, superuser=False)
# who writes diary entries and follows their 诉求 (each open 诉求 is their 待办)
scope.register_capability("frontline_diary_write", {"secretary"}, superuser=False)
# who reads 急难险重 records and 专项工作 of a branch
scope.register_capability("frontline", {"admin", "committee", "secretary", "branch_committee"})
# who records 急难险重 tasks and reports 专项工作 back for the branch
scope.register_capability("frontline_branch", {"secretary", "branch_committee"})
# who sends 专项工作 down and accepts or returns the reports
scope.register_capability("frontline_review", {"committee"})


def _diary_q(user, capability="frontline_diary"):
    """Diary scope: the roles of the capability over the subtree of the entry's branch (the registry: no superuser)."""
    return scope.filter_for(user, capability, path_field="branch__path", self_field=None)


# ---------------------------------------------------------------- 民情日记


class DiaryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(_diary_q(user))

    def writable_by(self, user):
        return self.filter(_diary_q(user, "frontline_diary_write"))


class DiaryEntry(models.Model):
    """One visit of the 红领民情日记: where, whom, what was learned, what was done; its 诉求 are followed separately."""

    branch = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="党支部")
    author = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+", verbose_name="记录人")
    date = models.DateField("日期")
    place = models.CharField("地点", max_length=100)
    location = models.ForeignKey(
        "places.Location", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="井下地点"
    )
    people = models.ManyToManyField("orgs.Person", related_name="diary_entries", blank=True, verbose_name="走访对象")
    learned = models.TextField("了解到的民情")
    action = models.TextField("当场采取的措施", blank=True)
    concern = models.BooleanField("需关注", default=False)
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")
    version = models.PositiveIntegerField(default=1, verbose_name="版本")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="修改时间")

    objects = DiaryQuerySet.as_manager()

    class Meta:
        verbose_name = "民情日记"
        verbose_name_plural = "民情日记"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["branch", "date"]), models.Index(fields=["date", "concern"])]

    def __str__(self):
        return f"民情日记 {self.date} {self.place}"


class RequestStatus(models.TextChoices):
    OPEN = "open", "待办理"
    HANDLING = "handling", "办理中"
    RESOLVED = "resolved", "已办结待反馈"
    CLOSED = "closed", "已反馈销号"


OPEN_REQUEST_STATUSES = (RequestStatus.OPEN, RequestStatus.HANDLING, RequestStatus.RESOLVED)


class DiaryRequest(models.Model):
    """诉求: 问题 → 办理 → 结果 → 反馈, a 待办 of the branch's secretaries until the feedback closes it."""

    entry = models.ForeignKey(DiaryEntry, on_delete=models.CASCADE, related_name="requests", verbose_name="民情日记")
    problem = models.TextField("诉求/问题")
    due = models.DateField("承诺办结日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    handling = models.TextField("办理情况", blank=True)
    result = models.TextField("办理结果", blank=True)
    feedback = models.TextField("反馈", blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, verbose_name="版本")
    token = models.CharField(
        max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌"
    )  # one 诉求 per submitted form
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    class Meta:
        verbose_name = "民情诉求"
        verbose_name_plural = "民情诉求"
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "entry"])]

    def __str__(self):
        return self.problem[:30]

    @property
    def overdue(self):
        return (
            self.status in (RequestStatus.OPEN, RequestStatus.HANDLING)
            and bool(self.due)
            and self.due < timezone.localdate()
        )


class RequestEvent(TransitionEvent):
    request = models.ForeignKey(DiaryRequest, on_delete=models.CASCADE, related_name="events", verbose_name="诉求")

    class Meta(TransitionEvent.Meta):
        verbose_name = verbose_name_plural = "诉求流转记录"

    def __str__(self):
        return f"诉求 #{self.request_id}: {self.action}"


class DiaryRead(models.Model):
    """One line per time an entry's contents were shown (SPEC §7.2): who, when, which entry, where."""

    user = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+", verbose_name="账号")
    entry = models.ForeignKey(DiaryEntry, on_delete=models.CASCADE, related_name="reads", verbose_name="登记")
    via = models.CharField(max_length=20, verbose_name="途径")  # page / api / pdf
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="IP 地址")
    at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name="时间")

    class Meta:
        ordering = ["-at"]
        verbose_name = verbose_name_plural = "民情日记查阅记录"

    def __str__(self):
        return f"{self.user} 查阅民情日记 #{self.entry_id}"


# ---------------------------------------------------------------- 急难险重


class BranchScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope.filter_for(user, "frontline", path_field="branch__path", self_field=None))


class UrgentKind(models.TextChoices):
    URGENT = "urgent", "急(抢险抢修)"
    HARD = "hard", "难(攻坚克难)"
    DANGEROUS = "dangerous", "险(危险作业)"
    HEAVY = "heavy", "重(重点工程)"


class SecretaryRole(models.TextChoices):
    HANDS_ON = "hands_on", "上阵亲自干"
    COMMAND = "command", "现场指挥"
    SUPPORT = "support", "协调保障"


class UrgentTask(models.Model):
    """急难险重任务 the secretary took on ("从旁边指挥看到上阵亲自干")."""

    branch = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="党支部")
    recorded_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+", verbose_name="记录人")
    title = models.CharField("任务", max_length=100)
    kind = models.CharField("类别", max_length=10, choices=UrgentKind.choices, default=UrgentKind.URGENT)
    date = models.DateField("日期")
    place = models.CharField("地点", max_length=100)
    location = models.ForeignKey(
        "places.Location", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="井下地点"
    )
    role = models.CharField("书记角色", max_length=10, choices=SecretaryRole.choices, default=SecretaryRole.HANDS_ON)
    content = models.TextField("任务经过", blank=True)
    result = models.TextField("结果")
    people = models.ManyToManyField("orgs.Person", related_name="urgent_tasks", blank=True, verbose_name="参与人员")
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "急难险重任务"
        verbose_name_plural = "急难险重任务"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["branch", "date"])]

    def __str__(self):
        return self.title


# ---------------------------------------------------------------- 专项工作


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Campaigns of the user's mines (the committee) or sent to one of the user's branches."""
        mine_side = scope.filter_for(user, "frontline", path_field="mine__path", self_field=None)
        tasks = CampaignTask.objects.visible_to(user).values("campaign_id")
        if not mine_side:  # the superuser: everything
            return self.all()
        return self.filter(mine_side | Q(pk__in=tasks))


class Campaign(models.Model):
    """专项工作 (e.g. 双化双提): the committee sends it to branches with a deadline; each branch reports back."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    title = models.CharField("标题", max_length=100)
    description = models.TextField("工作要求")
    deadline = models.DateField("上报期限")
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+", verbose_name="下发人")
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "专项工作"
        verbose_name_plural = "专项工作"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title


class TaskStatus(models.TextChoices):
    SENT = "sent", "待上报"
    REPORTED = "reported", "待审核"
    ACCEPTED = "accepted", "已通过"
    RETURNED = "returned", "已退回"


TO_REPORT = (TaskStatus.SENT, TaskStatus.RETURNED)


class TaskQuerySet(BranchScopedQuerySet):
    def overdue(self, today=None):
        return self.filter(status__in=TO_REPORT, campaign__deadline__lt=today or timezone.localdate())


class CampaignTask(models.Model):
    """One branch's part of a 专项工作: sent → reported → accepted, or returned → reported again."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tasks", verbose_name="专项工作")
    branch = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="党支部")
    status = models.CharField("状态", max_length=10, choices=TaskStatus.choices, default=TaskStatus.SENT)
    report = models.TextField("上报内容", blank=True)
    reported_at = models.DateTimeField("上报时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, verbose_name="版本")

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "专项工作任务"
        verbose_name_plural = "专项工作任务"
        ordering = ["campaign_id", "branch_id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "branch"], name="campaign_task_once_per_branch")]
        indexes = [models.Index(fields=["branch", "status"]), models.Index(fields=["status", "campaign"])]

    def __str__(self):
        return f"{self.campaign.title} · {self.branch.name}"

    @property
    def deadline(self):
        return self.campaign.deadline

    @property
    def overdue(self):
        return self.status in TO_REPORT and self.campaign.deadline < timezone.localdate()

    @property
    def late(self):
        """Reported after the deadline (derived)."""
        return bool(self.reported_at) and timezone.localdate(self.reported_at) > self.campaign.deadline


class TaskEvent(TransitionEvent):
    task = models.ForeignKey(CampaignTask, on_delete=models.CASCADE, related_name="events", verbose_name="任务")

    class Meta(TransitionEvent.Meta):
        verbose_name = verbose_name_plural = "专项任务流转记录"

    def __str__(self):
        return f"任务 #{self.task_id}: {self.action}"


class TaskAttachment(models.Model):
    task = models.ForeignKey(CampaignTask, on_delete=models.CASCADE, related_name="attachments", verbose_name="任务")
    event = models.ForeignKey(
        TaskEvent, on_delete=models.CASCADE, null=True, related_name="attachments", verbose_name="流转记录"
    )
    file = models.FileField(upload_to="frontline/%Y/%m/", verbose_name="文件")
    name = models.CharField(max_length=120, verbose_name="文件名")
    size = models.PositiveIntegerField(default=0, verbose_name="大小(字节)")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    class Meta:
        ordering = ["pk"]
        verbose_name = verbose_name_plural = "专项任务附件"

    def __str__(self):
        return self.name or f"附件 #{self.pk}"
