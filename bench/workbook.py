"""Time the monthly report's workbook on a seeded database; python bench/workbook.py --help.

Builds the report of a month once (`monthly_report_build`), then, median of
`--runs`:

- the workbook written to memory (`build_monthly_workbook`, every row of the long
  lists, as a locked version; bench/report.py times the download's), its cells
  counted and the peak memory it adds over the built report (ru_maxrss);
- baseline: the same rows of the two long sheets (签约未落地 and 督办清单)
  written bare by XlsxWriter in constant-memory mode, values only, no
  formats, no other sheet: what writing those cells costs at the least.

Run it in an older checkout as well (its `build_monthly_workbook(report)`
returned an openpyxl workbook; this script saves that) to compare, e.g.

    DATABASE_URL=postgres://crm:crm@localhost/crm_size_1000000 \\
        .venv/bin/python bench/workbook.py --month 2026-11 --runs 3
"""

import argparse
import inspect
import io
import os
import resource
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
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'bench' / 'out' / 'seed.sqlite3'}")

import django  # noqa: E402

django.setup()

import xlsxwriter  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from leads.models import Lead  # noqa: E402
from leads.overdue import overdue_nodes  # noqa: E402
from leads.reports.monthly import monthly_report_build  # noqa: E402
from leads.reports.period import Period  # noqa: E402
from leads.reports.workbook import build_monthly_workbook  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_workbook(report) -> bytes:
    """Write the workbook with every row of its long lists, as a locked version keeps it
    (and as every checkout before the download listed the first LISTED_ROWS)."""
    buffer = io.BytesIO()
    parameters = inspect.signature(build_monthly_workbook).parameters
    if len(parameters) == 1:
        build_monthly_workbook(report).save(buffer)  # an older checkout: openpyxl
    elif "full" in parameters:
        build_monthly_workbook(report, buffer, full=True)
    else:
        build_monthly_workbook(report, buffer)
    return buffer.getvalue()


def bare_long_sheets(report, overdue_rows: list) -> bytes:
    """Write the backlog's and the overdue list's values, nothing else, in constant memory."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False})
    backlog = book.add_worksheet("签约未落地")
    for r, item in enumerate(report.backlog):
        values = (
            r + 1,
            item.code,
            item.name,
            item.investor,
            item.industry,
            item.team or "—",
            item.signed_on,
            item.contract_amount,
            item.days_waiting,
            "超期" if item.overdue else "",
        )
        _bare_row(backlog, r, values)
    overdue = book.add_worksheet("督办清单")
    for r, item in enumerate(overdue_rows):
        values = (
            r + 1,
            item.code,
            item.name,
            item.team or "—",
            item.leader or "—",
            str(item.kind_label),
            item.planned_on,
            item.days_late,
            item.slips,
            item.note,
            item.note_deadline,
        )
        _bare_row(overdue, r, values)
    book.close()
    return buffer.getvalue()


def _bare_row(sheet, r, values) -> None:
    for c, value in enumerate(values):
        if value is None or value == "":
            continue
        if isinstance(value, str):
            sheet.write_string(r, c, value)
        elif hasattr(value, "year"):
            sheet.write_datetime(r, c, value)
        else:
            sheet.write_number(r, c, float(value))


def timed(function, runs: int):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="", help="YYYY-MM (default: last month)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    today = timezone.localdate()
    last = today.replace(day=1) - timedelta(days=1)
    period = Period.parse_month(args.month) if args.month else Period.month(last.year, last.month)
    vendor = django.db.connection.vendor
    try:
        leads = Lead.objects.count()
    except django.db.DatabaseError:
        leads = 0
    if not leads:
        sys.exit("No leads in this database: seed it first (python bench/seed.py --leads N).")
    print(f"database: {vendor}, {leads:,} leads, {period.label}")
    start = time.perf_counter()
    report = monthly_report_build(period)
    print(f"report built in {time.perf_counter() - start:.2f} s; peak {peak_mb():.0f} MB so far")
    before = peak_mb()
    times, data = timed(lambda: write_workbook(report), args.runs)
    added = peak_mb() - before
    book = load_workbook(io.BytesIO(data), read_only=True)
    cells = sum(sheet.max_row * sheet.max_column for sheet in book.worksheets)
    rows = {name: book[name].max_row for name in ("签约未落地", "督办清单")}
    book.close()
    median = statistics.median(times)
    print(
        f"workbook: median {median:.2f} s (runs {', '.join(f'{t:.2f}' for t in times)}), "
        f"{len(data) / 1e6:.1f} MB file, about {cells:,} cells, rows {rows}, "
        f"peak memory +{added:.0f} MB"
    )
    if args.no_baseline:
        return
    overdue_rows = list(overdue_nodes(today=today))
    base_times, _ = timed(lambda: bare_long_sheets(report, overdue_rows), args.runs)
    base = statistics.median(base_times)
    print(
        f"baseline, the two long sheets bare (XlsxWriter constant memory): median {base:.2f} s "
        f"(runs {', '.join(f'{t:.2f}' for t in base_times)}); "
        f"workbook / baseline {median / base:.2f}"
    )


if __name__ == "__main__":
    main()
