"""Layout of the report workbook's sheets: cell styles, titles, headers, print setup, charts."""

from __future__ import annotations

from copy import copy
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.chart import BarChart
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from leads.reports.figures import MonthlyReport

COUNT = "#,##0"
MONEY = "#,##0.00"
PERCENT = '0.00"%"'
RATE = '0.0"%"'  # the 四率: one place
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF7")
TOTAL_FILL = PatternFill("solid", fgColor="F3F3F3")
TITLE_FONT = Font(name="宋体", size=16, bold=True)
BOLD = Font(bold=True)
RED = Font(color="C00000")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)


def sheet_title(sheet: Worksheet, report: MonthlyReport, heading: str, width: int) -> int:
    """Write the title row and the unit row; return the next free row."""
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    cell = sheet.cell(1, 1, f"招商引资项目签约落地情况通报（{report.period.label}）—{heading}")
    cell.font = TITLE_FONT
    cell.alignment = CENTER
    sheet.row_dimensions[1].height = 30
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    unit = sheet.cell(
        2,
        1,
        f"统计期间：{report.period.start:%Y-%m-%d} 至 {report.period.end:%Y-%m-%d}　"
        f"统计日：{report.as_of:%Y-%m-%d}　单位：万元",
    )
    unit.alignment = Alignment(horizontal="right")
    return 3


def header_cell(sheet: Worksheet, row: int, column: int, value, *, span=(1, 1)) -> None:
    rows, columns = span
    if rows > 1 or columns > 1:
        sheet.merge_cells(
            start_row=row,
            start_column=column,
            end_row=row + rows - 1,
            end_column=column + columns - 1,
        )
    for r in range(row, row + rows):
        for c in range(column, column + columns):
            cell = sheet.cell(r, c)
            cell.border = BORDER
            cell.fill = HEADER_FILL
            cell.font = BOLD
            cell.alignment = CENTER
    sheet.cell(row, column, value)


DATE = "yyyy-mm-dd"
CELL_FORMATS = (None, COUNT, MONEY, PERCENT, DATE, RATE)


def style_name(number_format: str | None, total: bool, overdue: bool) -> str:
    suffix = ("-合计" if total else "") + ("-超期" if overdue else "")
    return f"报表-{CELL_FORMATS.index(number_format)}{suffix}"


def add_cell_styles(book: Workbook) -> None:
    """Register the bordered cell styles once; assigning a named style per cell is far
    cheaper than setting border, fill and font one by one (thousands of backlog rows)."""
    for number_format in CELL_FORMATS:
        for total in (False, True):
            for overdue in (False, True):
                style = NamedStyle(name=style_name(number_format, total, overdue))
                style.border = BORDER
                style.number_format = number_format or "General"
                if total:
                    style.fill = TOTAL_FILL
                    style.font = Font(bold=True)
                elif overdue:
                    style.font = Font(color=RED.color)
                book.add_named_style(style)


def put(
    sheet: Worksheet,
    row: int,
    column: int,
    value,
    number_format=None,
    *,
    total=False,
    overdue=False,
):
    cell = sheet.cell(row, column, value)
    # The style's array, copied: what `cell.style = name` does, without its look-up
    # of the name through every named style of the book for each cell (half the
    # time of a 15,000-row backlog sheet).
    styles = _STYLE_ARRAYS.get(sheet.parent)
    if styles is None:
        styles = _STYLE_ARRAYS[sheet.parent] = {
            style.name: style.as_tuple() for style in sheet.parent._named_styles
        }
    cell._style = copy(styles[style_name(number_format, total, overdue)])
    return cell


# Each workbook's named styles as the arrays a cell holds, built on first use.
_STYLE_ARRAYS: WeakKeyDictionary = WeakKeyDictionary()


def set_widths(sheet: Worksheet, widths: list[float]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def page_setup(sheet: Worksheet, header_rows: str | None = None) -> None:
    """Print on A4 landscape, all columns on one page width, page numbers in the footer."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    if header_rows:
        sheet.print_title_rows = header_rows


def bar_chart(title: str, y_title: str, *, horizontal: bool = False) -> BarChart:
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.grouping = "clustered"
    chart.title = title
    chart.y_axis.title = y_title
    # openpyxl 3.1 marks axes deleted unless told otherwise; Excel then hides them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.number_format = "#,##0"
    chart.x_axis.tickLblSkip = 1
    if horizontal:
        # List the categories top-down in table order.
        chart.x_axis.scaling.orientation = "maxMin"
    chart.legend.position = "b"
    chart.width = 25
    chart.height = 8
    return chart
