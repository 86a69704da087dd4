"""The report tally: the report's counted events per day and breakdown value, kept by the database.

The monthly report sums, per window and per value of each breakdown column,
the counted signings and landings, 开工 and 投产, and the 到位资金 received.
Read from the leads and instalments, that cost grows with the city (1.1 s of
the report's 1.8 s at 1,000,000 leads on PostgreSQL: two years of events
grouped by six columns, and a year of instalments joined with their leads).
Read from the tally, it costs the rows of the windows' whole months (and of
the days around them): one row per kind, day or whole month, column and value.

Kept in step as the stage tally is (`leads.tally`): triggers on the lead and
instalment tables (`leads.report_triggers`) append images (`ReportImage`) in
the writer's own transaction, whatever writes (the services, the importer,
merges, the admin, raw SQL); they apply no rule. What an image counts for is
decided when it is read or folded, by the conditions the report's lead
queries use (`signed_in_q`, `landed_in_q`, `live_q`), listed once in `EVENTS`.
An instalment is grouped by its lead's breakdown columns, which its images
carry.

`tally_fold` adds the images to the folded rows (`ReportTally`); a reader
enqueues it (`fold_report_tally`) once the images pass FOLD_AFTER.
`report_tally_rebuild` counts the tally again from the leads and instalments:
after `migrate` (and a test's flush) and after a bulk load that paused the
triggers (`leads.tally.triggers_paused`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connections, transaction
from django.db.models import (
    BigIntegerField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear, Greatest
from django.db.models.lookups import LessThanOrEqual
from django_tasks import task

from leads.fold_lock import fold_asked, fold_lock, fold_lock_missed
from leads.models import Lead, PaidIn, ReportImage, ReportTally
from leads.querysets import landed_in_q, live_q, signed_in_q
from leads.report_triggers import COLUMNS, IMAGES
from leads.reports.grouped import COUNTED_AMOUNT, Rollup, cents, text_to_python
from leads.reports.period import Period, month_end

TALLY = ReportTally._meta.db_table
# Images past which a reader asks the worker to fold them; a reader adds them up each time.
FOLD_AFTER = 5000
# Rows of the tally a fold reads and replaces at a time (days, or months).
DAYS_A_READ = 500
ONE_DAY = timedelta(days=1)
FOLDED = ("kind", "whole_month", "day", "column", "value", "count", "cents", "paid_cents")


@dataclass(frozen=True)
class Event:
    """A kind of counted event: the rows holding it, the date placing it on a day (a column, or
    an expression of the row's columns), its amounts (none: counted only), and whether it is
    counted per value of each breakdown column or in all only (`grouped`: its rows' column is
    WHOLE, their value NULL)."""

    kind: str
    day: str | Func
    condition: Q
    amount: str | None = None
    paid: str | None = None
    grouped: bool = True


# The `column` of the rows of an event counted in all only.
WHOLE = ""


def so_far(kind: str, first: str, then: str, condition: Q, amount: str | None = None) -> Event:
    """Return the event of a rate's numerator: a row whose `first` date is in a year to date
    and whose `then` date is no later than its end (NULL `then`: no later than any end).

    Placed on the later of the two days, and counted only when `then` is not in a later
    year than `first`: summed over a window [1 January, E] of one year, it is the rows
    with `first` in the window and `then` on or before E, whatever E. (The later day is
    at most E, so both are; it is in the year of `first`, so `first` is on or after 1
    January.) Over another window the sum means nothing; the report reads the year to date.
    Counted in all only: the report shows the rates for the district, not per row.
    """
    later = Greatest(F(first), Coalesce(F(then), F(first)))
    same_year = Q(**{f"{then}__isnull": True}) | Q(
        LessThanOrEqual(ExtractYear(then), ExtractYear(first))
    )
    condition &= Q(**{f"{first}__isnull": False}) & same_year
    return Event(kind, later, condition, amount, grouped=False)


# The one list of what the tally counts; a lead event holds only for live (unmerged) leads,
# as the default manager the report's lead queries used applies.
EVENTS = (
    Event("signed", "first_signed_on", live_q() & signed_in_q(), COUNTED_AMOUNT),
    Event("landed", "first_landed_on", live_q() & landed_in_q(), COUNTED_AMOUNT, "paid_in"),
    Event("started", "started_on", live_q() & Q(started_on__isnull=False), COUNTED_AMOUNT),
    Event(
        "in_production",
        "in_production_on",
        live_q() & Q(in_production_on__isnull=False),
        COUNTED_AMOUNT,
    ),
    # The numerators of the 四率 (`leads.reports.after_landing`), in a year to date: of the
    # leads signed in it, those landed by its end (履约率); of those landed, those started
    # (开工率); of those started, those in production (投产率).
    so_far("signed_landed", "first_signed_on", "first_landed_on", live_q() & landed_in_q()),
    so_far(
        "landed_started", "first_landed_on", "started_on", live_q() & Q(started_on__isnull=False)
    ),
    so_far(
        "started_produced",
        "started_on",
        "in_production_on",
        live_q() & Q(in_production_on__isnull=False),
    ),
)
# 到位资金 by the day it arrived, whatever the lead's stage (undated amounts lie on no day).
PAID = Event("paid", "received_on", Q(received_on__isnull=False), "amount")
# The 资金到位率's numerator: what the leads signed in a year to date received by its end,
# the undated amounts carried over included (`lead_signed_on`: the instalment's lead's
# counted 签约日期, as the images and the count again carry it).
SIGNED_PAID = so_far("signed_paid", "lead_signed_on", "received_on", Q(), "amount")
PAID_EVENTS = (PAID, SIGNED_PAID)


# --- events as rows ---------------------------------------------------------


def _event_query(queryset: QuerySet, event: Event, weighted: bool, columns) -> tuple[str, list]:
    """Return the SQL of `event`'s rows in `queryset` summed per day and every `columns` value.

    `queryset` has the lead's column names (the leads, the images, or the
    instalments annotated with their lead's columns); an image weighs its
    count (+1 or −1), a lead or an instalment 1. The sums are whole cents.
    """
    weight = F("count") if weighted else Value(1)

    def amount(field):
        return Cast(
            Sum(ExpressionWrapper(weight * cents(field), output_field=BigIntegerField())),
            output_field=BigIntegerField(),
        )

    grouped = (
        queryset.filter(event.condition)
        .values(*columns, day=F(event.day) if isinstance(event.day, str) else event.day)
        .annotate(
            n=Cast(Sum(weight), output_field=BigIntegerField()),
            c=amount(event.amount) if event.amount else Value(0, output_field=BigIntegerField()),
            p=amount(event.paid) if event.paid else Value(0, output_field=BigIntegerField()),
        )
        .order_by()
    )
    return grouped.query.sql_with_params()


def _exploded(
    queryset: QuerySet, events, weighted: bool, columns, quote
) -> tuple[list, list, list]:
    """Return (CTEs, SELECTs, params): per event, its grouped rows once, and per column their
    sums by day and value as (kind, day, column, value, count, cents, paid_cents); an event
    counted in all only, its sums by day (column WHOLE, value NULL)."""
    ctes, selects, params = [], [], []
    sums = (
        "CAST(SUM(n) AS BIGINT) AS count, CAST(SUM(COALESCE(c, 0)) AS BIGINT) AS cents, "
        "CAST(SUM(COALESCE(p, 0)) AS BIGINT) AS paid_cents"
    )
    for event in events:
        grouped = columns if event.grouped else ()
        sql, event_params = _event_query(queryset, event, weighted, grouped)
        name = f"g_{event.kind}"
        ctes.append(f"{name} AS MATERIALIZED ({sql})")
        params.extend(event_params)
        for column in grouped:
            key = quote(column)
            selects.append(
                f"SELECT '{event.kind}' AS kind, day, '{column}' AS col, "
                f"CAST({key} AS TEXT) AS value, {sums} FROM {name} GROUP BY day, {key}"
            )
        if not event.grouped:
            selects.append(
                f"SELECT '{event.kind}' AS kind, day, '{WHOLE}' AS col, "
                f"CAST(NULL AS TEXT) AS value, {sums} FROM {name} GROUP BY day"
            )
    return ctes, selects, params


def _sources(using: str) -> list[tuple[QuerySet, tuple[Event, ...]]]:
    """The leads' and the instalments' querysets the tally is counted from, with their events."""
    paid_ins = PaidIn.objects.using(using).annotate(
        **{column: F(f"lead__{column}") for column in COLUMNS},
        lead_signed_on=F("lead__first_signed_on"),
    )
    return [(Lead.objects.using(using), EVENTS), (paid_ins, PAID_EVENTS)]


def _rows(queryset: QuerySet, events, *, weighted: bool, using: str) -> list[tuple]:
    """Return `events`' rows of `queryset` as (kind, day, column, value, count, cents, paid)."""
    connection = connections[using]
    ctes, selects, params = _exploded(
        queryset, events, weighted, COLUMNS, connection.ops.quote_name
    )
    sql = f"WITH {', '.join(ctes)} {' UNION ALL '.join(selects)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (kind, _day(day), column, value, count, cents, paid)
            for kind, day, column, value, count, cents, paid in cursor.fetchall()
        ]


