"""Party members leading on safety (SPEC §4.2): 划片包保 / 安全责任区, 党员身边无违章 (computed, see compliance.py),
and 党员示范岗 with its monthly self-assessment and rating."""

from django.db import models

from orgs import scope
from orgs.models import OrgNode


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user, capability="vanguard"):
        """Assignments of members in the user's subtrees, and a member's own."""
        return self.filter(scope.filter_for(user, capability, path_field="org__path", self_field="member"))

    def active_between(self, start, end):
        """Assignments whose period overlaps [start, end]."""
        return self.filter(starts_on__lte=end).filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=start))


class Assignment(models.Model):
    """包保 / 责任区: for a period, a party member answers for a set of workers (包保对象) and/or locations (责任区).

    A change of the sets is a new assignment from that day (the old one ends the day before), so every past month
    is judged by who and what the member answered for then."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    member = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="vanguard_assignments", verbose_name="党员"
    )
    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="党员所在班组")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    workers = models.ManyToManyField(
        "orgs.Person", blank=True, related_name="guardian_assignments", verbose_name="包保对象"
    )
    locations = models.ManyToManyField(
        "places.Location", blank=True, related_name="vanguard_assignments", verbose_name="责任区"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+", verbose_name="创建人")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["member_id", "starts_on"]
        verbose_name = "包保与责任区"
        indexes = [models.Index(fields=["org", "starts_on"]), models.Index(fields=["member", "starts_on"])]

    def __str__(self):
        return f"{self.member} {self.starts_on}起"


class PostQuerySet(models.QuerySet):
    def visible_to(self, user, capability="vanguard"):
        """示范岗 of the user's subtrees (``vanguard_manage``: those they rate), and their own."""
        return self.filter(scope.filter_for(user, capability, path_field="org__path", self_field="holder"))


class ModelPost(models.Model):
    """党员示范岗: a post, its holder, where, and the commitments (承诺) made in public."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    name = models.CharField("岗位名称", max_length=60)
    holder = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="model_posts", verbose_name="岗位党员"
    )
    org = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="所在班组")
    location = models.ForeignKey(
        "places.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="地点"
    )
    commitments = models.TextField("承诺")
    active = models.BooleanField("在岗", default=True)
    created_by = models.ForeignKey("orgs.User", on_delete=models.PROTECT, related_name="+", verbose_name="创建人")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["org_id", "name"]
        verbose_name = "党员示范岗"

    def __str__(self):
        return self.name


class Rating(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class Assessment(models.Model):
    """A month of a 示范岗: the holder's self-assessment, then the secretary's rating. Rated = final."""

    post = models.ForeignKey(ModelPost, on_delete=models.CASCADE, related_name="assessments", verbose_name="示范岗")
    month = models.DateField("月份")  # first day of the month
    summary = models.TextField("履诺情况(自评)")
    self_rating = models.CharField("自评等级", max_length=10, choices=Rating.choices)
    submitted_at = models.DateTimeField("自评时间")
    rating = models.CharField("评定等级", max_length=10, choices=Rating.choices, blank=True)
    rating_note = models.CharField("评语", max_length=500, blank=True)
    rated_by = models.ForeignKey(
        "orgs.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="评定人"
    )
    rated_at = models.DateTimeField("评定时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, verbose_name="版本")

    class Meta:
        ordering = ["post_id", "-month"]
        constraints = [models.UniqueConstraint(fields=["post", "month"], name="assessment_one_per_month")]
        verbose_name = verbose_name_plural = "示范岗月度自评"

    def __str__(self):
        return f"{self.post} {self.month:%Y年%m月}自评"

    @property
    def rated(self):
        return bool(self.rating)


scope.register_capability(
    "vanguard", {"admin", "committee", "safety", "secretary", "branch_committee", "team_leader"}, self_too=True
)
scope.register_capability("vanguard_manage", {"admin", "committee", "secretary"})
