"""Create, edit, move and hand over leads: each write in one transaction.

`lead_change_stage` is the one place a lead's stage changes. Web views, the
admin, the Excel import, commands and tests all call it (the import through
its bulk path, which applies the same rules from `leads.services.rules`).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.choices import Channel, Stage
from leads.models import Lead, StageTransition, TaskTeam
from leads.services.rules import (
    CODE_PREFIX,
    SERVICE_FIELDS,
    TRANSITION_FIELDS,
    EditConflict,
    InvalidTransition,
    LeadServiceError,
    check_moment,
    correction_errors,
    json_safe,
    lead_creation_errors,
    lead_move_errors,
    next_team,
    stage_owner_team,
    team_permission_errors,
)
from leads.signals import lead_stage_changed


def lead_code_next(*, year: int, count: int = 1) -> list[str]:
    """Return the next `count` unused lead codes of `year`, e.g. ZS-2026-0001."""
    prefix = f"{CODE_PREFIX}-{year}-"
    last = (
        Lead.objects.filter(code__startswith=prefix, code__regex=rf"^{prefix}[0-9]+$")
        .annotate(code_length=Length("code"))
        .order_by("-code_length", "-code")
        .values_list("code", flat=True)
        .first()
    )
    start = int(last[len(prefix) :]) + 1 if last else 1
    return [f"{prefix}{number:04d}" for number in range(start, start + count)]


def _lock_current(lead: Lead) -> Lead:
    """Lock the lead's row and return it; refuse a copy read before the last change.

    Must run inside a transaction. Raises EditConflict, in Chinese, when
    `lead.version` is not the stored version, so nothing the caller was
    about to write overwrites someone else's change.
    """
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.version != locked.version:
        raise EditConflict(
            {
                "version": _(
                    "该线索已被他人修改（当前版本 %(current)d，您的版本 %(yours)d），"
                    "请刷新后重新操作，您填写的内容未保存。"
                )
                % {"current": locked.version, "yours": lead.version}
            }
        )
    return locked


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

    Locks the lead's row; refuses a stale copy (EditConflict); validates the
    move and the data the stages passed need (InvalidTransition, with Chinese
    field messages); fills the entered stage's date with the day of the move
    when not given; hands the lead to the new stage's owner team unless `team`
    is given by someone allowed to assign teams; writes a StageTransition row
    and the field history; sends `lead_stage_changed` after commit. A move to
    the current stage writes nothing.
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
        locked = _lock_current(lead)
        from_stage = Stage(locked.stage)
        if to_stage == from_stage:
            return locked

        for field, value in data.items():
            setattr(locked, field, value.strip() if isinstance(value, str) else value)
        check_moment(locked, at)
        counted = (locked.first_signed_on, locked.first_signed_amount, locked.first_landed_on)
        errors = (
            correction_errors(actor, from_stage=from_stage, to_stage=to_stage) if correction else {}
        )
        errors = errors or lead_move_errors(
            locked,
            from_stage=from_stage,
            to_stage=to_stage,
            note=note,
            day=timezone.localdate(at),
            correction=correction,
        )
        # Validate the lead as it will be saved, database constraints included.
        if not errors:
            try:
                locked.full_clean(exclude=["code"])
            except ValidationError as error:
                errors = {
                    field: " ".join(str(m) for m in messages)
                    for field, messages in error.message_dict.items()
                }
        for field, message in team_permission_errors(actor, team).items():
            errors.setdefault(field, message)
        new_team = next_team(
            to_stage=to_stage,
            current=locked.team,
            requested=team,
            owner=stage_owner_team(to_stage) if team is None else None,
        )
        if errors:
            raise InvalidTransition(errors)

        from_team = locked.team
        locked.stage_entered_at = at
        locked.team = new_team
        locked.version += 1
        locked._history_user = actor
        locked._change_reason = note or _("阶段变更：%(from)s → %(to)s") % {
            "from": from_stage.label,
            "to": to_stage.label,
        }
        changed = set(locked.tracker.changed()) | {
            "stage",
            "stage_entered_at",
            "team",
            "version",
            "modified",
        }
        locked.save(update_fields=sorted(changed))
        transition = StageTransition.objects.create(
            lead=locked,
            from_stage=from_stage,
            to_stage=to_stage,
            at=at,
            actor=actor,
            channel=channel,
            from_team=from_team,
            to_team=new_team,
            note=note,
            correction=correction,
            data=json_safe({**data, **_voided(counted, locked)} if correction else data),
        )
        transaction.on_commit(
            lambda: lead_stage_changed.send(sender=Lead, lead=locked, transition=transition)
        )
    return locked


def _voided(counted: tuple, lead: Lead) -> dict:
    """Return the counted events a correction cleared, kept on its transition row."""
    signed_on, amount, landed_on = counted
    voided = {}
    if signed_on is not None and lead.first_signed_on is None:
        voided.update(voided_signed_on=signed_on, voided_amount=amount)
    if landed_on is not None and lead.first_landed_on is None:
        voided.update(voided_landed_on=landed_on, voided_amount=amount)
    return voided


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

    Each step goes through the same rules as any stage change, so a lead
    created at 落地 must carry its signing and landing data. Writes one
    StageTransition for the creation (from blank to 接洽) and one per move.
    A code like ZS-2026-0001 is generated when none is given.
    """
    invalid = set(fields) & SERVICE_FIELDS
    if invalid:
        raise TypeError(f"lead_create() cannot set {sorted(invalid)}")
    at = at or timezone.now()
    to_stage = Stage(stage)
    if team_permission_errors(actor, team):
        raise InvalidTransition(team_permission_errors(actor, team))

    for attempt in range(5):
        try:
            with transaction.atomic():
                lead = Lead(
                    **{k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
                )
                lead.code = code.strip() or lead_code_next(year=timezone.localtime(at).year)[0]
                lead.stage = Stage.CONTACT
                lead.stage_entered_at = at
                lead.team = stage_owner_team(Stage.CONTACT) if team is None else team
                # Credit goes to the team at capture (首谈/引进) and stays.
                lead.credit_team = lead.team
                errors = lead_creation_errors(lead)
                try:
                    lead.full_clean()
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        errors.setdefault(field, " ".join(str(m) for m in messages))
                if errors:
                    raise InvalidTransition(errors)
                lead._history_user = actor
                lead._change_reason = note or _("新建线索")
                lead.save()
                StageTransition.objects.create(
                    lead=lead,
                    from_stage="",
                    to_stage=Stage.CONTACT,
                    at=at,
                    actor=actor,
                    channel=channel,
                    to_team=lead.team,
                    note=note or _("新建线索"),
                )
                if to_stage != Stage.CONTACT:
                    lead = lead_change_stage(
                        lead=lead,
                        to_stage=to_stage,
                        actor=actor,
                        channel=channel,
                        note=note,
                        team=team,
                        at=at,
                    )
                return lead
        except IntegrityError:
            # Two writers took the same generated code; take the next one.
            if code or attempt == 4:
                raise
    raise AssertionError("unreachable")


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
        locked = _lock_current(lead)
        for field, value in fields.items():
            setattr(locked, field, value.strip() if isinstance(value, str) else value)
        changed = set(locked.tracker.changed())
        if not changed:
            return locked
        try:
            locked.full_clean(exclude=["code"])
        except ValidationError as error:
            raise LeadServiceError(error.message_dict) from None
        locked.version += 1
        locked._history_user = actor
        locked._change_reason = note or _("修改线索信息")
        locked.save(update_fields=sorted(changed | {"version", "modified"}))
    return locked


def lead_assign_team(*, lead: Lead, team: TaskTeam, actor=None, note: str = "") -> Lead:
    """Hand `lead` to another task team without changing its stage."""
    if actor is not None and not actor.has_perm("leads.assign_team_lead"):
        raise LeadServiceError({"team": _("您无权指定负责小分队。")})
    with transaction.atomic():
        locked = _lock_current(lead)
        if locked.team_id == team.pk:
            return locked
        locked.team = team
        locked.version += 1
        locked._history_user = actor
        locked._change_reason = note or _("指定负责小分队：%(team)s") % {"team": team.name}
        locked.save(update_fields=["team", "version", "modified"])
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
        locked = _lock_current(lead)
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