def _day(value) -> date:
    # SQLite hands a computed date column back as text.
    return date.fromisoformat(value) if isinstance(value, str) else value


# --- folding and counting again ---------------------------------------------


def _folded(sums: dict) -> list[ReportTally]:
    return [
        ReportTally(
            kind=kind,
            whole_month=whole_month,
            day=day,
            column=column,
            value=value,
            count=n,
            cents=c,
            paid_cents=p,
        )
        for (kind, whole_month, day, column, value), (n, c, p) in sums.items()
        if n or c or p
    ]


def tally_fold(*, using: str = "default", wait: bool = True) -> int:
    """Add the images to the folded rows and delete them; return the images' rows added.

    `wait=False` (the worker's fold) gives up rather than wait long for writers
    still in a transaction (`leads.fold_lock`).
    """
    with transaction.atomic(using=using):
        fold_lock(using, IMAGES, wait=wait)
        images = ReportImage.objects.using(using)
        rows = _rows(images, (*EVENTS, *PAID_EVENTS), weighted=True, using=using)
        sums = defaultdict(lambda: [0, 0, 0])
        days = sorted({row[1] for row in rows})
        tally = ReportTally.objects.using(using)
        for whole_month, keys in ((False, days), (True, sorted({_month(day) for day in days}))):
            for start in range(0, len(keys), DAYS_A_READ):
                chunk = tally.filter(
                    whole_month=whole_month, day__in=keys[start : start + DAYS_A_READ]
                )
                for row in chunk.values_list(*FOLDED):
                    _add_row(sums, row)
                chunk.delete()
        for row in rows:
            _add(sums, row)
        tally.bulk_create(_folded(sums), batch_size=2000)
        images.delete()
        return len(rows)


