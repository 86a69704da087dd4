"""Time the monthly report (JSON form) over 100,000 leads; python bench/report.py --help.

Seeds the leads once with bench/seed.py (ten years of a city's leads with
their transitions, field history, 开工/投产 dates and dated 到位资金
instalments summing to paid_in), then times, median of several runs:

- baseline `SELECT COUNT(*)` over the lead table;
- baseline: a naive per-lead loop in Python computing the month's totals (and the
  month's 开工 count and dated 到位资金, checked against the report);
- the report built and serialised to JSON (what `monthly_report --format json` prints);
- the Excel workbook built and saved (its long lists up to LISTED_ROWS, as downloaded), the
  same with every row (as a locked version keeps it), and the 签约未落地清单 alone.

Usage:
    python bench/report.py                          # SQLite file /tmp/crm_bench_report.sqlite3
    DATABASE_URL=postgres://u:p@host/db python bench/report.py
    python bench/report.py --leads 100000 --runs 7 --month 2026-03
"""

import argparse
import io
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Drop this script's folder from the path: bench/import_export.py would shadow
# the django-import-export package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/crm_bench_report.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.seed import seed_database  # noqa: E402
from leads.models import Industry, Lead, PaidIn, StageTransition  # noqa: E402
from leads.reports.monthly import backlog_report_build, monthly_report_build  # noqa: E402
from leads.reports.period import Period  # noqa: E402
from leads.reports.serialise import report_data  # noqa: E402
from leads.reports.workbook import build_backlog_workbook, build_monthly_workbook  # noqa: E402


def naive_month_totals(period: Period) -> dict:
    """Baseline: fetch every lead and total the month in a Python loop (counted events)."""
    totals = {"signed": [0, Decimal(0)], "landed": [0, Decimal(0)], "ytd_signed": Decimal(0)}
    year_to_date = period.year_to_date
    for signed_on, landed_on, amount in Lead.objects.values_list(
        "first_signed_on", "first_landed_on", "first_signed_amount"
    ).iterator(chunk_size=5000):
        if signed_on is not None and period.contains(signed_on):
            totals["signed"][0] += 1
            totals["signed"][1] += amount
        if signed_on is not None and year_to_date.contains(signed_on):
            totals["ytd_signed"] += amount
        if landed_on is not None and period.contains(landed_on):
            totals["landed"][0] += 1
            totals["landed"][1] += amount
    totals["started"] = sum(
        1
        for day in Lead.objects.values_list("started_on", flat=True).iterator(chunk_size=5000)
        if period.contains(day)
    )
    totals["paid_in"] = sum(
        (
            amount
            for day, amount in PaidIn.objects.values_list("received_on", "amount").iterator(
                chunk_size=5000
            )
            if period.contains(day)
        ),
        Decimal("0.00"),
    )
    return totals


def say(text: str) -> None:
    sys.stdout.write(text + "\n")


class Timing(float):
    """A median in seconds that also knows the fastest and slowest run."""

    low: float
    high: float

    @property
    def spread(self) -> str:
        return f"{self:.3f} ({self.low:.3f}–{self.high:.3f})"


def timed(function, runs: int) -> tuple[Timing, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    median = Timing(statistics.median(times))
    median.low, median.high = min(times), max(times)
    return median, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--month", default="")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if not Industry.objects.exists():
        call_command("loaddata", "reference", verbosity=0)
    start = time.perf_counter()
    seed_database(args.leads)
    seeding = time.perf_counter() - start
    today = timezone.localdate()
    # The 通报 is made early in a month for the month just ended: time that one by default.
    last_month = today.replace(day=1) - timedelta(days=1)
    period = (
        Period.parse_month(args.month)
        if args.month
        else Period.month(last_month.year, last_month.month)
    )

    def json_report():
        return json.dumps(report_data(monthly_report_build(period)), ensure_ascii=False)

    def workbook(full=False):
        buffer = io.BytesIO()
        build_monthly_workbook(monthly_report_build(period), buffer, full=full)
        return buffer

    def backlog_list():
        buffer = io.BytesIO()
        build_backlog_workbook(backlog_report_build(period), buffer)
        return buffer

    count_time, leads = timed(lambda: Lead.objects.count(), args.runs)
    naive_time, naive = timed(lambda: naive_month_totals(period), args.runs)
    json_time, text = timed(json_report, args.runs)
    xlsx_runs = max(3, args.runs // 2)
    xlsx_time, _ = timed(workbook, xlsx_runs)
    full_time, _ = timed(lambda: workbook(full=True), xlsx_runs)
    list_time, _ = timed(backlog_list, xlsx_runs)
    data = json.loads(text)
    assert data["month_totals"]["signed"]["count"] == naive["signed"][0]
    assert data["month_totals"]["landed"]["amount"] == f"{naive['landed'][1]:.2f}"
    # Exact to the cent over the whole year, SQLite included (sums in integer cents).
    assert data["ytd_totals"]["signed"]["amount"] == f"{naive['ytd_signed']:.2f}"
    assert data["milestones"]["started"]["month"]["count"] == naive["started"]
    assert data["paid_in_totals"]["month"] == f"{naive['paid_in']:.2f}"

    say(
        f"database: {connection.vendor}; leads: {leads}; transitions: "
        f"{StageTransition.objects.count()}; month {period.key}; seeding took {seeding:.1f} s"
    )
    say(
        f"backlog rows: {len(data['backlog'])}; "
        f"signed this year: {data['ytd_totals']['signed']['count']}; "
        f"instalments: {PaidIn.objects.count()}; started: "
        f"{Lead.objects.filter(started_on__isnull=False).count()}; "
        f"rates: {[(k, v['percent']) for k, v in data['rates'].items()]}"
    )
    say(f"{'measure':44} seconds: median (fastest–slowest)")
    say(f"{'baseline SELECT COUNT(*)':44} {count_time.spread}")
    say(f"{'baseline naive per-lead Python loop':44} {naive_time.spread}")
    say(f"{'monthly report, JSON':44} {json_time.spread}")
    say(f"{'monthly report, Excel workbook':44} {xlsx_time.spread}")
    say(f"{'  the same, every row (a locked version)':44} {full_time.spread}")
    say(f"{'  the backlog list alone, every row':44} {list_time.spread}")
    say(f"target: JSON under 1 s -> {'met' if json_time < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
