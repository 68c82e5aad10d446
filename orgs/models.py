"""Organisations, people, accounts and roles (SPEC §2, §3).

Reading scoped data always goes through ``visible_to(user)`` on a manager; the rule that
turns a user into a filter lives once, in ``orgs/scope.py``.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from pypinyin import Style, lazy_pinyin
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from orgs import scope


class OrgKind(models.TextChoices):
    GROUP = "group", "集团"
    MINE = "mine", "矿"
    COMMITTEE = "committee", "党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    UNIT = "unit", "区队/科室"
    TEAM = "team", "班组"
    PARTY_GROUP = "party_group", "党小组"


# Which kinds may sit directly below which ("支部建在区队上, 党小组建在班组上").
ALLOWED_CHILDREN = {
    None: {OrgKind.GROUP, OrgKind.MINE},
    OrgKind.GROUP: {OrgKind.MINE},
    OrgKind.MINE: {OrgKind.COMMITTEE},
    OrgKind.COMMITTEE: {OrgKind.GENERAL_BRANCH, OrgKind.BRANCH},
    OrgKind.GENERAL_BRANCH: {OrgKind.BRANCH},
    OrgKind.BRANCH: {OrgKind.UNIT, OrgKind.PARTY_GROUP},
    OrgKind.UNIT: {OrgKind.TEAM},
    OrgKind.TEAM: {OrgKind.PARTY_GROUP},
    OrgKind.PARTY_GROUP: set(),
}


class OrgNodeQuerySet(MP_NodeQuerySet):
    def visible_to(self, user, capability="roster"):
        return self.filter(scope.filter_for(user, capability, path_field="path", self_field=None))


class OrgNodeManager(MP_NodeManager):
    def get_queryset(self):
        return OrgNodeQuerySet(self.model).order_by("path")

    def visible_to(self, user, capability="roster"):
        return self.get_queryset().visible_to(user, capability)


class OrgNode(MP_Node):
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=20, choices=OrgKind.choices)
    code = models.CharField("编码", max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = OrgNodeManager()

    class Meta:
        verbose_name = "组织"
        verbose_name_plural = "组织"

    def __str__(self):
        return self.name

    def ancestor_of_kind(self, kind):
        """The nearest node of ``kind`` on the path from the root to this node (itself included)."""
        if self.kind == kind:
            return self
        return OrgNode.objects.filter(path__in=self.ancestor_paths(), kind=kind).order_by("-depth").first()

    def ancestor_paths(self):
        return [self.path[: i * self.steplen] for i in range(1, self.depth + 1)]

    @property
    def mine(self):
        return self.ancestor_of_kind(OrgKind.MINE)

    @property
    def branch(self):
        return self.ancestor_of_kind(OrgKind.BRANCH)

    def full_name(self):
        names = OrgNode.objects.filter(path__in=self.ancestor_paths()).order_by("depth").values_list("name", flat=True)
        return " / ".join(names)


class JobType(models.Model):
    """工种: a configurable list."""

    name = models.CharField("工种", max_length=40, unique=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "工种"
        verbose_name_plural = "工种"

    def __str__(self):
        return self.name


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class PoliticalStatus(models.TextChoices):
    MEMBER = "member", "中共党员"
    PROBATIONARY = "probationary", "预备党员"
    LEAGUE = "league", "共青团员"
    MASSES = "masses", "群众"


PARTY_STATUSES = (PoliticalStatus.MEMBER, PoliticalStatus.PROBATIONARY)


class WorkStatus(models.TextChoices):
    ON_DUTY = "on_duty", "在岗"
    LEAVE = "leave", "休假"
    SICK = "sick", "病休"
    SECONDED = "seconded", "借调"
    LEFT = "left", "离岗"
    RETIRED = "retired", "退休"


# Fields of SPEC §2 marked *: masked in lists, shown only to roles that need them, every view logged.
SENSITIVE_FIELDS = {
    "id_number": "身份证号",
    "phone": "手机",
    "address": "家庭住址",
    "family_notes": "家庭情况",
    "thoughts_notes": "思想动态",
}
# What else a sensitive-read log row can name (the care file is read whole).
READ_LABELS = {**SENSITIVE_FIELDS, "care_file": "帮教档案"}
# What a person may see of their own record (not the notes others keep about them).
SELF_VISIBLE_SENSITIVE = ("id_number", "phone", "address")


def pinyin_initials(name):
    return "".join(part[:1] for part in lazy_pinyin(name or "", style=Style.FIRST_LETTER)).lower()


def window_start(days):
    return timezone.localdate() - timedelta(days=days)


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user, capability="roster"):
        return self.filter(scope.filter_for(user, capability, path_field="org__path", self_field="pk"))

    def new_hires(self, days=None):
        days = settings.HONGLING_NEW_HIRE_DAYS if days is None else days
        return self.filter(hire_date__gte=window_start(days))

    def recently_transferred(self, days=None):
        days = settings.HONGLING_TRANSFER_DAYS if days is None else days
        recent = Transfer.objects.filter(person=OuterRef("pk"), date__gte=window_start(days))
        return self.filter(Exists(recent))

    def party_members(self):
        return self.filter(political_status__in=PARTY_STATUSES)

    def search(self, text):
        text = (text or "").strip()
        if not text:
            return self
        q = models.Q(emp_no__startswith=text) | models.Q(name__contains=text)
        if text.isascii() and text.isalpha():
            q |= models.Q(name_initials__startswith=text.lower())
        return self.filter(q)


class Person(models.Model):
    """职工档案."""

    mine = models.ForeignKey(OrgNode, verbose_name="所属矿", on_delete=models.PROTECT, related_name="+")
    emp_no = models.CharField("工号", max_length=20)
    name = models.CharField("姓名", max_length=30)
    name_initials = models.CharField("拼音首字母", max_length=30, editable=False, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    phone = models.CharField("手机", max_length=20, blank=True)
    address = models.CharField("家庭住址", max_length=200, blank=True)
    hire_date = models.DateField("入职日期")
    job_type = models.ForeignKey(JobType, verbose_name="工种", on_delete=models.PROTECT)
    post = models.CharField("岗位", max_length=40, blank=True)
    org = models.ForeignKey(OrgNode, verbose_name="所在班组/科室", on_delete=models.PROTECT, related_name="people")
    political_status = models.CharField(
        "政治面貌", max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES
    )
    party_join_date = models.DateField("入党日期", null=True, blank=True)
    party_org = models.ForeignKey(
        OrgNode,
        verbose_name="所在党支部/党小组",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_people",
    )
    work_status = models.CharField("在岗状态", max_length=20, choices=WorkStatus.choices, default=WorkStatus.ON_DUTY)
    family_notes = models.TextField("家庭情况", blank=True)
    thoughts_notes = models.TextField("思想动态", blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="修改时间")

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "职工"
        verbose_name_plural = "职工"
        ordering = ["emp_no"]
        constraints = [models.UniqueConstraint(fields=["mine", "emp_no"], name="person_emp_no_unique_per_mine")]
        indexes = [
            models.Index(fields=["hire_date"]),
            models.Index(fields=["org", "emp_no"]),
            models.Index(fields=["emp_no", "id"], name="person_emp_no_order"),
        ]

    def __str__(self):
        return f"{self.name}({self.emp_no})"

    def save(self, *args, **kwargs):
        self.name_initials = pinyin_initials(self.name)
        before = getattr(self, "_saved_work_status", None)
        super().save(*args, **kwargs)
        if before and before != self.work_status:
            WorkStatusChange.record(self, before, self.work_status)
        self._saved_work_status = self.work_status

    @classmethod
    def from_db(cls, db, field_names, values):
        person = super().from_db(db, field_names, values)
        person._saved_work_status = person.__dict__.get("work_status")
        return person

    @property
    def is_party_member(self):
        return self.political_status in PARTY_STATUSES

    @property
    def is_new_hire(self):
        return self.hire_date >= window_start(settings.HONGLING_NEW_HIRE_DAYS)

    def last_transfer(self):
        return self.transfers.order_by("-date", "-pk").first()

    @property
    def is_recently_transferred(self):
        last = self.last_transfer()
        return bool(last and last.date >= window_start(settings.HONGLING_TRANSFER_DAYS))


class WorkStatusChange(models.Model):
    """在岗状态的变更: written wherever a person's 在岗状态 changes (a save of the record, the roster import), as
    ``Transfer`` is for 转岗. What depends on it (长期离岗返岗, who left when) reads these rows."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="status_changes", verbose_name="职工")
    at = models.DateTimeField("变更时间")
    from_status = models.CharField("原状态", max_length=20, choices=WorkStatus.choices)
    to_status = models.CharField("新状态", max_length=20, choices=WorkStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="记录人",
    )
    via = models.CharField("途径", max_length=20, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["person", "at"]), models.Index(fields=["at"])]
        verbose_name = verbose_name_plural = "在岗状态变更"

    def __str__(self):
        return f"{self.person} {self.get_from_status_display()}→{self.get_to_status_display()}"

    @classmethod
    def record(cls, person, old, new, by=None, via="", at=None):
        return cls.objects.create(person=person, at=at or timezone.now(), from_status=old, to_status=new,
                                  recorded_by=by or _request_actor(), via=via)  # fmt: skip


