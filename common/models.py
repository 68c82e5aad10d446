"""Records shared by every module: the Excel import job (see ``common/imports.py``), a file made in the background
(see ``common/generated.py``) and the abstract event row of every workflow (see ``common/workflow.py``)."""

from django.conf import settings
from django.db import models


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    CHECKING = "checking", "校验中"
    INVALID = "invalid", "有错误,未导入"
    READY = "ready", "校验通过,待确认"
    APPLYING = "applying", "导入中"
    DONE = "done", "已导入"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


class ImportJob(models.Model):
    """One uploaded file on its way in: checked row by row, previewed, then written all at once or not at all."""

    kind = models.CharField("类型", max_length=30)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="账号")
    target = models.ForeignKey(
        "orgs.OrgNode", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="导入对象"
    )
    original_name = models.CharField("文件名", max_length=200)
    stored_name = models.CharField(max_length=80, blank=True, verbose_name="存储文件名")
    status = models.CharField("状态", max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total = models.PositiveIntegerField("行数", default=0)
    processed = models.PositiveIntegerField("已校验", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)  # [{"row": 3, "column": "工号", "message": "..."}]
    summary = models.JSONField("结果", default=dict, blank=True)  # {"created": 10, "updated": 2, "unchanged": 0}
    message = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="创建时间")
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name="完成时间")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def running(self):
        return self.status in (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.APPLYING)

    @property
    def percent(self):
        if self.status in (ImportStatus.DONE, ImportStatus.READY, ImportStatus.INVALID):
            return 100
        return int(self.processed * 100 / self.total) if self.total else 0


class FileStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class GeneratedFile(models.Model):
    """A file made in the background for one account (a ledger export, a report): its progress, then the download."""

    kind = models.CharField("类型", max_length=40)
    label = models.CharField("名称", max_length=120)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="账号")
    params = models.JSONField("条件", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=FileStatus.choices, default=FileStatus.QUEUED)
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    message = models.CharField("说明", max_length=300, blank=True)
    filename = models.CharField("文件名", max_length=200, blank=True)
    stored_name = models.CharField("存储文件名", max_length=80, blank=True)
    size = models.PositiveBigIntegerField("大小(字节)", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "生成的文件"
        verbose_name_plural = "生成的文件"
        indexes = [models.Index(fields=["user", "-created_at"], name="generated_user_recent")]

    def __str__(self):
        return f"{self.label} ({self.get_status_display()})"

    @property
    def running(self):
        return self.status in (FileStatus.QUEUED, FileStatus.RUNNING)

    @property
    def percent(self):
        if self.status == FileStatus.DONE:
            return 100
        return min(99, int(self.done * 100 / self.total)) if self.total else 0


class TransitionEvent(models.Model):
    """One row of a record's timeline, written by ``common.workflow.Machine.apply``: who did what, when, from which
    state to which, with what note and what else changed. Each machine's event model adds its record's key."""

    action = models.CharField(max_length=20, verbose_name="动作")
    from_status = models.CharField(max_length=12, blank=True, verbose_name="原状态")
    to_status = models.CharField(max_length=12, verbose_name="新状态")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    at = models.DateTimeField(verbose_name="时间")
    note = models.TextField(blank=True, verbose_name="说明")
    data = models.JSONField(default=dict, blank=True, verbose_name="附加数据")

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


class HomeGeneration(models.Model):
    """How many committed writes a table has had (``*``: writes whose table is not known): the stamps of the home
    page's kept parts (``common/homecache.py``)."""

    table = models.CharField("表", max_length=100, unique=True)
    n = models.BigIntegerField("代数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "首页缓存代数"

    def __str__(self):
        return f"{self.table} 第 {self.n} 代"
