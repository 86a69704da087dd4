"""The report as a print-ready Excel workbook (A4 landscape) with native Excel charts."""

from __future__ import annotations

from leads.reports.backlog import BacklogReport
from leads.reports.definitions import DEFINITIONS
from leads.reports.figures import BreakdownRow, MonthlyReport, Totals
from leads.reports.overdue_sheet import overdue_sheet
from leads.reports.sections import report_sections_write
from leads.reports.sheet_layout import COUNT, DATE, MONEY, PERCENT, WRAP, ReportBook, Sheet
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


# The rows a workbook lists of each long list (签约未落地, 督办清单), longest waiting or
# most late first, unless it is a locked version's (`full`). At a city's
# 1,000,000 leads the two lists hold about 170,000 rows, 10 of the workbook's 13 s;
# a district's fit well within. The rest of the backlog downloads on its own
# (`build_backlog_workbook`), the rest of the 督办清单 from its page.
LISTED_ROWS = 5000


def build_monthly_workbook(report: MonthlyReport, output, *, full: bool = False) -> int:
    """Write the workbook to `output` (a path or a binary file): 汇总, the breakdowns,
    签约未落地, 年度目标, 签约后终止与调整说明, 排名, 督办清单 and the apps' sections.

    The two long lists show their first LISTED_ROWS rows and say how many there
    are and where the rest is; every row when `full` (a locked version). Returns the
    number of 签约未落地 rows written (what an export of it counts).
    """
    listed = None if full else LISTED_ROWS
    book = ReportBook(output)
    summary_sheet(book.add_sheet("汇总"), report)
    for key, title, rows in report.breakdowns:
        sheet = book.add_sheet(title)
        first_column = FIRST_COLUMNS[key]
        _breakdown_sheet(sheet, report, title, first_column, rows, chart=key == "industry")
    written = _backlog_sheet(book.add_sheet("签约未落地"), report, listed)
    _targets_sheet(book.add_sheet("年度目标"), report)
    dropped_and_adjustments_sheet(book.add_sheet("签约后终止与调整说明"), report)
    ranking_sheet(book.add_sheet("排名"), report)
    overdue_sheet(book.add_sheet("督办清单"), report, listed)
    report_sections_write(book, report)
    book.close()
    return written


def build_backlog_workbook(report: MonthlyReport | BacklogReport, output) -> None:
    """Write the 签约未落地 sheet alone with every row: the full list a workbook points to."""
    book = ReportBook(output)
    _backlog_sheet(book.add_sheet("签约未落地"), report, None)
    book.close()


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
    sheet: Sheet,
    report: MonthlyReport,
    title: str,
    first_column: str,
    rows: list[BreakdownRow],
    *,
    chart: bool,
) -> None:
    width = 1 + sum(len(sub) for _, sub in BREAKDOWN_HEADERS)
    row = sheet.title(report, title, width)
    sheet.header(row, 1, first_column, span=(2, 1))
    column = 2
    for group, subs in BREAKDOWN_HEADERS:
        sheet.header(row, column, group, span=(1, len(subs)))
        for offset, label in enumerate(subs):
            sheet.header(row + 1, column + offset, label)
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
        sheet.put(row, 1, item.name, total=total)
        dated = [(item.paid_in_month, MONEY), (item.paid_in_ytd, MONEY)]
        for offset, (value, number_format) in enumerate(
            _totals_cells(item.month) + _totals_cells(item.ytd) + dated, start=2
        ):
            sheet.put(row, offset, value, number_format, total=total)
    last_data = row - 1
    if chart and last_data >= first_data:
        sheet.bar_chart(
            row + 2,
            title="本年累计签约、落地金额（按产业）",
            axis_title="金额（万元）",
            series=[
                {"name": name, "values": sheet.cells(first_data, last_data, column)}
                for name, column in (("本年累计签约金额", 8), ("本年累计落地金额", 10))
            ],
            categories=sheet.cells(first_data, last_data, 1),
            horizontal=True,
            height_cm=12,
        )
    sheet.widths([26] + [11, 14] * 1 + [11, 14, 14] + [11, 14] + [11, 14, 14] + [14, 14])
    sheet.page_setup(header_rows)


def _backlog_sheet(sheet: Sheet, report: MonthlyReport | BacklogReport, listed: int | None) -> int:
    """Write 签约未落地: a row per waiting lead (the first `listed`), the total row and the
    definition; return the rows listed."""
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
    row = sheet.title(report, "签约未落地项目", len(headers))
    for column, (label, _) in enumerate(headers, start=1):
        sheet.header(row, column, label)
    header_rows = f"{row}:{row}"
    total = len(report.backlog)
    capped = listed is not None and total > listed
    for number, item in enumerate(report.backlog[:listed] if capped else report.backlog, start=1):
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
        sheet.put_row(row, values, overdue=item.overdue)
    row = _backlog_total_row(sheet, report, row + 1)
    row += 2
    if capped:
        rest = (
            f"本表列出等待最久的前 {listed} 个（共 {total} 个）；"
            "完整清单请在通报页面下载“签约未落地清单”。"
        )
        sheet.text(row, 1, rest, WRAP, to_column=len(headers))
        row += 1
    sla = f"{report.sla_days} 天" if report.sla_days is not None else "未设置"
    note = f"说明：{dict(DEFINITIONS)['签约未落地']}“签约”阶段时限：{sla}。"
    sheet.text(row, 1, note, WRAP, to_column=len(headers), height=48)
    sheet.widths([width for _, width in headers])
    sheet.page_setup(header_rows)
    return listed if capped else total


def _backlog_total_row(sheet: Sheet, report: MonthlyReport | BacklogReport, row: int) -> int:
    text = f"{len(report.backlog)} 个项目，其中超期 {report.overdue_count} 个"
    sheet.put(row, 1, "合计", total=True)
    sheet.put(row, 2, text, total=True, to_column=7)
    sheet.put(row, 8, report.backlog.amount, MONEY, total=True)
    sheet.put(row, 9, None, total=True)
    sheet.put(row, 10, None, total=True)
    return row


def _targets_sheet(sheet: Sheet, report: MonthlyReport) -> None:
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
    row = sheet.title(report, f"{report.period.end.year}年度目标完成情况", width)
    sheet.header(row, 1, "范围", span=(2, 1))
    sheet.header(row, 2, "名称", span=(2, 1))
    for index, (label, *_rest) in enumerate(measures):
        column = 3 + 3 * index
        sheet.header(row, column, label, span=(1, 3))
        for offset, sub in enumerate(["年度目标", "本年累计", "完成率(%)"]):
            sheet.header(row + 1, column + offset, sub)
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
        sheet.put(row, 1, scopes[target.scope])
        sheet.put(row, 2, target.name)
        for index, (_label, kind, measure, number_format) in enumerate(measures):
            column = 3 + 3 * index
            sheet.put(row, column, getattr(getattr(target.target, kind), measure), number_format)
            actual = getattr(getattr(target.actual, kind), measure)
            sheet.put(row, column + 1, actual, number_format)
            sheet.put(row, column + 2, target.percent(kind, measure), PERCENT)
    if not report.targets:
        row += 1
        sheet.text(
            row,
            1,
            f"{report.period.end.year}年度尚未录入目标"
            "（可在管理后台“年度目标”中录入或从 Excel 导入）。",
            to_column=width,
        )
    widths = [8, 24]
    for *_rest, number_format in measures:
        widths += [15, 15, 10] if number_format == MONEY else [10, 10, 10]
    sheet.widths(widths)
    sheet.page_setup(header_rows)
