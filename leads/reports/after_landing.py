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

The 开工, 投产 and dated 到位资金 of each window come from the report tally
(`leads.report_tally`, events "started", "in_production" and "paid"), as the
counted signings and landings do. Queries here: the 履约率's and 开工率's
numerators (`rate_counts`, two), the 投产率's one, the 资金到位率's one.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from leads.models import Lead, PaidIn
from leads.querysets import landed_in_q, signed_in_q
from leads.reports.figures import WINDOWS, AfterLanding, Rate, Tally
from leads.reports.grouped import Rollup, cents_sum, from_cents
from leads.reports.period import Period

# The report tally's events of the milestones (their dates: started_on, in_production_on).
MILESTONES = ("started", "in_production")


def rate_counts(ytd: Period) -> dict[str, int]:
    """Return the numerators of 履约率 (landed) and 开工率 (started) by the end of the year to
    date `ytd`: of the leads signed in it, those landed; of those landed in it, those started.

    Two counts, each over one range of an index on the counted dates (one
    query with both conditions read the leads signed or landed alike: 0.11 s
    against 0.01 s at 1,000,000 leads on PostgreSQL).
    """
    conditions = {
        "landed": signed_in_q(ytd.start, ytd.end) & landed_in_q(end=ytd.end),
        "started": landed_in_q(ytd.start, ytd.end) & Q(started_on__lte=ytd.end),
    }
    return {name: Lead.objects.filter(condition).count() for name, condition in conditions.items()}


def _in(column: str, period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}{column}__gte": period.start, f"{prefix}{column}__lte": period.end})


def milestone_figures(sums: Rollup, ytd: Period) -> tuple[dict, dict, Rate]:
    """Return ({window: Tally} of 开工, of 投产, and the 投产率) from the report tally's
    `sums` (`leads.report_tally.report_sums`); the 投产率's numerator in one query."""
    tallies = {
        name: {
            window: Tally(
                sums.total[f"{window}_{name}_count"],
                from_cents(sums.total[f"{window}_{name}_amount"]),
            )
            for window in WINDOWS
        }
        for name in MILESTONES
    }
    produced = Lead.objects.filter(_in("started_on", ytd), in_production_on__lte=ytd.end).count()
    production = Rate(produced, tallies["started"]["ytd"].count)
    return tallies["started"], tallies["in_production"], production


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


def after_landing_build(
    ranges: dict[str, Period], sums: Rollup, ytd_totals, rates: dict
) -> AfterLanding:
    """Return the after-landing figures of the report (two queries).

    `sums` are the report tally's (`report_sums`), `ytd_totals` the year to
    date's signed and landed Totals, `rates` the numerators of `rate_counts`.
    """
    figures = AfterLanding()
    figures.started, figures.in_production, production = milestone_figures(sums, ranges["ytd"])
    figures.paid_in = {window: from_cents(sums.total[f"{window}_paid"]) for window in WINDOWS}
    figures.rates = {
        "performance": Rate(rates["landed"], ytd_totals.signed.count),
        "start": Rate(rates["started"], ytd_totals.landed.count),
        "paid_in": Rate(paid_in_so_far(ranges["ytd"]), ytd_totals.signed.amount),
        "production": production,
    }
    return figures
