"""基层班子建设 (SPEC §4.5): the 班子 with its 届, members and 分工; meetings with attendance, validity and decisions;
the 组织生活会 as a closed loop up to its rectification items; 民主评议党员; notices down and reports up.

Every record belongs to an org node (the 党支部, or the 区队 of an administrative team) and is read through
``visible_to(user)``, i.e. ``orgs.scope``. Overdue, validity of a meeting as shown, pairs of talks done: derived.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from leadership import rules
from orgs import scope
from orgs.models import READ_LABELS, OrgNode, Person

User = settings.AUTH_USER_MODEL


class ScopedQuerySet(models.QuerySet):
    path_field = "org__path"

    def visible_to(self, user, capability="leadership"):
        return self.filter(scope.filter_for(user, capability, path_field=self.path_field, self_field=None))


def scoped(path_field):
    return type(f"Scoped_{path_field}", (ScopedQuerySet,), {"path_field": path_field})


# ---------------------------------------------------------------- the team (班子)


class TeamKind(models.TextChoices):
    COMMITTEE = "committee", "党支部委员会"
    ADMIN = "admin", "区队行政班子"


class Team(models.Model):
    """One 届 of a unit's 班子. A new 届 closes the previous one (``closed_on``); the old one stays as history."""

    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="所属组织")
    kind = models.CharField("班子类型", max_length=12, choices=TeamKind.choices)
    number = models.PositiveSmallIntegerField("届次", default=1)
    elected_on = models.DateField("选举/组建日期")
    term_years = models.PositiveSmallIntegerField("任期(年)", null=True, blank=True)
    closed_on = models.DateField("换届日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = scoped("org__path").as_manager()

    class Meta:
        ordering = ["org_id", "kind", "-number"]
        verbose_name = verbose_name_plural = "班子"
        indexes = [models.Index(fields=["org", "kind", "closed_on"])]

    def __str__(self):
        return f"{self.org.name}第{self.number}届{self.get_kind_display()}"

    @property
    def term_ends_on(self):
        if not self.term_years:
            return None
        try:
            return self.elected_on.replace(year=self.elected_on.year + self.term_years)
        except ValueError:  # 29 February
            return self.elected_on.replace(year=self.elected_on.year + self.term_years, day=28)

    @property
    def term_due(self):
        """任期届满 and not yet replaced: 应按期换届."""
        end = self.term_ends_on
        return bool(end and not self.closed_on and end <= timezone.localdate())


COMMITTEE_POSTS = ("书记", "副书记", "组织委员", "宣传委员", "纪检委员", "青年委员", "保密委员", "委员")
ADMIN_POSTS = ("区队长", "党支部书记", "副区队长", "技术主管", "安全副区长", "成员")


class TeamMember(models.Model):
    """A person on a 班子 in a post from one day to another; a change ends the row and adds a new one."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members", verbose_name="班子")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="成员")
    post = models.CharField("职务", max_length=20)
    starts_on = models.DateField("任职日期")
    ends_on = models.DateField("离任日期", null=True, blank=True)
    end_reason = models.CharField("离任原因", max_length=100, blank=True)

    objects = scoped("team__org__path").as_manager()

    class Meta:
        ordering = ["team_id", "ends_on", "pk"]
        verbose_name = verbose_name_plural = "班子成员"

    def __str__(self):
        return f"{self.post} {self.person.name}"

    @property
    def current(self):
        return self.ends_on is None


class Duty(models.Model):
    """分工: what a member answers for, from one day to another."""

    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="duties", verbose_name="班子成员")
    area = models.CharField("分工内容", max_length=200)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        ordering = ["member_id", "starts_on", "pk"]
        verbose_name = verbose_name_plural = "分工"

    def __str__(self):
        return f"{self.member.person.name}:{self.area}"


# ---------------------------------------------------------------- meetings


class MeetingKind(models.TextChoices):
    COMMITTEE = "committee", "支委会"
    GENERAL = "general", "党员大会"
    GROUP = "group", "党小组会"
    THEME_DAY = "theme_day", "主题党日"


class Meeting(models.Model):
    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="组织")
    kind = models.CharField("会议类型", max_length=12, choices=MeetingKind.choices)
    date = models.DateField("日期")
    place = models.CharField("地点", max_length=100, blank=True)
    topic = models.CharField("主题", max_length=200)
    host = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="主持人"
    )
    minutes = models.TextField("会议记录", blank=True)
    held = models.BooleanField("已召开", default=False)
    expected = models.PositiveSmallIntegerField("应到人数", default=0)
    present = models.PositiveSmallIntegerField("实到人数", default=0)
    valid = models.BooleanField("有效(过半数到会)", default=False)  # recorded when the attendance is recorded
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="记录人")
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = scoped("org__path").as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = verbose_name_plural = "会议"
        indexes = [models.Index(fields=["org", "kind", "date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}:{self.topic}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda", verbose_name="会议")
    order = models.PositiveSmallIntegerField("序号", default=0)
    title = models.CharField("议题", max_length=200)

    class Meta:
        ordering = ["meeting_id", "order", "pk"]
        verbose_name = verbose_name_plural = "议题"

    def __str__(self):
        return self.title


class Presence(models.TextChoices):
    PRESENT = "present", "出席"
    LEAVE = "leave", "请假"
    ABSENT = "absent", "缺席"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name="会议")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="人员")
    status = models.CharField("出席情况", max_length=10, choices=Presence.choices, default=Presence.PRESENT)
    reason = models.CharField("请假/缺席原因", max_length=200, blank=True)

    class Meta:
        ordering = ["meeting_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="leadership_attendance_unique")]
        verbose_name = verbose_name_plural = "出席情况"

    def __str__(self):
        return f"{self.person.name} {self.get_status_display()}"


class DecisionMode(models.TextChoices):
    COLLECTIVE = "collective", "集体领导"
    DELEGATED = "delegated", "分工负责"


class DecisionQuerySet(ScopedQuerySet):
    path_field = "meeting__org__path"

    def open(self):
        return self.filter(done_on=None)

    def overdue(self, today=None):
        return self.filter(done_on=None, deadline__lt=today or timezone.localdate())


class Decision(models.Model):
    """A decision of a meeting: who carries it out by when; a 待办 of its owner until done."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name="会议")
    text = models.CharField("决议事项", max_length=300)
    mode = models.CharField("决策方式", max_length=12, choices=DecisionMode.choices, default=DecisionMode.COLLECTIVE)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="责任人")
    deadline = models.DateField("完成期限")
    done_on = models.DateField("完成日期", null=True, blank=True)
    done_note = models.CharField("完成情况", max_length=300, blank=True)
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = verbose_name_plural = "会议决议"
        indexes = [models.Index(fields=["done_on", "deadline"])]

    def __str__(self):
        return self.text[:40]

    @property
    def overdue(self):
        return self.done_on is None and self.deadline < timezone.localdate()


