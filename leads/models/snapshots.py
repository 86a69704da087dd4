"""Locked reports (封存): the monthly report exactly as it was sent upward."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportSnapshot(models.Model):
    """One locked version of the report of a period (a month or a date range).

    Holds what was sent: the JSON text, the workbook file and the page's
    report body, byte for byte. Never edited; locking again adds a version.
    """

    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"))
    version = models.PositiveSmallIntegerField(_("版本"))
    json_text = models.TextField(_("JSON数据"))
    workbook = models.BinaryField(_("Excel通报"))
    html = models.TextField(_("页面内容"))
    locked_at = models.DateTimeField(_("封存时间"))
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("封存人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("封存说明"), blank=True)

    class Meta:
        verbose_name = _("封存通报")
        verbose_name_plural = _("封存通报")
        ordering = ["start", "end", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["start", "end", "version"], name="report_snapshot_unique_version"
            ),
        ]

    def __str__(self):
        return f"{self.start}–{self.end} v{self.version}"
