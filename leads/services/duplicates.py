"""Writes about duplicate leads: create or edit after the warning, and 不是重复 remembered.

A page or the admin calls `lead_create_checked` / `lead_update_checked`
with the ids of the likely duplicates the user was shown and confirmed
(仍然新建 / 确认不是重复). A likely duplicate not among them refuses the
write (`DuplicateSuspected`, carrying the leads to show); the confirmed ones
are recorded as `NotDuplicate` pairs with who and where, and named in the
field history's change reason.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from leads.dedup.matches import lead_likely_duplicates
from leads.dedup.normal import SOURCE_FIELDS
from leads.models import Lead, NotDuplicate, NotDuplicateSource
from leads.services.lifecycle import lead_create, lead_update


class DuplicateSuspected(Exception):
    """The write would likely duplicate `leads`; it is made only once they are confirmed."""

    def __init__(self, leads: list):
        super().__init__(", ".join(lead.code for lead in leads))
        self.leads = leads


def _unconfirmed(found: list, confirmed: Iterable[int]) -> list:
    confirmed = {int(pk) for pk in confirmed}
    return [lead for lead in found if lead.pk not in confirmed]


def _confirmation_note(found: list) -> str:
    codes = "、".join(lead.code for lead in found)
    return f"已确认不是重复（疑似重复：{codes}）"


def likely_duplicates_of(*, lead: Lead | None = None, fields) -> list:
    """Return the likely duplicates a creation (`lead` None) or an edit of `lead` to `fields` makes.

    An edit is checked only when it changes the investor, project name or
    credit code as stored (`lead` may be a stale copy).
    """
    if lead is None:
        return lead_likely_duplicates(**{name: fields.get(name) or "" for name in SOURCE_FIELDS})
    stored = Lead.objects.filter(pk=lead.pk).values(*SOURCE_FIELDS).first() or {}
    if not any(name in fields and fields[name] != stored.get(name) for name in SOURCE_FIELDS):
        return []
    values = {name: fields.get(name, stored.get(name)) or "" for name in SOURCE_FIELDS}
    return lead_likely_duplicates(**values, exclude=lead.pk)


def lead_create_checked(
    *, actor=None, confirmed: Iterable[int] = (), note: str = "", **kwargs
) -> Lead:
    """Create a lead through `lead_create` unless it likely duplicates a lead not confirmed.

    Raises DuplicateSuspected with every likely duplicate when one is not in
    `confirmed`; otherwise creates the lead, records each confirmed pair
    (仍然新建) and names them in the creation's note.
    """
    found = likely_duplicates_of(fields=kwargs)
    if _unconfirmed(found, confirmed):
        raise DuplicateSuspected(found)
    with transaction.atomic():
        if found:
            note = f"{note}；{_confirmation_note(found)}" if note else _confirmation_note(found)
        lead = lead_create(actor=actor, note=note, **kwargs)
        not_duplicate_record(lead=lead, others=found, actor=actor, source="create")
    return lead


def lead_update_checked(
    *, lead: Lead, actor=None, confirmed: Iterable[int] = (), note: str = "", **fields
) -> Lead:
    """Edit a lead through `lead_update`, refusing a new likely duplicate not confirmed.

    Checks as `likely_duplicates_of` does (a stale copy is refused by the service).
    """
    found = likely_duplicates_of(lead=lead, fields=fields)
    if _unconfirmed(found, confirmed):
        raise DuplicateSuspected(found)
    with transaction.atomic():
        if found:
            note = f"{note}；{_confirmation_note(found)}" if note else _confirmation_note(found)
        updated = lead_update(lead=lead, actor=actor, note=note, **fields)
        not_duplicate_record(lead=updated, others=found, actor=actor, source="edit")
    return updated


def not_duplicate_record(*, lead: Lead, others: Iterable[Lead], actor, source: str) -> None:
    """Record that `lead` is not a duplicate of each of `others`, by `actor`, from `source`.

    A later choice on the finder page replaces one made on entry.
    """
    for other in others:
        first, second = sorted((lead.pk, other.pk))
        NotDuplicate.objects.update_or_create(
            first_id=first,
            second_id=second,
            defaults={"source": NotDuplicateSource(source), "actor": actor},
        )
