"""Merge a duplicate lead into the lead kept, and undo it (局领导 only).

`lead_merge` moves every row that points to the merged lead (activities,
stage transitions, the enterprise of aftercare and any model added later:
found generically through `Lead._meta.related_objects`, so leads imports
none of the apps that point to it) to the kept lead, takes the fields
chosen from the merged lead, and keeps the merged lead as a record marked
已合并 (`merged_into`). The default manager leaves it out of every list,
count and report. The kept lead counts once, with the earliest signing and
landing either had. `lead_merge_undo` puts everything back while the kept
lead has not changed since (its version).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from leads.choices import Stage
from leads.models import STAGE_DATE_FIELDS, Lead, LeadMerge
from leads.services.errors import EditConflict, LeadServiceError
from leads.services.lifecycle import _clean_errors
from leads.services.locking import lead_lock_current
from leads.services.plans import lead_plan_edit
from leads.services.rules import SERVICE_FIELDS, json_safe

# The fields a merge may take from the merged lead: the ordinary ones, not
# the stage's (stage, drop reason: moves only) nor the derived ones.
MERGE_FIELDS = tuple(
    field.name
    for field in Lead._meta.concrete_fields
    if field.editable and field.name not in SERVICE_FIELDS | {"drop_reason", "lost_to"}
)
# The counted events (统计口径) and the fields recorded with each.
COUNTED_EVENTS = {
    "first_signed_on": ("first_signed_on", "first_signed_amount", "first_signed_entered"),
    "first_landed_on": ("first_landed_on", "first_landed_entered"),
}
MERGE_PERMISSION = "leads.merge_lead"
# Stage dates are taken only when chosen: a date of a stage the kept lead
# has not reached, or out of its order, is no default.
NOT_BY_DEFAULT = frozenset(STAGE_DATE_FIELDS)


def _check_actor(actor) -> None:
    if actor is None or not actor.has_perm(MERGE_PERMISSION):
        raise LeadServiceError({"merged": "只有局领导可以合并重复线索或撤销合并。"})


def _blank(value) -> bool:
    return value is None or value == ""


def merge_default_fields(keep: Lead, merged: Lead) -> list[str]:
    """Return the fields a merge takes from `merged` by default: those `keep` lacks but dates."""
    return [
        name
        for name in MERGE_FIELDS
        if name not in NOT_BY_DEFAULT
        and _blank(getattr(keep, Lead._meta.get_field(name).attname))
        and not _blank(getattr(merged, Lead._meta.get_field(name).attname))
    ]


def _merge_changes(keep: Lead, merged: Lead, fields: Iterable[str]) -> dict:
    """Return the kept lead's planned changes: the fields taken, the keys, the earliest events."""
    unknown = set(fields) - set(MERGE_FIELDS)
    if unknown:
        raise LeadServiceError({"fields": f"不能合并这些字段：{'、'.join(sorted(unknown))}。"})
    taken = {
        Lead._meta.get_field(name).attname: getattr(merged, Lead._meta.get_field(name).attname)
        for name in fields
    }
    changes = dict(lead_plan_edit(keep, fields=taken).changes)
    for event, recorded in COUNTED_EVENTS.items():
        theirs, ours = getattr(merged, event), getattr(keep, event)
        if theirs is not None and (ours is None or theirs < ours):
            changes.update({name: getattr(merged, name) for name in recorded})
    changes.update(_after_landing_changes(keep, merged))
    changes["version"] = keep.version + 1
    return changes


# What follows 落地, taken from the merged lead where the kept one has none;
# the actual dates only onto a landed kept lead (the row rules).
PLANNED_FIELDS = (
    "planned_signed_on",
    "planned_landed_on",
    "planned_started_on",
    "planned_in_production_on",
)


def _after_landing_changes(keep: Lead, merged: Lead) -> dict:
    """Return the kept lead's 到位资金 sum, key mark, node plan and milestones after the merge.

    The merged lead's instalments move to the kept lead, so its 到位资金 is
    the sum of both; a key project stays one.
    """
    changes = {}
    if merged.paid_in is not None:
        changes["paid_in"] = (keep.paid_in or 0) + merged.paid_in
    if merged.is_key and not keep.is_key:
        changes["is_key"] = True
    actual = ("started_on", "in_production_on") if keep.stage == Stage.LANDED else ()
    for name in (*PLANNED_FIELDS, *actual):
        if getattr(keep, name) is None and getattr(merged, name) is not None:
            changes[name] = getattr(merged, name)
    return changes


