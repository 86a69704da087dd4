"""Turn what a clerk typed into a cell into a date, an amount, a choice or clean text.

Every parser takes the raw cell value as python-calamine or openpyxl return
it (str, int, float, bool, date, datetime or None) and returns the parsed
value, or raises CellError with a Chinese message.
"""

from __future__ import annotations

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

_DATE_RE = re.compile(r"^(\d{4})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_AMOUNT_RE = re.compile(r"^(-?\d+(?:\.\d+)?)(亿元|亿|万元|万)?$")


class CellError(ValueError):
    """A cell's value cannot be read; the message says why, in Chinese."""


def clean_text(value) -> str:
    """Return `value` as text: trimmed, full-width spaces removed, export escaping undone."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Phone numbers and codes typed as numbers come back as floats.
        value = int(value)
    elif isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).replace("\u3000", "").replace("\xa0", " ").strip()
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


def parse_amount(value) -> Decimal | None:
    """Return the amount in 万元 in `value`, to two places; None for an empty cell.

    Accepts numbers, text with thousands separators, full-width digits and
    spaces, and the units 万/万元 and 亿/亿元 (1.2亿 → 12000.00).
    """
    if value is None:
        return None
    if isinstance(value, bool | date):
        raise CellError("金额应为数字。")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
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
    amount = amount.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    if amount > MAX_AMOUNT:
        raise CellError("金额过大。")
    return amount


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
