"""bench/workbook.py times the report workbook against the same long sheets written bare."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from bench.seed import seed_database
from bench.workbook import bare_long_sheets, write_workbook
from leads.overdue import overdue_nodes
from leads.reports.monthly import monthly_report_build
from leads.reports.period import Period


@pytest.mark.django_db
def test_the_baseline_writes_the_rows_of_the_workbooks_long_sheets(reference_data):
    seed_database(300, years=2)
    today = timezone.localdate()
    report = monthly_report_build(Period.month(today.year, today.month))
    overdue = list(overdue_nodes())
    assert report.backlog and overdue
    book = load_workbook(io.BytesIO(write_workbook(report)), read_only=True)
    bare = load_workbook(io.BytesIO(bare_long_sheets(report, overdue)), read_only=True)
    for name, first in (("签约未落地", 4), ("督办清单", 4)):
        # The workbook's rows start under the title, unit and header rows; the bare ones at 1.
        written = [row[:4] for row in book[name].iter_rows(min_row=first, values_only=True)]
        baseline = [row[:4] for row in bare[name].iter_rows(values_only=True)]
        assert written[: len(baseline)] == baseline
        assert len(baseline) == (len(report.backlog) if name == "签约未落地" else len(overdue))
