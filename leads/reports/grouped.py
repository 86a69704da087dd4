"""The report's sums in whole cents, and a window's Totals from them.

Counting is by event (`leads.querysets.signed_in_q` / `landed_in_q`): a lead counts
in the window holding its first signing (落地: first landing), with the
amount it was signed for then (`first_signed_amount`); paid-in money is the
lead's 到位资金 now.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BigIntegerField, F, Q, Sum, Value
from django.db.models.functions import Cast, Round

from leads.models import Lead
from leads.reports.figures import CENT, ZERO, Tally, Totals

COUNTED_AMOUNT = "first_signed_amount"


def cents(field) -> Cast:
    """Return an amount column (a name or an expression) as whole cents (fen ×100), an integer."""
    amount = F(field) if isinstance(field, str) else field
    return Cast(Round(amount * Value(Decimal(100))), output_field=BigIntegerField())


def cents_sum(field, condition: Q | None = None) -> Cast:
    """Sum an amount column as whole cents (fen ×100, an integer) where `condition` holds.

    SQLite keeps decimals as floating point and sums them inexactly; summing
    rounded integer cents is exact on every database. The sum is cast back to
    an integer: PostgreSQL sums bigints as numeric, which the driver hands over
    as Decimal, slower to add up in the rollups than int.
    """
    return Cast(Sum(cents(field), filter=condition), output_field=BigIntegerField())


def from_cents(value) -> Decimal:
    """Return a cents sum (None for no rows) as 万元 with two places."""
    return ZERO if value is None else (Decimal(value) / 100).quantize(CENT)


def window_totals(row: dict, prefix: str) -> Totals:
    """Return the Totals of one window from sums named as `leads.report_tally.report_sums`
    names them ("<window>_s_count", …)."""
    return Totals(
        Tally(row[f"{prefix}_s_count"], from_cents(row[f"{prefix}_s_amount"])),
        Tally(
            row[f"{prefix}_l_count"],
            from_cents(row[f"{prefix}_l_amount"]),
            from_cents(row[f"{prefix}_l_paid_in"]),
        ),
    )


@dataclass
class Rollup:
    """Integer sums (counts and whole cents), in all and per value of each column.

    `total` and each `by[column][value]` map the sums' names to their values
    (`leads.report_tally.report_sums`), so a window's Totals are worked out
    once per breakdown row.
    """

    total: dict[str, int]
    by: dict[str, dict[object, dict[str, int]]]


def text_to_python(column: str):
    """Return the function turning a value of the lead's `column`, read as text, into its type."""
    field = Lead._meta.get_field(column)
    return (field.target_field if field.is_relation else field).to_python