def _month(day: date) -> date:
    return day.replace(day=1)


def _add(sums: dict, row: tuple) -> None:
    """Add an event row (kind, day, column, value, count, cents, paid) to its day and month."""
    kind, day, *rest = row
    _add_row(sums, (kind, False, day, *rest))
    _add_row(sums, (kind, True, _month(day), *rest))


def _add_row(sums: dict, row: tuple) -> None:
    *key, count, cents_, paid = row
    total = sums[tuple(key)]
    total[0] += count or 0
    total[1] += cents_ or 0
    total[2] += paid or 0


def report_tally_rebuild(*, using: str = "default") -> int:
    """Count the tally again from the leads and instalments; return the rows written."""
    with transaction.atomic(using=using):
        fold_lock(using, IMAGES)
        ReportImage.objects.using(using).all().delete()
        ReportTally.objects.using(using).all().delete()
        sums = defaultdict(lambda: [0, 0, 0])
        for queryset, events in _sources(using):
            for row in _rows(queryset, events, weighted=False, using=using):
                _add(sums, row)
        folded = _folded(sums)
        ReportTally.objects.using(using).bulk_create(folded, batch_size=2000)
    connection = connections[using]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Every row was written again: until a vacuum marks them visible, PostgreSQL
        # reads the table's rows as well as its covering index.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {TALLY}")
    return len(folded)


@task()
def fold_report_tally(*, using: str = "default") -> int:
    """Fold the report tally's images (the worker runs it when a reader finds them many);
    return the rows added, or 0 when writers held the lock too long (a reader asks again)."""
    with fold_lock_missed():
        return tally_fold(using=using, wait=False)
    return 0


# --- reading ----------------------------------------------------------------


def _segments(period: Period) -> list[tuple[bool, date, date]]:
    """Split `period` into (whole_month, first day, last day): the days before its first
    whole month, its whole months (from the first's first day to the last's last), the days
    after; a period within one month is days only."""
    first = period.start if period.start.day == 1 else _month_end(period.start) + ONE_DAY
    last = period.end if period.end == _month_end(period.end) else _month(period.end) - ONE_DAY
    if first > last:
        return [(False, period.start, period.end)]
    segments = [(True, first, last)]
    if period.start < first:
        segments.insert(0, (False, period.start, first - ONE_DAY))
    if last < period.end:
        segments.append((False, last + ONE_DAY, period.end))
    return segments


def _month_end(day: date) -> date:
    return month_end(day.year, day.month)


