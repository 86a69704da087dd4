"""The stage tally: rows whose sums are the live leads' count and amount per stage and team."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from leads.models.lead import AMOUNT


class StageTally(models.Model):
    """One row of the stage tally (`leads.tally`), written by database triggers on the lead table.

    Two kinds of row, summed alike:

    - an image: a lead as it is after an insert or update (count +1) or as it
      was before an update or delete (count −1), with the columns the lead's
      amount and liveness are read from; no rule is applied when it is written;
    - a folded row (`tally_compact`, `tally_rebuild`): the count and the amount
      in whole cents of the live leads of one stage and team, no image columns.

    """

    stage = models.CharField(_("阶段"), max_length=20)
    # Foreign keys without a database constraint or index: a tally row must not
    # block or follow a change to its team or lead (the lead's own write moves
    # its count); the names are the lead's, so its conditions apply as they are.
    team = models.ForeignKey(
        "leads.TaskTeam",
        verbose_name=_("负责小分队"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    count = models.IntegerField(_("个数"))
    cents = models.BigIntegerField(_("金额(分)"), null=True)
    contract_amount = models.DecimalField(_("签约投资额(万元)"), **AMOUNT)
    planned_investment = models.DecimalField(_("计划投资额(万元)"), **AMOUNT)
    merged_into = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("并入线索"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("阶段汇总")
        verbose_name_plural = _("阶段汇总")

    def __str__(self):
        return f"{self.stage} {self.team_id}: {self.count}"
