"""Create, edit, move and hand over leads: each write in one transaction, through the ORM.

Each service asks `leads.services.plans` for the plan of its write and
applies it; `lead_change_stage` is the one place a lead's stage changes.
Web views, the admin, commands and tests call these; the Excel import
applies the same plans in bulk (`leads.excel.write`).

Slightly over 300 lines on purpose: every service here goes through the
same few helpers (`lead_lock_current`, `_apply_move`, `_clean_errors`), and
a split would set the one transition function apart from the creation
and the edits that apply their plans the same way.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.choices import Channel, Stage
from leads.models import Lead, StageTransition, TaskTeam
from leads.services.codes import code_taken, lead_code_next, lead_codes_lock
from leads.services.errors import InvalidTransition, LeadServiceError
from leads.services.locking import lead_lock_current
from leads.services.plans import (
    CreationPlan,
    MovePlan,
    lead_plan_assign_team,
    lead_plan_creation,
    lead_plan_edit,
    lead_plan_move,
)
from leads.services.rules import (
    SERVICE_FIELDS,
    TRANSITION_FIELDS,
    check_moment,
)
from leads.services.teams import stage_owner_team, team_permission_errors
from leads.signals import lead_landed_in_transaction, lead_stage_changed


def lead_change_stage(
    *,
    lead: Lead,
    to_stage: str,
    actor=None,
    channel: str,
    note: str = "",
    team: TaskTeam | None = None,
    at: datetime | None = None,
    correction: bool = False,
    **data,
) -> Lead:
    """Move `lead` to `to_stage` and record the move; return the updated lead.

    `correction` marks a move back as correcting a data-entry error (局领导
    only, with the note): it voids the counted signing/landing it undoes.

    Locks the lead's row; refuses a stale copy (EditConflict); plans the move
    (`lead_plan_move`: the data the stages passed need, the entered stage's
    date filled with the day of the move when not given, the hand-over to the
    new stage's owner team unless `team` is given by someone allowed to assign
    teams) and refuses a plan with errors (InvalidTransition, with Chinese
    field messages); applies it (`_apply_move`). A move to the current stage
    writes nothing.
    """
    unknown = set(data) - TRANSITION_FIELDS
    if unknown:
        raise TypeError(f"lead_change_stage() got unexpected fields: {sorted(unknown)}")
    try:
        to_stage = Stage(to_stage)
    except ValueError:
        raise InvalidTransition(
            {"stage": _("未知的阶段：%(stage)s。") % {"stage": to_stage}}
        ) from None
    at = at or timezone.now()

    with transaction.atomic():
        locked = lead_lock_current(lead)
        if to_stage == locked.stage:
            return locked
        check_moment(locked, at)
        plan = lead_plan_move(
            locked,
            to_stage=to_stage,
            at=at,
            note=note,
            data=data,
            team=team,
            owner=stage_owner_team(to_stage) if team is None else None,
            actor=actor,
            correction=correction,
        )
        _apply_move(locked, plan, actor=actor, channel=channel)
    return locked


def _clean_errors(lead: Lead, *, exclude=None) -> dict[str, str]:
    """Return `full_clean`'s messages on `lead`, one string per field (constraints included)."""
    try:
        lead.full_clean(exclude=exclude)
    except ValidationError as error:
        return {
            field: " ".join(str(m) for m in messages)
            for field, messages in error.message_dict.items()
        }
    return {}


def _apply_move(lead: Lead, plan: MovePlan, *, actor, channel: str) -> StageTransition:
    """Apply a move plan to the locked `lead` through the ORM; return the transition written.

    Refuses the plan's errors, then the lead as it will be saved
    (`full_clean`, database constraints included); saves the planned fields
    with their field history; writes the StageTransition row; sends
    `lead_stage_changed` after commit.
    """
    errors = dict(plan.errors)
    plan.apply(lead)
    if not errors:
        errors = _clean_errors(lead, exclude=["code"])
    if errors:
        raise InvalidTransition(errors)
    lead._history_user = actor
    lead._change_reason = plan.history_reason(plan.note)
    lead.save(update_fields=plan.update_fields())
    transition = StageTransition.objects.create(
        lead=lead, actor=actor, channel=channel, note=plan.note, **plan.transition_values()
    )
    if plan.lands:
        # Apps that act on a landing (aftercare links the enterprise) do so in this transaction.
        lead_landed_in_transaction.send(sender=Lead, leads=[lead], actor=actor)
    transaction.on_commit(
        lambda: lead_stage_changed.send(sender=Lead, lead=lead, transition=transition)
    )
    return transition


