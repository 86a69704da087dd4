"""Chambers of commerce, associations and returning entrepreneurs (以商招商, 回乡创业)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from model_utils.models import TimeStampedModel
from simple_history.models import HistoricalRecords


class ChamberKind(models.TextChoices):
    LOCAL = "local", _("驻区商会")
    HOMETOWN = "hometown", _("异地商会")
    TRADE = "trade", _("行业协会")
    FOREIGN = "foreign", _("外商投资协会")


class Chamber(TimeStampedModel):
    name = models.CharField(_("商会名称"), max_length=200, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=ChamberKind.choices)
    location = models.CharField(_("所在地"), max_length=200, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联络干部"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="liaison_chambers",
        help_text=_("局里负责与该商会日常联系的干部。"),
    )
    notes = models.TextField(_("备注"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("商会/协会")
        verbose_name_plural = _("商会/协会")
        ordering = ["name"]
        permissions = [
            ("import_chamber", _("可导入商会")),
            ("export_chamber", _("可导出商会")),
        ]

    def __str__(self):
        return self.name


class Entrepreneur(TimeStampedModel):
    name = models.CharField(_("姓名"), max_length=100)
    hometown = models.CharField(_("籍贯"), max_length=200, blank=True)
    current_city = models.CharField(_("所在城市"), max_length=200, blank=True)
    company = models.CharField(_("企业名称"), max_length=200, blank=True)
    chamber = models.ForeignKey(
        Chamber,
        verbose_name=_("所属商会"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entrepreneurs",
    )
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("回乡企业家")
        verbose_name_plural = _("回乡企业家")
        ordering = ["name", "company"]
        permissions = [
            ("import_entrepreneur", _("可导入企业家")),
            ("export_entrepreneur", _("可导出企业家")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "company"], name="entrepreneur_unique_name_company"
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.company}）" if self.company else self.name
