"""Open an uploaded workbook safely and return its header and data rows.

Every way a file can be wrong ends in one WorkbookError with a Chinese
message: too big, not an .xlsx (old .xls, CSV, a renamed Word document),
encrypted, a zip bomb, an empty sheet, too many rows, or headers that are
missing, repeated or misspelled. The workbook is read with python-calamine,
which is several times faster than openpyxl and expands no XML entities.
"""

from __future__ import annotations

import difflib
import html
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import python_calamine
from django.conf import settings

from crm.spreadsheets.cells import (
    EXCEL_CELL_LIMIT,
    RefusedCell,
    clean_text,
    error_value_message,
    too_long,
)

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Sheets of our own templates that hold no data.
HELPER_SHEETS = ("填写说明", "选项")
# The column an error workbook adds; a corrected error workbook comes back with it.
ERROR_COLUMN = "错误说明"
# A real .xlsx compresses its XML about 5-20 times; far more means a zip bomb.
MAX_COMPRESSION_RATIO = 200


class WorkbookError(Exception):
    """The file cannot be imported at all; the message says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """The data of one worksheet: which column holds what, and the rows below the header."""

    title: str
    headers: list[str]
    columns: dict[str, int]
    rows: list[tuple[int, list]] = field(default_factory=list)
    # Said once for the whole sheet, e.g. the extra columns that were ignored.
    warnings: list[str] = field(default_factory=list)

    def value(self, values: list, column: str):
        index = self.columns.get(column)
        if index is None or index >= len(values):
            return None
        value = values[index]
        return None if value == "" else value


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def check_file(data: bytes) -> None:
    """Raise WorkbookError unless `data` looks like a plain, unencrypted, sane .xlsx."""
    limit = settings.CRM_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise WorkbookError(
            f"文件大小 {_megabytes(len(data))} 超过上限 {_megabytes(limit)}，请拆分后分批导入。"
        )
    if not data:
        raise WorkbookError("上传的文件是空的。")
    if data.startswith(OLE2_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise WorkbookError(
                "工作簿设置了打开密码（已加密），请在 Excel 中取消密码后另存再导入。"
            )
        raise WorkbookError(
            "这是旧版 Excel 97-2003 工作簿（.xls），"
            "请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再导入。"
        )
    if not data.startswith(ZIP_MAGIC):
        if _looks_like_text(data[:4096]):
            raise WorkbookError(
                "这是文本或 CSV 文件，不是 Excel 工作簿；请在 Excel 中打开后“另存为”.xlsx 再导入。"
            )
        raise WorkbookError("无法识别的文件：请上传 Excel 工作簿（.xlsx）。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except zipfile.BadZipFile:
        raise WorkbookError("文件已损坏，无法作为 Excel 工作簿（.xlsx）打开。") from None
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise WorkbookError("这是 Word 文档（.docx），不是 Excel 工作簿；请上传 .xlsx 文件。")
        if any(name.startswith("ppt/") for name in names):
            raise WorkbookError("这是 PowerPoint 文件，不是 Excel 工作簿；请上传 .xlsx 文件。")
        raise WorkbookError("压缩包里没有 Excel 工作簿：请上传 .xlsx 文件。")
    total = sum(member.file_size for member in members)
    suspicious = any(
        member.file_size > 1024 * 1024
        and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        for member in members
    )
    if suspicious or total > 20 * limit:
        raise WorkbookError("文件解压后体积异常巨大（疑似“压缩炸弹”），已拒绝导入。")


def _looks_like_text(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return b"\x00" not in head
    return False


def read_sheet(
    data: bytes, *, columns: Sequence[str], required: Sequence[str] | None = None
) -> Sheet:
    """Return the first data sheet of the workbook in `data`, its header checked against `columns`.

    Row numbers are Excel's (the header is row 1); blank rows are skipped.
    With `required`, only those columns must be present and unknown ones are
    ignored with a warning; without, every column must be and none other.
    Error values and the covered cells of merged ranges become RefusedCell.
    """
    check_file(data)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        titles = workbook.sheet_names
        title = next((name for name in titles if name not in HELPER_SHEETS), None)
        if title is None:
            raise WorkbookError("工作簿里没有数据工作表。")
        sheet = workbook.get_sheet_by_name(title)
        if sheet.total_height - 1 > settings.CRM_IMPORT_MAX_ROWS:
            raise WorkbookError(
                f"工作表“{title}”有 {sheet.total_height - 1} 行数据，超过单次导入上限 "
                f"{settings.CRM_IMPORT_MAX_ROWS} 行，请拆分后分批导入。"
            )
        grid = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except python_calamine.PasswordError:
        raise WorkbookError("工作簿设置了打开密码（已加密），请取消密码后再导入。") from None
    except (python_calamine.CalamineError, python_calamine.ZipError, python_calamine.XmlError):
        raise WorkbookError("文件已损坏，无法作为 Excel 工作簿（.xlsx）读取。") from None
    if not grid or not any(value != "" for value in grid[0]):
        raise WorkbookError(f"工作表“{title}”是空的：第1行应为表头。")
    refuse_merged_cells(grid, merged)
    refuse_hidden_cells(grid, data, title)
    headers = [clean_text(value) for value in grid[0]]
    found = check_headers(headers, columns, required=required)
    result = Sheet(title=title, headers=headers, columns=found)
    if required is not None:
        result.warnings = ignored_headers(headers, columns)
    for index in range(1, len(grid)):
        values = grid[index]
        if any(value != "" for value in values):
            result.rows.append((index + 1, values))
    grid.clear()
    if not result.rows:
        raise WorkbookError(f"工作表“{title}”只有表头，没有数据行。")
    if len(result.rows) > settings.CRM_IMPORT_MAX_ROWS:
        raise WorkbookError(
            f"工作表“{title}”有 {len(result.rows)} 行数据，超过单次导入上限 "
            f"{settings.CRM_IMPORT_MAX_ROWS} 行，请拆分后分批导入。"
        )
    return result


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


def refuse_hidden_cells(grid: list, data: bytes, title: str) -> None:
    """Mark what python-calamine hides: Excel error values (read as blank) and cut text.

    Calamine cuts a longer text to exactly 32,767 characters, so the XML is
    searched for long texts only when a cell that long exists; for error
    cells the sheet's XML is streamed once and read whole only if it has one.
    """
    path = _sheet_path(data, title)
    if path is None:
        return
    maybe_cut = any(
        len(value) == EXCEL_CELL_LIMIT for row in grid for value in row if value.__class__ is str
    )
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


def check_headers(
    headers: list[str], columns: Sequence[str], *, required: Sequence[str] | None = None
) -> dict[str, int]:
    """Return where each of `columns` is in `headers`; raise WorkbookError naming any problem.

    `required` (default: all `columns`) must be present; when given, headers
    that are not columns are left for `ignored_headers` to warn about.
    """
    found: dict[str, int] = {}
    problems = []
    repeated = []
    unknown = []
    for index, header in enumerate(headers):
        if not header or header == ERROR_COLUMN:
            continue
        if header in found:
            repeated.append(header)
        elif header in columns:
            found[header] = index
        elif required is None:
            unknown.append(header)
    wanted = columns if required is None else required
    missing = [column for column in wanted if column not in found]
    if not found:
        sample = "、".join(f"“{name}”" for name in columns[:4])
        raise WorkbookError(
            f"第1行没有找到本工作簿应有的表头（{sample}等）：请确认上传的文件选对了，"
            "并使用导入模板的表头。"
        )
    if repeated:
        problems.append("表头重复：" + "、".join(f"“{name}”" for name in dict.fromkeys(repeated)))
    for header in unknown:
        guess = difflib.get_close_matches(header, missing, n=1, cutoff=0.3)
        hint = f"（是否应为“{guess[0]}”？）" if guess else ""
        problems.append(f"无法识别的表头“{header}”{hint}")
    if missing:
        problems.append("缺少表头：" + "、".join(f"“{name}”" for name in missing))
    if missing and required is not None:
        # Headers a clerk misspelled are the likeliest missing columns.
        for header in headers:
            if header and header not in columns and header != ERROR_COLUMN:
                guess = difflib.get_close_matches(header, missing, n=1, cutoff=0.3)
                if guess:
                    problems.append(f"无法识别的表头“{header}”（是否应为“{guess[0]}”？）")
    if problems:
        raise WorkbookError("表头有误：" + "；".join(problems) + "。请使用导入模板的表头。")
    return found


def ignored_headers(headers: list[str], columns: Sequence[str]) -> list[str]:
    """Return one warning naming the headers that are not columns (they are not imported)."""
    unknown = [h for h in dict.fromkeys(headers) if h and h not in columns and h != ERROR_COLUMN]
    if not unknown:
        return []
    hints = []
    for header in unknown:
        guess = difflib.get_close_matches(header, list(columns), n=1, cutoff=0.5)
        hints.append(f"“{header}”（是否应为“{guess[0]}”？）" if guess else f"“{header}”")
    return ["以下列不是本工作簿的列，已忽略，未导入：" + "、".join(hints) + "。"]
