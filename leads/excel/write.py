"""Apply a validated LeadPlan in bulk: leads, field history, transition, node plan, paid-in rows.

The bulk applier of the services' plans (`leads.services.plans`), beside the
ORM one in `leads.services.lifecycle`: each row's plans are applied to its
LeadRow in order, and after each the field-history row is taken from the
lead as the plan left it (after the last, from the lead row as written);
each move's transition row is the plan's, each node plan's NodePlan row
and each instalment's PaidIn row too. The
writer adds only the database ids, the actor, the channel (import) and the
note naming the file. After commit, `lead_stage_changed` is sent once per
moved lead (`send_stage_changed`).
"""

from __future__ import annotations

import operator
from contextlib import nullcontext

from django.db import connection, transaction

from crm.spreadsheets.results import ImportFailed, RowError
from leads import keyword_index
from leads.choices import Channel
from leads.excel.plan import LeadPlan
from leads.excel.rows import ATTNAMES, CHUNK
from leads.excel.sql import bulk_insert, bulk_update, insert_copies, select_in
from leads.models import Lead, NodePlan, PaidIn, StageTransition
from leads.resources import lead_columns
from leads.services import MovePlan
from leads.services.milestones import NodePlanChange, PaidInPlan
from leads.signals import lead_landed_in_transaction, lead_stage_changed

HISTORY = Lead.history.model
# The tracked fields but the lead's id, which a new lead has only once inserted.
HISTORY_TRACKED = [field.attname for field in HISTORY.tracked_fields if field.attname != "id"]
HISTORY_VALUES = operator.attrgetter(*HISTORY_TRACKED)
HISTORY_COLUMNS = [
    "id",
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
    "from_team_id",
    "to_team_id",
    "data",
    "correction",
    "actor_id",
    "channel",
    "note",
]
TRANSITION_PICK = operator.itemgetter(*TRANSITION_COLUMNS[1:8])
NODE_PLAN_COLUMNS = ["lead_id", "node", "planned_on", "previous_on", "reason"]
NODE_PLAN_PICK = operator.itemgetter(*NODE_PLAN_COLUMNS[1:])
PAID_IN_COLUMNS = ["lead_id", "received_on", "amount", "kind", "note"]
PAID_IN_PICK = operator.itemgetter(*PAID_IN_COLUMNS[1:])
LEAD_COLUMNS = ATTNAMES[1:]
LEAD_VALUES = operator.attrgetter(*LEAD_COLUMNS)


def write_plan(plan: LeadPlan, *, actor, at, note: str, progress=None) -> None:
    """Apply `plan` inside the caller's transaction; raise ImportFailed on a concurrent edit."""
    writer = _Writer(actor_id=actor.pk if actor is not None else None, at=at, note=note)
    lock_updates(plan)
    deferred = keyword_index.new_leads_deferred(connection) if plan.creations else nullcontext()
    with deferred:
        moved = writer.write_creations(plan.creations)
    if progress:
        progress("write", len(plan.creations), len(plan.report.outcomes))
    moved += writer.write_updates(plan.updates)
    if writer.landed:
        # In the import's transaction, as the service sends it for one lead.
        lead_landed_in_transaction.send(sender=Lead, leads=writer.landed, actor=actor)
    if moved:
        transaction.on_commit(lambda: send_stage_changed(moved, at=at))


def lock_updates(plan: LeadPlan) -> None:
    """Lock the leads to update; refuse the import if any changed since it was validated."""
    expected = {step.lead.id: step for step in plan.updates}
    ids = sorted(expected)
    conflicts = []
    live = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = Lead.objects.select_for_update().filter(pk__in=chunk).values_list("pk", "version")
        for pk, version in rows:
            live.add(pk)
            if version != expected[pk].version:
                conflicts.append(expected[pk])
    # A lead merged into another (已合并) since validation is no longer there to update.
    conflicts += [expected[pk] for pk in ids if pk not in live]
    if conflicts:
        header = dict(lead_columns())["code"]
        outcomes = {(outcome.sheet, outcome.row): outcome for outcome in plan.report.outcomes}
        for step in conflicts:
            outcome = outcomes[step.sheet, step.row]
            outcome.kind = "error"
            column = header if not step.sheet else "项目编号"
            outcome.errors = [
                RowError(step.row, column, "该线索在校验后已被他人修改，请重新导入。", step.sheet)
            ]
        raise ImportFailed(plan.report)


