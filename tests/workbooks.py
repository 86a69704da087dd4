"""Build real .xlsx workbooks in tests, the way a clerk's Excel saves them."""

import io

from openpyxl import Workbook, load_workbook

from leads.resources import lead_columns

LEAD_HEADERS = [header for _name, header in lead_columns()]


def workbook_bytes(headers, rows, *, title="招商线索", number_formats=None) -> bytes:
    """Return an .xlsx with `headers` in row 1 and `rows` (lists or dicts by header) below."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    if headers:
        sheet.append(list(headers))
    for row in rows:
        if isinstance(row, dict):
            row = [row.get(header) for header in headers]
        sheet.append(list(row))
    for (row, column), number_format in (number_formats or {}).items():
        sheet.cell(row=row, column=column).number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def lead_workbook(*rows: dict, headers=LEAD_HEADERS) -> bytes:
    """Return a lead workbook with one row per dict (keys are Chinese headers)."""
    return workbook_bytes(headers, rows)


def read_back(data: bytes, sheet=None):
    """Return the rows of a written workbook as lists of cell values (header first)."""
    workbook = load_workbook(io.BytesIO(data))
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    return [list(row) for row in worksheet.iter_rows(values_only=True)]