def _lock_pair(keep: Lead, merged: Lead) -> tuple[Lead, Lead]:
    """Lock both live leads, lower id first; refuse a stale copy or a lead already merged."""
    locked = {}
    for lead in sorted((keep, merged), key=lambda lead: lead.pk):
        try:
            locked[lead.pk] = lead_lock_current(lead)
        except Lead.DoesNotExist:
            raise LeadServiceError({"merged": f"线索 {lead.code} 已被合并，不能再合并。"}) from None
    return locked[keep.pk], locked[merged.pk]


def _move_related(source: Lead, target: Lead) -> dict[str, list[int]]:
    """Point every row referring to `source` at `target`; return the ids moved by relation.

    Goes through each model's base manager: a history table that refuses
    bulk updates (StageTransition) is re-attached, not edited. A one-to-one
    row `target` already has stays where it is.
    """
    moved = {}
    for relation in Lead._meta.related_objects:
        if relation.many_to_many:
            continue
        model, name = relation.related_model, relation.field.name
        rows = model._base_manager.filter(**{name: source})
        if relation.one_to_one and model._base_manager.filter(**{name: target}).exists():
            continue
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            model._base_manager.filter(pk__in=ids).update(**{name: target})
            moved[f"{model._meta.label}.{name}"] = ids
    return moved


def _save(lead: Lead, changes: dict, *, actor, reason: str) -> None:
    for name, value in changes.items():
        setattr(lead, name, value)
    errors = _clean_errors(lead, exclude=["code"])
    if errors:
        raise LeadServiceError(errors)
    lead._history_user = actor
    lead._change_reason = reason
    lead.save(update_fields=sorted({*changes, "modified"}))


def lead_merge(
    *, keep: Lead, merged: Lead, actor, fields: Iterable[str] | None = None
) -> LeadMerge:
    """Merge `merged` into `keep` in one transaction; return the merge record.

    `fields` names the fields taken from `merged` (default: those `keep`
    lacks); the others keep `keep`'s values. Refuses anyone but 局领导, a lead
    merged with itself, a lead already merged, and a stale copy of either
    (EditConflict). Both leads get a field-history row naming the other.
    """
    _check_actor(actor)
    if keep.pk == merged.pk:
        raise LeadServiceError({"merged": "不能把线索与自身合并。"})
    with transaction.atomic():
        keep, merged = _lock_pair(keep, merged)
        fields = merge_default_fields(keep, merged) if fields is None else list(fields)
        changes = _merge_changes(keep, merged, fields)
        before = json_safe({name: getattr(keep, name) for name in changes})
        _save(keep, changes, actor=actor, reason=f"合并重复线索：{merged.code} 并入本线索")
        _save(
            merged,
            {"merged_into_id": keep.pk, "version": merged.version + 1},
            actor=actor,
            reason=f"已合并到 {keep.code}",
        )
        moved = _move_related(merged, keep)
        return LeadMerge.objects.create(
            keep=keep,
            merged=merged,
            actor=actor,
            at=timezone.now(),
            changes=before,
            moved=moved,
            keep_version=keep.version,
        )


def _restored(changes: dict) -> dict:
    """Return the kept lead's values before the merge, from their JSON form."""
    return {name: Lead._meta.get_field(name).to_python(value) for name, value in changes.items()}


def lead_merge_undo(*, merge: LeadMerge, actor) -> Lead:
    """Undo `merge`: restore the kept lead, move the rows back, make the merged lead live again.

    Refused (EditConflict) once the kept lead has changed since the merge,
    and for anyone but 局领导. Returns the lead that was merged.
    """
    _check_actor(actor)
    with transaction.atomic():
        merge = LeadMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise LeadServiceError({"merged": "该合并已撤销。"})
        # All leads: a kept lead merged on since has a newer version, refused below.
        keep = Lead.all_objects.select_for_update().get(pk=merge.keep_id)
        if keep.version != merge.keep_version:
            raise EditConflict(
                {"version": f"保留的线索 {keep.code} 在合并后已有其他修改，不能撤销合并。"}
            )
        merged = Lead.all_objects.select_for_update().get(pk=merge.merged_id)
        restored = {**_restored(merge.changes), "version": keep.version + 1}
        _save(keep, restored, actor=actor, reason=f"撤销合并：{merged.code} 移出本线索")
        for label, ids in merge.moved.items():
            model_label, name = label.rsplit(".", 1)
            model = apps.get_model(model_label)
            model._base_manager.filter(pk__in=ids).update(**{name: merged})
        _save(
            merged,
            {"merged_into_id": None, "version": merged.version + 1},
            actor=actor,
            reason=f"撤销合并：不再合并到 {keep.code}",
        )
        merge.undone_at = timezone.now()
        merge.undone_by = actor
        merge.save(update_fields=["undone_at", "undone_by"])
    return merged
