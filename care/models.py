"""薄弱人物排查 and 谈心谈话 (SPEC §4.4): screenings, suggestions from the data, the at-risk register with its help
and evaluations up to release, heart-to-heart talks and their yearly coverage.

These are the most sensitive records of the platform (SPEC §7.2). Who reads them is decided in ``care/access.py``
on top of ``orgs.scope``: the branch secretary and the mine's party committee over their subtree, a 帮教人 for the
people they help. Administrators hold no reading capability here (they may only list who read a file).
"""

from django.conf import settings
from django.db import models

from common.models import TransitionEvent
from orgs import scope
from orgs.models import OrgNode, Person


class Criterion(models.Model):
    """One entry of the mine's catalogue of at-risk criteria. ``rule`` ties it to a suggestion rule of the data."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    name = models.CharField("类型", max_length=20)
    rule = models.CharField("对应数据规则", max_length=20, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["mine_id", "order", "pk"]
        verbose_name = "薄弱类型"
        verbose_name_plural = "薄弱类型"
        constraints = [models.UniqueConstraint(fields=["mine", "name"], name="care_criterion_unique_per_mine")]

    def __str__(self):
        return self.name


class Rule(models.TextChoices):
    NEW_HIRE = "new_hire", "新入职"
    TRANSFER = "transfer", "转岗"
    VIOLATIONS = "violations", "多次三违"
    EXAM = "exam", "考试不合格"
    LEAVE = "leave", "长期休假返岗"
    CONCERN = "concern", "思想波动"


# name, rule: the default catalogue of a mine
DEFAULT_CRITERIA = (
    ("新入职", Rule.NEW_HIRE), ("转岗", Rule.TRANSFER), ("家庭变故", ""), ("身体欠佳", ""), ("情绪异常", ""),
    ("思想波动", Rule.CONCERN), ("经济困难", ""), ("多次三违", Rule.VIOLATIONS), ("考试不合格", Rule.EXAM),
    ("长期休假返岗", Rule.LEAVE), ("酒后上岗", ""), ("其他", ""),
)  # fmt: skip


class CareSettings(models.Model):
    """A mine's thresholds of the suggestion rules and the default evaluation cadence per tier."""

    mine = models.OneToOneField(OrgNode, on_delete=models.CASCADE, related_name="+", verbose_name="矿")
    recent_days = models.PositiveSmallIntegerField("新入职/转岗/返岗 提示天数", default=90)
    violation_days = models.PositiveSmallIntegerField("三违统计天数", default=90)
    violation_count = models.PositiveSmallIntegerField("三违次数达到", default=2)
    exam_fails = models.PositiveSmallIntegerField("月考连续不合格次数达到", default=1)
    leave_months = models.PositiveSmallIntegerField("离岗月数达到", default=6)
    concern_days = models.PositiveSmallIntegerField("“需关注”记录统计天数", default=90)
    eval_days_a = models.PositiveSmallIntegerField("A级评估间隔(天)", default=7)
    eval_days_b = models.PositiveSmallIntegerField("B级评估间隔(天)", default=30)
    eval_days_c = models.PositiveSmallIntegerField("C级评估间隔(天)", default=30)

    class Meta:
        verbose_name = verbose_name_plural = "薄弱人物设置"

    def __str__(self):
        return "薄弱人物设置"

    def eval_days(self, tier):
        return {"A": self.eval_days_a, "B": self.eval_days_b}.get(tier, self.eval_days_c)


# ---------------------------------------------------------------- screening (排查)


class ScreeningKind(models.TextChoices):
    HOME_VISIT = "home_visit", "入户走访"
    TEAM_TALK = "team_talk", "班组座谈"
    PRESHIFT = "preshift", "班前望闻问切"


class CareQuerySet(models.QuerySet):
    """Rows that belong to an org node through ``org``; reading goes through ``care.access``."""

    def visible_to(self, user):
        from care import access

        return self.filter(access.org_q(user, "org__path"))


