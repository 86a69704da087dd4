"""Plans of lead writes: every value a creation, an edit or a stage move sets, decided once.

The functions here read a lead (a Lead, or the bulk import's LeadRow) and
return a frozen plan; they write nothing and change nothing. Two appliers
use plans: the services in `lifecycle` apply one plan through the ORM, and
the bulk import (`leads.excel.write`) applies many through its SQL path.
An applier adds only who wrote, through which channel and with what note;
the stage, dates, data, team, version, change reason, transition row and
field-history values all come from the plan. The plan values themselves
are in `plan_types`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from django.utils import timezone, translation

from leads.choices import Stage
from leads.dedup.normal import SOURCE_FIELDS, lead_keys
from leads.services.counting import correction_errors, void_events
from leads.services.plan_types import EMPTY, CreationPlan, EditPlan, MovePlan
from leads.services.reasons import STAGES, change_reason
from leads.services.rules import (
    STAGE_RULES,
    lead_creation_errors,
    lead_passed_errors,
    move_rule_changes,
    proposed,
)
from leads.services.teams import next_team, team_permission_errors

STAGE_DATES = frozenset(rule.date_field for rule in STAGE_RULES.values() if rule.date_field)


def _pk(team):
    # Ids (what the bulk import passes) first: no attribute lookup to fail per lead.
    return team if team is None or team.__class__ is int else getattr(team, "pk", team)


def _clean(value):
    return value.strip() if isinstance(value, str) else value


def matching_keys(lead, changes: Mapping) -> dict:
    """Return the matching keys of `lead` as `changes` leave it, if they change a key's source.

    The one place a write's keys are decided: every plan that sets the
    investor, the project name or the credit code carries the keys too, so
    both appliers store them without computing them.
    """
    if not any(name in changes for name in SOURCE_FIELDS):
        return {}
    return lead_keys(
        *(changes[name] if name in changes else getattr(lead, name) for name in SOURCE_FIELDS)
    )


def _frozen(mapping: dict) -> Mapping:
    return MappingProxyType(mapping) if mapping else EMPTY


def lead_plan_move(
    lead,
    *,
    to_stage,
    at,
    day=None,
    note="",
    data=EMPTY,
    team=None,
    owner=None,
    actor=None,
    language=None,
    fill_entered_date=True,
    correction=False,
) -> MovePlan:
    """Return the plan of moving `lead` (read, not changed) to `to_stage` at `at`.

    `data` are transition fields given with the move, applied first; `team`
    a team asked for (needs the assign permission), `owner` the owning team
    of `to_stage` (read by the caller: one query, or once per import); teams
    may be given as teams or ids, the plan holds ids. `day` is the day of the
    move (the local date of `at` unless given), `language` that of the
    change reason. The plan's `errors` say what refuses the move. With
    `fill_entered_date` false (an import: DESIGN, no invented dates) the
    entered stage's date is not filled with the day, and the dates the
    report counts by must be given. `correction` marks a move back as
    correcting a data-entry error (局领导 only): it clears the counted events
    of the stages it leaves (`void_events`), kept in the transition's data.
    Long only by its keyword arguments and this description; the body is the move's steps.
    """
    from_stage = STAGES[lead.stage]
    to_stage = STAGES[to_stage]
    given = {name: _clean(value) for name, value in data.items()}
    ruled, errors = move_rule_changes(
        proposed(lead, given),
        from_stage=from_stage,
        to_stage=to_stage,
        note=note,
        day=day or timezone.localdate(at),
        fill_entered_date=fill_entered_date,
    )
    voided = {}
    if correction:
        errors = correction_errors(actor, from_stage=from_stage, to_stage=to_stage) or errors
        if not errors:
            cleared, voided = void_events(lead, to_stage)
            ruled = {**ruled, **cleared}
    for name, message in team_permission_errors(actor, team).items():
        errors.setdefault(name, message)
    from_team = lead.team_id
    to_team = next_team(to_stage=to_stage, current=from_team, requested=_pk(team), owner=_pk(owner))
    changes = {
        **given,
        **matching_keys(lead, given),
        **ruled,
        "stage": to_stage.value,
        "stage_entered_at": at,
        "team_id": to_team,
        "version": lead.version + 1,
    }
    return MovePlan(
        changes=MappingProxyType(changes),
        reason=change_reason("move", from_stage, to_stage, language=language),
        errors=_frozen(errors),
        from_stage=from_stage.value,
        to_stage=to_stage.value,
        at=at,
        from_team=from_team,
        to_team=to_team,
        data=_frozen({**given, **voided}) if given or voided else EMPTY,
        filled=tuple(name for name in ruled if name in STAGE_DATES and ruled[name] is not None),
        note=note,
        correction=bool(correction),
    )


@functools.lru_cache(maxsize=64)
def _entry_plan(at, contact_team, note: str, language: str) -> MovePlan:
    """Return the plan of a lead's entry at 接洽: shared by all new leads of an import."""
    reason = change_reason("create", language=language)
    return MovePlan(
        changes=MappingProxyType(
            {
                "stage": Stage.CONTACT.value,
                "stage_entered_at": at,
                "team_id": contact_team,
                # Credit goes to the team at capture (首谈/引进) and stays.
                "credit_team_id": contact_team,
                "version": 0,
            }
        ),
        reason=reason,
        history_type="+",
        from_stage="",
        to_stage=Stage.CONTACT.value,
        at=at,
        from_team=None,
        to_team=contact_team,
        note=note or reason,
    )


