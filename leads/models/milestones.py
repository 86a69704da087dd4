"""After 落地: the node plan's versions, dated paid-in instalments and 督办 notes.

All three are append-only records written by the services in
`leads.services.milestones`; the lead carries the current planned and
actual dates and the sum of its instalments.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.choices import Channel, Node, PaidInKind
from leads.models.lead import Lead


class NodePlan(models.Model):
    """One version of a lead's planned date for a node (签约/落地/开工/投产). Append-only.

    The newest version of a node is the lead's `planned_<node>_on`; the
    older ones are the plan's slips, which the 督办 list shows.
    """

    lead = models.ForeignKey(
        Lead, verbose_name=_("线索"), on_delete=models.PROTECT, related_name="node_plans"
    )
    node = models.CharField(_("节点"), max_length=20, choices=Node.choices)
    planned_on = models.DateField(_("计划日期"), null=True, blank=True)
    previous_on = models.DateField(_("原计划日期"), null=True, blank=True)
    reason = models.CharField(_("调整原因"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("节点计划")
        verbose_name_plural = _("节点计划")
        ordering = ["lead", "node", "at", "id"]
        indexes = [models.Index(fields=["lead", "node", "at"])]

    def __str__(self):
        return f"{self.lead_id} {self.get_node_display()} {self.planned_on}"


class PaidIn(models.Model):
    """One instalment of 到位资金 (paid-in capital) received by a lead's project. Append-only.

    Counted by `received_on`, the date the money arrived, which is empty only for the
    amounts carried over from before instalments existed on leads that had
    not landed (migration 0009): their date is unknown and is not invented.
    """

    lead = models.ForeignKey(
        Lead, verbose_name=_("线索"), on_delete=models.PROTECT, related_name="paid_ins"
    )
    # Indexed with the lead and amount (Meta): the report sums a window's
    # instalments from the index alone.
    received_on = models.DateField(_("到位日期"), null=True, blank=True)
    amount = models.DecimalField(
        _("金额(万元)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    kind = models.CharField(_("类别"), max_length=20, choices=PaidInKind.choices)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    created = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("到位资金")
        verbose_name_plural = _("到位资金")
        ordering = ["lead", "received_on", "id"]
        indexes = [
            models.Index(fields=["received_on", "lead", "amount"], name="paid_in_received_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="paid_in_amount_positive")
        ]

    def __str__(self):
        return f"{self.lead_id} {self.received_on} {self.amount}"


class SupervisionNote(models.Model):
    """A 督办 note by 局领导 on a lead's late node, with a deadline. Append-only."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("线索"), on_delete=models.PROTECT, related_name="supervision_notes"
    )
    node = models.CharField(_("节点"), max_length=20, choices=Node.choices, blank=True)
    note = models.TextField(_("督办意见"), max_length=2000)
    deadline = models.DateField(_("办理期限"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督办意见")
        verbose_name_plural = _("督办意见")
        ordering = ["lead", "-at", "-id"]

    def __str__(self):
        return f"{self.lead_id} {self.deadline}"
