"""What happened to a lead: stage transitions (append-only) and contacts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from model_utils.models import TimeStampedModel

from leads.choices import (
    ActivityKind,
    Channel,
    Stage,
)
from leads.models.lead import Lead
from leads.models.reference import TaskTeam
from leads.querysets import StageTransitionQuerySet


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
    # A move back marked as correcting a data-entry error (局领导 only): the
    # one way a counted signing or landing leaves its month.
    correction = models.BooleanField(_("更正误录"), default=False, db_default=False)
    data = models.JSONField(_("随附数据"), default=dict, blank=True)

    objects = StageTransitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("阶段变更记录")
        verbose_name_plural = _("阶段变更记录")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["lead", "at"]),
            # The report reads the drops (签约后终止) of a period: their lead and id are
            # here too, so the drops are read from the index alone, not the wide rows.
            models.Index(fields=["to_stage", "at", "lead", "id"], name="transition_stage_at_idx"),
            # The 更正误录 moves, few: the report's 调整说明 reads a period's from this
            # index, not every move of the period (18,000 a month at 1,000,000 leads).
            models.Index(
                fields=["at"], condition=models.Q(correction=True), name="transition_correction_idx"
            ),
        ]

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
        indexes = [
            # The dashboard's latest activities (ten, newest entered first): read from
            # the index's end instead of sorting every activity (at 100,000 leads and
            # 150,000 activities on SQLite, 49 ms → under 1 ms; the dashboard 163 → 109 ms).
            models.Index(fields=["-created", "-id"], name="activity_recent_idx"),
        ]

    def __str__(self):
        return f"{self.occurred_on} {self.get_kind_display()}"
