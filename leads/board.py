"""Reads for the pipeline board: one column per stage, with totals and the longest-waiting cards."""

from django.db.models import Count, Sum

from leads.choices import PIPELINE, Stage, stage_index
from leads.dashboard import CARD_FIELDS, ZERO, lead_amount_expression
from leads.warnings import StageLimits

# Cards shown per column; the column's count and amount cover all its leads.
COLUMN_SIZE = 25


def _next_stage(stage):
    index = stage_index(stage)
    return PIPELINE[index + 1] if index + 1 < len(PIPELINE) else None


def board_columns(queryset, *, limits: StageLimits) -> list[dict]:
    """Return the board's columns for the (filtered) `queryset` of leads.

    One query for the totals of every stage, then one per column for its
    cards, longest in stage first: 1 + 5 queries whatever the number of leads.
    """
    totals = {
        row["stage"]: row
        for row in queryset.order_by()
        .values("stage")
        .annotate(count=Count("pk"), amount=Sum(lead_amount_expression()))
    }
    cards = (
        queryset.select_related("industry", "team")
        .only(*CARD_FIELDS)
        .order_by("stage_entered_at", "id")
    )
    columns = []
    for stage in PIPELINE:
        row = totals.get(stage.value, {})
        leads = limits.annotate(list(cards.filter(stage=stage)[:COLUMN_SIZE]))
        columns.append(
            {
                "stage": stage,
                "count": row.get("count", 0),
                "amount": row.get("amount") or ZERO,
                "leads": leads,
                "next_stage": _next_stage(stage),
            }
        )
    return columns


def board_dropped(queryset):
    """Return dropped leads, most recently dropped first."""
    return queryset.filter(stage=Stage.DROPPED).select_related("industry", "team")
