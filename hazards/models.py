"""Hazard closed loop (SPEC §4.1). Master data first (locations and shifts live in ``places``)."""

from django.db import models

from common.models import TransitionEvent
from orgs import scope
from orgs.models import OrgNode
from places.models import Location, Shift


class Category(models.Model):
    """专业 category of a hazard (顶板, 通风, 瓦斯 …): a list each mine edits."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    name = models.CharField("专业", max_length=20)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["mine_id", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["mine", "name"], name="category_name_unique_per_mine")]
        verbose_name = verbose_name_plural = "隐患专业"

    def __str__(self):
        return self.name


class SupervisionLevel(models.TextChoices):
    MINE = "mine", "矿级"
    UNIT = "unit", "区队级"
    TEAM = "team", "班组级"


class Grade(models.Model):
    """隐患等级 (default 重大 / A / B / C): each with a default deadline and the level that supervises it."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    name = models.CharField("等级", max_length=10)
    deadline_days = models.PositiveSmallIntegerField("默认整改期限(天)", default=7)
    supervision = models.CharField(
        "督办层级", max_length=10, choices=SupervisionLevel.choices, default=SupervisionLevel.UNIT
    )
    major = models.BooleanField("重大隐患(矿级挂牌督办)", default=False)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["mine_id", "order"]
        constraints = [models.UniqueConstraint(fields=["mine", "name"], name="grade_name_unique_per_mine")]
        verbose_name = verbose_name_plural = "隐患等级"

    def __str__(self):
        return self.name


DEFAULT_CATEGORIES = ("顶板", "通风", "瓦斯", "煤尘", "机电", "运输", "防治水", "防灭火", "爆破", "其他")
DEFAULT_GRADES = (
    ("重大", 30, SupervisionLevel.MINE, True),
    ("A", 7, SupervisionLevel.MINE, False),
    ("B", 5, SupervisionLevel.UNIT, False),
    ("C", 3, SupervisionLevel.TEAM, False),
)


class HazardStatus(models.TextChoices):
    REGISTERED = "registered", "待处理"
    RECTIFYING = "rectifying", "整改中"
    EXTENSION = "extension", "延期待批"
    PENDING = "pending", "待验收"
    CLOSED = "closed", "已销号"


OPEN_STATUSES = (HazardStatus.REGISTERED, HazardStatus.RECTIFYING, HazardStatus.EXTENSION, HazardStatus.PENDING)


def own_hazards(user):
    """What the user found or must rectify, wherever it is: a 班组长 who reports at the 区队's 工作面 still sees it.

    (``scope.filter_for``'s own-record rule assumes rows sit under the person's org; a hazard sits at a place.)"""
    if not (user.is_authenticated and user.is_active and user.person_id):
        return models.Q(pk__in=[])
    return models.Q(found_by_id=user.person_id) | models.Q(responsible_person_id=user.person_id)


def whole_mine_ids(user):
    """The ids of the mines whose every hazard the user reads, when that is all they read (安监员, 党委, a mine's
    admin: their own hazards lie in their own mine, registering and 五定 stay in one mine); else None.
    Read once per user object (i.e. per request), like the user's roles."""
    return scope.memo(user, "hazards.whole_mines", lambda: _whole_mine_ids(user))


def _whole_mine_ids(user):
    if not (user.is_authenticated and user.is_active) or user.is_superuser:
        return None
    paths = scope.subtree_paths(user, "hazards")
    if not paths:
        return None
    nodes = list(OrgNode.objects.filter(path__in=paths).values_list("path", "kind"))
    if len(nodes) != len(paths) or any(kind not in ("mine", "group") for _path, kind in nodes):
        return None
    mines = list(OrgNode.objects.filter(scope.subtree_q(paths, "pk"), kind="mine").values_list("pk", flat=True))
    from orgs.models import Person

    if user.person_id and not Person.objects.filter(pk=user.person_id, mine_id__in=mines).exists():
        return None  # their own hazards lie elsewhere: read with the OR
    return mines


def units_and_places(user):
    """(unit ids, place ids, mine ids) of the user's subtrees for hazards, read once per user object."""
    return scope.memo(user, "hazards.units_places", lambda: _units_and_places(user))


def _units_and_places(user):
    paths = scope.subtree_paths(user, "hazards") if user.is_authenticated and user.is_active else []
    if not paths:
        return [], [], []
    units = list(scope.nodes_in(paths).values_list("pk", flat=True))
    rows = list(Location.objects.filter(unit_id__in=units).values_list("pk", "mine_id"))
    places, mines = [pk for pk, _ in rows], sorted({mine for _, mine in rows})
    if not mines:  # units without places yet (hazards can still be assigned to them)
        mines = [
            pk
            for pk, path in OrgNode.objects.filter(kind="mine").values_list("pk", "path")
            if any(p.startswith(path) or path.startswith(p) for p in paths)
        ]
    return units, places, mines


class HazardQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Hazards at locations of the user's units, assigned to them, found by or assigned to the user themselves.

        A role over a whole mine (安监员, 党委) reads by the indexed ``mine`` column instead of the OR of subqueries, so
        the list of a mine with a million hazards does not scan them all.
        """
        from django.db.models import Q

        own = own_hazards(user)
        mines = whole_mine_ids(user)
        if mines is not None:
            return self.filter(mine_id__in=mines)
        if user.is_authenticated and user.is_active and not user.is_superuser:
            paths = scope.subtree_paths(user, "hazards")
            mine_paths = [p for p in paths if OrgNode.objects.filter(path=p, kind__in=("mine", "group")).exists()]
            if mine_paths and len(mine_paths) == len(paths):
                in_mines = scope.subtree_q(mine_paths, "pk")
                mines = list(OrgNode.objects.filter(in_mines, kind="mine").values_list("pk", flat=True))
                return self.filter(Q(mine_id__in=mines) | own)
        if user.is_superuser:
            return self.all()
        # A branch or a 区队: its units and their places, read once from the small tables, then the big table by
        # its indexed foreign keys (literal lists the planner can estimate; a join or a sub-select per row made the
        # branch secretary's list scan a million hazards).
        units, places, mines = units_and_places(user)
        if not units:
            return self.filter(own)
        # a hazard at a place of these units, or assigned to one of them, lies in their mine (五定 stays in the mine):
        # saying so lets the database start from the mine's indexes
        return self.filter(
            (Q(mine_id__in=mines) & (Q(location_id__in=places) | Q(responsible_unit_id__in=units))) | own
        )

    def overdue(self, today=None):
        from django.utils import timezone

        today = today or timezone.localdate()
        return self.filter(status__in=(HazardStatus.RECTIFYING, HazardStatus.EXTENSION), deadline__lt=today)


class Hazard(models.Model):
    """隐患: found, then fixed on the spot or rectified under 五定, verified and closed (销号)."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="hazards", verbose_name="地点")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name="专业")
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="+", verbose_name="等级")
    description = models.TextField("隐患描述")
    clause = models.CharField("违反条款", max_length=200, blank=True)
    found_by = models.ForeignKey(
        "orgs.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="found_hazards",
        verbose_name="发现人",
    )
    finder_is_party_member = models.BooleanField("发现人是党员", default=False)
    found_at = models.DateTimeField("发现时间")
    shift = models.ForeignKey(
        Shift, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="班次"
    )
    recorded_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    status = models.CharField("状态", max_length=12, choices=HazardStatus.choices, default=HazardStatus.REGISTERED)
    # 五定
    responsible_unit = models.ForeignKey(
        OrgNode, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="责任单位"
    )
    responsible_person = models.ForeignKey(
        "orgs.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_hazards",
        verbose_name="责任人",
    )
    measures = models.TextField("整改措施", blank=True)
    funds = models.DecimalField("资金(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    deadline = models.DateField("整改期限", null=True, blank=True)
    plan = models.TextField("应急预案", blank=True)
    supervised = models.BooleanField("挂牌督办", default=False)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, verbose_name="版本")
    token = models.CharField(
        max_length=40, unique=True, null=True, blank=True, verbose_name="表单令牌"
    )  # one hazard per submitted form
    external_id = models.CharField("外部编号", max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = HazardQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "-pk"]
        verbose_name = "隐患"
        verbose_name_plural = "隐患"
        indexes = [
            models.Index(fields=["mine", "status", "deadline"]),
            models.Index(fields=["location", "found_at"]),
            # the list, newest first, filtered from the index alone (PostgreSQL: INCLUDE, an index-only scan): a branch's
            # OR of places, units and own hazards, or a date range, without reading a heap row per hazard skipped
            models.Index(
                fields=["found_at", "id"],
                name="hazard_list_cover",
                include=[
                    "mine",
                    "location",
                    "responsible_unit",
                    "found_by",
                    "responsible_person",
                    "status",
                    "deadline",
                    "grade",
                    "category",
                ],
            ),  # fmt: skip
            models.Index(fields=["mine", "found_at", "id"], name="hazard_mine_found"),
            # this month's closings of a mine and their 按期 (home tile, statistics): from the index alone
            models.Index(
                fields=["mine", "status", "closed_at"], name="hazard_mine_closed_cover", include=["id", "deadline"]
            ),  # fmt: skip
            # this month's closings of a branch (home tile): from its places and units, not the mine's month
            models.Index(
                fields=["location", "closed_at"],
                name="hazard_closed_location",
                include=["deadline"],
                condition=models.Q(status=HazardStatus.CLOSED),
            ),
            models.Index(
                fields=["responsible_unit", "closed_at"],
                name="hazard_closed_unit",
                include=["deadline"],
                condition=models.Q(status=HazardStatus.CLOSED),
            ),
            # the few open hazards of a branch (home figures, 待办, overdue): small partial indexes
            models.Index(
                fields=["location", "deadline"],
                name="hazard_open_location_cover",
                include=["status", "id"],  # a branch's overdue counted from the index alone (自查 evidence)
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["responsible_unit", "deadline"],
                name="hazard_open_unit",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            # the statistics of a mine-year read from the index alone (PostgreSQL: INCLUDE; elsewhere a plain index)
            models.Index(
                fields=["mine", "found_at"],
                name="hazard_mine_stats",
                include=["status", "deadline", "closed_at", "location", "category", "grade", "finder_is_party_member"],
            ),  # fmt: skip
            # the open hazards of a mine-year for the statistics (open, overdue per month, place, 专业, grade)
            models.Index(
                fields=["mine", "found_at"],
                name="hazard_open_stats",
                include=["id", "status", "deadline", "location", "category", "grade"],
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
        ]

    def __str__(self):
        return f"隐患#{self.pk} {self.location}"

    @property
    def overdue(self):
        from django.utils import timezone

        return (
            self.status in (HazardStatus.RECTIFYING, HazardStatus.EXTENSION)
            and bool(self.deadline)
            and self.deadline < timezone.localdate()
        )


class HazardPhoto(models.Model):
    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="photos", verbose_name="隐患")
    image = models.ImageField(upload_to="hazards/%Y/%m/", verbose_name="照片")
    stage = models.CharField(max_length=10, default="found", verbose_name="阶段")  # found / fixed
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    class Meta:
        verbose_name = verbose_name_plural = "隐患照片"

    def __str__(self):
        return f"隐患 #{self.hazard_id} 的照片"


class HazardEvent(TransitionEvent):
    """The timeline: every transition with who, when, note and what changed."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events", verbose_name="隐患")

    class Meta(TransitionEvent.Meta):
        verbose_name = verbose_name_plural = "隐患流转记录"

    def __str__(self):
        return f"隐患 #{self.hazard_id}: {self.action}"


scope.register_capability(
    "hazards", {"admin", "committee", "safety", "secretary", "branch_committee", "team_leader"}, self_too=True
)
scope.register_capability("hazards_manage", {"admin", "committee", "safety", "secretary"})
scope.register_capability("hazards_verify", {"admin", "safety"})
scope.register_capability("hazards_supervise", {"admin", "committee", "safety"})
# whose 待办 a newly registered hazard lands in: the branch decides 现场处理 or 限时整改 with 五定
scope.register_capability("hazards_triage", {"secretary"})


class HazardTally(models.Model):
    """Running counts of a mine's hazards per month found, place, 专业, grade and responsible unit: how many were
    found, by party members, and closed after their deadline. The statistics of a mine or a branch read these instead of every hazard
    of the year (a mine-year can be hundreds of thousands of rows); what depends on today (open, overdue) is
    counted from the open hazards themselves. Kept by ``hazards.tally``; ``manage.py rebuild_hazard_tally`` makes
    them again from the hazards."""

    mine = models.ForeignKey(OrgNode, on_delete=models.CASCADE, related_name="+", verbose_name="矿")
    month = models.DateField(verbose_name="月份")  # first day, Asia/Shanghai
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+", verbose_name="地点")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+", verbose_name="专业")
    grade = models.ForeignKey(Grade, on_delete=models.CASCADE, related_name="+", verbose_name="等级")
    # the responsible unit's org node id (0 before 五定): a branch's statistics read the cells of its places and units
    unit = models.BigIntegerField(default=0, verbose_name="责任单位")
    found = models.PositiveIntegerField(default=0, verbose_name="发现数")
    party = models.PositiveIntegerField(default=0, verbose_name="党员发现数")
    late = models.PositiveIntegerField(default=0, verbose_name="超期销号数")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mine", "month", "location", "category", "grade", "unit"], name="hazard_tally_cell_unit"
            )
        ]
        indexes = [
            models.Index(fields=["mine", "month"]),
            models.Index(fields=["location", "month"], name="hazard_tally_location"),
            models.Index(fields=["unit", "month"], name="hazard_tally_unit"),
        ]
        verbose_name = verbose_name_plural = "隐患统计计数"

    def __str__(self):
        return f"{self.month:%Y-%m} 隐患计数"
