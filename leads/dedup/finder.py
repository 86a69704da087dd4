"""The finder: groups of likely duplicates across the whole database (/leads/duplicates/).

Flat in the number of leads: only the leads of the keys that may be shared
(`leads.dedup.buckets`, kept as leads are written) are read; of those
sharing an investor key only those with a similar-named partner (an EXISTS
on the key index); pairs are then decided by the one rule (`keys_match`, on
tuples) within each key's bucket and joined into groups. Six queries
whatever the size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from leads.dedup.buckets import held_keys, repeated_keys, similar_partner_q
from leads.dedup.matches import keys_match
from leads.dedup.normal import KEY_FIELDS, names_similar
from leads.models import Lead, NotDuplicate, NotDuplicateSource


@dataclass
class DuplicateGroup:
    """Leads likely duplicating one another, with the pairs confirmed on entry."""

    leads: list
    reasons: set[str] = field(default_factory=set)
    confirmed: list = field(default_factory=list)


def duplicate_candidates() -> list[tuple[int, str, str, str]]:
    """Return (id, investor key, name key, credit key) of the live leads that may pair.

    Only the leads of the keys held (`leads.dedup.buckets`) are read, in two
    queries (an OR of the two would keep the planner from joining): of those
    sharing an investor key, only those with a similar name
    (`similar_partner_q`); of those sharing a credit key, those of a key two
    or more share (a GROUP BY subquery).
    """
    investor_keys, credit_keys = held_keys()
    by_investor = Q(investor_key__in=investor_keys) & similar_partner_q()
    # "Not blank" as the partial index on the credit key states it, so both reads use it.
    shared_credit = repeated_keys("credit_key", Lead.objects.filter(credit_key__in=credit_keys))
    by_credit = Q(credit_key__in=shared_credit) & ~Q(credit_key="")
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
    groups are ordered by their oldest lead. Six queries whatever the size.
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
