"""Write a validated LeadPlan: leads, their StageTransition rows and their field history, in bulk.

The rows written are the ones `lead_create`, `lead_update` and
`lead_change_stage` write one lead at a time: a new lead has a history row
as created at 接洽 and, when imported at a later stage, a second one for the
move, with a transition for each (channel `import`); an updated lead has a
history row per change and a transition when its stage moves.
"""

from __future__ import annotations

import operator

from crm.spreadsheets.results import ImportFailed, RowError
from leads.choices import Channel, Stage
from leads.excel.plan import LeadPlan
from leads.excel.rows import ATTNAMES, CHUNK, SNAPSHOT
from leads.excel.sql import bulk_insert, bulk_update
from leads.models import Lead, StageTransition
from leads.resources import lead_columns
from leads.services import json_safe
from leads.signals import lead_landed_in_transaction

HISTORY = Lead.history.model
HISTORY_TRACKED = [field.attname for field in HISTORY.tracked_fields]
HISTORY_PICK = operator.itemgetter(*(ATTNAMES.index(name) for name in HISTORY_TRACKED))
HISTORY_COLUMNS = [
    *HISTORY_TRACKED,
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
]
TRANSITION_COLUMNS = [
    "lead_id",
    "from_stage",
    "to_stage",
    "at",
    "actor_id",
    "channel",
    "from_team_id",
    "to_team_id",
    "note",
    "data",
]
LEAD_COLUMNS = ATTNAMES[1:]
LEAD_VALUES = operator.attrgetter(*LEAD_COLUMNS)
INDEX = {name: position for position, name in enumerate(ATTNAMES)}


def write_plan(plan: LeadPlan, *, actor, at, note: str, progress=None) -> None:
    """Apply `plan` inside the caller's transaction; raise ImportFailed on a concurrent edit."""
    actor_id = actor.pk if actor is not None else None
    lock_updates(plan)
    write_creations(plan, actor_id=actor_id, at=at, note=note)
    if progress:
        progress("write", len(plan.creations), len(plan.report.outcomes))
    write_updates(plan, actor_id=actor_id, at=at, note=note)
    landed = [step.lead for step in plan.creations if step.to_stage == Stage.LANDED]
    landed += [step.lead for step in plan.updates if step.move and step.move[1] == Stage.LANDED]
    if landed:
        lead_landed_in_transaction.send(sender=Lead, leads=landed, actor=actor)


def lock_updates(plan: LeadPlan) -> None:
    """Lock the leads to update; refuse the import if any changed since it was validated."""
    expected = {step.lead.id: step for step in plan.updates}
    ids = sorted(expected)
    conflicts = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = Lead.objects.select_for_update().filter(pk__in=chunk).values_list("pk", "version")
        for pk, version in rows:
            if version != expected[pk].version:
                conflicts.append(expected[pk])
    if conflicts:
        header = dict(lead_columns())["code"]
        outcomes = {outcome.row: outcome for outcome in plan.report.outcomes}
        for step in conflicts:
            outcome = outcomes[step.row]
            outcome.kind = "error"
            outcome.errors = [
                RowError(step.row, header, "该线索在校验后已被他人修改，请重新导入。")
            ]
        raise ImportFailed(plan.report)


def write_creations(plan: LeadPlan, *, actor_id, at, note: str) -> None:
    if not plan.creations:
        return
    bulk_insert(
        Lead,
        LEAD_COLUMNS,
        (LEAD_VALUES(step.lead) for step in plan.creations),
    )
    codes = [step.lead.code for step in plan.creations]
    ids = {}
    for start in range(0, len(codes), CHUNK):
        ids.update(
            Lead.objects.filter(code__in=codes[start : start + CHUNK]).values_list("code", "pk")
        )
    for step in plan.creations:
        step.lead.id = ids[step.lead.code]

    def history_rows():
        for step in plan.creations:
            final = SNAPSHOT(step.lead)
            if step.to_stage == Stage.CONTACT:
                yield _history(final, at, note, "+", actor_id)
                continue
            created = list(final)
            created[INDEX["stage"]] = Stage.CONTACT
            created[INDEX["team_id"]] = step.contact_team_id
            created[INDEX["version"]] = 0
            created[INDEX["dropped_from"]] = ""
            if step.filled_date:
                created[INDEX[step.filled_date]] = None
            yield _history(created, at, note, "+", actor_id)
            yield _history(final, at, note, "~", actor_id)

    def transition_rows():
        for step in plan.creations:
            lead = step.lead
            yield (
                lead.id,
                "",
                Stage.CONTACT.value,
                at,
                actor_id,
                Channel.IMPORT.value,
                None,
                step.contact_team_id,
                note,
                {},
            )
            if step.to_stage != Stage.CONTACT:
                yield (
                    lead.id,
                    Stage.CONTACT.value,
                    str(step.to_stage),
                    at,
                    actor_id,
                    Channel.IMPORT.value,
                    step.contact_team_id,
                    lead.team_id,
                    note,
                    {},
                )

    bulk_insert(HISTORY, HISTORY_COLUMNS, history_rows())
    bulk_insert(StageTransition, TRANSITION_COLUMNS, transition_rows())


def write_updates(plan: LeadPlan, *, actor_id, at, note: str) -> None:
    if not plan.updates:
        return
    for step in plan.updates:
        step.lead.modified = at
    bulk_update(
        Lead,
        LEAD_COLUMNS,
        ((*LEAD_VALUES(step.lead), step.lead.id) for step in plan.updates),
    )
    bulk_insert(
        HISTORY,
        HISTORY_COLUMNS,
        (
            _history(list(snapshot), at, f"{note}（{reason}）", "~", actor_id)
            for step in plan.updates
            for snapshot, reason in step.snapshots
        ),
    )
    bulk_insert(
        StageTransition,
        TRANSITION_COLUMNS,
        (
            (
                step.lead.id,
                from_stage,
                str(to_stage),
                at,
                actor_id,
                Channel.IMPORT.value,
                from_team,
                to_team,
                note,
                json_safe(data),
            )
            for step in plan.updates
            if step.move
            for from_stage, to_stage, from_team, to_team, data in [step.move]
        ),
    )


def _history(values: list, at, reason: str, kind: str, actor_id) -> tuple:
    return (*HISTORY_PICK(values), at, reason, kind, actor_id)