class Screening(models.Model):
    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="支部/单位")
    kind = models.CharField("形式", max_length=12, choices=ScreeningKind.choices)
    date = models.DateField("日期")
    participants = models.ManyToManyField(Person, related_name="+", verbose_name="参加人")
    summary = models.TextField("情况", blank=True)
    follow_up = models.TextField("后续措施", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = CareQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "排查"
        verbose_name_plural = "排查"

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"


class Finding(models.Model):
    """What a screening found about one person covered."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="findings", verbose_name="排查")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_findings", verbose_name="职工")
    note = models.CharField("情况", max_length=500, blank=True)
    concern = models.BooleanField("需关注", default=False)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["person", "concern"])]
        verbose_name = verbose_name_plural = "排查发现"

    def __str__(self):
        return f"{self.person} 排查情况"


# ---------------------------------------------------------------- suggestions


class Decision(models.TextChoices):
    CONFIRMED = "confirmed", "已确认"
    DISMISSED = "dismissed", "已排除"


class SuggestionDecision(models.Model):
    """What the secretary decided about a suggestion: the facts it rested on are kept, so the same facts do not
    suggest the person again; a new fact does."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_decisions", verbose_name="职工")
    rule = models.CharField(max_length=20, choices=Rule.choices, verbose_name="提示规则")
    facts = models.JSONField(default=list, verbose_name="依据")  # [{"key": "violation:12", "text": "..."}]
    decision = models.CharField(max_length=10, choices=Decision.choices, verbose_name="处理")
    reason = models.CharField("理由", max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人")
    at = models.DateTimeField(verbose_name="时间")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["person", "rule"])]
        verbose_name = verbose_name_plural = "提示处理"

    def __str__(self):
        return f"{self.person} · {self.rule}"


# ---------------------------------------------------------------- the register


class Tier(models.TextChoices):
    A = "A", "A级(重点)"
    B = "B", "B级"
    C = "C", "C级"


class EntryStatus(models.TextChoices):
    ACTIVE = "active", "帮教中"
    RELEASED = "released", "已解除"


class EntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        from care import access

        return self.filter(access.entry_q(user))

    def active(self):
        return self.filter(status=EntryStatus.ACTIVE)


class Entry(models.Model):
    """One time a person is on the at-risk register, from entry to release (解除). A later entry is a new row."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="care_entries", verbose_name="职工")
    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    criteria = models.ManyToManyField(Criterion, related_name="entries", verbose_name="薄弱类型")
    tier = models.CharField("等级", max_length=1, choices=Tier.choices)
    helper = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="care_helped", verbose_name="帮教人"
    )
    reason = models.TextField("情况说明", blank=True)
    facts = models.JSONField("数据依据", default=list, blank=True)
    status = models.CharField("状态", max_length=10, choices=EntryStatus.choices, default=EntryStatus.ACTIVE)
    entered_on = models.DateField("列入日期")
    released_on = models.DateField("解除日期", null=True, blank=True)
    release_reason = models.TextField("解除理由", blank=True)
    eval_days = models.PositiveSmallIntegerField("评估间隔(天)")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    version = models.PositiveIntegerField(default=1, verbose_name="版本")
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-entered_on", "-pk"]
        verbose_name = "薄弱人物"
        verbose_name_plural = "薄弱人物台账"
        indexes = [models.Index(fields=["mine", "status"]), models.Index(fields=["helper", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="active"), name="care_one_active_entry"
            )
        ]

    def __str__(self):
        return f"{self.person.name}({self.tier})"


class Measure(models.Model):
    """一人一策: one measure of the plan (结对, 不安排单岗作业, 联系家属, 复训 …), open until done or dropped."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="measures", verbose_name="登记")
    text = models.CharField("措施", max_length=200)
    done = models.BooleanField("已落实", default=False)
    done_on = models.DateField(null=True, blank=True, verbose_name="落实日期")

    class Meta:
        ordering = ["pk"]
        verbose_name = verbose_name_plural = "帮教措施"

    def __str__(self):
        return self.text[:30]


DEFAULT_MEASURES = ("党员结对帮扶", "不安排单岗作业", "联系家属共同帮教", "安排复训")


class HelpForm(models.TextChoices):
    TALK = "talk", "谈心"
    PAIR = "pair", "结对跟班"
    HOME = "home", "家访"
    TRAIN = "train", "培训复训"
    OTHER = "other", "其他"


