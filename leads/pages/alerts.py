"""三色预警: how long an open lead has sat in its stage against the stage's SLA.

Green: under 80 % of the stage's time limit. Amber: 80 % up to the limit.
Red: over the limit (the lead is stalled, as `LeadQuerySet.stalled` counts it).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from leads.querysets import stage_sla_days, stalled_q, timed_stages

# Share of the time limit after which a lead turns amber.
AMBER_SHARE = 0.8

RED, AMBER, GREEN = "red", "amber", "green"
LABELS = {RED: "超期", AMBER: "临期", GREEN: "正常"}


@dataclass(frozen=True)
class StageLimits:
    """The time limits of the pipeline stages, read once per request."""

    sla_days: dict[str, int]
    now: datetime

    @classmethod
    def load(cls, *, now=None) -> "StageLimits":
        """Return the configured limits (one query)."""
        return cls(sla_days=stage_sla_days(), now=now or timezone.now())

    def timed_stages(self):
        """Yield (stage, sla_days) for the stages that have a time limit."""
        return timed_stages(self.sla_days)

    def red_q(self) -> Q:
        """Return a condition matching open leads over their stage's limit (stalled)."""
        return stalled_q(sla_days=self.sla_days, now=self.now)

    def attention_cutoff(self, days: int) -> datetime:
        """Return the moment before which a lead entering a stage limited to `days` turns amber."""
        return self.now - timedelta(days=days * AMBER_SHARE)

    def amber_q(self) -> Q:
        """Return a condition matching open leads past 80 % of their stage's limit."""
        condition = Q(pk__in=[])
        for stage, days in self.timed_stages():
            condition |= Q(
                stage=stage,
                stage_entered_at__lt=self.attention_cutoff(days),
                stage_entered_at__gte=self.now - timedelta(days=days),
            )
        return condition

    def green_q(self) -> Q:
        """Return a condition matching open, timed leads well within their limit."""
        condition = Q(pk__in=[])
        for stage, days in self.timed_stages():
            condition |= Q(
                stage=stage,
                stage_entered_at__gte=self.attention_cutoff(days),
            )
        return condition

    def colour(self, lead) -> str:
        """Return red, amber, green, or "" for a lead whose stage has no limit."""
        days = dict(self.timed_stages()).get(lead.stage)
        if days is None:
            return ""
        # Strictly over the limit, like `stalled_q` (entered before now − limit).
        waited = (self.now - lead.stage_entered_at).total_seconds() / 86400
        if waited > days:
            return RED
        if waited > days * AMBER_SHARE:
            return AMBER
        return GREEN

    def annotate(self, leads):
        """Set `warning` and `sla_days` on each lead of an evaluated list; return it."""
        for lead in leads:
            lead.days = lead.days_in_stage
            lead.overdue_ratio = (
                lead.days / self.sla_days[lead.stage] if self.sla_days.get(lead.stage) else 0
            )
            lead.warning = self.colour(lead)
            lead.warning_label = LABELS.get(lead.warning, "")
            lead.sla_days = self.sla_days.get(lead.stage)
        return leads
