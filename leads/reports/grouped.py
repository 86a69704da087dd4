"""Grouped aggregate queries of the report: counted signings and landings per window and group.

Counting is by event (`leads.querysets.signed_in_q` / `landed_in_q`): a lead counts
in the window holding its first signing (落地: first landing), with the
amount it was signed for then (`first_signed_amount`); paid-in money is the
lead's 到位资金 now.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import BigIntegerField, Count, F, Q, Sum, Value
from django.db.models.functions import Cast, Round

from leads.models import Lead
from leads.querysets import landed_in_q, signed_in_q
from leads.reports.figures import CENT, ZERO, Tally, Totals
from leads.reports.period import Period

COUNTED_AMOUNT = "first_signed_amount"


def cents_sum(field: str, condition: Q | None = None) -> Sum:
    """Sum an amount column as whole cents (fen ×100, an integer) where `condition` holds.

    SQLite keeps decimals as floating point and sums them inexactly; summing
    rounded integer cents is exact on every database.
    """
    cents = Cast(Round(F(field) * Value(Decimal(100))), output_field=BigIntegerField())
    return Sum(cents, filter=condition)


def from_cents(value) -> Decimal:
    """Return a cents sum (None for no rows) as 万元 with two places."""
    return ZERO if value is None else (Decimal(value) / 100).quantize(CENT)


def window_aggregates(prefix: str, period: Period) -> dict:
    """Return the count and sums of the leads signed and landed in `period`, named by `prefix`."""
    signed, landed = signed_in_q(period.start, period.end), landed_in_q(period.start, period.end)
    return {
        f"{prefix}_s_count": Count("pk", filter=signed),
        f"{prefix}_s_amount": cents_sum(COUNTED_AMOUNT, signed),
        f"{prefix}_l_count": Count("pk", filter=landed),
        f"{prefix}_l_amount": cents_sum(COUNTED_AMOUNT, landed),
        f"{prefix}_l_paid_in": cents_sum("paid_in", landed),
    }


def window_totals(row: dict, prefix: str) -> Totals:
    """Return the Totals of one window from a row aggregated by `window_aggregates`."""
    return Totals(
        Tally(row[f"{prefix}_s_count"], from_cents(row[f"{prefix}_s_amount"])),
        Tally(
            row[f"{prefix}_l_count"],
            from_cents(row[f"{prefix}_l_amount"]),
            from_cents(row[f"{prefix}_l_paid_in"]),
        ),
    )


def grouped_totals(
    ranges: dict[str, Period], columns: list[str], *, rates: dict[str, Q] | None = None
) -> list[dict]:
    """Return one dict per group of `columns`: {"key", "totals": {window: Totals}, "rates"}.

    One query, whatever the number of leads: the leads signed or landed in
    any window, grouped, with conditional aggregates per window. Each of
    `rates` counts, per group, the leads meeting its condition (a rate's
    numerator; the condition must select leads signed or landed in a window).
    """
    low = min(period.start for period in ranges.values())
    high = max(period.end for period in ranges.values())
    aggregates = {}
    for window, period in ranges.items():
        aggregates.update(window_aggregates(window, period))
    for name, condition in (rates or {}).items():
        aggregates[f"rate_{name}"] = Count("pk", filter=condition)
    rows = (
        Lead.objects.filter(signed_in_q(low, high) | landed_in_q(low, high))
        .values(*columns)
        .annotate(**aggregates)
        .order_by()
    )
    return [
        {
            "key": {column: row[column] for column in columns},
            "totals": {window: window_totals(row, window) for window in ranges},
            "rates": {name: row[f"rate_{name}"] for name in rates or {}},
        }
        for row in rows
    ]


def monthly_totals(months: list[Period]) -> list[Totals]:
    """Return the Totals of each of `months` (consecutive), in two grouped queries.

    The counted signings in the span grouped by their 签约日期 and the
    counted landings by their 落地日期 (at most one row a day, read in the
    order of the indexes on first_signed_on / first_landed_on, no function
    per row); the days are added up by month here.
    """
    low, high = months[0].start, months[-1].end
    totals = {(month.start.year, month.start.month): Totals() for month in months}
    signed = (
        Lead.objects.filter(signed_in_q(low, high))
        .values("first_signed_on")
        .annotate(count=Count("pk"), amount=cents_sum(COUNTED_AMOUNT))
        .order_by()
    )
    for row in signed:
        day = row["first_signed_on"]
        totals[(day.year, day.month)].signed.add(Tally(row["count"], from_cents(row["amount"])))
    landed = (
        Lead.objects.filter(landed_in_q(low, high))
        .values("first_landed_on")
        .annotate(count=Count("pk"), amount=cents_sum(COUNTED_AMOUNT), paid_in=cents_sum("paid_in"))
        .order_by()
    )
    for row in landed:
        day = row["first_landed_on"]
        totals[(day.year, day.month)].landed.add(
            Tally(row["count"], from_cents(row["amount"]), from_cents(row["paid_in"]))
        )
    return list(totals.values())