# The report's name of each kind's sums in a window (count, amount, second amount), as
# `leads.reports.grouped.window_totals` and `leads.reports.after_landing` read them:
# "<window>_<name>", e.g. "month_s_count", "ytd_paid".
NAMES = {
    "signed": ("s_count", "s_amount", None),
    "landed": ("l_count", "l_amount", "l_paid_in"),
    "started": ("started_count", "started_amount", None),
    "in_production": ("in_production_count", "in_production_amount", None),
    "paid": (None, "paid", None),
    "signed_landed": ("signed_landed_count", None, None),
    "landed_started": ("landed_started_count", None, None),
    "started_produced": ("started_produced_count", None, None),
    "signed_paid": (None, "signed_paid", None),
}


def report_sums(ranges: dict[str, Period], columns, *, using: str = "default") -> Rollup:
    """Return every kind's sums in each window of `ranges` and in "span" (from the first
    window's first day to the last one's last), in all and per value of each of `columns`
    (some of COLUMNS; the kinds counted in all only, in all), named "<window>_<name>"
    (NAMES); whole cents.

    Two queries, whatever the number of leads: the number of images not yet
    folded, then the folded rows of the span's days and those images, each
    row summed into the windows holding its day.
    """
    unknown = set(columns) - set(COLUMNS)
    if unknown:
        raise ValueError(f"the report tally does not group by {sorted(unknown)}")
    connection = connections[using]
    ops, quote = connection.ops, connection.ops.quote_name
    low = min(period.start for period in ranges.values())
    high = max(period.end for period in ranges.values())
    images = ReportImage.objects.using(using).count()
    fold_asked(fold_report_tally, rows=images, after=FOLD_AFTER, using=using)

    # And the whole span: what has figures in it is listed in the breakdowns.
    ranges = {**ranges, "span": Period(low, high)}
    # Each window as its whole months (read from the month rows) and the days around them.
    segments = [
        (window, whole_month, first, last)
        for window, period in ranges.items()
        for whole_month, first, last in _segments(period)
    ]
    bounds = [
        value
        for window, whole_month, first, last in segments
        for value in (
            window,
            whole_month,
            ops.adapt_datefield_value(first),
            ops.adapt_datefield_value(last),
        )
    ]
    listed = ", ".join(f"'{column}'" for column in (*columns, WHOLE))
    # Each segment reads its range of the index (whole_month, day, …) alone, in a SELECT of
    # its own: each range is planned with its bounds (joined with a list of the segments,
    # PostgreSQL read the whole tally for the trend's twelve months: 30 -> 60 ms).
    segment = (
        f"SELECT t.kind, %s AS name, t.{quote('column')} AS col, t.value, t.count, t.cents, "
        f"t.paid_cents FROM {TALLY} t WHERE t.whole_month = %s AND t.day >= %s "
        f"AND t.day <= %s AND t.{quote('column')} IN ({listed})"
    )
    rows = [segment for _ in segments]
    ctes, params = [], []
    if images:
        windows = ", ".join("(%s, %s, %s, %s)" for _ in segments)
        ctes = [f"windows (name, whole_month, first_day, last_day) AS (VALUES {windows})"]
        params = list(bounds)
        image_ctes, image_selects, image_params = _exploded(
            ReportImage.objects.using(using), (*EVENTS, *PAID_EVENTS), True, columns, quote
        )
        ctes += image_ctes
        params += image_params
        # An image not yet folded lies on its day, in a segment of whole months or of days.
        rows.append(
            "SELECT e.kind, w.name, e.col, e.value, e.count, e.cents, e.paid_cents "
            f"FROM ({' UNION ALL '.join(image_selects)}) e "
            "JOIN windows w ON e.day >= w.first_day AND e.day <= w.last_day"
        )
    params += bounds
    sql = (
        f"{'WITH ' + ', '.join(ctes) + ' ' if ctes else ''}"
        "SELECT kind, name, col, value, CAST(SUM(count) AS BIGINT), "
        "CAST(SUM(cents) AS BIGINT), CAST(SUM(paid_cents) AS BIGINT) "
        f"FROM ({' UNION ALL '.join(rows)}) e GROUP BY kind, name, col, value"
    )
    names = [
        f"{window}_{name}" for window in ranges for kind in NAMES for name in NAMES[kind] if name
    ]
    total = dict.fromkeys(names, 0)
    by = {column: {} for column in columns}
    typed = {column: text_to_python(column) for column in columns}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, window, column, value, *sums in cursor.fetchall():
            # The total: the first column's values added up, or an event counted in all only.
            whole = column == WHOLE
            values = (
                None
                if whole
                else by[column].setdefault(typed[column](value), dict.fromkeys(names, 0))
            )
            for name, amount in zip(NAMES[kind], sums, strict=True):
                if name:
                    if not whole:
                        values[f"{window}_{name}"] += amount or 0
                    if whole or column == columns[0]:
                        total[f"{window}_{name}"] += amount or 0
    return Rollup(total, by)
