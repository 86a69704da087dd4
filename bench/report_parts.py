"""Time the parts of the monthly report's build; python bench/report_parts.py --help.

Reads the database as it is (seed it first with bench/report.py or bench/pages.py) and times,
median of several runs, each part of `MonthlyReportBuilder.build` and the backlog's reads. Runs
on the code before the report tally (its grouped reads of the leads and instalments), after
(the tally's read), and after the tally held the 四率's numerators (no read of their own), so
the versions can be timed in the same run from two worktrees:

    DATABASE_URL=… .venv/bin/python bench/report_parts.py --month 2026-11 --runs 5
"""

import argparse
import inspect
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from leads.models import Lead  # noqa: E402
from leads.reports import after_landing, events  # noqa: E402
from leads.reports.backlog import Backlog  # noqa: E402
from leads.reports.monthly import MonthlyReportBuilder  # noqa: E402
from leads.reports.period import Period  # noqa: E402


def figure_parts(builder, columns) -> dict:
    """The reads of the report's grouped figures, as the code at hand makes them."""
    ranges, ytd = builder.ranges, builder.ranges["ytd"]
    try:
        from leads.report_tally import report_sums
    except ImportError:  # the code before the report tally
        from leads.reports.grouped import grouped_totals

        rates = after_landing.rate_conditions(ytd)
        return {
            "grouped figures of the leads (grouped_totals)": lambda: grouped_totals(
                ranges, columns, rates=rates
            ),
            "paid-in by breakdown (paid_in_groups)": lambda: after_landing.paid_in_groups(
                ranges, columns
            ),
            "开工/投产 (milestone_figures)": lambda: after_landing.milestone_figures(ranges),
            "paid-in totals (paid_in_totals)": lambda: after_landing.paid_in_totals(ranges),
        }
    parts = {"figures from the report tally (report_sums)": lambda: report_sums(ranges, columns)}
    if "sums" in inspect.signature(after_landing.rate_counts).parameters:
        # The 四率's numerators are in the tally's sums: no read of their own.
        return parts
    sums = report_sums(ranges, columns)
    return {
        **parts,
        "履约率/开工率 numerators (rate_counts)": lambda: after_landing.rate_counts(ytd),
        "投产率 numerator (milestone_figures)": lambda: after_landing.milestone_figures(sums, ytd),
        "资金到位率 numerator (paid_in_so_far)": lambda: after_landing.paid_in_so_far(ytd),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    today = timezone.localdate()
    last = today.replace(day=1) - timedelta(days=1)
    period = Period.parse_month(args.month) if args.month else Period.month(last.year, last.month)
    builder = MonthlyReportBuilder(period, today=today)
    columns = [dimension.column for dimension in builder.dimensions]
    sla_days = builder.sla_days()
    parts = {
        **figure_parts(builder, columns),
        "trend (12 months)": builder._trend,
        "签约后终止 (signed_then_dropped)": lambda: events.signed_then_dropped(period),
        "调整说明 (adjustments)": lambda: events.adjustments(period),
        "the whole build": builder.build,
        "backlog totals": lambda: len(Backlog(as_of=builder.as_of, sla_days=sla_days)),
        "backlog, first 300 rows": lambda: Backlog(as_of=builder.as_of, sla_days=sla_days)[:300],
        "backlog, every row": lambda: list(Backlog(as_of=builder.as_of, sla_days=sla_days)),
    }
    leads = Lead.objects.count()
    print(f"{connection.vendor}, {leads} leads, month {period.key}, {args.runs} runs")
    print(f"{'part':48} {'median ms':>10} {'min':>8} {'max':>8}")
    for name, part in parts.items():
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            part()
            times.append((time.perf_counter() - started) * 1000)
        print(f"{name:48} {statistics.median(times):10.0f} {min(times):8.0f} {max(times):8.0f}")


if __name__ == "__main__":
    main()
