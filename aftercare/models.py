"""Enterprises served after landing, the problems they raise and each problem's history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from model_utils.models import TimeStampedModel

from aftercare.choices import (
    DEADLINE_STATES,
    Category,
    FeedbackWay,
    ProblemChannel,
    Rating,
    Status,
)
from aftercare.querysets import EnterpriseQuerySet, ProblemQuerySet
from leads.models import Lead, TaskTeam, Unit
from leads.validators import validate_credit_code


def responsible_name(team: str | None, unit: str | None, text: str | None) -> str:
    """Return the displayed responsible unit from the three names: team, then unit, then text.

    The one rule of precedence; the report applies it to rows read as values.
    """
    return team or unit or text or ""


class Enterprise(TimeStampedModel):
    """An enterprise the bureau serves: a landed project's company or any other local firm."""

    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    address = models.CharField(_("地址"), max_length=300, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    district_leader = models.CharField(
        _("区级联系领导"), max_length=100, blank=True, help_text=_("区级领导联系企业制度。")
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联络员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="liaison_enterprises",
    )
    above_scale = models.BooleanField(_("规上企业"), default=False)
    key_enterprise = models.BooleanField(_("重点企业"), default=False)
    from_investment = models.BooleanField(_("招商落地企业"), default=False)
    lead = models.ForeignKey(
        Lead,
        verbose_name=_("来源线索"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enterprises",
    )
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务企业")
        verbose_name_plural = _("服务企业")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="enterprise_unique_credit_code",
                violation_error_message=_("已有企业使用该统一社会信用代码。"),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def tags(self) -> list[str]:
        """Return the labels of the enterprise's tags, e.g. ["规上企业", "招商落地企业"]."""
        names = ("above_scale", "key_enterprise", "from_investment")
        return [
            str(self._meta.get_field(name).verbose_name) for name in names if getattr(self, name)
        ]


class CategoryDeadline(models.Model):
    """How many days a problem of one category may take (限时), editable in the admin."""

    category = models.CharField(_("诉求类别"), max_length=20, choices=Category.choices, unique=True)
    days = models.PositiveSmallIntegerField(_("办理时限（天）"))

    class Meta:
        verbose_name = _("诉求办理时限")
        verbose_name_plural = _("诉求办理时限")
        ordering = ["category"]

    def __str__(self):
        return f"{self.get_category_display()}：{self.days} 天"


class Problem(TimeStampedModel):
    """A problem an enterprise raised (企业诉求), followed until it is closed out (销号).

    `status` changes only through `aftercare.services.problem_change_status`.
    """

    code = models.CharField(_("诉求编号"), max_length=32, unique=True, editable=False)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="problems"
    )
    raised_on = models.DateField(_("反映日期"))
    raised_via = models.CharField(_("反映渠道"), max_length=20, choices=ProblemChannel.choices)
    category = models.CharField(_("诉求类别"), max_length=20, choices=Category.choices)
    description = models.TextField(_("诉求内容"))
    responsible_team = models.ForeignKey(
        TaskTeam,
        verbose_name=_("责任小分队"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
    )
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        help_text=_("系统中的单位（街道/乡镇、部门、牵头单位）负责时选择。"),
    )
    responsible_unit_name = models.CharField(
        _("责任单位（其他）"),
        max_length=200,
        blank=True,
        help_text=_("区外或其他部门负责时填写单位名称。"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_problems",
    )
    deadline = models.DateField(_("办理时限"))
    status = models.CharField(
        _("办理状态"), max_length=20, choices=Status.choices, default=Status.OPEN, editable=False
    )
    resolution = models.TextField(_("办理结果"), blank=True, editable=False)
    resolved_on = models.DateField(_("办结日期"), null=True, blank=True, editable=False)
    explanation = models.TextField(_("政策解释"), blank=True, editable=False)
    review_on = models.DateField(_("复核日期"), null=True, blank=True, editable=False)
    escalated_to = models.CharField(_("上报单位"), max_length=200, blank=True, editable=False)
    escalated_on = models.DateField(_("上报日期"), null=True, blank=True, editable=False)
    escalation_answer = models.TextField(_("上级答复"), blank=True, editable=False)
    feedback_on = models.DateField(_("反馈日期"), null=True, blank=True, editable=False)
    feedback_way = models.CharField(
        _("反馈方式"), max_length=20, choices=FeedbackWay.choices, blank=True, editable=False
    )
    rating = models.CharField(
        _("企业评价"), max_length=20, choices=Rating.choices, blank=True, editable=False
    )
    closed_on = models.DateField(_("销号日期"), null=True, blank=True, editable=False)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业诉求")
        verbose_name_plural = _("企业诉求")
        ordering = ["-raised_on", "-id"]
        permissions = [
            ("change_status_problem", _("可办理企业诉求")),
            ("manage_all_problem", _("可管理所有企业诉求")),
            ("import_problem", _("可导入企业诉求")),
            ("export_problem", _("可导出企业诉求")),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["raised_on"]),
            models.Index(fields=["closed_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="problem_status_valid",
                violation_error_message=_("未知的办理状态。"),
            ),
            models.CheckConstraint(
                condition=Q(responsible_team__isnull=False)
                | Q(responsible_unit__isnull=False)
                | ~Q(responsible_unit_name=""),
                name="problem_has_responsible_unit",
                violation_error_message=_(
                    "请选择责任小分队或责任单位，或为区外/其他部门填写单位名称。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("raised_on")),
                name="problem_deadline_after_raised",
                violation_error_message=_("办理时限不能早于反映日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.CLOSED)
                | (
                    Q(feedback_on__isnull=False, closed_on__isnull=False)
                    & ~Q(feedback_way="")
                    & Q(rating__in=[Rating.SATISFIED, Rating.FAIRLY])
                ),
                name="problem_closed_has_feedback",
                violation_error_message=_("销号须有反馈日期、反馈方式和满意或基本满意的企业评价。"),
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.ON_RECORD) | ~Q(explanation=""),
                name="problem_on_record_has_explanation",
                violation_error_message=_("记录在案须填写政策解释。"),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.enterprise}"

    @property
    def responsible_name(self) -> str:
        """Return the name of whoever answers for the problem (what pages, export, report show).

        The task team comes first (its members act on the problem), then the
        unit (街道/部门), then the free text of an outside department. Where a
        team and a unit are both set only the team is shown.
        """
        return responsible_name(
            self.responsible_team.name if self.responsible_team_id else "",
            self.responsible_unit.name if self.responsible_unit_id else "",
            self.responsible_unit_name,
        )

    def is_overdue(self, now=None) -> bool:
        """Return whether the deadline has passed with the enterprise still waiting (超期).

        A problem due on a day is overdue from the next day's 00:00 in the
        project's time zone (Asia/Shanghai), while it is in a deadline state.
        """
        return self.is_overdue_on(timezone.localdate(now))

    def is_overdue_on(self, today) -> bool:
        """Return whether the problem is overdue on the local day `today` (see `overdue_q`)."""
        return self.status in DEADLINE_STATES and self.deadline < today


class ProblemStatusChange(models.Model):
    """One move of a problem between statuses (or its creation), never edited."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="changes"
    )
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("渠道"), max_length=20, default="web")
    note = models.TextField(_("说明"), blank=True)
    rating = models.CharField(_("企业评价"), max_length=20, choices=Rating.choices, blank=True)
    data = models.JSONField(_("填写内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["problem", "at"])]

    def __str__(self):
        return f"{self.problem_id}: {self.from_status or '—'} → {self.to_status}"
