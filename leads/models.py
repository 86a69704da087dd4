"""The pipeline's data: industries, task teams, leads, their stage history and activities."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from model_utils import FieldTracker
from model_utils.fields import StatusField
from model_utils.models import TimeStampedModel
from simple_history.models import HistoricalRecords

from leads.choices import (
    LOST_TO_OTHER_PLACE,
    PIPELINE_STAGE_CHOICES,
    ActivityKind,
    Channel,
    OriginType,
    Source,
    Stage,
)
from leads.querysets import LeadQuerySet, StageTransitionQuerySet
from leads.validators import validate_credit_code

AMOUNT = {
    "max_digits": 14,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0"))],
    "null": True,
    "blank": True,
}


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


class StageChoicesBase(models.Model):
    """Give a model the `STAGE` choices that model-utils' StatusField reads."""

    STAGE = Stage.choices

    class Meta:
        abstract = True


class Lead(StageChoicesBase, TimeStampedModel):
    """An investment lead (招商线索/项目), followed from first contact to landing.

    `stage` changes only through `leads.services.lead_change_stage`.
    """

    code = models.CharField(_("项目编号"), max_length=32, unique=True, editable=False)
    name = models.CharField(_("项目名称"), max_length=200)
    investor = models.CharField(_("投资方"), max_length=200)
    origin = models.CharField(_("投资方所在地"), max_length=200, blank=True)
    origin_type = models.CharField(
        _("资金来源类别"), max_length=20, choices=OriginType.choices, blank=True
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("所属产业"), on_delete=models.PROTECT, related_name="leads"
    )
    source = models.CharField(_("线索来源"), max_length=20, choices=Source.choices)
    chamber = models.ForeignKey(
        "chambers.Chamber",
        verbose_name=_("推介商会"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    entrepreneur = models.ForeignKey(
        "chambers.Entrepreneur",
        verbose_name=_("回乡企业家"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    stage = StatusField(_("当前阶段"), choices_name="STAGE", max_length=20, editable=False)
    stage_entered_at = models.DateTimeField(
        _("进入本阶段时间"), default=timezone.now, editable=False
    )
    team = models.ForeignKey(
        TaskTeam,
        verbose_name=_("负责小分队"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        editable=False,
    )
    leader = models.CharField(
        _("分包领导"), max_length=100, blank=True, help_text=_("包抓该项目的区级领导。")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_leads",
    )
    planned_investment = models.DecimalField(_("计划投资额(万元)"), **AMOUNT)
    contract_amount = models.DecimalField(_("签约投资额(万元)"), **AMOUNT)
    paid_in = models.DecimalField(_("到位资金(万元)"), **AMOUNT)
    visited_on = models.DateField(_("考察日期"), null=True, blank=True)
    intent_on = models.DateField(_("意向日期"), null=True, blank=True)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    landed_on = models.DateField(_("落地日期"), null=True, blank=True)
    registered_name = models.CharField(_("落地企业名称"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    drop_reason = models.TextField(_("终止原因"), blank=True)
    lost_to = models.CharField(
        _("落户地"),
        max_length=200,
        blank=True,
        help_text=_("终止原因为“落户他地”时，填写项目最终落户的地方。"),
    )
    dropped_from = models.CharField(
        _("终止前阶段"),
        max_length=20,
        choices=PIPELINE_STAGE_CHOICES,
        blank=True,
        editable=False,
    )
    next_follow_up = models.DateField(_("下次跟进日期"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)

    objects = LeadQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["modified"], bases=[StageChoicesBase])
    tracker = FieldTracker()

    class Meta:
        verbose_name = _("招商线索")
        verbose_name_plural = _("招商线索")
        ordering = ["-created"]
        permissions = [
            ("change_stage_lead", _("可变更线索阶段")),
            ("manage_all_lead", _("可管理所有小分队的线索")),
            ("assign_team_lead", _("可指定负责小分队")),
            ("import_lead", _("可导入线索")),
            ("export_lead", _("可导出线索")),
        ]
        indexes = [
            models.Index(fields=["stage", "stage_entered_at"]),
            models.Index(fields=["signed_on"]),
            models.Index(fields=["landed_on"]),
            models.Index(fields=["investor", "name"]),
            models.Index(fields=["next_follow_up"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="lead_stage_valid"),
            models.CheckConstraint(
                condition=~Q(stage__in=[Stage.SIGNED, Stage.LANDED])
                | Q(signed_on__isnull=False, contract_amount__isnull=False),
                name="lead_signed_has_date_and_amount",
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.LANDED)
                | (Q(landed_on__isnull=False) & ~Q(registered_name="") & ~Q(credit_code="")),
                name="lead_landed_has_company",
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.DROPPED) | (~Q(drop_reason="") & ~Q(dropped_from="")),
                name="lead_dropped_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(planned_investment__gte=0) | Q(planned_investment__isnull=True),
                name="lead_planned_investment_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(contract_amount__gte=0) | Q(contract_amount__isnull=True),
                name="lead_contract_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(paid_in__gte=0) | Q(paid_in__isnull=True),
                name="lead_paid_in_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        """Check the rules that hold within one lead row, whatever its stage."""
        errors = lead_row_errors(self)
        if errors:
            raise ValidationError(errors)

    @property
    def days_in_stage(self) -> int:
        """Return whole days since the lead entered its current stage."""
        return (timezone.localdate() - timezone.localdate(self.stage_entered_at)).days

    @property
    def is_open(self) -> bool:
        return self.stage not in (Stage.LANDED, Stage.DROPPED)


STAGE_DATE_FIELDS = ("visited_on", "intent_on", "signed_on", "landed_on")


def lead_row_errors(lead, today=None) -> dict:
    """Return field errors for the rules within one lead row (Lead.clean and the bulk import).

    `lead` is a Lead or any object with the same attributes; `today` defaults
    to the local date (a bulk caller passes it once).
    """
    errors = {}
    if lead.source == Source.CHAMBER and not lead.chamber_id:
        errors["chamber"] = _("线索来源为“商会推介”时必须填写推介商会。")
    if lead.source == Source.RETURNEE and not lead.entrepreneur_id:
        errors["entrepreneur"] = _("线索来源为“回乡创业”时必须填写回乡企业家。")
    if LOST_TO_OTHER_PLACE in (lead.drop_reason or "") and not lead.lost_to:
        errors["lost_to"] = _("终止原因为“落户他地”时必须填写落户地。")
    errors.update(stage_date_errors(lead, today))
    return errors


def stage_date_errors(lead, today=None) -> dict:
    """Return field errors for stage dates in the future or out of pipeline order."""
    errors = {}
    today = today or timezone.localdate()
    previous_field, previous_date = None, None
    for field in STAGE_DATE_FIELDS:
        value = getattr(lead, field)
        if value is None:
            continue
        label = Lead._meta.get_field(field).verbose_name
        if value > today:
            errors[field] = _("%(label)s不能晚于今天（%(today)s）。") % {
                "label": label,
                "today": today.isoformat(),
            }
        elif previous_date is not None and value < previous_date:
            errors[field] = _(
                "%(label)s（%(value)s）不能早于%(previous)s（%(previous_value)s）。"
            ) % {
                "label": label,
                "value": value.isoformat(),
                "previous": Lead._meta.get_field(previous_field).verbose_name,
                "previous_value": previous_date.isoformat(),
            }
        previous_field, previous_date = field, value
    return errors


class StageTransition(models.Model):
    """One change of a lead's stage. Append-only: never edited, never deleted."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("线索"), on_delete=models.PROTECT, related_name="transitions"
    )
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=Stage.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    from_team = models.ForeignKey(
        TaskTeam,
        verbose_name=_("原负责小分队"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_team = models.ForeignKey(
        TaskTeam,
        verbose_name=_("新负责小分队"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("随附数据"), default=dict, blank=True)

    objects = StageTransitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("阶段变更记录")
        verbose_name_plural = _("阶段变更记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["lead", "at"])]

    def __str__(self):
        return f"{self.lead_id}: {self.from_stage or '—'} → {self.to_stage}"

    def save(self, *args, **kwargs):
        # History is never edited: refuse to update a row that already exists.
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("阶段变更记录不可修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("阶段变更记录不可删除。"))


class Activity(TimeStampedModel):
    """A contact with the investor (对接记录): call, visit, negotiation …"""

    lead = models.ForeignKey(
        Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="activities"
    )
    occurred_on = models.DateField(_("日期"), default=timezone.localdate)
    kind = models.CharField(_("方式"), max_length=20, choices=ActivityKind.choices)
    participants = models.CharField(_("参与人员"), max_length=300, blank=True)
    summary = models.TextField(_("对接情况"))
    next_step = models.TextField(_("下一步计划"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("对接记录")
        verbose_name_plural = _("对接记录")
        ordering = ["-occurred_on", "-id"]

    def __str__(self):
        return f"{self.occurred_on} {self.get_kind_display()}"


class AnnualTarget(TimeStampedModel):
    """The year's targets for the district, one industry or one task team.

    A row with neither industry nor team is the whole district's target.
    Targets are entered in the admin or imported from a workbook; every
    change keeps a history row.
    """

    year = models.PositiveSmallIntegerField(_("年度"))
    industry = models.ForeignKey(
        Industry, verbose_name=_("产业"), on_delete=models.CASCADE, null=True, blank=True
    )
    team = models.ForeignKey(
        TaskTeam, verbose_name=_("小分队"), on_delete=models.CASCADE, null=True, blank=True
    )
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
        ordering = ["-year", "industry__order", "team__name"]
        permissions = [
            ("import_annualtarget", _("可导入年度目标")),
            ("export_annualtarget", _("可导出年度目标")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(industry__isnull=True) | Q(team__isnull=True),
                name="target_one_scope",
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(industry__isnull=True, team__isnull=True),
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
        ]

    def __str__(self):
        scope = self.industry or self.team or _("全区")
        return f"{self.year} {scope}"


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