# ---------------------------------------------------------------- 组织生活会


class LifeMeeting(models.Model):
    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="党支部")
    year = models.PositiveSmallIntegerField("年度")
    theme = models.CharField("会议主题", max_length=200)
    state = models.CharField("环节", max_length=10, choices=list(rules.LIFE_STATES.items()), default="planned")
    study = models.TextField("会前学习内容", blank=True)
    date = models.DateField("召开日期", null=True, blank=True)
    participants = models.ManyToManyField(Person, related_name="+", blank=True, verbose_name="参会人员")
    anonymous_criticism = models.BooleanField("批评意见不显示提出人", default=False)
    minutes = models.TextField("会议记录", blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="创建人")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = scoped("org__path").as_manager()

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = verbose_name_plural = "组织生活会"

    def __str__(self):
        return f"{self.year}年度组织生活会:{self.theme}"


class LifeStep(models.Model):
    """A recorded transition of a 组织生活会 or a 民主评议 (who, when, from, to, note), written by ``common.workflow``."""

    life = models.ForeignKey(
        LifeMeeting, on_delete=models.CASCADE, null=True, blank=True, related_name="steps", verbose_name="组织生活会"
    )
    appraisal = models.ForeignKey(
        "Appraisal", on_delete=models.CASCADE, null=True, blank=True, related_name="steps", verbose_name="民主评议"
    )
    action = models.CharField("操作", max_length=20)
    from_status = models.CharField("原环节", max_length=10)
    to_status = models.CharField("新环节", max_length=10)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="操作人")
    at = models.DateTimeField("时间", default=timezone.now)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = verbose_name_plural = "环节记录"

    def __str__(self):
        return f"{self.get_from_label()}→{self.get_to_label()}"

    def _labels(self):
        return rules.APPRAISAL_STATES if self.appraisal_id else rules.LIFE_STATES

    def get_from_label(self):
        return self._labels().get(self.from_status, self.from_status)

    def get_to_label(self):
        return self._labels().get(self.to_status, self.to_status)


