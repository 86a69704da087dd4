"""Turn what a clerk typed into a cell into a date, an amount, a choice or clean text.

Every parser takes the raw cell value as python-calamine or openpyxl return
it (str, int, float, bool, date, datetime or None) and returns the parsed
value, or raises CellError with a Chinese message.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Characters that make Excel run a cell as a formula (CWE-1236); an export
# prefixes such text with an apostrophe and an import takes it off again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
EXCEL_EPOCH = date(1899, 12, 30)
TWO_PLACES = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
# The most characters an Excel cell holds; longer text would be cut by Excel.
EXCEL_CELL_LIMIT = 32767

_DATE_RE = re.compile(r"^(\d{4})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_AMOUNT_RE = re.compile(r"^(-?\d+(?:\.\d+)?)(亿元|亿|万元|万)?$")


class CellError(ValueError):
    """A cell's value cannot be read; the message says why, in Chinese."""


class RefusedCell:
    """A cell the reader refuses whatever its column: an Excel error value, part of a merged range.

    The reader puts one in the grid in place of the value, so the importer
    reports it against the cell's row and column instead of reading a blank.
    """

    __slots__ = ("message", "original")

    def __init__(self, message: str, original=""):
        self.message = message
        # What an error workbook writes back in the cell (e.g. "#VALUE!").
        self.original = original

    def __repr__(self):
        return f"RefusedCell({self.message!r})"

    def __str__(self):
        return str(self.original)


# The error values a formula can show; openpyxl and tablib read such cells as this text.
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!"}
)


def error_value_message(shown: str) -> str:
    """Return the error for a cell that holds the Excel error value `shown`."""
    return f"单元格是 Excel 错误值 {shown}，请改正公式或填写实际的值。"


def refuse_error_text(value):
    """Return `value`, or a RefusedCell for an error value read as text (openpyxl, tablib)."""
    if isinstance(value, str) and value in EXCEL_ERRORS:
        return RefusedCell(error_value_message(value), value)
    return value


def excel_length(text: str) -> int:
    """Return the length of `text` as Excel counts it against its cell limit: UTF-16 code
    units, so a character outside the Basic Multilingual Plane (an emoji, a rare CJK
    character) counts two."""
    return len(text.encode("utf-16-le")) // 2


def exceeds_cell(text: str) -> bool:
    """Return whether `text` is longer than an Excel cell holds (EXCEL_CELL_LIMIT units)."""
    # Up to half the limit in characters is within it whatever they are: no encoding.
    return len(text) > EXCEL_CELL_LIMIT // 2 and excel_length(text) > EXCEL_CELL_LIMIT


def too_long(length: int) -> str:
    """Return the error for a text of `length` characters, more than an Excel cell holds."""
    return (
        f"单元格有 {length:,} 个字符，超过 Excel 单元格上限 {EXCEL_CELL_LIMIT:,} 个字符，"
        "请精简后再导入。"
    )


def cell_problem(value) -> str | None:
    """Return why the raw cell `value` cannot be imported whatever its column, or None.

    Refused cells, text longer than an Excel cell holds and numbers that are
    not finite (1e309 reads as infinity, NaN) are refused before parsing.
    """
    if isinstance(value, RefusedCell):
        return value.message
    if isinstance(value, str) and exceeds_cell(value):
        return too_long(excel_length(value))
    if isinstance(value, float) and not math.isfinite(value):
        return "单元格的数值无效（无穷大或非数字），请填写正常的数字。"
    return None


def clean_text(value) -> str:
    """Return `value` as text: trimmed, full-width spaces removed, export escaping undone."""
    if value.__class__ is str:
        text = value  # most cells: skip the checks below
    elif value is None:
        return ""
    else:
        if isinstance(value, float) and value.is_integer():
            # Phone numbers and codes typed as numbers come back as floats.
            value = int(value)
        elif isinstance(value, datetime):
            value = value.date() if value.time() == datetime.min.time() else value
        if isinstance(value, date):
            return value.isoformat()
        text = str(value)
    text = text.replace("\u3000", "").replace("\xa0", " ").strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        text = text[1:]
    return text


def escape_formula(text: str) -> str:
    """Return `text` prefixed with an apostrophe when Excel would run it as a formula."""
    if text and text[0] in FORMULA_TRIGGERS:
        return "'" + text
    return text


