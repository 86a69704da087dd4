"""Background import jobs and uploads kept between the admin's preview and confirm."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from model_utils.models import TimeStampedModel


class ImportJob(TimeStampedModel):
    """One uploaded workbook and its import, run as a background job.

    The file and the progress live in the database, so any app server or
    worker can pick the job up. Validation runs first (preview); the user
    confirms; the import then writes all rows or none.
    """

    class Kind(models.TextChoices):
        LEADS = "leads", _("招商线索")
        CHAMBERS = "chambers", _("商会协会")
        ENTREPRENEURS = "entrepreneurs", _("回乡企业家")
        TARGETS = "targets", _("年度目标")

    class Status(models.TextChoices):
        VALIDATING = "validating", _("校验中")
        PREVIEW = "preview", _("待确认")
        INVALID = "invalid", _("有错误")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("导入失败")

    kind = models.CharField(_("工作簿"), max_length=20, choices=Kind.choices, default=Kind.LEADS)
    filename = models.CharField(_("文件名"), max_length=255)
    data = models.BinaryField(_("文件内容"))
    size = models.PositiveIntegerField(_("文件大小"), default=0)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.VALIDATING
    )
    phase = models.CharField(_("进度说明"), max_length=100, blank=True)
    done = models.PositiveIntegerField(_("已处理行数"), default=0)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    report = models.JSONField(_("结果"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.filename}"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def running(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.IMPORTING)


class AdminUpload(models.Model):
    """A workbook uploaded to the admin's import, kept between its preview and its confirm."""

    name = models.CharField(max_length=64, unique=True)
    data = models.BinaryField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("后台导入文件")
        verbose_name_plural = _("后台导入文件")

    def __str__(self):
        return self.name
