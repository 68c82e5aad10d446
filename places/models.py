"""Places and shifts of a mine: the 施工地点 / 工作面 / 巷道 every module records where something happened, and the
班次 it happened in. Hazards, 三违, 先锋 责任区 and 民情 visits all point here (the tables keep their first names,
``hazards_location`` / ``hazards_shift``: the models moved, the data did not)."""

from django.db import models

from orgs import scope
from orgs.models import OrgNode


class LocationKind(models.TextChoices):
    SITE = "site", "施工地点"
    FACE = "face", "工作面"
    ROADWAY = "roadway", "巷道"


class LocationQuerySet(models.QuerySet):
    def visible_to(self, user, capability="roster"):
        return self.filter(scope.filter_for(user, capability, path_field="unit__path", self_field=None))


class Location(models.Model):
    """A place underground (施工地点 / 工作面 / 巷道) that belongs to a 区队 of a mine."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    unit = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="locations", verbose_name="所属区队")
    name = models.CharField("名称", max_length=80)
    kind = models.CharField("类型", max_length=20, choices=LocationKind.choices, default=LocationKind.SITE)
    active = models.BooleanField("在用", default=True)

    objects = LocationQuerySet.as_manager()

    class Meta:
        db_table = "hazards_location"
        verbose_name = "地点"
        verbose_name_plural = "地点"
        ordering = ["unit_id", "name"]
        constraints = [models.UniqueConstraint(fields=["mine", "name"], name="location_name_unique_per_mine")]

    def __str__(self):
        return self.name


class Shift(models.Model):
    """班次 of a mine (default 零点班 / 八点班 / 四点班)."""

    mine = models.ForeignKey(OrgNode, on_delete=models.PROTECT, related_name="+", verbose_name="矿")
    name = models.CharField("班次", max_length=20)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        db_table = "hazards_shift"
        verbose_name = "班次"
        verbose_name_plural = "班次"
        ordering = ["mine_id", "order"]
        constraints = [models.UniqueConstraint(fields=["mine", "name"], name="shift_name_unique_per_mine")]

    def __str__(self):
        return self.name


DEFAULT_SHIFTS = ("零点班", "八点班", "四点班")