def parse_date(value) -> date | None:
    """Return the date in `value`; None for an empty cell.

    Accepts date cells, Excel serial numbers and text like 2026年3月5日,
    2026/3/5, 2026-03-05, 2026.3.5 or 20260305, in half- or full-width digits.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise CellError("无法识别的日期。")
    if isinstance(value, int | float):
        return _serial_date(value)
    text = unicodedata.normalize("NFKC", clean_text(value))
    if not text:
        return None
    match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise CellError(f"日期“{text}”不存在。") from None
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _serial_date(float(text))
    raise CellError(f"无法识别的日期“{text}”，请填写如 2026-03-05 或 2026年3月5日。")


def _serial_date(number: float) -> date:
    # Excel's day 1 is 1900-01-01; serials below 60 hit its 1900 leap-year bug,
    # and no ledger date is that old.
    if not 60 < number < 2958466:
        raise CellError(f"无法识别的日期“{number:g}”。")
    return EXCEL_EPOCH + timedelta(days=int(number))


def excel_serial(value: date) -> float:
    """Return the Excel serial number of a date (a datetime's time as the fraction of its day),
    what a date cell holds.

    Excel counts a 29 February 1900 that never was (serial 60), so the days
    before 1 March 1900 are one less than their distance from EXCEL_EPOCH.
    """
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - datetime(1899, 12, 30)
        days, fraction = delta.days, delta.seconds / 86400
    else:
        days, fraction = (value - EXCEL_EPOCH).days, 0.0
    if 0 < days < 61:
        days -= 1
    return days + fraction


def parse_amount(value, *, exact: bool = False) -> Decimal | None:
    """Return the amount in 万元 in `value`, to two places; None for an empty cell.

    Accepts numbers, text with thousands separators, full-width digits and
    spaces, and the units 万/万元 and 亿/亿元 (1.2亿 → 12000.00). With `exact`
    the amount is not rounded, for a caller that refuses more than two places.
    """
    if value is None:
        return None
    if isinstance(value, bool | date):
        raise CellError("金额应为数字。")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("金额应为有限的数字。")
        # A float cell holds what Excel shows to 15 significant digits.
        amount = Decimal(format(value, ".15g"))
    else:
        text = unicodedata.normalize("NFKC", clean_text(value))
        text = re.sub(r"[\s,]", "", text)
        if not text:
            return None
        match = _AMOUNT_RE.match(text)
        if not match:
            if text.endswith("元"):
                raise CellError(f"金额“{text}”的单位应为万元或亿元。")
            raise CellError(f"无法识别的金额“{text}”，请填写数字（单位：万元），如 3000 或 1.2亿。")
        try:
            amount = Decimal(match.group(1))
        except InvalidOperation:
            raise CellError(f"无法识别的金额“{text}”。") from None
        if match.group(2) and match.group(2).startswith("亿"):
            amount *= 10000
    if amount < 0:
        raise CellError("金额不能为负数。")
    # Quantizing a number of more than 28 digits fails; such a number is too big anyway.
    if amount > MAX_AMOUNT * 10:
        raise CellError("金额过大。")
    if not exact:
        amount = amount.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    if amount > MAX_AMOUNT:
        raise CellError("金额过大。")
    return amount


_YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓"})
_NO = frozenset({"否", "n", "no", "false", "0", "×"})


def parse_yes_no(value) -> bool | None:
    """Return the yes/no in `value` (是/否, Y/N, TRUE/FALSE, 1/0, a boolean cell); None if empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = unicodedata.normalize("NFKC", clean_text(value)).lower()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"“{clean_text(value)}”无法识别，请填写“是”或“否”。")


_UNSEEN = object()


def remembered(parse):
    """Return `parse`, remembering what each text cell read to (its errors are raised again).

    For the columns that name reference data (a stage, an industry, a
    chamber): the same few texts repeat down a ledger of thousands of rows.
    """
    seen: dict = {}

    def read(value):
        if value.__class__ is not str:
            return parse(value)
        found = seen.get(value, _UNSEEN)
        if found is _UNSEEN:
            found = seen[value] = parse(value)
        return found

    return read


class ChoiceParser:
    """Read a choice by its Chinese label or its code, e.g. 签约 or signed."""

    def __init__(self, choices):
        self.labels = [str(label) for _value, label in choices]
        self.lookup = {}
        for value, label in choices:
            self.lookup[str(label)] = value
            self.lookup[str(value).lower()] = value

    def __call__(self, value) -> str:
        text = clean_text(value)
        if not text:
            return ""
        found = self.lookup.get(text) or self.lookup.get(text.lower())
        if found is None:
            raise CellError(f"“{text}”不是可选值，可选：{'、'.join(self.labels)}。")
        return found


class NameLookup:
    """Find a record by name (or alias) in a table read once per import."""

    def __init__(self, names: dict[str, int], what: str):
        self.names = names
        self.what = what

    def __call__(self, value) -> int | None:
        text = clean_text(value)
        if not text:
            return None
        found = self.names.get(text)
        if found is None:
            raise CellError(f"系统中没有名为“{text}”的{self.what}。")
        return found


def _full_name(last_name: str, first_name: str) -> str:
    # Chinese order: 姓 then 名, as the staff pages show a user.
    return f"{last_name}{first_name}".strip()


class UserLookup:
    """Find a user by full name (姓名) or by username; a shared full name needs the username."""

    def __init__(self):
        from django.contrib.auth import get_user_model

        self.by_username: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        self.labels: dict[int, str] = {}
        users = get_user_model().objects.values_list("pk", "username", "last_name", "first_name")
        for pk, username, last_name, first_name in users:
            self.by_username[username] = pk
            name = _full_name(last_name, first_name)
            if name:
                self.by_name.setdefault(name, []).append(pk)
        for pk, username, last_name, first_name in users:
            name = _full_name(last_name, first_name)
            unique = name and len(self.by_name[name]) == 1 and name not in self.by_username
            self.labels[pk] = name if unique else username

    def label(self, pk) -> str:
        """Return how a workbook names user `pk`: the full name when unique, else the username."""
        return self.labels.get(pk, "") if pk is not None else ""

    def __call__(self, value) -> int | None:
        text = clean_text(value)
        if not text:
            return None
        found = self.by_username.get(text)
        if found is not None:
            return found
        ids = self.by_name.get(text, [])
        if len(ids) > 1:
            raise CellError(f"系统中有 {len(ids)} 位名为“{text}”的用户，请改填其用户名以区分。")
        if not ids:
            raise CellError(f"系统中没有姓名或用户名为“{text}”的用户。")
        return ids[0]