class Opinion(models.Model):
    life = models.ForeignKey(LifeMeeting, on_delete=models.CASCADE, related_name="opinions", verbose_name="组织生活会")
    source = models.CharField("征求渠道", max_length=60)
    count = models.PositiveSmallIntegerField("意见条数", default=1)
    summary = models.TextField("意见摘要")
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")

    class Meta:
        ordering = ["life_id", "pk"]
        verbose_name = verbose_name_plural = "征求意见"

    def __str__(self):
        return f"{self.source} {self.count}条"


class CriticismKind(models.TextChoices):
    SELF = "self", "自我批评"
    RECEIVED = "received", "相互批评"


class Criticism(models.Model):
    """At the meeting: a member's self-criticism, or a criticism they received (from whom). Sensitive (SPEC §7.2)."""

    life = models.ForeignKey(
        LifeMeeting, on_delete=models.CASCADE, related_name="criticisms", verbose_name="组织生活会"
    )
    target = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="被批评/自我批评人")
    kind = models.CharField("类型", max_length=10, choices=CriticismKind.choices)
    giver = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="提出人"
    )
    text = models.TextField("内容")
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")

    class Meta:
        ordering = ["life_id", "target_id", "pk"]
        verbose_name = verbose_name_plural = "批评与自我批评"

    def __str__(self):
        return f"{self.target.name} {self.get_kind_display()}"


class RectificationQuerySet(ScopedQuerySet):
    path_field = "life__org__path"

    def open(self):
        return self.filter(checked_on=None)

    def overdue(self, today=None):
        return self.filter(checked_on=None, deadline__lt=today or timezone.localdate())


class Rectification(models.Model):
    """整改事项: problem, measure, owner, deadline, evidence; closed when checked (checked by, checked on)."""

    life = models.ForeignKey(
        LifeMeeting, on_delete=models.CASCADE, related_name="rectifications", verbose_name="组织生活会"
    )
    criticism = models.ForeignKey(
        Criticism, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="来源批评意见"
    )
    problem = models.CharField("问题", max_length=300)
    measure = models.CharField("整改措施", max_length=300)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="责任人")
    deadline = models.DateField("整改期限")
    evidence = models.TextField("整改成效/佐证", blank=True)
    done_on = models.DateField("完成日期", null=True, blank=True)
    checked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="验收人"
    )
    checked_on = models.DateField("验收日期", null=True, blank=True)
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")

    objects = RectificationQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = verbose_name_plural = "整改事项"
        indexes = [models.Index(fields=["checked_on", "deadline"])]

    def __str__(self):
        return self.problem[:40]

    @property
    def overdue(self):
        return self.checked_on is None and self.deadline < timezone.localdate()

    @property
    def status_label(self):
        if self.checked_on:
            return "已销号"
        if self.done_on:
            return "待验收"
        return "已超期" if self.overdue else "整改中"


