"""The backlog (签约未落地) as of a day, read against the stage history."""

from __future__ import annotations

from datetime import date

from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from leads.choices import Stage
from leads.models import Lead, StageTransition
from leads.querysets import landed_in_q, signed_in_q
from leads.reports.figures import BacklogRow, money
from leads.reports.period import next_day_start

# The stages of a lead whose signing stands (not dropped or moved back).
SIGNED_STAGES = (Stage.SIGNED, Stage.LANDED)


def backlog_rows(*, as_of: date, sla_days: int | None) -> list[BacklogRow]:
    """Return the leads signed but not landed as of `as_of`, longest waiting first.

    Counted by event, like the report's figures: the lead's counted signing
    (`signed_in_q`) is on or before `as_of`, its counted landing is not, and
    by the history it sat in 签约 at the end of `as_of`; it has waited since
    its counted 签约日期.
    """
    # The stage at the end of `as_of` by the history; for a lead with no
    # history yet (entered later), its dates decide: it counts when it is
    # now 签约/落地 or was dropped from 签约. One subquery reference, so
    # the database evaluates it once per candidate lead.
    stage_then = Coalesce(
        Subquery(
            StageTransition.objects.filter(lead=OuterRef("pk"), at__lt=next_day_start(as_of))
            .order_by("-at", "-id")
            .values("to_stage")[:1]
        ),
        Case(
            When(
                Q(stage__in=SIGNED_STAGES) | Q(stage=Stage.DROPPED, dropped_from=Stage.SIGNED),
                then=Value(Stage.SIGNED.value),
            ),
            default=Value(""),
        ),
    )
    candidates = Lead.objects.filter(signed_in_q(end=as_of)).exclude(landed_in_q(end=as_of))
    if as_of >= timezone.localdate():
        # As of today the history holds no later move: the stage then is the stage now.
        candidates = candidates.filter(stage=Stage.SIGNED)
    else:
        candidates = candidates.annotate(stage_then=stage_then).filter(stage_then=Stage.SIGNED)
    leads = (
        candidates.order_by("first_signed_on", "code")
        # Plain values: model instances (with their field tracker) cost
        # ten times more to build for a backlog of thousands.
        .values(
            "pk",
            "code",
            "name",
            "investor",
            "industry__name",
            "team__name",
            "first_signed_on",
            "first_signed_amount",
        )
    )
    rows = []
    for lead in leads:
        waiting = (as_of - lead["first_signed_on"]).days
        rows.append(
            BacklogRow(
                pk=lead["pk"],
                code=lead["code"],
                name=lead["name"],
                investor=lead["investor"],
                industry=lead["industry__name"],
                team=lead["team__name"] or "",
                signed_on=lead["first_signed_on"],
                contract_amount=money(lead["first_signed_amount"]),
                days_waiting=waiting,
                overdue=sla_days is not None and waiting > sla_days,
            )
        )
    return rows
