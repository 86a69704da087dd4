"""The monthly 台账 workbook: all problems with their state, those closed out, the overdue ones."""

from __future__ import annotations

from datetime import date

from aftercare.models import Problem
from aftercare.querysets import overdue_q
from crm.snapshot import read_snapshot
from leads.reports.period import Period
from leads.reports.sheet_layout import DATE, ReportBook

COLUMNS = [
    ("诉求编号", 14, None),
    ("企业名称", 26, None),
    ("反映日期", 11, DATE),
    ("诉求类别", 10, None),
    ("诉求内容", 36, None),
    ("责任单位", 16, None),
    ("办理时限", 11, DATE),
    ("办理状态", 9, None),
    ("办理情况", 36, None),
    ("销号日期", 11, DATE),
    ("是否超期", 8, None),
]


def _progress(problem: Problem) -> str:
    """Return the latest word on the problem: resolution, explanation or escalation."""
    if problem.resolution:
        return problem.resolution
    if problem.explanation:
        return f"记录在案：{problem.explanation}（复核日期 {problem.review_on:%Y-%m-%d}）"
    if problem.escalated_to:
        return f"已上报{problem.escalated_to}" + (
            f"；答复：{problem.escalation_answer}" if problem.escalation_answer else ""
        )
    return ""


def _sheet(book: ReportBook, title: str, heading: str, problems, today: date) -> int:
    """Add a sheet listing `problems`; return how many it lists."""
    sheet = book.add_sheet(title)
    sheet.text(1, 1, heading, to_column=len(COLUMNS))
    for index, (label, _width, _fmt) in enumerate(COLUMNS, start=1):
        sheet.header(2, index, label)
    count = 0
    for count, problem in enumerate(problems, start=1):
        row = count + 2
        overdue = problem.is_overdue_on(today)
        values = [
            problem.code,
            problem.enterprise.name,
            problem.raised_on,
            problem.get_category_display(),
            problem.description,
            problem.responsible_name,
            problem.deadline,
            problem.get_status_display(),
            _progress(problem),
            problem.closed_on,
            "超期" if overdue else "",
        ]
        formats = (number_format for _label, _width, number_format in COLUMNS)
        sheet.put_row(row, zip(values, formats, strict=True), overdue=overdue)
    sheet.widths([width for _label, width, _fmt in COLUMNS])
    sheet.page_setup(header_rows="2:2")
    return count


def build_ledger_workbook(period: Period, output, *, today: date) -> int:
    """Write the 台账 of `period` to `output` (a path or a binary file): sheets 全部诉求,
    本月销号, 超期诉求 (A4 landscape); return how many problems 全部诉求 lists.

    全部诉求 lists every problem raised up to the period's end, with its
    state now; 超期 is judged on `today` (Asia/Shanghai), so the workbook of
    the current month shows what is overdue today.
    """
    with read_snapshot():  # the three sheets agree with one another
        return _ledger_sheets(ReportBook(output), period, today)


def _ledger_sheets(book: ReportBook, period: Period, today: date) -> int:
    base = Problem.objects.select_related(
        "enterprise", "responsible_team", "responsible_unit"
    ).order_by("raised_on", "code")
    label = period.label
    listed = _sheet(
        book,
        "全部诉求",
        f"企业反映问题台账（截至{period.end:%Y-%m-%d}）",
        base.filter(raised_on__lte=period.end),
        today,
    )
    _sheet(
        book, "本月销号", f"{label}销号的问题", base.closed_between(period.start, period.end), today
    )
    _sheet(
        book,
        "超期诉求",
        f"超期未办结的问题（{today:%Y-%m-%d}）",
        base.filter(overdue_q(today)),
        today,
    )
    book.close()
    return listed