class _Writer:
    """Write chunks of planned rows; keep (lead, plan, history values) per applied plan."""

    def __init__(self, *, actor_id, at, note: str):
        self.actor_id = actor_id
        self.at = at
        self.note = note
        # The leads moved to 落地, for `lead_landed_in_transaction`.
        self.landed: list = []

    def apply(self, steps, plans_of) -> list[tuple]:
        """Apply each step's plans to its lead; return (lead, plan, tracked values) per plan.

        The values of a lead's last plan are None on SQLite: that plan leaves
        the lead as it is written, so its history row is copied from the lead
        row (`_copies_last_plans`).
        """
        applied = []
        copies = _copies_last_plans()
        for step in steps:
            lead = step.lead
            plans = plans_of(step)
            last = plans[-1]
            for plan in plans:
                plan.apply(lead)
                values = None if copies and plan is last else HISTORY_VALUES(lead)
                applied.append((lead, plan, values))
        return applied

    def write_history(self, applied: list[tuple]) -> None:
        """Write a field-history row per applied plan, once the leads themselves are written.

        The rows of earlier plans carry the values taken after each; the row
        of each lead's last plan is copied by the database from the lead row
        just written (the same values, without binding forty of them again per
        row), with its change reason and type.
        """
        actor_id, at, note = self.actor_id, self.at, self.note
        bulk_insert(
            HISTORY,
            HISTORY_COLUMNS,
            (
                (
                    lead.id,
                    *values,
                    at,
                    plan.history_reason(source=note),
                    plan.history_type,
                    actor_id,
                )
                for lead, plan, values in applied
                if values is not None
            ),
        )
        insert_copies(
            HISTORY,
            HISTORY_COLUMNS[: len(HISTORY_TRACKED) + 1],
            Lead,
            [
                (lead.id, plan.history_reason(source=note), plan.history_type)
                for lead, plan, values in applied
                if values is None
            ],
            ["history_change_reason", "history_type"],
            history_date=at,
            history_user_id=actor_id,
        )

    def write_transitions(self, applied: list[tuple]) -> list[int]:
        """Write the transition row of every applied move; return the ids of leads moved on."""
        tail = (self.actor_id, Channel.IMPORT.value, self.note)
        moves = [(lead, plan) for lead, plan, _values in applied if isinstance(plan, MovePlan)]
        self.landed.extend(lead for lead, plan in moves if plan.lands)
        bulk_insert(
            StageTransition,
            TRANSITION_COLUMNS,
            ((lead.id, *TRANSITION_PICK(plan.transition_values()), *tail) for lead, plan in moves),
        )
        return [lead.id for lead, plan in moves if plan.from_stage]

    def write_records(self, applied: list[tuple]) -> None:
        """Write the NodePlan row of every applied node plan, the PaidIn row of every instalment."""
        tail = (self.actor_id, Channel.IMPORT.value, self.at)
        nodes = [(lead, plan) for lead, plan, _v in applied if isinstance(plan, NodePlanChange)]
        if nodes:
            bulk_insert(
                NodePlan,
                [*NODE_PLAN_COLUMNS, "actor_id", "channel", "at"],
                (
                    (lead.id, *NODE_PLAN_PICK(plan.node_plan_values()), *tail)
                    for lead, plan in nodes
                ),
            )
        paid = [(lead, plan) for lead, plan, _v in applied if isinstance(plan, PaidInPlan)]
        if paid:
            bulk_insert(
                PaidIn,
                [*PAID_IN_COLUMNS, "actor_id", "channel", "created"],
                ((lead.id, *PAID_IN_PICK(plan.instalment), *tail) for lead, plan in paid),
            )

    def write_creations(self, creations: list) -> list[int]:
        moved = []
        for start in range(0, len(creations), CHUNK):
            chunk = creations[start : start + CHUNK]
            applied = self.apply(chunk, lambda step: step.plans)
            bulk_insert(Lead, LEAD_COLUMNS, (LEAD_VALUES(step.lead) for step in chunk))
            ids = dict(select_in(Lead, ["code", "id"], "code", [step.lead.code for step in chunk]))
            for step in chunk:
                step.lead.id = ids[step.lead.code]
            self.write_history(applied)
            moved += self.write_transitions(applied)
            self.write_records(applied)
        return moved

    def write_updates(self, updates: list) -> list[int]:
        moved = []
        for start in range(0, len(updates), CHUNK):
            chunk = updates[start : start + CHUNK]
            applied = self.apply(chunk, lambda step: step.plans)
            bulk_update(
                Lead, LEAD_COLUMNS, ((*LEAD_VALUES(step.lead), step.lead.id) for step in chunk)
            )
            self.write_history(applied)
            moved += self.write_transitions(applied)
            self.write_records(applied)
        return moved


def _copies_last_plans() -> bool:
    """Whether the database copies each lead's last history row from the lead row just written.

    On SQLite the copy (`insert_copies`) costs a quarter of binding the values
    again. PostgreSQL takes every history row by COPY instead: its copy joins
    the lead table, whose statistics an import into a nearly empty table
    leaves stale, and mid-import its plan flipped to a scan of the table per
    row (three chunks of 5,000 rows took 20, 67 and 70 s, where each had taken
    0.2 s). COPY reads no table.
    """
    return connection.vendor != "postgresql"


def send_stage_changed(lead_ids: list[int], *, at) -> None:
    """Send `lead_stage_changed` once per lead the import moved, as the service does.

    Runs after commit. The leads and their move transitions are read again
    (in chunks, one query each), so receivers get the same kwargs as from
    `lead_change_stage`: a saved Lead (`lead`) and its StageTransition
    (`transition`, with `transition.lead` the same object). Nothing is read
    when no receiver is connected.
    """
    if not lead_stage_changed.has_listeners(sender=Lead):
        return
    for start in range(0, len(lead_ids), CHUNK):
        transitions = (
            StageTransition.objects.filter(
                lead_id__in=lead_ids[start : start + CHUNK], at=at, channel=Channel.IMPORT
            )
            .exclude(from_stage="")
            .select_related("lead")
            .order_by("pk")
        )
        for transition in transitions:
            lead_stage_changed.send(sender=Lead, lead=transition.lead, transition=transition)
