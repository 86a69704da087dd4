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
counted signings and landings do, and so do the numerators of the 四率 (its
kinds "signed_landed", "landed_started", "started_produced" and
"signed_paid"). No query here.
"""

from __future__ import annotations

from decimal import Decimal

from leads.reports.figures import WINDOWS, AfterLanding, Rate, Tally
from leads.reports.grouped import Rollup, from_cents

# The report tally's events of the milestones (their dates: started_on, in_production_on).
MILESTONES = ("started", "in_production")


def rate_counts(sums: Rollup) -> dict[str, int]:
    """Return the numerators of 履约率 (landed) and 开工率 (started) by the end of the year to
    date: of the leads signed in it, those landed; of those landed in it, those started.

    From the report tally's `sums` (its kinds "signed_landed" and "landed_started",
    `leads.report_tally.so_far`), not a count of the leads.
    """
    return {
        "landed": sums.total["ytd_signed_landed_count"],
        "started": sums.total["ytd_landed_started_count"],
    }


def milestone_figures(sums: Rollup) -> tuple[dict, dict, Rate]:
    """Return ({window: Tally} of 开工, of 投产, and the 投产率) from the report tally's
    `sums` (`leads.report_tally.report_sums`); the 投产率's numerator (of the leads started in
    the year to date, those in production by its end) is its kind "started_produced"."""
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
    produced = sums.total["ytd_started_produced_count"]
    production = Rate(produced, tallies["started"]["ytd"].count)
    return tallies["started"], tallies["in_production"], production


def paid_in_so_far(sums: Rollup) -> Decimal:
    """Return the 资金到位率's numerator: what the leads signed in the year to date received by
    its end, the undated amounts carried over included (received_on NULL: money known to
    have arrived, on a day nobody recorded); the report tally's kind "signed_paid"."""
    return from_cents(sums.total["ytd_signed_paid"])


def after_landing_build(sums: Rollup, ytd_totals, rates: dict[str, int]) -> AfterLanding:
    """Return the after-landing figures of the report (no query).

    `sums` are the report tally's (`report_sums`), `ytd_totals` the year to
    date's signed and landed Totals, `rates` the numerators `rate_counts` read from them.
    """
    figures = AfterLanding()
    figures.started, figures.in_production, production = milestone_figures(sums)
    figures.paid_in = {window: from_cents(sums.total[f"{window}_paid"]) for window in WINDOWS}
    figures.rates = {
        "performance": Rate(rates["landed"], ytd_totals.signed.count),
        "start": Rate(rates["started"], ytd_totals.landed.count),
        "paid_in": Rate(paid_in_so_far(sums), ytd_totals.signed.amount),
        "production": production,
    }
    return figures