class HelpRecord(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="helps", verbose_name="登记")
    date = models.DateField("日期")
    form = models.CharField("形式", max_length=10, choices=HelpForm.choices)
    content = models.TextField("内容")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人")
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = verbose_name_plural = "帮教记录"

    def __str__(self):
        return f"{self.date:%Y-%m-%d} 帮教记录"


class Trend(models.TextChoices):
    BETTER = "better", "好转"
    STABLE = "stable", "稳定"
    WORSE = "worse", "反复/加重"


class Evaluation(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="evaluations", verbose_name="登记")
    date = models.DateField("评估日期")
    trend = models.CharField("结论", max_length=10, choices=Trend.choices)
    note = models.TextField("说明", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["entry", "date"])]
        verbose_name = verbose_name_plural = "帮教评估"

    def __str__(self):
        return f"{self.date:%Y-%m-%d} 帮教评估"


class EntryEvent(TransitionEvent):
    """The register's history: every change of an entry (列入, 调级, 更换帮教人, 解除 …) with who, when and note."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="events", verbose_name="登记")

    class Meta(TransitionEvent.Meta):
        verbose_name = verbose_name_plural = "薄弱人物流转记录"

    def __str__(self):
        return f"薄弱人物登记 #{self.entry_id}: {self.action}"


# ---------------------------------------------------------------- 谈心谈话


class TalkForm(models.TextChoices):
    FACE = "face", "面谈"
    PHONE = "phone", "电话"
    HOME = "home", "家访"
    GROUP = "group", "座谈"


class TalkQuerySet(models.QuerySet):
    def visible_to(self, user):
        from care import access

        return self.filter(access.talk_q(user))


class Talk(models.Model):
    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="支部")
    talker = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="care_talks_given", verbose_name="谈话人")
    people = models.ManyToManyField(Person, through="TalkPerson", related_name="care_talks", verbose_name="谈话对象")
    date = models.DateField("日期")
    form = models.CharField("形式", max_length=10, choices=TalkForm.choices)
    topics = models.TextField("谈话内容")
    concerns = models.TextField("反映的问题/诉求", blank=True)
    concern = models.BooleanField("需关注", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    token = models.CharField(max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = TalkQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "谈心谈话"
        verbose_name_plural = "谈心谈话"

    def __str__(self):
        return f"{self.date:%Y-%m-%d} 谈心谈话"


class TalkPerson(models.Model):
    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, verbose_name="谈话")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, verbose_name="职工")
    date = models.DateField(verbose_name="日期")  # the talk's date, here for the coverage query (person, year)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["talk", "person"], name="care_talk_person_unique")]
        indexes = [models.Index(fields=["date", "person"])]
        verbose_name = verbose_name_plural = "谈话对象"

    def __str__(self):
        return f"{self.person} 谈话"


class FollowUp(models.Model):
    """A follow-up a talk promised: a 待办 of whoever recorded the talk until it is closed."""

    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="follow_ups", verbose_name="谈话")
    text = models.CharField("跟进事项", max_length=200)
    due = models.DateField("期限", null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True, verbose_name="办结日期")
    closed_note = models.CharField(max_length=200, blank=True, verbose_name="办结情况")

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["closed_on", "due"])]
        verbose_name = verbose_name_plural = "谈话跟进事项"

    def __str__(self):
        return self.text[:30]


# Capabilities over the subtree of the assigned node, declared in the one registry (orgs.scope). Contents are read
# only by care_read, plus the 帮教人 for the people they help (a person rule); need-to-know: no superuser shortcut
# for any of them, and administrators get nothing here but the settings and the list of readers.


def helped_person_ids(user):
    """The 帮教人's rule: the people whose active register entry names the user as their helper."""
    return Entry.objects.filter(helper_id=user.person_id, status=EntryStatus.ACTIVE).values("person_id")


scope.register_capability("care_read", {"secretary", "committee"}, superuser=False)
scope.register_person_rule("care_read", helped_person_ids)
scope.register_capability("care_manage", {"secretary"}, superuser=False)
scope.register_capability("care_talk", {"secretary", "branch_committee", "team_leader", "committee"}, superuser=False)
scope.register_capability("care_settings", {"committee", "admin"}, superuser=False)
scope.register_capability("care_readers", {"admin"}, superuser=False)
