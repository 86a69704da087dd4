"""Reads for the lead detail page: the stage timeline and the field-change history."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from crm.templatetags.crm_format import person
from leads.models import Industry, Lead, TaskTeam

# The referring chamber and entrepreneur models, reached through the lead's
# foreign keys: leads never imports the chambers app, which depends on it.
Chamber = Lead.chamber.field.related_model
Entrepreneur = Lead.entrepreneur.field.related_model

HISTORY_SIZE = 50

# Foreign keys whose history stores an id; shown by name.
RELATED_MODELS = {
    "industry": Industry,
    "team": TaskTeam,
    "chamber": Chamber,
    "entrepreneur": Entrepreneur,
    "owner": get_user_model(),
    "merged_into": Lead,
}
HIDDEN_FIELDS = {"id", "version", "stage_entered_at", "created", "modified"}
# The lead's fields its history keeps (the derived duplicate keys are not kept).
TRACKED = [field for field in Lead.history.model.tracked_fields if field.name not in HIDDEN_FIELDS]


def lead_detail_queryset():
    """Return the queryset that loads a lead with everything its page shows."""
    return Lead.objects.select_related("industry", "team", "chamber", "entrepreneur", "owner")


def lead_timeline(lead: Lead, *, now: datetime | None = None) -> list:
    """Return the lead's transitions, oldest first, each with the days spent in its stage."""
    now = now or timezone.now()
    transitions = list(lead.transitions.select_related("actor", "from_team", "to_team"))
    # Each row is followed by the next, the last by None: a lead may have no rows at all.
    for current, following in zip(
        transitions, [*transitions[1:], None][: len(transitions)], strict=True
    ):
        end = following.at if following else now
        current.days_spent = (timezone.localdate(end) - timezone.localdate(current.at)).days
        current.is_current = following is None
    return transitions


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


def _display(field: models.Field, value, names: dict) -> str:
    if value in (None, ""):
        return "（空）"
    if field.name in RELATED_MODELS:
        return names.get((field.name, value), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _older_records(records: list) -> list:
    """Return, for each record (newest first), the next older record of the same lead, or None."""
    older, following = [], {}
    for record in reversed(records):
        older.append(following.get(record.id))
        following[record.id] = record
    return older[::-1]


def lead_field_changes(lead: Lead) -> list:
    """Return the lead's history records, newest first, each with `changes` to show.

    The history of the leads merged into it (已合并) is shown with its own,
    each record marked `from_merged`. One query for the merged leads, one
    for the records, one per related model named in them.
    """
    ids = [lead.pk, *Lead.all_objects.filter(merged_into=lead).values_list("pk", flat=True)]
    records = list(
        Lead.history.filter(id__in=ids)
        .select_related("history_user")
        .order_by("-history_id")[:HISTORY_SIZE]
    )
    deltas = []
    wanted: dict[str, set] = {}
    for newer, older in zip(records, _older_records(records), strict=True):
        newer.from_merged = newer.id != lead.pk
        changes = _diff(newer, older) if older else []
        deltas.append(changes)
        for field, old, new in changes:
            if field in RELATED_MODELS:
                wanted.setdefault(field, set()).update(v for v in (old, new) if v is not None)
    names = {}
    for field, ids in wanted.items():
        for obj in RELATED_MODELS[field].objects.filter(pk__in=ids):
            label = person(obj) if field == "owner" else str(obj)
            names[(field, obj.pk)] = label
    for record, changes in zip(records, deltas, strict=True):
        record.changes = []
        for name, old, new in changes:
            field = Lead._meta.get_field(name)
            record.changes.append(
                FieldChange(
                    name,
                    str(field.verbose_name),
                    _display(field, old, names),
                    _display(field, new, names),
                )
            )
    return records


def _diff(newer, older) -> list[tuple[str, object, object]]:
    """Return (field, old, new) for each shown field that differs between two records.

    simple-history's diff_against skips non-editable fields such as stage and
    team, which staff most want to see, so compare the stored values here.
    """
    changes = []
    for field in TRACKED:
        old, new = getattr(older, field.attname), getattr(newer, field.attname)
        if old != new:
            changes.append((field.name, old, new))
    return changes
