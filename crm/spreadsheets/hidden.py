"""Cells python-calamine reads wrong: merged ranges, Excel error values, text it cuts.

Calamine gives a merged range's value to its first cell only, reads an
error value (#VALUE!, #N/A …) as a blank and cuts text longer than an
Excel cell to 32,767 characters, all silently. These functions put a
RefusedCell in the grid in place of each, so the importer reports it
against its row and column.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from xml.sax.saxutils import escape

from crm.spreadsheets.cells import EXCEL_CELL_LIMIT, RefusedCell, error_value_message, too_long


def _cell_name(row: int, column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def refuse_merged_cells(grid: list, merged) -> None:
    """Mark the data cells a merged range covers (all but its first), so none reads as blank.

    Calamine gives a merged range's value to its top-left cell only; the
    rows below would silently lose it (a blank 所属产业, say).
    """
    for (top, left), (bottom, right) in merged:
        name = f"{_cell_name(top, left)}:{_cell_name(bottom, right)}"
        message = f"是合并单元格 {name} 的一部分：请取消合并，并在每一行填写完整的内容。"
        for row in range(max(top, 1), min(bottom, len(grid) - 1) + 1):
            for column in range(left, min(right, len(grid[row]) - 1) + 1):
                if (row, column) != (top, left):
                    grid[row][column] = RefusedCell(message)


_ERROR_CELL = re.compile(rb'<c\b[^>]*?\bt="e"[^>]*>')
_CELL_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_CELL_VALUE = re.compile(rb"<v>([^<]*)</v>")


_is_text = str.__instancecheck__


def refuse_hidden_cells(grid: list, data: bytes, title: str) -> None:
    """Mark what python-calamine hides: Excel error values (read as blank) and cut text.

    Calamine cuts a longer text to exactly 32,767 characters, so the XML is
    searched for long texts only when a cell that long exists; for error
    cells the sheet's XML is streamed once and read whole only if it has one.
    """
    path = _sheet_path(data, title)
    if path is None:
        return
    # Row by row in C (filter, map): a ledger has hundreds of thousands of cells.
    maybe_cut = any(EXCEL_CELL_LIMIT in map(len, filter(_is_text, row)) for row in grid)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if not (maybe_cut or _contains(archive, path, b't="e"')):
            return
        xml = archive.read(path)
        _mark_error_values(grid, xml)
        if not maybe_cut:
            return
        cut = _long_texts(xml)
        del xml
        if "xl/sharedStrings.xml" in archive.namelist():
            cut.update(_long_texts(archive.read("xl/sharedStrings.xml")))
    _mark_long_text(grid, cut)


def _contains(archive: zipfile.ZipFile, member: str, needle: bytes) -> bool:
    """Return whether `member` contains `needle`, reading it a megabyte at a time."""
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            if needle in tail + chunk[: len(needle)] or needle in chunk:
                return True
            tail = chunk[-len(needle) :]
    return False


def _mark_error_values(grid: list, xml: bytes) -> None:
    for match in _ERROR_CELL.finditer(xml):
        ref = _CELL_REF.search(match.group(0))
        if ref is None:
            continue
        column = 0
        for letter in ref.group(1).decode():
            column = column * 26 + ord(letter) - 64
        row, column = int(ref.group(2)) - 1, column - 1
        # The value may follow a formula: <c t="e"><f>1/0</f><v>#DIV/0!</v></c>.
        end = xml.find(b"</c>", match.end())
        found = _CELL_VALUE.search(xml, match.end(), end if end >= 0 else len(xml))
        shown = found.group(1).decode() if found else "#VALUE!"
        if row < len(grid) and column < len(grid[row]):
            grid[row][column] = RefusedCell(error_value_message(shown), shown)


# Text follows a tag; a text longer than a cell holds has at least as many bytes.
_LONG_RUN = re.compile(rb">([^<]{%d,})" % (EXCEL_CELL_LIMIT + 1))


def _long_texts(xml: bytes) -> dict[str, int]:
    """Return the first 32,767 characters of each longer text in `xml`, with its full length."""
    cut = {}
    for run in _LONG_RUN.findall(xml):
        text = html.unescape(run.decode("utf-8", "replace"))
        if len(text) > EXCEL_CELL_LIMIT:
            cut[text[:EXCEL_CELL_LIMIT]] = len(text)
    return cut


def _mark_long_text(grid: list, cut: dict[str, int]) -> None:
    for values in grid:
        for column, value in enumerate(values):
            if isinstance(value, str) and len(value) == EXCEL_CELL_LIMIT and value in cut:
                values[column] = RefusedCell(too_long(cut[value]), value)


def _sheet_path(data: bytes, title: str) -> str | None:
    """Return the path inside the .xlsx of the worksheet named `title`."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        try:
            rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        except KeyError:
            return None
    sheet = re.search(
        r'<(?:\w+:)?sheet\b[^>]*\bname="' + re.escape(escape(title, {'"': "&quot;"})) + r'"[^>]*>',
        workbook,
    )
    if sheet is None:
        return None
    rel_id = re.search(r'\br:id="([^"]+)"|\bid="([^"]+)"', sheet.group(0))
    if rel_id is None:
        return None
    wanted = rel_id.group(1) or rel_id.group(2)
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        if f'Id="{wanted}"' in rel.group(0):
            target = re.search(r'Target="([^"]+)"', rel.group(0)).group(1)
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None
