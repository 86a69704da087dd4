"""Open an uploaded workbook safely and return its header and data rows.

Every way a file can be wrong ends in one WorkbookError with a Chinese
message: too big, not an .xlsx (old .xls, CSV, a renamed Word document),
encrypted, a zip bomb, an empty sheet, too many rows, or headers that are
missing, repeated or misspelled. The workbook is read with python-calamine,
which is several times faster than openpyxl and expands no XML entities.
"""

from __future__ import annotations

import difflib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

import python_calamine
from django.conf import settings

from crm.spreadsheets.cells import clean_text
from crm.spreadsheets.hidden import refuse_hidden_cells, refuse_merged_cells

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
    # Other sheets of the same workbook an importer reads with this one, by title.
    companions: dict[str, Sheet] = field(default_factory=dict)

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


def sheet_titles(data: bytes) -> list[str]:
    """Return the titles of the data sheets (not our helper sheets) of the workbook in `data`."""
    check_file(data)
    try:
        titles = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names
    except python_calamine.PasswordError:
        raise WorkbookError("工作簿设置了打开密码（已加密），请取消密码后再导入。") from None
    except (python_calamine.CalamineError, python_calamine.ZipError, python_calamine.XmlError):
        raise WorkbookError("文件已损坏，无法作为 Excel 工作簿（.xlsx）读取。") from None
    return [name for name in titles if name not in HELPER_SHEETS]


def read_sheet(
    data: bytes,
    *,
    columns: Sequence[str],
    required: Sequence[str] | None = None,
    title: str | None = None,
    exclude: Sequence[str] = (),
    allow_empty: bool = False,
) -> Sheet:
    """Return the first data sheet of the workbook in `data`, its header checked against `columns`.

    `title` names the sheet to read instead; `exclude` names sheets that
    are not this one (another importer's sheet in the same workbook);
    `allow_empty` accepts a sheet with a header and no rows (a second sheet).
    Row numbers are Excel's (the header is row 1); blank rows are skipped.
    With `required`, only those columns must be present and unknown ones are
    ignored with a warning; without, every column must be and none other.
    Error values and the covered cells of merged ranges become RefusedCell.
    """
    check_file(data)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        titles = workbook.sheet_names
        if title is None:
            title = next(
                (name for name in titles if name not in HELPER_SHEETS and name not in exclude),
                None,
            )
        elif title not in titles:
            title = None
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
        if values.count("") != len(values):  # not a blank row (counted in C)
            result.rows.append((index + 1, values))
    grid.clear()
    if not result.rows and not allow_empty:
        raise WorkbookError(f"工作表“{title}”只有表头，没有数据行。")
    if len(result.rows) > settings.CRM_IMPORT_MAX_ROWS:
        raise WorkbookError(
            f"工作表“{title}”有 {len(result.rows)} 行数据，超过单次导入上限 "
            f"{settings.CRM_IMPORT_MAX_ROWS} 行，请拆分后分批导入。"
        )
    return result


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
