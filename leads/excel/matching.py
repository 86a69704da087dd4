"""Match workbook rows to existing leads: by 项目编号, else by 投资方 + 项目名称.

The code of a lead merged into another (已合并) matches the lead kept.

The leads the rows may match are read once, in chunks; duplicates within
the file are refused with the row they repeat.
"""

from __future__ import annotations

from leads.excel.rows import ATTNAMES, CHUNK
from leads.excel.sql import select_in
from leads.models import Lead


def _read_leads(key: str, keys: list, into: dict) -> None:
    """Read the leads whose `key` is one of `keys` into `into`, by code.

    The ids are found by plain SQL (`select_in`), and only the leads found
    are read through the ORM, which converts their values.
    """
    ids = sorted(pk for (pk,) in select_in(Lead, ["id"], key, keys))
    for start in range(0, len(ids), CHUNK):
        for lead in Lead.objects.filter(pk__in=ids[start : start + CHUNK]).values(*ATTNAMES):
            into[lead["code"]] = lead


def _merged_codes(codes: list) -> dict[str, str]:
    """Return the codes among `codes` of merged leads, each with the code of the lead kept."""
    found = {}
    for start in range(0, len(codes), CHUNK):
        rows = Lead.all_objects.filter(
            code__in=codes[start : start + CHUNK], merged_into__isnull=False
        ).values_list("code", "merged_into__code")
        found.update(rows)
    return found


class LeadMatcher:
    """Find the existing lead of each row; `error(row, field, message)` builds a RowError."""

    def __init__(self, parsed: list, error):
        self.error = error
        self.by_code: dict[str, dict] = {}
        codes = sorted({values["code"] for _row, values, _e in parsed if values.get("code")})
        _read_leads("code", codes, self.by_code)
        self.merged = _merged_codes([code for code in codes if code not in self.by_code])
        kept = sorted(set(self.merged.values()) - set(self.by_code))
        _read_leads("code", kept, self.by_code)
        investors = sorted(
            {
                values["investor"]
                for _row, values, _e in parsed
                if values.get("investor") and values.get("code") not in self.by_code
            }
        )
        _read_leads("investor", investors, self.by_code)
        self.by_pair: dict[tuple, list[dict]] = {}
        for lead in self.by_code.values():
            self.by_pair.setdefault((lead["investor"], lead["name"]), []).append(lead)
        self.seen_codes: dict[str, int] = {}
        self.seen_pairs: dict[tuple, int] = {}
        self.seen_leads: dict[int, int] = {}

    def match(self, row: int, values: dict, errors: list, outcome) -> dict | None:
        """Return the existing lead `values` names (or None); append errors for duplicates."""
        code = values.get("code") or ""
        if code in self.merged:
            code = values["code"] = self.merged[code]
        pair = (values.get("investor") or "", values.get("name") or "")
        existing = None
        if code:
            existing = self._by_code(row, code, pair, errors)
        elif all(pair):
            existing = self._by_pair(row, pair, errors)
            if existing is not None:
                outcome.key = existing["code"]
        if existing is not None:
            if existing["id"] in self.seen_leads:
                message = f"与第{self.seen_leads[existing['id']]}行是同一条线索。"
                errors.append(self.error(row, "code", message))
            self.seen_leads.setdefault(existing["id"], row)
        return existing

    def _by_code(self, row: int, code: str, pair: tuple, errors: list) -> dict | None:
        if code in self.seen_codes:
            errors.append(self.error(row, "code", f"与第{self.seen_codes[code]}行的项目编号重复。"))
        self.seen_codes.setdefault(code, row)
        existing = self.by_code.get(code)
        if existing is None:
            others = self.by_pair.get(pair, [])
            if others:
                message = f"系统中该投资方的同名项目编号为{others[0]['code']}，与所填编号不一致。"
                errors.append(self.error(row, "code", message))
        return existing

    def _by_pair(self, row: int, pair: tuple, errors: list) -> dict | None:
        if pair in self.seen_pairs:
            message = f"与第{self.seen_pairs[pair]}行的投资方和项目名称重复。"
            errors.append(self.error(row, "name", message))
        self.seen_pairs.setdefault(pair, row)
        matches = self.by_pair.get(pair, [])
        if len(matches) > 1:
            message = "系统中有多条投资方和项目名称相同的线索，请填写项目编号。"
            errors.append(self.error(row, "code", message))
            return None
        return matches[0] if matches else None
