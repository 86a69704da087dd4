"""The 企业诉求 section of the monthly report: its JSON, its workbook sheet, its page part."""

from __future__ import annotations

from aftercare.figures import ProblemFigures, ProblemRow, problem_figures_build
from leads.reports.sections import report_section_register
from leads.reports.sheet_layout import COUNT, PERCENT

SHEET = "企业诉求"
TEMPLATE = "aftercare/_report_section.html"
COLUMNS = [
    ("raised", "本期新增"),
    ("closed", "本期销号"),
    ("open", "期末未销号"),
    ("overdue", "期末超期"),
    ("ytd_raised", "本年新增"),
    ("closing_rate", "办结率"),
    ("on_time_rate", "按期办结率"),
    ("satisfaction_rate", "满意率"),
]
RATES = {"closing_rate", "on_time_rate", "satisfaction_rate"}


def register_problem_section() -> None:
    """Add the section to the monthly report (called from AftercareConfig.ready)."""
    report_section_register(
        "problems",
        build=problem_figures_build,
        serialise=problems_data,
        write_sheet=write_problems_sheet,
        template=TEMPLATE,
    )


def _rate_text(value):
    return None if value is None else f"{value:.2f}"


def row_data(row: ProblemRow) -> dict:
    return {
        "name": row.name,
        "raised": row.raised,
        "closed": row.closed,
        "open": row.open,
        "overdue": row.overdue,
        "ytd_raised": row.ytd_raised,
        "ytd_closed": row.ytd_closed,
        "closing_rate": _rate_text(row.closing_rate),
        "on_time_rate": _rate_text(row.on_time_rate),
        "satisfaction_rate": _rate_text(row.satisfaction_rate),
    }


def problems_data(figures: ProblemFigures) -> dict:
    """Return the section's JSON: totals, by category, by responsible unit; rates as text."""
    return {
        "as_of": figures.end.isoformat(),
        "totals": row_data(figures.total),
        "by_category": [row_data(row) for row in figures.by_category],
        "by_unit": [row_data(row) for row in figures.by_unit],
    }


def write_problems_sheet(book, figures: ProblemFigures, report) -> None:
    """Add the 企业诉求 sheet: by category, then by responsible unit, A4 landscape."""
    sheet = book.add_sheet(SHEET)
    row = sheet.title(
        report,
        f"企业诉求（统计至 {figures.end:%Y-%m-%d}，比率为本年累计）",
        len(COLUMNS) + 1,
    )
    for title, rows in (("诉求类别", figures.by_category), ("责任单位", figures.by_unit)):
        sheet.header(row, 1, title)
        for index, (_key, label) in enumerate(COLUMNS, start=2):
            sheet.header(row, index, label)
        row += 1
        for item in [*rows, figures.total]:
            total = item is figures.total
            sheet.put(row, 1, item.name, total=total)
            for index, (key, _label) in enumerate(COLUMNS, start=2):
                value = getattr(item, key)
                sheet.put(row, index, value, PERCENT if key in RATES else COUNT, total=total)
            row += 1
        row += 1
    sheet.widths([24] + [12] * len(COLUMNS))
    sheet.page_setup()
