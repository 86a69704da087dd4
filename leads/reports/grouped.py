"""Grouped aggregate queries of the report: counted signings and landings per window and group.

Counting is by event (`leads.querysets.signed_in_q` / `landed_in_q`): a lead counts
in the window holding its first signing (落地: first landing), with the
amount it was signed for then (`first_signed_amount`); paid-in money is the
lead's 到位资金 now.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connections
from django.db.models import BigIntegerField, Count, F, Q, Sum, Value
from django.db.models.functions import Cast, Round

from leads.models import Lead
from leads.querysets import landed_in_q, signed_in_q
from leads.reports.figures import CENT, ZERO, Tally, Totals
from leads.reports.period import Period

COUNTED_AMOUNT = "first_signed_amount"


def count_where(condition: Q) -> Sum:
    """Count the rows where `condition` holds (None for none), as SUM(1) FILTER (…).

    Not COUNT(id): the id is in no covering index, so PostgreSQL would read
    the rows; and Django allows no condition on COUNT(*).
    """
    return Sum(Value(1), filter=condition)


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


def window_aggregates(prefix: str, period: Period) -> dict:
    """Return the count and sums of the leads signed and landed in `period`, named by `prefix`."""
    signed, landed = signed_in_q(period.start, period.end), landed_in_q(period.start, period.end)
    return {
        f"{prefix}_s_count": count_where(signed),
        f"{prefix}_s_amount": cents_sum(COUNTED_AMOUNT, signed),
        f"{prefix}_l_count": count_where(landed),
        f"{prefix}_l_amount": cents_sum(COUNTED_AMOUNT, landed),
        f"{prefix}_l_paid_in": cents_sum("paid_in", landed),
    }


def window_totals(row: dict, prefix: str) -> Totals:
    """Return the Totals of one window from sums aggregated by `window_aggregates`."""
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
    """Integer sums of grouped rows, added up over all rows and per value of each column.

    `total` and each `by[column][value]` map the aggregate names to their
    sums (counts and whole cents), so a window's Totals are worked out once
    per breakdown row, not once per group.
    """

    total: dict[str, int]
    by: dict[str, dict[object, dict[str, int]]]


def rollup(querysets, columns: list[str], names: list[str]) -> Rollup:
    """Return the Rollup of the rows of `querysets` (grouped `.values(*columns)` querysets,
    `columns` named as the lead's columns, annotated with the integer aggregates `names`).

    One query, added up by the database: the grouped rows (the querysets'
    UNION ALL) are materialised once and summed in all and by each column,
    one short branch per column. Only the sums come back, one row per value
    of each column (about 300 at 1,000,000 leads), instead of every group (a
    group is nearly one lead when grouped by six columns: 47,000 groups of
    88,000 leads at 1,000,000); reading and adding those up here took more
    than the query.

    The values come back as text, one column for all, as the branches'
    types must agree; each is turned back into its column's type.
    """
    first, *rest = querysets
    grouped = first.union(*rest, all=True) if rest else first
    inner, params = grouped.query.sql_with_params()
    connection = connections[first.db]
    quote = connection.ops.quote_name
    sums = ", ".join(f"CAST(SUM({quote(name)}) AS BIGINT)" for name in names)
    branches = [f"SELECT -1, CAST(NULL AS TEXT), {sums} FROM grouped"]
    for index, column in enumerate(columns):
        key = quote(column)
        branches.append(f"SELECT {index}, CAST({key} AS TEXT), {sums} FROM grouped GROUP BY {key}")
    sql = f"WITH grouped AS MATERIALIZED ({inner}) {' UNION ALL '.join(branches)}"
    typed = [_to_python(column) for column in columns]
    total = dict.fromkeys(names, 0)
    by = {column: {} for column in columns}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for index, key, *sums in cursor.fetchall():
            sums_of = dict(zip(names, (each or 0 for each in sums), strict=True))
            if index < 0:
                total = sums_of
            else:
                by[columns[index]][typed[index](key)] = sums_of
    return Rollup(total, by)


def _to_python(column: str):
    """Return the function turning a value of the lead's `column`, read as text, into its type."""
    field = Lead._meta.get_field(column)
    return (field.target_field if field.is_relation else field).to_python


def grouped_totals(
    ranges: dict[str, Period], columns: list[str], *, rates: dict[str, Q] | None = None
) -> Rollup:
    """Return the counted signings and landings per window, in all and per value of each column.

    Two queries, whatever the number of leads: the leads signed or landed in
    any window, grouped by `columns`, with conditional aggregates per window,
    rolled up here (read them with `window_totals`). Each of `rates` counts
    the leads meeting its condition, named "rate_<name>" (a rate's numerator;
    the condition must select leads signed or landed in a window).
    """
    low = min(period.start for period in ranges.values())
    high = max(period.end for period in ranges.values())
    aggregates = {}
    for window, period in ranges.items():
        aggregates.update(window_aggregates(window, period))
    for name, condition in (rates or {}).items():
        aggregates[f"rate_{name}"] = count_where(condition)
    # Two disjoint reads, each a range of one covering index (REPORT_COLUMNS):
    # the leads signed in the span, and those landed in it but signed outside it.
    signed = signed_in_q(low, high)
    landed_only = landed_in_q(low, high) & (
        Q(first_signed_on__isnull=True) | Q(first_signed_on__lt=low) | Q(first_signed_on__gt=high)
    )
    querysets = [
        Lead.objects.filter(condition).values(*columns).annotate(**aggregates).order_by()
        for condition in (signed, landed_only)
    ]
    return rollup(querysets, columns, list(aggregates))


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
        .annotate(count=Count("*"), amount=cents_sum(COUNTED_AMOUNT))
        .order_by()
    )
    for row in signed:
        day = row["first_signed_on"]
        totals[(day.year, day.month)].signed.add(Tally(row["count"], from_cents(row["amount"])))
    landed = (
        Lead.objects.filter(landed_in_q(low, high))
        .values("first_landed_on")
        .annotate(count=Count("*"), amount=cents_sum(COUNTED_AMOUNT), paid_in=cents_sum("paid_in"))
        .order_by()
    )
    for row in landed:
        day = row["first_landed_on"]
        totals[(day.year, day.month)].landed.add(
            Tally(row["count"], from_cents(row["amount"]), from_cents(row["paid_in"]))
        )
    return list(totals.values())