def lead_plan_creation(
    lead,
    *,
    to_stage=Stage.CONTACT,
    at,
    day=None,
    team=None,
    owners: Mapping,
    actor=None,
    note="",
    language=None,
    fill_entered_date=True,
    dropped_from="",
) -> CreationPlan:
    """Return the plan of creating `lead` (its data set, read not changed) and moving it on.

    The steps of DESIGN: the lead enters 接洽 with its required data and the
    owning team of 接洽 (or the `team` asked for, which needs the assign
    permission), version 0, then moves to `to_stage` by `lead_plan_move`.
    `owners` maps stages to their teams (or ids), read once by the caller;
    `fill_entered_date` as for `lead_plan_move`. A lead created as dropped
    (a ledger's 终止 row) is dropped from 接洽, so its history has no
    invented stages; `dropped_from` names the stage it is reopened to
    instead, and the lead must hold what passing that stage needs.
    """
    errors = lead_creation_errors(lead)
    errors.update(team_permission_errors(actor, team))
    contact_team = _pk(team) if team is not None else _pk(owners.get(Stage.CONTACT))
    entry = _entry_plan(at, contact_team, note, language or translation.get_language())
    keys = lead_keys(*(getattr(lead, name) for name in SOURCE_FIELDS))
    entry = replace(
        entry,
        changes=MappingProxyType({**entry.changes, **keys}),
        errors=MappingProxyType(dict(errors)) if errors else entry.errors,
    )
    if to_stage == Stage.CONTACT or errors:
        return CreationPlan(entry=entry, errors=entry.errors)
    move = lead_plan_move(
        proposed(lead, dict(entry.changes)),
        to_stage=to_stage,
        at=at,
        day=day,
        note=note,
        team=team,
        owner=owners.get(to_stage),
        language=language,
        fill_entered_date=fill_entered_date,
    )
    if dropped_from and to_stage == Stage.DROPPED:
        move = _reopened_to(move, proposed(lead, dict(move.changes)), dropped_from)
    return CreationPlan(entry=entry, move=move, errors=move.errors)


def _reopened_to(move: MovePlan, lead, stage: str) -> MovePlan:
    """Return the drop `move` reopening to `stage`; refused if `lead` lacks that stage's data."""
    errors = {**lead_passed_errors(lead, up_to=stage), **move.errors}
    return replace(
        move,
        changes=MappingProxyType({**move.changes, "dropped_from": Stage(stage).value}),
        errors=_frozen(errors),
    )


def lead_plan_edit(lead, *, fields: Mapping, language=None) -> EditPlan:
    """Return the plan of changing `lead`'s ordinary fields to `fields` (only those that differ).

    An edit that changes nothing has no changes at all (not even the version).
    """
    changes = {
        name: value
        for name, value in ((name, _clean(value)) for name, value in fields.items())
        if getattr(lead, name) != value
    }
    if changes:
        changes.update(matching_keys(lead, changes))
        changes["version"] = lead.version + 1
    return EditPlan(changes=_frozen(changes), reason=change_reason("edit", language=language))


def lead_plan_assign_team(lead, *, team, team_name: str, actor=None, language=None) -> EditPlan:
    """Return the plan of handing `lead` to `team` (a team or id) without a stage move."""
    return EditPlan(
        changes=MappingProxyType({"team_id": _pk(team), "version": lead.version + 1}),
        reason=change_reason("assign", team_name, language=language),
        errors=_frozen(team_permission_errors(actor, team)),
    )