def lead_create(
    *,
    actor=None,
    channel: str = Channel.WEB,
    stage: str = Stage.CONTACT,
    code: str = "",
    team: TaskTeam | None = None,
    note: str = "",
    at: datetime | None = None,
    **fields,
) -> Lead:
    """Create a lead at 接洽 and, when `stage` is later, move it there.

    Plans the creation (`lead_plan_creation`): each step goes through the
    same rules as any stage change, so a lead created at 落地 must carry its
    signing and landing data. Writes one StageTransition for the creation
    (from blank to 接洽) and one for the move. A code like ZS-2026-0001 is
    generated when none is given, under `lead_codes_lock`, and generated
    again should another writer take it first, until one is free.
    """
    invalid = set(fields) & SERVICE_FIELDS
    if invalid:
        raise TypeError(f"lead_create() cannot set {sorted(invalid)}")
    at = at or timezone.now()
    to_stage = Stage(stage)
    if team_permission_errors(actor, team):
        raise InvalidTransition(team_permission_errors(actor, team))

    while True:
        try:
            with transaction.atomic():
                lead = Lead(
                    **{k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
                )
                if not code.strip():
                    lead_codes_lock()
                lead.code = code.strip() or lead_code_next(year=timezone.localtime(at).year)[0]
                owners = {}
                if team is None:
                    owners = {stage: stage_owner_team(stage) for stage in {Stage.CONTACT, to_stage}}
                plan = lead_plan_creation(
                    lead, to_stage=to_stage, at=at, team=team, owners=owners, actor=actor, note=note
                )
                # A generated code is kept unique by the database (and the retry).
                exclude = [] if code.strip() else ["code"]
                _apply_creation(lead, plan, actor=actor, channel=channel, exclude=exclude)
                return lead
        except IntegrityError:
            # Another writer took the generated code first (a database without
            # the lock): take the next one, as often as it takes. Each retry
            # means someone else's lead was saved, so this ends.
            if code.strip() or not code_taken(lead.code):
                raise


def _apply_creation(
    lead: Lead, plan: CreationPlan, *, actor, channel: str, exclude: list[str]
) -> None:
    """Apply a creation plan to the unsaved `lead` through the ORM.

    Saves the lead as it enters 接洽 (refusing the entry's errors and what
    `full_clean` finds, but for the fields in `exclude`), writes its history
    row and the transition from no stage; then applies the move, if any,
    like any stage change.
    """
    entry = plan.entry
    errors = dict(entry.errors)
    entry.apply(lead)
    for field, message in _clean_errors(lead, exclude=exclude).items():
        errors.setdefault(field, message)
    if errors:
        raise InvalidTransition(errors)
    lead._history_user = actor
    lead._change_reason = entry.history_reason(entry.note)
    lead.save()
    StageTransition.objects.create(
        lead=lead, actor=actor, channel=channel, note=entry.note, **entry.transition_values()
    )
    if plan.move is not None:
        check_moment(lead, plan.move.at)
        _apply_move(lead, plan.move, actor=actor, channel=channel)


def lead_update(*, lead: Lead, actor=None, note: str = "", **fields) -> Lead:
    """Change a lead's ordinary fields; return the updated lead.

    Refuses a stale copy (EditConflict) and invalid data (LeadServiceError
    with field messages). Saves only the changed fields and records who
    changed what in the field history. The stage, code and owning team
    change only through their own services.
    """
    invalid = set(fields) & SERVICE_FIELDS
    if invalid:
        raise TypeError(f"lead_update() cannot set {sorted(invalid)}")
    with transaction.atomic():
        locked = lead_lock_current(lead)
        plan = lead_plan_edit(locked, fields=fields)
        if not plan.changes:
            return locked
        plan.apply(locked)
        try:
            locked.full_clean(exclude=["code"])
        except ValidationError as error:
            raise LeadServiceError(error.message_dict) from None
        locked._history_user = actor
        locked._change_reason = plan.history_reason(note)
        locked.save(update_fields=plan.update_fields())
    return locked


def lead_assign_team(*, lead: Lead, team: TaskTeam, actor=None, note: str = "") -> Lead:
    """Hand `lead` to another task team without changing its stage."""
    if team_permission_errors(actor, team):
        raise LeadServiceError(team_permission_errors(actor, team))
    with transaction.atomic():
        locked = lead_lock_current(lead)
        if locked.team_id == team.pk:
            return locked
        plan = lead_plan_assign_team(locked, team=team, team_name=team.name, actor=actor)
        plan.apply(locked)
        locked._history_user = actor
        locked._change_reason = plan.history_reason(note)
        locked.save(update_fields=plan.update_fields())
    return locked


def lead_set_credit(*, lead: Lead, credit_team, credit_unit, actor, reason: str) -> Lead:
    """Credit `lead` to another team and unit (引进单位); 局领导 only, with a reason.

    The change is kept in the lead's field history with the reason. The
    owning team (who works the lead now) does not change.
    """
    if actor is None or not actor.has_perm("leads.set_credit_lead"):
        raise LeadServiceError({"credit_team": _("只有局领导可以变更引进小分队、引进单位。")})
    if not (reason or "").strip():
        raise LeadServiceError({"reason": _("变更引进小分队、引进单位须说明原因。")})
    with transaction.atomic():
        locked = lead_lock_current(lead)
        locked.credit_team = credit_team
        locked.credit_unit = credit_unit
        changed = set(locked.tracker.changed())
        if not changed:
            return locked
        locked.version += 1
        locked._history_user = actor
        locked._change_reason = _("变更引进单位：%(reason)s") % {"reason": reason.strip()}
        locked.save(update_fields=sorted(changed | {"version", "modified"}))
    return locked
