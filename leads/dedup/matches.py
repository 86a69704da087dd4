"""Likely duplicates (疑似重复): of one lead, of the new rows of an import, across the database.

The one rule (`keys_match`): two leads are likely duplicates when they have
the same credit code, or the same normalised investor and similar project
names (`names_similar`). Every read here asks an index on the stored keys
(`investor_key, name_key`, `credit_key`: partial indexes of live leads), so a
check is one indexed query and the finder one GROUP BY per key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Length, StrIndex
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual

from leads.dedup.normal import KEY_FIELDS, lead_keys, names_similar
from leads.models import Lead, NotDuplicate, NotDuplicateSource

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


def import_duplicate_warnings(rows: list[tuple[int, str, dict]]) -> list[str]:
    """Return the warnings for new rows likely duplicating a lead or an earlier row of the file.

    `rows` are (row number, project name, keys by field) of the rows the
    import would create; the keys are those their plans carry. Reads the
    candidate leads in chunks, one indexed query each. Lists at most
    `SHOWN_WARNINGS` rows, then counts the rest.
    """
    existing = _existing_by_key(rows)
    seen: dict[tuple[str, str], list[tuple[int, Keys]]] = {}
    lines = []
    for row, name, values in rows:
        keys = Keys(*(values[name_] for name_ in KEY_FIELDS))
        found = _first_match(
            keys, existing, lambda lead: f"系统中已有线索 {lead.code}（{lead.name}）"
        )
        if not found:
            found = _first_match(keys, seen, lambda other: f"本文件第{other[0]}行")
        if found:
            lines.append(f"第{row}行“{name}”疑似重复：{found}。仍可导入，请核实。")
        for bucket in _buckets(keys):
            seen.setdefault(bucket, []).append((row, keys))
    if len(lines) > SHOWN_WARNINGS:
        rest = len(lines) - SHOWN_WARNINGS
        lines = [*lines[:SHOWN_WARNINGS], f"另有 {rest} 行疑似重复未列出。"]
    return lines


def _buckets(keys) -> list[tuple[str, str]]:
    buckets = []
    if keys.investor_key:
        buckets.append(("investor", keys.investor_key))
    if keys.credit_key:
        buckets.append(("credit", keys.credit_key))
    return buckets


def _first_match(keys, by_bucket: dict, describe) -> str:
    for bucket in _buckets(keys):
        for other in by_bucket.get(bucket, ()):
            other_keys = other[1] if isinstance(other, tuple) else other
            reason = keys_match(keys, other_keys)
            if reason:
                return f"与{describe(other)}{reason}"
    return ""


def _existing_by_key(rows) -> dict[tuple[str, str], list]:
    investors = sorted(
        {values["investor_key"] for _r, _n, values in rows if values["investor_key"]}
    )
    credits = sorted({values["credit_key"] for _r, _n, values in rows if values["credit_key"]})
    by_bucket: dict[tuple[str, str], list] = {}
    fields = ("code", "name", *KEY_FIELDS)
    for lookup, keys in (("investor_key__in", investors), ("credit_key__in", credits)):
        for start in range(0, len(keys), 2000):
            chunk = keys[start : start + 2000]
            for lead in Lead.objects.filter(**{lookup: chunk}).only(*fields):
                for bucket in _buckets(lead):
                    by_bucket.setdefault(bucket, []).append(lead)
    return by_bucket


@dataclass
class DuplicateGroup:
    """Leads likely duplicating one another, with the pairs confirmed on entry."""

    leads: list
    reasons: set[str] = field(default_factory=set)
    confirmed: list = field(default_factory=list)


def _repeated_keys(key: str):
    """Return the values of `key` that two or more live leads share (GROUP BY on its index)."""
    return (
        Lead.objects.exclude(**{key: ""})
        .order_by()
        .values(key)
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
        .values(key)
    )


def similar_partner_q() -> Q:
    """Return the condition "another live lead has this investor key and a similar name".

    The SQL form of `names_similar` (equal, or the one of two or more
    characters contained in the other), used to read only the leads that
    may pair; the pairs are then decided by `keys_match` itself (tested equal
    on the finder's data). Probes the (investor_key, name_key) index once per
    lead of a shared investor key.
    """
    contains = GreaterThan(StrIndex(F("name_key"), OuterRef("name_key")), 0) & GreaterThanOrEqual(
        Length(OuterRef("name_key")), 2
    )
    contained = GreaterThan(StrIndex(OuterRef("name_key"), F("name_key")), 0) & GreaterThanOrEqual(
        Length("name_key"), 2
    )
    partners = (
        Lead.objects.filter(investor_key=OuterRef("investor_key"))
        .exclude(pk=OuterRef("pk"))
        .exclude(name_key="")
        .filter(Q(name_key=OuterRef("name_key")) | Q(contains) | Q(contained))
    )
    return Q(Exists(partners)) & ~Q(name_key="")


def duplicate_candidates() -> list[tuple[int, str, str, str]]:
    """Return (id, investor key, name key, credit key) of the live leads that may pair.

    Two queries (an OR of the two would keep the planner from joining): the
    keys two or more leads share come from a GROUP BY on each key, as
    subqueries; of the leads sharing an investor key, only those with a
    similar name (`similar_partner_q`) are read.
    """
    by_investor = Q(investor_key__in=_repeated_keys("investor_key")) & similar_partner_q()
    by_credit = Q(credit_key__in=_repeated_keys("credit_key"))
    rows = {}
    for condition in (by_investor, by_credit):
        for row in Lead.objects.filter(condition).order_by().values_list("pk", *KEY_FIELDS):
            rows[row[0]] = row
    return list(rows.values())


def duplicate_groups(*, limit: int = 100) -> tuple[list[DuplicateGroup], int]:
    """Return the first `limit` groups of likely duplicates across the database, and their count.

    Pairs that match by `keys_match` (same credit key; same investor key and
    similar names) join their leads into one group (connected components),
    except pairs dismissed on the finder page (不是重复, remembered). The
    groups are ordered by their oldest lead. Five queries whatever the size.
    """
    rows = duplicate_candidates()
    dismissed = set(
        NotDuplicate.objects.filter(source=NotDuplicateSource.FINDER).values_list(
            "first_id", "second_id"
        )
    )
    parent = {row[0]: row[0] for row in rows}

    def root(pk):
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for first, second in _matching_pairs(rows):
        if (first, second) not in dismissed:
            parent[root(first)] = root(second)
    components: dict[int, list[int]] = {}
    for pk in parent:
        components.setdefault(root(pk), []).append(pk)
    grouped = sorted(sorted(pks) for pks in components.values() if len(pks) > 1)
    return _load_groups(grouped[:limit]), len(grouped)


def _matching_pairs(rows):
    """Yield (lower id, higher id) of each pair of `rows` that `keys_match` would match.

    Compares only within a bucket of one investor key (names similar) or
    one credit key (always a match): the rule of `keys_match`, on tuples.
    """
    by_investor: dict[str, list[tuple[int, str]]] = {}
    by_credit: dict[str, list[int]] = {}
    for pk, investor, name, credit in rows:
        if investor:
            by_investor.setdefault(investor, []).append((pk, name))
        if credit:
            by_credit.setdefault(credit, []).append(pk)
    for members in by_credit.values():
        for index, first in enumerate(members):
            for second in members[index + 1 :]:
                yield min(first, second), max(first, second)
    for members in by_investor.values():
        for index, (first, first_name) in enumerate(members):
            for second, second_name in members[index + 1 :]:
                if names_similar(first_name, second_name):
                    yield min(first, second), max(first, second)


def _load_groups(grouped: list[list[int]]) -> list[DuplicateGroup]:
    pks = [pk for group in grouped for pk in group]
    leads = Lead.objects.filter(pk__in=pks).select_related("team", "industry").in_bulk()
    confirmed = NotDuplicate.objects.filter(first_id__in=pks, second_id__in=pks).exclude(
        source=NotDuplicateSource.FINDER
    )
    confirmed_by_pair = {
        (row.first_id, row.second_id): row for row in confirmed.select_related("actor")
    }
    groups = []
    for group in grouped:
        members = [leads[pk] for pk in group if pk in leads]
        reasons = {
            keys_match(first, second)
            for index, first in enumerate(members)
            for second in members[index + 1 :]
        } - {""}
        pairs = [
            confirmed_by_pair[(a, b)] for a in group for b in group if (a, b) in confirmed_by_pair
        ]
        groups.append(DuplicateGroup(leads=members, reasons=reasons, confirmed=pairs))
    return groups


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
    "DuplicateGroup",
    "duplicate_groups",
    "import_duplicate_warnings",
    "keys_match",
    "lead_likely_duplicates",
    "lead_pairs",
]