# ---------------------------------------------------------------- 民主评议党员


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


class Appraisal(models.Model):
    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="党支部")
    year = models.PositiveSmallIntegerField("年度")
    life = models.ForeignKey(
        LifeMeeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="结合组织生活会"
    )
    state = models.CharField("环节", max_length=10, choices=list(rules.APPRAISAL_STATES.items()), default="self")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="创建人")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = scoped("org__path").as_manager()

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = verbose_name_plural = "民主评议党员"

    def __str__(self):
        return f"{self.year}年度民主评议党员"


class AppraisalRow(models.Model):
    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="rows", verbose_name="民主评议")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    self_summary = models.TextField("个人自评", blank=True)
    mutual_notes = models.TextField("互评意见", blank=True)
    votes_excellent = models.PositiveSmallIntegerField("测评:优秀", default=0)
    votes_qualified = models.PositiveSmallIntegerField("测评:合格", default=0)
    votes_basic = models.PositiveSmallIntegerField("测评:基本合格", default=0)
    votes_unqualified = models.PositiveSmallIntegerField("测评:不合格", default=0)
    grade = models.CharField("评定意见", max_length=12, choices=Grade.choices, blank=True)

    class Meta:
        ordering = ["appraisal_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["appraisal", "person"], name="leadership_appraisal_row_unique")]
        verbose_name = verbose_name_plural = "评议党员"

    def __str__(self):
        return f"{self.person.name} 评议"


# ---------------------------------------------------------------- 上情下达 / 下情上传


class Notice(models.Model):
    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="发文组织")
    sender = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="发送人")
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文")
    sent_on = models.DateField("发送日期", default=timezone.localdate)
    targets = models.ManyToManyField(OrgNode, through="NoticeReceipt", related_name="+", verbose_name="接收单位")
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = scoped("org__path").as_manager()

    class Meta:
        ordering = ["-sent_on", "-pk"]
        verbose_name = verbose_name_plural = "通知"

    def __str__(self):
        return self.title


class NoticeReceipt(models.Model):
    """One receiving unit of a notice; read when someone of its leadership opened it."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts", verbose_name="通知")
    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="接收单位")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    read_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="阅读人"
    )

    objects = scoped("org__path").as_manager()

    class Meta:
        ordering = ["notice_id", "org__path"]
        constraints = [models.UniqueConstraint(fields=["notice", "org"], name="leadership_receipt_unique")]
        indexes = [models.Index(fields=["read_at", "org"])]
        verbose_name = verbose_name_plural = "通知回执"

    def __str__(self):
        return f"{self.org.name} {'已读' if self.read_at else '未读'}"


class Report(models.Model):
    """情况报告 from a branch up to the committee, and the committee's reply."""

    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="报告单位")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="报告人")
    title = models.CharField("标题", max_length=100)
    body = models.TextField("报告内容")
    submitted_at = models.DateTimeField("报告时间", default=timezone.now)
    reply = models.TextField("党委答复", blank=True)
    replied_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="答复人"
    )
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")

    objects = scoped("org__path").as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = verbose_name_plural = "情况报告"

    def __str__(self):
        return self.title


# read: the branch's leadership and the committee; manage: those who record meetings and keep the team;
# criticism contents (sensitive): the secretary and the party committee only (and the person it is about).
scope.register_capability("leadership", {"admin", "committee", "secretary", "branch_committee", "team_leader"})
scope.register_capability("leadership_manage", {"committee", "secretary", "branch_committee"})
scope.register_capability("leadership_sensitive", {"committee", "secretary"})
scope.register_capability("leadership_notice", {"committee", "secretary"})
scope.register_capability("leadership_reply", {"committee"})

# the sensitive-read log names what was read (orgs.account_services shows these labels)
READ_LABELS.setdefault("criticism", "批评与自我批评")
