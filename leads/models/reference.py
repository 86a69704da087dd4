"""Reference data: the key industries, task teams, stage owners and annual targets."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from model_utils.models import TimeStampedModel
from simple_history.models import HistoricalRecords

from leads.choices import (
    PIPELINE_STAGE_CHOICES,
)


class IndustryManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Industry(models.Model):
    """One of the ten key industries (十大重点产业)."""

    name = models.CharField(_("产业名称"), max_length=100, unique=True)
    lead_unit = models.CharField(_("牵头单位"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("显示顺序"), default=0)

    objects = IndustryManager()

    class Meta:
        verbose_name = _("重点产业")
        verbose_name_plural = _("重点产业")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class IndustryAlias(models.Model):
    """Another name staff type for an industry, e.g. 智能制造 for 工业机器人及智能装备制造."""

    industry = models.ForeignKey(
        Industry, verbose_name=_("产业"), on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(_("别名"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("产业别名")
        verbose_name_plural = _("产业别名")
        ordering = ["name"]

    def __str__(self):
        return self.name


class TaskTeamManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class TaskTeam(models.Model):
    """A task team (招商小分队) that owns one or more pipeline stages."""

    name = models.CharField(_("小分队名称"), max_length=100, unique=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("组长"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("队员"), blank=True, related_name="teams"
    )
    active = models.BooleanField(_("在用"), default=True)

    objects = TaskTeamManager()

    class Meta:
        verbose_name = _("招商小分队")
        verbose_name_plural = _("招商小分队")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class UnitManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Unit(models.Model):
    """A unit (单位) credited with bringing leads and given targets: 街道/乡镇, 部门, 牵头单位."""

    class Kind(models.TextChoices):
        TOWN = "town", _("街道/乡镇")
        DEPARTMENT = "department", _("部门")
        INDUSTRY_LEAD = "industry_lead", _("十大产业牵头单位")

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    kind = models.CharField(_("单位类别"), max_length=20, choices=Kind.choices)
    active = models.BooleanField(_("在用"), default=True)

    objects = UnitManager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class StageOwner(models.Model):
    """Which task team owns a pipeline stage, and how long a lead may sit in it."""

    stage = models.CharField(_("阶段"), max_length=20, choices=PIPELINE_STAGE_CHOICES, unique=True)
    team = models.ForeignKey(
        TaskTeam, verbose_name=_("负责小分队"), on_delete=models.PROTECT, related_name="stages"
    )
    sla_days = models.PositiveSmallIntegerField(
        _("时限（天）"),
        help_text=_("线索在该阶段停留超过此天数即视为滞留（预警）。"),
    )

    class Meta:
        verbose_name = _("阶段负责小分队")
        verbose_name_plural = _("阶段负责小分队")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_stage_display()} → {self.team}"


class AnnualTarget(TimeStampedModel):
    """The year's targets for the district, or one industry, task team, unit or 分包领导.

    A row with no scope is the whole district's target; a row has at most
    one scope. Targets are entered in the admin or imported from a
    workbook; every change keeps a history row.
    """

    year = models.PositiveSmallIntegerField(_("年度"))
    industry = models.ForeignKey(
        Industry, verbose_name=_("产业"), on_delete=models.CASCADE, null=True, blank=True
    )
    team = models.ForeignKey(
        TaskTeam, verbose_name=_("小分队"), on_delete=models.CASCADE, null=True, blank=True
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.CASCADE, null=True, blank=True
    )
    leader = models.CharField(_("分包领导"), max_length=100, blank=True)
    signed_count = models.PositiveIntegerField(_("签约项目数"), default=0)
    signed_amount = models.DecimalField(
        _("签约金额(万元)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    landed_count = models.PositiveIntegerField(_("落地项目数"), default=0)
    landed_amount = models.DecimalField(
        _("落地金额(万元)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        ordering = ["-year", "industry__order", "team__name", "unit__name", "leader"]
        permissions = [
            ("import_annualtarget", _("可导入年度目标")),
            ("export_annualtarget", _("可导出年度目标")),
        ]
        constraints = [
            models.CheckConstraint(
                # At most one scope: each alternative leaves one scope free.
                condition=Q(team__isnull=True, unit__isnull=True, leader="")
                | Q(industry__isnull=True, unit__isnull=True, leader="")
                | Q(industry__isnull=True, team__isnull=True, leader="")
                | Q(industry__isnull=True, team__isnull=True, unit__isnull=True),
                name="target_one_scope",
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(industry__isnull=True, team__isnull=True, unit__isnull=True, leader=""),
                name="target_unique_district_year",
            ),
            models.UniqueConstraint(
                fields=["year", "industry"],
                condition=Q(industry__isnull=False),
                name="target_unique_industry_year",
            ),
            models.UniqueConstraint(
                fields=["year", "team"],
                condition=Q(team__isnull=False),
                name="target_unique_team_year",
            ),
            models.UniqueConstraint(
                fields=["year", "unit"],
                condition=Q(unit__isnull=False),
                name="target_unique_unit_year",
            ),
            models.UniqueConstraint(
                fields=["year", "leader"],
                condition=~Q(leader=""),
                name="target_unique_leader_year",
            ),
        ]

    def __str__(self):
        scope = self.industry or self.team or self.unit or self.leader or _("全区")
        return f"{self.year} {scope}"
