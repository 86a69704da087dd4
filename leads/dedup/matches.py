"""Likely duplicates (疑似重复): the rule, the check of one lead, the warnings of an import.

The one rule (`keys_match`): two leads are likely duplicates when they have
the same credit code, or the same normalised investor and similar project
names (`names_similar`). Every read here asks an index on the stored keys
(`investor_key, name_key`, `credit_key`: partial indexes of live leads), so a
check is one indexed query. The finder across the database is `finder`.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass

from django.db.models import Q

from leads.dedup.normal import KEY_FIELDS, lead_keys, names_similar
from leads.models import Lead

SAME_CREDIT = "统一社会信用代码相同"
SAME_INVESTOR = "投资方相同、项目名称相近"
# How many rows of an import are named in its duplicate warnings.
SHOWN_WARNINGS = 200


def keys_match(first, second) -> str:
    """Return why two leads (or key holders) are likely duplicates, or "" when they are not."""
    if first.credit_key and first.credit_key == second.credit_key:
        return SAME_CREDIT
    if (
        first.investor_key
        and first.investor_key == second.investor_key
        and names_similar(first.name_key, second.name_key)
    ):
        return SAME_INVESTOR
    return ""


@dataclass(frozen=True)
class Keys:
    investor_key: str
    name_key: str
    credit_key: str


def _candidates_q(keys) -> Q | None:
    condition = Q(investor_key=keys.investor_key) if keys.investor_key else None
    if keys.credit_key:
        credit = Q(credit_key=keys.credit_key)
        condition = credit if condition is None else condition | credit
    return condition


def lead_likely_duplicates(*, investor: str, name: str, credit_code: str = "", exclude=None):
    """Return the live leads a lead with these values would likely duplicate (one query).

    `exclude` is the lead itself when it is being edited. Each lead found
    carries `duplicate_reason`.
    """
    keys = Keys(**lead_keys(investor, name, credit_code))
    condition = _candidates_q(keys)
    if condition is None:
        return []
    candidates = Lead.objects.filter(condition).select_related("team").order_by("code")
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude)
    found = []
    for lead in candidates:
        lead.duplicate_reason = keys_match(keys, lead)
        if lead.duplicate_reason:
            found.append(lead)
    return found


class _Names:
    """One investor's held names: the label of each, in the order added, and all of them
    joined (UTF-8, each after a NUL) so that one search in C finds the earliest containing
    a given name. A bytearray grows in place; a str joined again on each add would copy
    every held name each time."""

    __slots__ = ("joined", "labels", "listed", "order", "sizes", "starts")

    def __init__(self):
        self.labels: dict[str, str] = {}
        self.order: dict[str, int] = {}
        self.listed: list[str] = []
        self.joined = bytearray()
        self.starts: list[int] = []
        # The lengths of the held names, shortest first.
        self.sizes: list[int] = []

    def add(self, name_key: str, label: str) -> None:
        if name_key in self.labels:
            return
        self.labels[name_key] = label
        self.order[name_key] = len(self.listed)
        self.listed.append(name_key)
        self.joined += b"\x00"
        self.starts.append(len(self.joined))
        self.joined += name_key.encode()
        if len(name_key) not in self.sizes:
            insort(self.sizes, len(name_key))

    def containing(self, name_key: str) -> str | None:
        """Return the earliest held name containing `name_key` (not equal to it), or None."""
        if "\x00" in name_key:
            return next((other for other in self.listed if name_key in other), None)
        # UTF-8 matches only at character boundaries, so a byte hit is a text hit.
        at = self.joined.find(name_key.encode())
        return None if at < 0 else self.listed[bisect_right(self.starts, at) - 1]

    def contained(self, name_key: str) -> str | None:
        """Return the earliest held name of two characters or more inside `name_key`, or None."""
        length = len(name_key)
        # Only substrings as long as some held name, of 2 to length - 1 characters.
        sizes = [size for size in self.sizes if 2 <= size < length]
        substrings = sum(length - size + 1 for size in sizes)
        if substrings > len(self.listed):
            return next(
                (o for o in filter(name_key.__contains__, self.listed) if len(o) >= 2), None
            )
        inside = (
            name_key[start : start + size] for size in sizes for start in range(length - size + 1)
        )
        return min(
            filter(self.labels.__contains__, inside), key=self.order.__getitem__, default=None
        )


class KeyIndex:
    """Keys held for lookups by the rule of `keys_match`: credit key, or investor key and name.

    `add` keeps a label per key; `find` returns "与{label}{reason}" for the
    first held entry `keys_match` would pair with the keys given, or "":
    the credit key's, else the same name's, else the earliest held name
    `names_similar` pairs with it. A credit key or an exact name is one dict
    lookup. For a name that differs, neither search compares it with the
    investor's held names one by one in Python (which made a 100,000-row
    ledger with a few hundred projects per investor quadratic, 9 s):

    - a held name containing it: one search in C of the investor's held
      names joined in the order added, so the first hit is the earliest;
    - a held name it contains: its substrings of two characters or more
      looked up, or, when it has more of those than the investor has held
      names, the held names scanned in C.
    """

    def __init__(self):
        self.by_credit: dict[str, str] = {}
        self.by_investor: dict[str, _Names] = {}

    def add(self, investor_key: str, name_key: str, credit_key: str, label: str) -> None:
        if credit_key:
            self.by_credit.setdefault(credit_key, label)
        if investor_key:
            self.by_investor.setdefault(investor_key, _Names()).add(name_key, label)

    def find(self, investor_key: str, name_key: str, credit_key: str) -> str:
        if credit_key and credit_key in self.by_credit:
            return f"与{self.by_credit[credit_key]}{SAME_CREDIT}"
        names = self.by_investor.get(investor_key) if investor_key else None
        if names is None or not name_key:
            return ""
        label = names.labels.get(name_key)
        if label is None and len(name_key) >= 2:
            # names_similar's rule: one containing the other, never by one character.
            found = [
                other
                for other in (names.containing(name_key), names.contained(name_key))
                if other is not None
            ]
            if found:
                label = names.labels[min(found, key=names.order.__getitem__)]
        return f"与{label}{SAME_INVESTOR}" if label is not None else ""


def import_duplicate_warnings(rows: list[tuple[int, str, dict]]) -> list[str]:
    """Return the warnings for new rows likely duplicating a lead or an earlier row of the file.

    `rows` are (row number, project name, keys by field) of the rows the
    import would create; the keys are those their plans carry. Reads the
    candidate leads in chunks, one indexed query each. Lists at most
    `SHOWN_WARNINGS` rows, then counts the rest.
    """
    existing = _existing_index(rows)
    seen = KeyIndex()
    lines = []
    for row, name, values in rows:
        keys = [values[key] for key in KEY_FIELDS]
        found = existing.find(*keys) or seen.find(*keys)
        if found:
            lines.append(f"第{row}行“{name}”疑似重复：{found}。仍可导入，请核实。")
        seen.add(*keys, f"本文件第{row}行")
    if len(lines) > SHOWN_WARNINGS:
        rest = len(lines) - SHOWN_WARNINGS
        lines = [*lines[:SHOWN_WARNINGS], f"另有 {rest} 行疑似重复未列出。"]
    return lines


def _existing_index(rows) -> KeyIndex:
    """Return the live leads sharing an investor or credit key with `rows`, indexed."""
    investors = sorted({values["investor_key"] for _r, _n, values in rows} - {""})
    credits = sorted({values["credit_key"] for _r, _n, values in rows} - {""})
    index = KeyIndex()
    for lookup, keys in (("investor_key__in", investors), ("credit_key__in", credits)):
        for start in range(0, len(keys), 2000):
            leads = Lead.objects.filter(**{lookup: keys[start : start + 2000]}).order_by("pk")
            for code, name, *lead_keys_ in leads.values_list("code", "name", *KEY_FIELDS):
                index.add(*lead_keys_, f"系统中已有线索 {code}（{name}）")
    return index


def lead_pairs(leads) -> list[tuple[int, int]]:
    """Return the ordered (lower id first) pairs of likely duplicates among `leads`."""
    members = list(leads)
    return [
        (min(first.pk, second.pk), max(first.pk, second.pk))
        for index, first in enumerate(members)
        for second in members[index + 1 :]
        if keys_match(first, second)
    ]


__all__ = [
    "SAME_CREDIT",
    "SAME_INVESTOR",
    "import_duplicate_warnings",
    "keys_match",
    "lead_likely_duplicates",
    "lead_pairs",
]
