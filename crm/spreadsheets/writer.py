"""Write workbooks: streaming exports, error workbooks and blank templates.

Exports stream through XlsxWriter's constant-memory mode, so a 100,000-row
ledger never sits in memory. Text that Excel would run as a formula is
escaped; dates are written as date cells and amounts as numbers shown with
two decimals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import xlsxwriter
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from crm.spreadsheets.cells import (
    EXCEL_CELL_LIMIT,
    FORMULA_TRIGGERS,
    RefusedCell,
    escape_formula,
    exceeds_cell,
    excel_length,
    excel_serial,
)
from crm.spreadsheets.reader import ERROR_COLUMN, Sheet

DATE_FORMAT = "yyyy-mm-dd"
AMOUNT_FORMAT = "0.00"
INTEGER_FORMAT = "0"


@dataclass(frozen=True)
class Column:
    """One column of a workbook: its header, how its cells are typed, and help for the template."""

    header: str
    kind: str = "text"  # text | date | amount | integer
    width: int = 14
    help: str = ""
    options: Callable[[], list[str]] | None = None
    required: bool = False


class TextTooLong(ValueError):
    """A text is longer than an Excel cell holds; the export stops rather than cut it."""

    def __init__(self, row: int, column: str, length: int):
        self.message = (
            f"第{row}行 [{column}] 有 {length:,} 个字符，超过 Excel 单元格上限 "
            f"{EXCEL_CELL_LIMIT:,} 个字符，导出会截断它，已停止导出；请先在系统中精简该内容。"
        )
        super().__init__(self.message)


def write_rows(output, *, title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> int:
    """Stream `rows` (values in `columns` order) into a new workbook at `output`; return the count.

    `output` is a path or a binary file object.
    """
    return write_sheets(output, [(title, columns, rows)])[0]


def write_sheets(output, sheets: Sequence[tuple[str, Sequence[Column], Iterable[Sequence]]]):
    """Stream each (title, columns, rows) into its own sheet of a new workbook; return the counts.

    Sheets are written one after the other (constant-memory mode writes a
    sheet's rows in order, and each sheet whole before the next).
    """
    workbook = xlsxwriter.Workbook(
        output, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    formats = _formats(workbook)
    counts = [
        _stream_sheet(workbook.add_worksheet(title), formats, columns, rows)
        for title, columns, rows in sheets
    ]
    workbook.close()
    return counts


def _stream_sheet(sheet, formats, columns: Sequence[Column], rows: Iterable[Sequence]) -> int:
    """Write the header and `rows` into `sheet`; return the count.

    One function on purpose: the per-row loop is the export's hot path
    (bench/), so the per-kind cell writing stays inline.
    """
    _write_header(sheet, formats, columns)
    text = [i for i, column in enumerate(columns) if column.kind == "text"]
    dates = [i for i, column in enumerate(columns) if column.kind == "date"]
    amounts = [i for i, column in enumerate(columns) if column.kind == "amount"]
    integers = [i for i, column in enumerate(columns) if column.kind == "integer"]
    write_string, write_number = sheet.write_string, sheet.write_number
    date_format, amount_format = formats["date"], formats["amount"]
    serials: dict = {}
    count = 0
    for count, values in enumerate(rows, start=1):
        for index in text:
            value = values[index]
            if value is None or value == "":
                continue
            if value.__class__ is not str:
                value = str(value)
            if value[0] in FORMULA_TRIGGERS:
                value = "'" + value
            if exceeds_cell(value):
                raise TextTooLong(count + 1, columns[index].header, excel_length(value))
            write_string(count, index, value)
        for index in dates:
            value = values[index]
            if value is None or value == "":
                continue
            if isinstance(value, date):
                # A date cell is its Excel serial number shown with a date format.
                serial = serials.get(value)
                if serial is None:
                    serial = serials[value] = excel_serial(value)
                write_number(count, index, serial, date_format)
            else:
                write_string(count, index, escape_formula(str(value)))
        for index in amounts:
            value = values[index]
            if value is None or value == "":
                continue
            if isinstance(value, str):
                write_string(count, index, escape_formula(value))
            else:
                write_number(count, index, float(value), amount_format)
        for index in integers:
            value = values[index]
            if value is not None and value != "":
                write_number(count, index, int(value), formats["integer"])
    return count


def _formats(workbook):
    return {
        "header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
        "amount": workbook.add_format({"num_format": AMOUNT_FORMAT}),
        "integer": workbook.add_format({"num_format": INTEGER_FORMAT}),
        "error": workbook.add_format({"font_color": "#C00000", "bold": True}),
        "error_row": workbook.add_format({"bg_color": "#FCE4D6"}),
    }


def _write_header(sheet, formats, columns: Sequence[Column]) -> None:
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, column.header, formats["header"])
    sheet.freeze_panes(1, 0)


def write_error_workbook(
    output, *, sheet: Sheet, errors: dict[int, list[str]], others: Sequence[tuple] = ()
) -> None:
    """Write the uploaded rows back, each at its own row number, with a 错误说明 column added.

    Rows with errors are shaded and their messages fill the new column, so the
    clerk can fix them and upload the same workbook again. `others` are more
    (sheet, errors) of the same workbook, each written back as its own sheet.
    """
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "strings_to_formulas": False})
    formats = _formats(workbook)
    for one, its_errors in ((sheet, errors), *others):
        if one.headers or (one is sheet and not others):  # skip a sheet not in the file
            _write_error_sheet(workbook, formats, one, its_errors)
    workbook.close()


def _write_error_sheet(workbook, formats, sheet: Sheet, errors: dict[int, list[str]]) -> None:
    data_sheet = workbook.add_worksheet(sheet.title[:31])
    keep = [i for i, header in enumerate(sheet.headers) if header != ERROR_COLUMN]
    columns = [Column(sheet.headers[i] or " ", width=14) for i in keep]
    columns.append(Column(ERROR_COLUMN, width=60))
    _write_header(data_sheet, formats, columns)
    error_col = len(columns) - 1
    for row_number, values in sheet.rows:
        row = row_number - 1
        messages = errors.get(row_number)
        for out_col, in_col in enumerate(keep):
            value = values[in_col] if in_col < len(values) else ""
            if isinstance(value, RefusedCell):
                value = value.original
            if isinstance(value, float) and not math.isfinite(value):
                value = str(value)
            if isinstance(value, date | datetime):
                data_sheet.write_datetime(row, out_col, value, formats["date"])
            elif isinstance(value, bool):
                data_sheet.write_boolean(row, out_col, value)
            elif isinstance(value, int | float):
                data_sheet.write_number(row, out_col, value)
            elif value != "":
                data_sheet.write_string(row, out_col, str(value))
        if messages:
            data_sheet.write_string(row, error_col, "；".join(messages), formats["error"])


def build_template(output, *, title: str, columns: Sequence[Column], notes: str = "") -> None:
    """Write a blank import template: frozen header, widths, dropdowns and a 填写说明 sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    options_sheet = workbook.create_sheet("选项")
    guide = workbook.create_sheet("填写说明")
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = header_font
        cell.fill = header_fill
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.kind == "date":
            for row in sheet.iter_cols(min_col=index, max_col=index, min_row=2, max_row=2):
                row[0].number_format = DATE_FORMAT
        if column.options is not None:
            _template_dropdown(sheet, options_sheet, column, index)
    sheet.freeze_panes = "A2"
    options_sheet.sheet_state = "hidden"
    _template_guide(guide, columns, notes, font=header_font, fill=header_fill)
    workbook.save(output)


def _template_dropdown(sheet, options_sheet, column: Column, index: int) -> None:
    """List the column's options on the hidden 选项 sheet and offer them as a dropdown."""
    letter = get_column_letter(index)
    values = column.options()
    options_sheet.cell(row=1, column=index, value=column.header)
    for row, value in enumerate(values, start=2):
        options_sheet.cell(row=row, column=index, value=value)
    last = max(len(values) + 1, 2)
    validation = DataValidation(
        type="list",
        formula1=f"'选项'!${letter}$2:${letter}${last}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="请从下拉列表中选择",
        error=f"“{column.header}”请从下拉列表中选择。",
    )
    validation.add(f"{letter}2:{letter}5000")
    sheet.add_data_validation(validation)


def _template_guide(guide, columns: Sequence[Column], notes: str, *, font, fill) -> None:
    """Fill the 填写说明 sheet: one row per column, then the notes."""
    guide.append(["列名", "是否必填", "说明", "可选值"])
    for cell in guide[1]:
        cell.font = font
        cell.fill = fill
    for column in columns:
        options = "、".join(column.options()) if column.options else ""
        guide.append([column.header, "必填" if column.required else "选填", column.help, options])
    if notes:
        guide.append([])
        for line in notes.strip().splitlines():
            guide.append([line.strip()])
    guide.column_dimensions["A"].width = 20
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 70
    guide.column_dimensions["D"].width = 60
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.freeze_panes = "A2"
