"""Chainable reads over leads and their history."""

from datetime import timedelta

from django.apps import apps
from django.db import models
from django.db.models import Q
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
        """Leads now 签约 or 落地 whose signing date lies in [start, end]."""
        return self.filter(
            stage__in=[Stage.SIGNED, Stage.LANDED], signed_on__gte=start, signed_on__lte=end
        )

    def landed_between(self, start, end):
        return self.filter(stage=Stage.LANDED, landed_on__gte=start, landed_on__lte=end)

    def follow_up_due(self, *, today=None):
        """Open leads whose next follow-up is today or overdue."""
        today = today or timezone.localdate()
        return self.open().filter(next_follow_up__lte=today)


def stage_sla_days() -> dict[str, int]:
    """Return each configured stage's time limit in days (one query)."""
    # Looked up by name: the models import this module.
    stage_owner = apps.get_model("leads", "StageOwner")
    return dict(stage_owner.objects.values_list("stage", "sla_days"))


def stalled_q(*, sla_days: dict[str, int], now) -> Q:
    """Return the condition "stalled": open, in a timed stage longer than its limit.

    The one definition of stalled; the board's and dashboard's 三色预警
    red is this condition.
    """
    condition = Q(pk__in=[])
    for stage in PIPELINE:
        if stage == Stage.LANDED or stage.value not in sla_days:
            continue
        condition |= Q(
            stage=stage, stage_entered_at__lt=now - timedelta(days=sla_days[stage.value])
        )
    return condition


def _stalled_q(*, now=None) -> Q:
    return stalled_q(sla_days=stage_sla_days(), now=now or timezone.now())


class StageTransitionQuerySet(models.QuerySet):
    """History rows: readable and appendable, never updated or deleted in bulk."""

    def update(self, **kwargs):
        raise TypeError("StageTransition rows are append-only.")

    def delete(self):
        raise TypeError("StageTransition rows are append-only.")
