"""The tallies kept by database triggers: the stage tally (live leads per stage, team, 产业 and
来源) and the report tally (counted events per day and breakdown value)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from leads.models.lead import AMOUNT


def _loose_key(model: str, verbose_name: str) -> models.ForeignKey:
    """A foreign key without a database constraint or index, named as the lead's column."""
    return models.ForeignKey(
        model,
        verbose_name=verbose_name,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )


class StageTally(models.Model):
    """One row of the stage tally (`leads.tally`), written by database triggers on the lead table.

    Two kinds of row, summed alike:

    - an image: a lead as it is after an insert or update (count +1) or as it
      was before an update or delete (count −1), with the columns the lead's
      amount and liveness are read from; no rule is applied when it is written;
    - a folded row (`tally_compact`, `tally_rebuild`): the count and the amount
      in whole cents of the live leads of one stage, team, 产业 and 来源, no image
      columns.

    """

    stage = models.CharField(_("阶段"), max_length=20)
    # Foreign keys without a database constraint or index: a tally row must not
    # block or follow a change to its team or lead (the lead's own write moves
    # its count); the names are the lead's, so its conditions apply as they are.
    team = _loose_key("leads.TaskTeam", _("负责小分队"))
    industry = _loose_key("leads.Industry", _("所属产业"))
    source = models.CharField(_("线索来源"), max_length=20, null=True)
    count = models.IntegerField(_("个数"))
    cents = models.BigIntegerField(_("金额(分)"), null=True)
    contract_amount = models.DecimalField(_("签约投资额(万元)"), **AMOUNT)
    planned_investment = models.DecimalField(_("计划投资额(万元)"), **AMOUNT)
    merged_into = _loose_key("leads.Lead", _("并入线索"))

    class Meta:
        verbose_name = _("阶段汇总")
        verbose_name_plural = _("阶段汇总")

    def __str__(self):
        return f"{self.stage} {self.team_id}: {self.count}"


class ReportImage(models.Model):
    """An image written by the database triggers of the report tally (`leads.report_tally`).

    Two kinds, both counted +1 (as written) or −1 (as it was), no rule applied:

    - a lead's image: the lead columns the report's counted events are read
      from, under the lead's names, so the report's conditions apply as they are;
    - an instalment's image: its `received_on` and `amount`, with its lead's
      breakdown columns (what the instalment is grouped by) and its lead's
      counted 签约日期 (`lead_signed_on`, for the 资金到位率).

    `tally_fold` turns the images into `ReportTally` rows and deletes them.
    """

    count = models.IntegerField(_("个数"))
    first_signed_on = models.DateField(_("计入签约日期"), null=True)
    first_landed_on = models.DateField(_("计入落地日期"), null=True)
    started_on = models.DateField(_("开工日期"), null=True)
    in_production_on = models.DateField(_("投产日期"), null=True)
    first_signed_amount = models.DecimalField(_("计入签约金额(万元)"), **AMOUNT)
    paid_in = models.DecimalField(_("到位资金(万元)"), **AMOUNT)
    merged_into = _loose_key("leads.Lead", _("已合并到"))
    industry = _loose_key("leads.Industry", _("所属产业"))
    credit_team = _loose_key("leads.TaskTeam", _("引进小分队"))
    credit_unit = _loose_key("leads.Unit", _("引进单位"))
    source = models.CharField(_("线索来源"), max_length=20, null=True)
    origin_type = models.CharField(_("资金来源类别"), max_length=20, null=True)
    leader = models.CharField(_("分包领导"), max_length=100, null=True)
    received_on = models.DateField(_("到位日期"), null=True)
    amount = models.DecimalField(_("金额(万元)"), **AMOUNT)
    lead_signed_on = models.DateField(_("线索计入签约日期"), null=True)

    class Meta:
        verbose_name = _("报表汇总待计入")
        verbose_name_plural = _("报表汇总待计入")

    def __str__(self):
        return f"{self.count:+d}"


class ReportTally(models.Model):
    """One folded row of the report tally: a day's (or a whole month's) counted events of one
    kind and one value of one breakdown column (`column` is the lead's column name, `value`
    its value as text).

    Each event is on two rows: its day's and its month's (`whole_month`, `day` the month's
    first day), so a report of whole months reads a row a month instead of one a day. A kind
    counted in all only (the 四率's numerators) has `column` "" and no value.
    """

    kind = models.CharField(_("事件"), max_length=20)
    whole_month = models.BooleanField(_("整月"), default=False)
    day = models.DateField(_("日期"))
    column = models.CharField(_("分组列"), max_length=30)
    value = models.CharField(_("分组值"), max_length=100, null=True)
    count = models.BigIntegerField(_("个数"))
    cents = models.BigIntegerField(_("金额(分)"))
    paid_cents = models.BigIntegerField(_("到位资金(分)"))

    class Meta:
        verbose_name = _("报表汇总")
        verbose_name_plural = _("报表汇总")
        indexes = [
            # The report reads a span of days: the index holds every column it reads.
            models.Index(
                fields=[
                    "whole_month",
                    "day",
                    "kind",
                    "column",
                    "value",
                    "count",
                    "cents",
                    "paid_cents",
                ],
                name="report_tally_day_idx",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.day} {self.column}={self.value}: {self.count}"
