"""Layout of the report workbooks' sheets: cell formats, titles, headers, print setup, charts.

Written with XlsxWriter, as the lead export is: at a city's scale the
report's 签约未落地 and 督办清单 sheets hold 170,000 rows, and openpyxl spent 28
of the workbook's 31 s creating and saving their cells (docs/benchmarks.md).
Text is always written as text, never as a formula or a link; text that Excel
would run as a formula once edited carries the quote prefix, the mark Excel
itself gives text typed after an apostrophe. Rows and columns count from 1, as
on the printed sheet.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.utils import timezone

from crm.spreadsheets.cells import (
    EXCEL_CELL_LIMIT,
    FORMULA_TRIGGERS,
    exceeds_cell,
    excel_length,
    excel_serial,
)
from leads.reports.figures import MonthlyReport

COUNT = "#,##0"
MONEY = "#,##0.00"
PERCENT = '0.00"%"'
RATE = '0.0"%"'  # the 四率: one place
DATE = "yyyy-mm-dd"
LINE = "#808080"  # thin cell borders
HEADER_FILL = "#E8EEF7"
TOTAL_FILL = "#F3F3F3"
RED = "#C00000"

# Named formats of cells that are not table cells (`Sheet.text`).
PLAIN, WRAP, BOLD, TITLE, UNIT, HEADER = "plain", "wrap", "bold", "title", "unit", "header"
STYLES = {
    PLAIN: {},
    WRAP: {"valign": "top", "text_wrap": True},
    BOLD: {"bold": True},
    TITLE: {
        "font_name": "宋体",
        "font_size": 16,
        "bold": True,
        "align": "center",
        "valign": "vcenter",
        "text_wrap": True,
    },
    UNIT: {"align": "right"},
    HEADER: {
        "border": 1,
        "border_color": LINE,
        "bg_color": HEADER_FILL,
        "pattern": 1,
        "bold": True,
        "align": "center",
        "valign": "vcenter",
        "text_wrap": True,
    },
}
CHART_WIDTH_CM = 25


class ReportBook:
    """A workbook of report sheets, written to `output` (a path or a binary file) by `close`.

    Its formats are made once per workbook, on first use.
    """

    def __init__(self, output):
        self.book = xlsxwriter.Workbook(
            output,
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        self._formats: dict = {}
        self.plain_formats: dict = {}  # the same without the quote prefix, by key alone

    def add_sheet(self, title: str) -> Sheet:
        return Sheet(self, self.book.add_worksheet(title))

    def format(self, key, quote: bool = False):
        """Return the format of `key`, a name of STYLES or a table cell's (number format,
        total, overdue); with the quote prefix when `quote`."""
        found = self._formats.get((key, quote))
        if found is None:
            properties = _properties(key)
            if quote:
                properties["quote_prefix"] = True
            found = self._formats[(key, quote)] = self.book.add_format(properties)
            if not quote:
                self.plain_formats[key] = found
        return found

    def close(self) -> None:
        self.book.close()


def _properties(key) -> dict:
    if isinstance(key, str):
        return dict(STYLES[key])
    number_format, total, overdue = key
    properties = {"border": 1, "border_color": LINE}
    if number_format:
        properties["num_format"] = number_format
    if total:
        properties.update(bg_color=TOTAL_FILL, pattern=1, bold=True)
    elif overdue:
        properties["font_color"] = RED
    return properties


class Sheet:
    """One sheet of a ReportBook, addressed by 1-based row and column."""

    def __init__(self, book: ReportBook, worksheet):
        self.book = book
        self.worksheet = worksheet
        self._breaks: list[int] = []
        self._serials: dict = {}

    @property
    def name(self) -> str:
        return self.worksheet.get_name()

    # --- cells ---------------------------------------------------------------------

    def put(
        self,
        row: int,
        column: int,
        value,
        number_format=None,
        *,
        total=False,
        overdue=False,
        to_column: int | None = None,
    ) -> None:
        """Write a bordered table cell: a number, date, text or blank shown in `number_format`,
        merged across to `to_column` when given."""
        key = (number_format, total, overdue)
        if to_column is not None and to_column > column:
            self._merge(row, column, row, to_column, value, key)
        else:
            self._write(row - 1, column - 1, value, key)

    def put_row(self, row: int, cells, *, total=False, overdue=False) -> None:
        """Write (value, number format) pairs as table cells from column 1 of `row`.

        The long sheets' hot path (170,000 rows at a city's scale): plain text,
        numbers and dates are written here directly, in the formats of the
        row's style looked up once; any other value takes `_write`.
        """
        r = row - 1
        sheet, formats = self.worksheet, self.book.plain_formats
        for c, (value, number_format) in enumerate(cells):
            key = (number_format, total, overdue)
            kind = value.__class__
            if kind is str and value and value[0] not in FORMULA_TRIGGERS:
                if not exceeds_cell(value):
                    sheet.write_string(r, c, value, formats.get(key) or self._format(key))
                    continue
            elif kind is int or kind is Decimal or kind is float:
                sheet.write_number(r, c, float(value), formats.get(key) or self._format(key))
                continue
            elif kind is date:
                sheet.write_number(r, c, self._serial(value), formats.get(key) or self._format(key))
                continue
            self._write(r, c, value, key)

    def text(
        self,
        row: int,
        column: int,
        value,
        style: str = PLAIN,
        *,
        to_column: int | None = None,
        height: float | None = None,
    ) -> None:
        """Write a cell in a named style, merged across to `to_column` when given."""
        if to_column is not None and to_column > column:
            self._merge(row, column, row, to_column, value, style)
        else:
            self._write(row - 1, column - 1, value, style)
        if height is not None:
            self.worksheet.set_row(row - 1, height)

    def header(self, row: int, column: int, value, *, span=(1, 1)) -> None:
        """Write a header cell, merged over `span` (rows, columns) when larger than one cell."""
        rows, columns = span
        if rows > 1 or columns > 1:
            self._merge(row, column, row + rows - 1, column + columns - 1, value, HEADER)
        else:
            self._write(row - 1, column - 1, value, HEADER)

    def title(self, report: MonthlyReport, heading: str, width: int) -> int:
        """Write the title row and the unit row of a report sheet; return the next free row."""
        self.text(
            1,
            1,
            f"招商引资项目签约落地情况通报（{report.period.label}）—{heading}",
            TITLE,
            to_column=width,
            height=30,
        )
        self.text(
            2,
            1,
            f"统计期间：{report.period.start:%Y-%m-%d} 至 {report.period.end:%Y-%m-%d}　"
            f"统计日：{report.as_of:%Y-%m-%d}　单位：万元",
            UNIT,
            to_column=width,
        )
        return 3

    def _merge(self, first_row, first_column, last_row, last_column, value, key) -> None:
        self.worksheet.merge_range(
            first_row - 1, first_column - 1, last_row - 1, last_column - 1, "", self._format(key)
        )
        self._write(first_row - 1, first_column - 1, value, key)

    def _serial(self, day: date) -> float:
        """Return the Excel serial of `day` (`excel_serial`, the export's rule), once per day."""
        serial = self._serials.get(day)
        if serial is None:
            serial = self._serials[day] = excel_serial(day)
        return serial

    def _format(self, key, quote=False):
        return self.book.format(key, quote)

    def _write(self, r: int, c: int, value, key) -> None:
        """Write `value` by its type: text as text (quote-prefixed when Excel would run it),
        numbers and Decimal amounts as numbers, dates as their Excel serials (shown by the
        cell's date format), None and "" as a blank. `put_row` inlines the common cases."""
        sheet = self.worksheet
        kind = value.__class__
        if kind is str or isinstance(value, str):
            if not value:
                sheet.write_blank(r, c, None, self._format(key))
            else:
                quote = value[0] in FORMULA_TRIGGERS
                if exceeds_cell(value):
                    value = _cut(value)
                sheet.write_string(r, c, str(value), self._format(key, quote))
        elif value is None:
            sheet.write_blank(r, c, None, self._format(key))
        elif kind is bool:
            sheet.write_boolean(r, c, value, self._format(key))
        elif kind is int or kind is float or kind is Decimal:
            sheet.write_number(r, c, float(value), self._format(key))
        elif isinstance(value, datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            sheet.write_number(r, c, excel_serial(local), self._format(key))
        elif isinstance(value, date):
            sheet.write_number(r, c, self._serial(value), self._format(key))
        else:  # a lazy translation or another object shown as text
            self._write(r, c, str(value), key)

    # --- sheet ----------------------------------------------------------------------

    def widths(self, widths: list[float]) -> None:
        for index, width in enumerate(widths):
            self.worksheet.set_column(index, index, width)

    def height(self, row: int, height: float) -> None:
        self.worksheet.set_row(row - 1, height)

    def page_setup(self, header_rows: str | None = None) -> None:
        """Print on A4 landscape, all columns on one page width, page numbers in the footer;
        repeat `header_rows` ("first:last") on every page."""
        sheet = self.worksheet
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.center_horizontally()
        sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        # Header and footer half an inch from the edge, as the sheets have always printed.
        sheet.set_header("", {"margin": 0.5})
        sheet.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.5})
        if header_rows:
            first, last = (int(part) for part in header_rows.split(":"))
            sheet.repeat_rows(first - 1, last - 1)

    def page_break_after(self, row: int) -> None:
        self._breaks.append(row)
        self.worksheet.set_h_pagebreaks(self._breaks)

    def cell_ref(self, row: int, column: int) -> list:
        """Return a chart reference to one cell (a series' name read from the sheet)."""
        return [self.name, row - 1, column - 1]

    def cells(self, first_row: int, last_row: int, column: int, last_column: int | None = None):
        """Return a chart reference to the cells of `column` (to `last_column`) in the rows."""
        return [self.name, first_row - 1, column - 1, last_row - 1, (last_column or column) - 1]

    def bar_chart(
        self,
        row: int,
        *,
        title: str,
        axis_title: str,
        series: list[dict],
        categories: list,
        horizontal: bool = False,
        height_cm: float = 8,
    ) -> None:
        """Place a clustered bar chart at column A of `row`; `series` are XlsxWriter series
        ({"name", "values"}), `categories` a reference (`cells`). Horizontal bars list the
        categories top-down in table order."""
        chart = self.book.book.add_chart({"type": "bar" if horizontal else "column"})
        for one in series:
            chart.add_series({**one, "categories": categories})
        chart.set_title({"name": title})
        values = {"name": axis_title, "num_format": "#,##0", "major_gridlines": {"visible": True}}
        labels = {"interval_unit": 1, "reverse": horizontal}
        # On a bar chart XlsxWriter's x axis is the value axis (the horizontal one).
        chart.set_x_axis(values if horizontal else labels)
        chart.set_y_axis(labels if horizontal else values)
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": _pixels(CHART_WIDTH_CM), "height": _pixels(height_cm)})
        self.worksheet.insert_chart(row - 1, 0, chart)


def _cut(text: str) -> str:
    """Return `text` cut to what an Excel cell holds, saying so and how long the whole is
    (an official sheet must not shorten a clerk's text without a word)."""
    mark = f"……（超出 Excel 单元格上限，全文共 {len(text):,} 字，见系统）"
    keep = 2 * (EXCEL_CELL_LIMIT - excel_length(mark))  # bytes of UTF-16, as Excel counts
    # A character cut in half (a surrogate pair) is dropped whole.
    return text.encode("utf-16-le")[:keep].decode("utf-16-le", errors="ignore") + mark


def _pixels(cm: float) -> int:
    return round(cm / 2.54 * 96)
