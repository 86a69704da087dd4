"""After 落地 in the report: 开工, 投产, 到位资金 by the date it arrived, and the 四率.

Definitions, for a period P with its windows (month, year to date, and both a year earlier):

- 开工 (投产) in a window: the lead's 开工日期 `started_on` (投产日期
  `in_production_on`) lies in it; the amount is the sum of those leads'
  counted 签约投资额 (`first_signed_amount`, as in 落地金额).
- 到位资金 in a window: the sum of the instalments (`PaidIn`) whose
  `received_on` lies in it, whatever the lead's stage or landing month. The
  undated amounts carried over from before instalments existed (received_on
  NULL) lie in no window.
- 履约率: of the leads signed (counted) in the year to date, the share
  landed (counted) by P's end — the landing rate, under the bulletins' name.
- 开工率: of the leads landed in the year to date, the share with a 开工日期 on
  or before P's end.
- 资金到位率: of the leads signed in the year to date, the instalments received
  on or before P's end plus the undated carried-over ones, over their counted
  签约投资额.
- 投产率: of the leads started (开工日期) in the year to date, the share with a
  投产日期 on or before P's end.

Four queries here: milestones; the instalments' totals; this year's
instalments grouped by every breakdown column (one join of the instalments
with their leads, rolled up per breakdown); the 资金到位率's numerator. The
开工率's numerator is a conditional count in the main grouped query
(`rate_conditions`).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q

from leads.models import Lead, PaidIn
from leads.querysets import landed_in_q, signed_in_q
from leads.reports.figures import WINDOWS, AfterLanding, Rate, Tally
from leads.reports.grouped import COUNTED_AMOUNT, Rollup, cents_sum, from_cents, rollup
from leads.reports.period import Period

MILESTONES = {"started": "started_on", "in_production": "in_production_on"}


def rate_conditions(ytd: Period) -> dict[str, Q]:
    """Return the numerators counted per group in the main grouped query (leads signed or
    landed in the year to date): 履约率's landed, 开工率's started, by the end of `ytd`."""
    return {
        "landed": signed_in_q(ytd.start, ytd.end) & landed_in_q(end=ytd.end),
        "started": landed_in_q(ytd.start, ytd.end) & Q(started_on__lte=ytd.end),
    }


def _in(column: str, period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}{column}__gte": period.start, f"{prefix}{column}__lte": period.end})


def _span(ranges: dict[str, Period]) -> Period:
    return Period(
        min(period.start for period in ranges.values()),
        max(period.end for period in ranges.values()),
    )


def milestone_figures(ranges: dict[str, Period]) -> tuple[dict, dict, Rate]:
    """Return ({window: Tally} of 开工, of 投产, and the 投产率), in one query.

    The leads with a 开工 or 投产 date in any window, with a conditional
    count and counted-amount sum per window and milestone (indexed dates).
    """
    span, ytd = _span(ranges), ranges["ytd"]
    aggregates = {}
    for window in WINDOWS:
        for name, column in MILESTONES.items():
            condition = _in(column, ranges[window])
            aggregates[f"{window}_{name}_count"] = Count("pk", filter=condition)
            aggregates[f"{window}_{name}_amount"] = cents_sum(COUNTED_AMOUNT, condition)
    aggregates["produced"] = Count(
        "pk", filter=_in("started_on", ytd) & Q(in_production_on__lte=ytd.end)
    )
    row = Lead.objects.filter(_in("started_on", span) | _in("in_production_on", span)).aggregate(
        **aggregates
    )
    tallies = {
        name: {
            window: Tally(row[f"{window}_{name}_count"], from_cents(row[f"{window}_{name}_amount"]))
            for window in WINDOWS
        }
        for name in MILESTONES
    }
    production = Rate(row["produced"], tallies["started"]["ytd"].count)
    return tallies["started"], tallies["in_production"], production


def paid_in_totals(ranges: dict[str, Period]) -> dict:
    """Return {window: 到位资金 received in it} of the four windows, in one query.

    Not grouped: the breakdowns need only this year's windows (`paid_in_groups`),
    so last year's instalments are summed once here, over the index on received_on.
    """
    windows = {window: ranges[window] for window in WINDOWS}
    row = PaidIn.objects.filter(_in("received_on", _span(windows))).aggregate(
        **{w: cents_sum("amount", _in("received_on", period)) for w, period in windows.items()}
    )
    return {window: from_cents(row[window]) for window in WINDOWS}


def paid_in_groups(ranges: dict[str, Period], columns: list[str]) -> Rollup:
    """Return the 到位资金 of the month and the year to date (whole cents, "paid_month" and
    "paid_ytd"), in all and per value of each of the leads' `columns`.

    One query: the instalments received in the period or its year to date
    (by `received_on`), grouped by their lead's columns, summed per window,
    rolled up here. The columns are the lead's names, as in `grouped_totals`,
    so both roll up alike.
    """
    ranges = {window: ranges[window] for window in ("month", "ytd")}
    span = _span(ranges)
    queryset = (
        PaidIn.objects.filter(_in("received_on", span))
        .annotate(**{column: F(f"lead__{column}") for column in columns})
        .values(*columns)
        .annotate(
            **{
                f"paid_{window}": cents_sum("amount", _in("received_on", period))
                for window, period in ranges.items()
            }
        )
        .order_by()
    )
    return rollup([queryset], columns, [f"paid_{window}" for window in ranges])


def paid_in_so_far(ytd: Period) -> Decimal:
    """Return the 资金到位率's numerator: what the leads signed in `ytd` received by its end.

    The instalments dated on or before the end, plus the undated amounts
    carried over (received_on NULL: money known to have arrived, on a day
    nobody recorded); one query over the signed leads' instalments.
    """
    received = Q(received_on__lte=ytd.end) | Q(received_on__isnull=True)
    total = PaidIn.objects.filter(
        signed_in_q(ytd.start, ytd.end, prefix="lead__"), received
    ).aggregate(total=cents_sum("amount"))["total"]
    return from_cents(total)


def after_landing_build(ranges: dict[str, Period], ytd_totals, rate_counts: dict) -> AfterLanding:
    """Return the after-landing figures of the report (three queries).

    `ytd_totals` are the year to date's signed and landed Totals,
    `rate_counts` the summed `rate_conditions` counts.
    """
    figures = AfterLanding()
    figures.started, figures.in_production, production = milestone_figures(ranges)
    figures.paid_in = paid_in_totals(ranges)
    figures.rates = {
        "performance": Rate(rate_counts["landed"], ytd_totals.signed.count),
        "start": Rate(rate_counts["started"], ytd_totals.landed.count),
        "paid_in": Rate(paid_in_so_far(ranges["ytd"]), ytd_totals.signed.amount),
        "production": production,
    }
    return figures
