"""Chainable reads over leads and their history."""

from datetime import timedelta

from django.apps import apps
from django.db import models
from django.db.models import DecimalField, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from leads.choices import PIPELINE, Stage


class LeadQuerySet(models.QuerySet):
    def open(self):
        """Leads still being worked: neither landed nor dropped."""
        return self.exclude(stage__in=[Stage.LANDED, Stage.DROPPED])

    def owned_by(self, team):
        return self.filter(team=team)

    def visible_to_team_of(self, user):
        """Leads owned by a team the user leads or belongs to."""
        return self.filter(Q(team__members=user) | Q(team__leader=user)).distinct()

    def stalled(self, *, now=None):
        """Open leads that have sat in their stage longer than the stage's SLA."""
        return self.filter(_stalled_q(now=now))

    def not_stalled(self, *, now=None):
        return self.exclude(_stalled_q(now=now))

    def signed_between(self, start, end):
        """Leads whose first signing (counted 签约日期) lies in [start, end]; see `signed_in_q`."""
        return self.filter(signed_in_q(start, end))

    def landed_between(self, start, end):
        """Leads whose first landing (counted 落地日期) lies in [start, end]; see `landed_in_q`."""
        return self.filter(landed_in_q(start, end))

    def follow_up_due(self, *, today=None):
        """Open leads whose next follow-up is today or overdue."""
        today = today or timezone.localdate()
        return self.open().filter(next_follow_up__lte=today)


class LeadManager(models.Manager.from_queryset(LeadQuerySet)):
    """The leads that count: all but those merged into another lead (已合并)."""

    def get_queryset(self):
        return super().get_queryset().filter(merged_into__isnull=True)


MONEY = DecimalField(max_digits=16, decimal_places=2)


def lead_amount_expression():
    """Return the amount a lead stands for: its contract amount once signed, else the plan."""
    return Coalesce("contract_amount", "planned_investment", output_field=MONEY)


def live_q(*, prefix: str = "") -> Q:
    """Return the condition "not merged into another lead", for leads reached through a join.

    The default manager applies it to every query on leads; a join from
    another model (a chamber's `leads__`) does not pass through managers.
    """
    return Q(**{f"{prefix}merged_into__isnull": True})


def signed_in_q(start=None, end=None, *, prefix: str = "") -> Q:
    """Return the condition "signed in [start, end]", counted by event (统计口径).

    The one definition of a signing: the lead's first entry into 签约 (or
    through it), with the 签约日期 it had then, recorded on the lead by the
    pipeline rules (`first_signed_on`). A later drop, move back or edit does
    not undo it; only a correction does. Without bounds: ever signed.
    `prefix` reaches leads through a relation, e.g. "leads__".
    """
    condition = Q(**{f"{prefix}first_signed_on__isnull": False})
    if start is not None:
        condition &= Q(**{f"{prefix}first_signed_on__gte": start})
    if end is not None:
        condition &= Q(**{f"{prefix}first_signed_on__lte": end})
    return condition


def landed_in_q(start=None, end=None, *, prefix: str = "") -> Q:
    """Return the condition "landed in [start, end]": first entry into 落地 (`first_landed_on`)."""
    condition = Q(**{f"{prefix}first_landed_on__isnull": False})
    if start is not None:
        condition &= Q(**{f"{prefix}first_landed_on__gte": start})
    if end is not None:
        condition &= Q(**{f"{prefix}first_landed_on__lte": end})
    return condition


# Every lead column the counted-event queries of the leads read (the report's
# trend, `leads.reports.grouped`; the report's figures and the 四率's numerators
# read the report tally): the lead model indexes the counted signing and landing
# dates with them, so those queries read the index alone instead of the wide lead
# rows. The id last, for joins by lead (the 资金到位率's numerator joined the year's
# signed leads to their instalments until the tally held it; migration 0025). The
# breakdown columns (产业, 小分队, 来源, …) are not here: only the tally's count again
# reads them, from the table. A column added to those queries belongs here; a test
# holds it for the trend.
REPORT_COLUMNS = (
    "first_signed_on",
    "first_landed_on",
    "merged_into",
    "first_signed_amount",
    "paid_in",
    "started_on",
    "id",
)


def report_event_index_fields(leading: str) -> list[str]:
    """Return the fields of the index on the counted event `leading` (a date) covering the
    report's queries: that date first, then the rest of REPORT_COLUMNS."""
    return [leading, *(column for column in REPORT_COLUMNS if column != leading)]


def stage_sla_days() -> dict[str, int]:
    """Return each configured stage's time limit in days (one query)."""
    # Looked up by name: the models import this module.
    stage_owner = apps.get_model("leads", "StageOwner")
    return dict(stage_owner.objects.values_list("stage", "sla_days"))


def stalled_q(*, sla_days: dict[str, int], now) -> Q:
    """Return the condition "stalled": open, in a timed stage longer than its limit.

    The one definition of stalled; the board's and dashboard's 三色预警
    red is this condition. It is the OR of `stalled_parts`.
    """
    condition = Q(pk__in=[])
    for part in stalled_parts(sla_days=sla_days, now=now).values():
        condition |= part
    return condition


def stalled_parts(*, sla_days: dict[str, int], now) -> dict[str, Q]:
    """Return {stage: the condition "stalled in that stage"} for the timed stages: each one
    range of the stage index (the board reads each stage's part alone)."""
    return {
        stage: Q(stage=stage, stage_entered_at__lt=_limit_start(now, days))
        for stage, days in timed_stages(sla_days)
    }


def within_limit_q(*, stage: str, days: int, now) -> Q:
    """Return the condition "in `stage` (limited to `days`) and not stalled": the rest of
    the stage's leads after `stalled_q`, as one range of the stage index."""
    return Q(stage=stage, stage_entered_at__gte=_limit_start(now, days))


def _limit_start(now, days: int):
    """Return the moment a lead must have entered a stage limited to `days` after, by `now`,
    not to be stalled (stage_entered_at is never blank)."""
    return now - timedelta(days=days)


def timed_stages(sla_days: dict[str, int]):
    """Yield (stage, days) for the open pipeline stages that have a time limit."""
    for stage in PIPELINE:
        if stage != Stage.LANDED and stage.value in sla_days:
            yield stage.value, sla_days[stage.value]


def _stalled_q(*, now=None) -> Q:
    return stalled_q(sla_days=stage_sla_days(), now=now or timezone.now())


class StageTransitionQuerySet(models.QuerySet):
    """History rows: readable and appendable, never updated or deleted in bulk."""

    def own(self):
        """Transitions made on their lead, not those a merge moved there from a duplicate.

        The report lists drops and corrections by transition: a drop of the
        duplicate is not a drop of the project kept (不重复统计).
        """
        merge = apps.get_model("leads", "LeadMerge")
        moved = [
            pk
            for rows in merge.objects.filter(undone_at__isnull=True).values_list("moved", flat=True)
            for pk in rows.get("leads.StageTransition.lead", ())
        ]
        return self.exclude(pk__in=moved) if moved else self

    def update(self, **kwargs):
        raise TypeError("StageTransition rows are append-only.")

    def delete(self):
        raise TypeError("StageTransition rows are append-only.")
