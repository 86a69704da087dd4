"""The report as a print-ready Excel workbook (A4 landscape) with native Excel charts."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.chart import Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.worksheet.worksheet import Worksheet

from leads.reports.definitions import DEFINITIONS
from leads.reports.figures import BreakdownRow, MonthlyReport, Totals
from leads.reports.overdue_sheet import overdue_sheet
from leads.reports.sections import report_sections_write
from leads.reports.sheet_layout import (
    COUNT,
    DATE,
    MONEY,
    PERCENT,
    WRAP,
    add_cell_styles,
    bar_chart,
    header_cell,
    page_setup,
    put,
    set_widths,
    sheet_title,
)
from leads.reports.workbook_sheets import dropped_and_adjustments_sheet, ranking_sheet
from leads.reports.workbook_summary import summary_sheet

FIRST_COLUMNS = {
    "industry": "产业",
    "team": "引进小分队",
    "unit": "引进单位",
    "leader": "分包领导",
    "source": "线索来源",
    "origin": "资金来源类别",
}
BREAKDOWN_HEADERS = [
    ("本期签约", ["项目数", "金额"]),
    ("本期落地", ["项目数", "金额", "累计到位资金"]),
    ("本年累计签约", ["项目数", "金额"]),
    ("本年累计落地", ["项目数", "金额", "累计到位资金"]),
    ("到位资金（按到位日期）", ["本期", "本年累计"]),
]


def build_monthly_workbook(report: MonthlyReport) -> Workbook:
    """Return the workbook: 汇总, breakdowns, 签约未落地, 年度目标, 签约后终止与调整说明, 排名."""
    book = Workbook()
    add_cell_styles(book)
    summary_sheet(book.active, report)
    for key, title, rows in report.breakdowns:
        sheet = book.create_sheet(title)
        first_column = FIRST_COLUMNS[key]
        _breakdown_sheet(sheet, report, title, first_column, rows, chart=key == "industry")
    _backlog_sheet(book.create_sheet("签约未落地"), report)
    _targets_sheet(book.create_sheet("年度目标"), report)
    dropped_and_adjustments_sheet(book.create_sheet("签约后终止与调整说明"), report)
    ranking_sheet(book.create_sheet("排名"), report)
    overdue_sheet(book.create_sheet("督办清单"), report)
    report_sections_write(book, report)
    return book


def _totals_cells(totals: Totals) -> list[tuple[object, str]]:
    return [
        (totals.signed.count, COUNT),
        (totals.signed.amount, MONEY),
        (totals.landed.count, COUNT),
        (totals.landed.amount, MONEY),
        (totals.landed.paid_in, MONEY),
    ]


# --- sheets ----------------------------------------------------------------------


def _breakdown_sheet(
    sheet: Worksheet,
    report: MonthlyReport,
    title: str,
    first_column: str,
    rows: list[BreakdownRow],
    *,
    chart: bool,
) -> None:
    width = 1 + sum(len(sub) for _, sub in BREAKDOWN_HEADERS)
    row = sheet_title(sheet, report, title, width)
    header_cell(sheet, row, 1, first_column, span=(2, 1))
    column = 2
    for group, subs in BREAKDOWN_HEADERS:
        header_cell(sheet, row, column, group, span=(1, len(subs)))
        for offset, label in enumerate(subs):
            header_cell(sheet, row + 1, column + offset, label)
        column += len(subs)
    header_rows = f"{row}:{row + 1}"
    row += 1
    first_data = row + 1
    paid_in = report.after_landing.paid_in
    total_row = BreakdownRow("合计", {}, report.month_totals, report.ytd_totals)
    total_row.paid_in_month, total_row.paid_in_ytd = paid_in["month"], paid_in["ytd"]
    for item in [*rows, total_row]:
        row += 1
        total = item is total_row
        put(sheet, row, 1, item.name, total=total)
        dated = [(item.paid_in_month, MONEY), (item.paid_in_ytd, MONEY)]
        for offset, (value, number_format) in enumerate(
            _totals_cells(item.month) + _totals_cells(item.ytd) + dated, start=2
        ):
            put(sheet, row, offset, value, number_format, total=total)
    last_data = row - 1
    if chart and last_data >= first_data:
        bar = bar_chart("本年累计签约、落地金额（按产业）", "金额（万元）", horizontal=True)
        for data_column in (8, 10):  # 本年累计签约金额, 本年累计落地金额
            bar.add_data(
                Reference(sheet, min_col=data_column, min_row=first_data, max_row=last_data),
                titles_from_data=False,
            )
        bar.series[0].tx = SeriesLabel(v="本年累计签约金额")
        bar.series[1].tx = SeriesLabel(v="本年累计落地金额")
        bar.set_categories(Reference(sheet, min_col=1, min_row=first_data, max_row=last_data))
        bar.height = 12
        sheet.add_chart(bar, f"A{row + 2}")
    set_widths(sheet, [26] + [11, 14] * 1 + [11, 14, 14] + [11, 14] + [11, 14, 14] + [14, 14])
    page_setup(sheet, header_rows)


def _backlog_sheet(sheet: Worksheet, report: MonthlyReport) -> None:
    """Write 签约未落地: one row per waiting lead, the total row and the definition."""
    headers = [
        ("序号", 6),
        ("项目编号", 15),
        ("项目名称", 30),
        ("投资方", 30),
        ("所属产业", 18),
        ("负责小分队", 14),
        ("签约日期", 12),
        ("签约投资额", 14),
        ("等待天数", 10),
        ("是否超期", 10),
    ]
    row = sheet_title(sheet, report, "签约未落地项目", len(headers))
    for column, (label, _) in enumerate(headers, start=1):
        header_cell(sheet, row, column, label)
    header_rows = f"{row}:{row}"
    for number, item in enumerate(report.backlog, start=1):
        row += 1
        values = [
            (number, COUNT),
            (item.code, None),
            (item.name, None),
            (item.investor, None),
            (item.industry, None),
            (item.team or "—", None),
            (item.signed_on, DATE),
            (item.contract_amount, MONEY),
            (item.days_waiting, COUNT),
            ("超期" if item.overdue else "", None),
        ]
        for column, (value, number_format) in enumerate(values, start=1):
            put(sheet, row, column, value, number_format, overdue=item.overdue)
    row = _backlog_total_row(sheet, report, row + 1)
    row += 2
    sla = f"{report.sla_days} 天" if report.sla_days is not None else "未设置"
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(headers))
    note = sheet.cell(row, 1, f"说明：{dict(DEFINITIONS)['签约未落地']}“签约”阶段时限：{sla}。")
    note.alignment = WRAP
    sheet.row_dimensions[row].height = 48
    set_widths(sheet, [width for _, width in headers])
    page_setup(sheet, header_rows)


def _backlog_total_row(sheet: Worksheet, report: MonthlyReport, row: int) -> int:
    put(sheet, row, 1, "合计", total=True)
    sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=7)
    put(
        sheet,
        row,
        2,
        f"{len(report.backlog)} 个项目，其中超期 {report.overdue_count} 个",
        total=True,
    )
    for column in range(3, 8):
        put(sheet, row, column, None, total=True)
    put(
        sheet,
        row,
        8,
        report.backlog.amount,
        MONEY,
        total=True,
    )
    put(sheet, row, 9, None, total=True)
    put(sheet, row, 10, None, total=True)
    return row


def _targets_sheet(sheet: Worksheet, report: MonthlyReport) -> None:
    """Write 年度目标: target, actual and completion per measure, one row per target.

    A linear sheet layout (headers, rows, the note when no target exists),
    kept in one function so the columns read in the order they are written.
    """
    measures = [
        ("签约项目数", "signed", "count", COUNT),
        ("签约金额", "signed", "amount", MONEY),
        ("落地项目数", "landed", "count", COUNT),
        ("落地金额", "landed", "amount", MONEY),
    ]
    width = 2 + 3 * len(measures)
    row = sheet_title(sheet, report, f"{report.period.end.year}年度目标完成情况", width)
    header_cell(sheet, row, 1, "范围", span=(2, 1))
    header_cell(sheet, row, 2, "名称", span=(2, 1))
    for index, (label, *_rest) in enumerate(measures):
        column = 3 + 3 * index
        header_cell(sheet, row, column, label, span=(1, 3))
        for offset, sub in enumerate(["年度目标", "本年累计", "完成率(%)"]):
            header_cell(sheet, row + 1, column + offset, sub)
    header_rows = f"{row}:{row + 1}"
    row += 1
    scopes = {
        "district": "全区",
        "industry": "产业",
        "team": "小分队",
        "unit": "单位",
        "leader": "分包领导",
    }
    for target in report.targets:
        row += 1
        put(sheet, row, 1, scopes[target.scope])
        put(sheet, row, 2, target.name)
        for index, (_label, kind, measure, number_format) in enumerate(measures):
            column = 3 + 3 * index
            put(sheet, row, column, getattr(getattr(target.target, kind), measure), number_format)
            put(
                sheet,
                row,
                column + 1,
                getattr(getattr(target.actual, kind), measure),
                number_format,
            )
            put(sheet, row, column + 2, target.percent(kind, measure), PERCENT)
    if not report.targets:
        row += 1
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        sheet.cell(
            row,
            1,
            f"{report.period.end.year}年度尚未录入目标"
            "（可在管理后台“年度目标”中录入或从 Excel 导入）。",
        )
    widths = [8, 24]
    for *_rest, number_format in measures:
        widths += [15, 15, 10] if number_format == MONEY else [10, 10, 10]
    set_widths(sheet, widths)
    page_setup(sheet, header_rows)