def _request_actor():
    """The signed-in user of the request being served (the audit middleware's), if any."""
    try:
        from auditlog.context import auditlog_value
    except ImportError:  # pragma: no cover
        return None
    context = auditlog_value.get(None)
    actor = context.get("actor") if isinstance(context, dict) else None
    return actor if getattr(actor, "is_authenticated", False) else None


class TransferQuerySet(models.QuerySet):
    def visible_to(self, user, capability="roster"):
        return self.filter(scope.filter_for(user, capability, path_field="person__org__path", self_field="person_id"))


class Transfer(models.Model):
    """转岗记录: recorded by the transfer operation, never edited by hand."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="transfers", verbose_name="职工")
    date = models.DateField("转岗日期")
    from_job = models.ForeignKey(JobType, on_delete=models.PROTECT, related_name="+", verbose_name="原工种")
    to_job = models.ForeignKey(JobType, on_delete=models.PROTECT, related_name="+", verbose_name="新工种")
    from_org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="原班组")
    to_org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="新班组")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="记录人"
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "转岗记录"
        verbose_name_plural = "转岗记录"

    def __str__(self):
        return f"{self.person} {self.date:%Y-%m-%d} 转岗"


class User(AbstractUser):
    """A login. Workers log in by their 工号; system accounts (admin) by their user name."""

    person = models.OneToOneField(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="user", verbose_name="职工"
    )
    must_change_password = models.BooleanField("首次登录须改密码", default=True)
    password_reset_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="密码重置人"
    )
    password_reset_at = models.DateTimeField("密码重置时间", null=True, blank=True)
    password_reset_unseen = models.BooleanField("重置通知未读", default=False)

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    def display_name(self):
        return self.person.name if self.person_id else (self.get_full_name() or self.username)


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    COMMITTEE = "committee", "党委(组织部)"
    SAFETY = "safety", "安监员"
    SECRETARY = "secretary", "党支部书记"
    BRANCH_COMMITTEE = "branch_committee", "支部委员"
    TEAM_LEADER = "team_leader", "党小组长/班组长"
    MEMBER = "member", "党员"
    WORKER = "worker", "职工"


class RoleAssignmentQuerySet(models.QuerySet):
    def visible_to(self, user, capability="manage_accounts"):
        return self.filter(scope.filter_for(user, capability, path_field="org__path", self_field=None))


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name="账号")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    org = models.ForeignKey(OrgNode, on_delete=models.CASCADE, related_name="role_assignments", verbose_name="组织")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [models.UniqueConstraint(fields=["user", "role", "org"], name="role_assignment_unique")]

    def __str__(self):
        return f"{self.get_role_display()} @ {self.org}"


class SensitiveAccess(models.Model):
    """One line per time a sensitive field was shown (SPEC §7.2): who, when, whose, which fields, where."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="账号")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sensitive_accesses", verbose_name="职工")
    fields = models.CharField(max_length=200, verbose_name="查看的字段")
    via = models.CharField(
        max_length=20, choices=[("page", "页面"), ("api", "接口"), ("export", "导出")], verbose_name="途径"
    )
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="IP 地址")
    at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name="时间")

    class Meta:
        ordering = ["-at"]
        verbose_name = verbose_name_plural = "敏感信息查看记录"

    def __str__(self):
        return f"{self.user} 查看 {self.person} ({self.at:%Y-%m-%d %H:%M})"


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="账号")
    name = models.CharField("用途", max_length=60)
    digest = models.CharField(max_length=64, unique=True, verbose_name="摘要")
    prefix = models.CharField(max_length=8, verbose_name="前缀")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name="最近使用时间")
    revoked = models.BooleanField(default=False, verbose_name="已作废")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "接口令牌"

    def __str__(self):
        return f"{self.name}({self.prefix}…)"


class GrantStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已生效"
    REJECTED = "rejected", "已拒绝"


class PendingRoleGrant(models.Model):
    """A grant of a role that reads care, diary or petition contents: it takes effect only when a second member
    of the mine's committee confirms it (``orgs/grant_services.py``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pending_grants", verbose_name="账号")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    org = models.ForeignKey(OrgNode, on_delete=models.CASCADE, related_name="pending_grants", verbose_name="组织")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="申请人")
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    status = models.CharField("状态", max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="确认人"
    )
    decided_note = models.CharField("确认说明", max_length=200, blank=True)
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = verbose_name_plural = "待确认的角色授予"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org"],
                condition=models.Q(status="pending"),
                name="pending_grant_unique",
            )
        ]

    def __str__(self):
        return f"{self.user.display_name()}:{self.get_role_display()} @ {self.org}({self.get_status_display()})"
