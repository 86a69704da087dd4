"""Time the monthly report JSON of one code tree on an already seeded database.

Run it once per tree (old and new) against the same database that
`bench/report.py` seeded, so both are measured on the same data in one session:

    git archive main | tar -x -C /tmp/crm_main_src
    for root in /tmp/crm_main_src .; do CRM_ROOT=$root python bench/report_compare.py 7; done
    ... python bench/report_compare.py 5 2026-06     # a past month

Prints the median, min and max of the runs, the number of queries and the load.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("CRM_ROOT", Path(__file__).resolve().parent.parent)).resolve()
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/crm_bench_report.sqlite3")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from leads.reports.monthly import monthly_report_build  # noqa: E402
from leads.reports.period import Period  # noqa: E402
from leads.reports.serialise import report_data  # noqa: E402


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    today = timezone.localdate()
    if len(sys.argv) > 2:
        period = Period.parse_month(sys.argv[2])
    else:
        period = Period.month(today.year, today.month)

    def run():
        return json.dumps(report_data(monthly_report_build(period)), ensure_ascii=False)

    run()
    with CaptureQueriesContext(connection) as queries:
        run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    sys.stdout.write(
        f"{ROOT.name:16} {connection.vendor:10} {period.key}  "
        f"median {statistics.median(times):.3f} s  min {min(times):.3f}  max {max(times):.3f}  "
        f"queries {len(queries)}  load {os.getloadavg()[0]:.1f}\n"
    )


if __name__ == "__main__":
    main()
