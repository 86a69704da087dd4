"""Time what locking a report (封存) writes: the JSON, the workbook and the page body.

No version is locked (nothing is written); uses DATABASE_URL, e.g. a database seeded by
bench/seed.py:

    DATABASE_URL=postgres://crm:crm@localhost/crm_size_100000 \\
        .venv/bin/python bench/report_lock_outputs.py --month 2026-11 --runs 3
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from leads.reports.monthly import monthly_report_build  # noqa: E402
from leads.reports.page import body_context  # noqa: E402
from leads.reports.period import Period  # noqa: E402
from leads.reports.serialise import report_data  # noqa: E402
from leads.reports.workbook import build_monthly_workbook  # noqa: E402


def lock_outputs(period: Period) -> int:
    """Build the report and write its three locked outputs; return the number of queries."""
    with CaptureQueriesContext(connection) as queries:
        report = monthly_report_build(period)
        report_data(report)
        build_monthly_workbook(report, io.BytesIO(), full=True)
        render_to_string("reports/_report_body.html", body_context(report, locked=True))
    return len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", required=True, help="YYYY-MM")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    year, month = (int(part) for part in args.month.split("-"))
    period = Period.month(year, month)
    seconds = []
    for _ in range(args.runs):
        started = time.perf_counter()
        count = lock_outputs(period)
        seconds.append(time.perf_counter() - started)
    print(
        f"{connection.vendor}, {args.month}: median {statistics.median(seconds):.2f} s "
        f"(min {min(seconds):.2f}, max {max(seconds):.2f}) over {args.runs} runs, {count} queries"
    )


if __name__ == "__main__":
    main()
