"""Every write with business meaning on leads: create, edit, change stage, assign.

`lead_change_stage` is the one place a lead's stage changes. Web views, the
admin, the Excel import, commands and tests all call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.choices import LOST_TO_OTHER_PLACE, PIPELINE, Channel, Stage, stage_index
from leads.models import Lead, StageOwner, StageTransition, TaskTeam, lead_row_errors
from leads.signals import lead_stage_changed
from leads.validators import validate_credit_code


class LeadServiceError(ValidationError):
    """A lead write was refused; carries field-level messages in Chinese."""


class InvalidTransition(LeadServiceError):
    """The requested stage change breaks a pipeline rule."""


class EditConflict(LeadServiceError):
    """The lead was changed by someone else since the caller read it."""


@dataclass(frozen=True)
class StageRule:
    date_field: str | None
    required: tuple[str, ...]


# What each stage needs on entering (DESIGN: pipeline table). The stage date
# defaults to the day of the move, but only for the stage being entered:
# passing a stage requires its `required` data, not its date, except for
# 签约, whose date the monthly report counts by.
STAGE_RULES = {
    Stage.CONTACT: StageRule(None, ("name", "investor", "industry", "source")),
    Stage.VISIT: StageRule("visited_on", ()),
    Stage.INTENT: StageRule("intent_on", ("planned_investment",)),
    Stage.SIGNED: StageRule("signed_on", ("signed_on", "contract_amount")),
    Stage.LANDED: StageRule("landed_on", ("registered_name", "credit_code")),
}

# Data a stage change may carry besides its note.
TRANSITION_FIELDS = frozenset(
    {
        "visited_on",
        "intent_on",
        "signed_on",
        "landed_on",
        "planned_investment",
        "contract_amount",
        "paid_in",
        "registered_name",
        "credit_code",
        "drop_reason",
        "lost_to",
    }
)

# Fields that only the services set; lead_update refuses them.
SERVICE_FIELDS = frozenset(
    {"id", "code", "stage", "stage_entered_at", "team", "dropped_from", "version", "created"}
)

CODE_PREFIX = "ZS"


def _field_label(field: str) -> str:
    return str(Lead._meta.get_field(field).verbose_name)


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def json_safe(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        elif isinstance(value, Decimal):
            out[key] = f"{value:.2f}"
        elif hasattr(value, "pk"):
            out[key] = value.pk
        else:
            out[key] = value
    return out


def stage_owner_team(stage: str) -> TaskTeam | None:
    """Return the task team that owns `stage`, or None for 终止 or an unconfigured stage."""
    owner = StageOwner.objects.select_related("team").filter(stage=stage).first()
    return owner.team if owner else None


def stage_owner_teams() -> dict[str, TaskTeam]:
    """Return the owning task team of every configured stage, read once (for bulk paths)."""
    return {owner.stage: owner.team for owner in StageOwner.objects.select_related("team")}


def next_team(*, to_stage: str, current, requested, owner):
    """Return the team that holds a lead after a move: the requested one, else the stage's owner.

    A lead that is dropped stays with its team. Works on teams or team ids alike.
    """
    if requested is not None:
        return requested
    if to_stage != Stage.DROPPED:
        return owner or current
    return current


def team_permission_errors(actor, requested) -> dict[str, str]:
    """Return an error unless `actor` may name the owning team himself."""
    if requested is not None and actor is not None and not actor.has_perm("leads.assign_team_lead"):
        return {"team": _("您无权指定负责小分队。")}
    return {}


_CHAR_LIMITS = {
    field.name: field.max_length
    for field in Lead._meta.concrete_fields
    if getattr(field, "max_length", None) and field.get_internal_type() == "CharField"
}


def lead_field_errors(lead, today=None) -> dict[str, str]:
    """Return field errors of an in-memory lead, for the bulk import.

    The checks `full_clean` makes on the fields an import sets, done without
    building a model instance: lengths, the credit code and the rules within
    the row (`lead_row_errors`). Choices, amounts, dates and references are
    checked when the cells are parsed; uniqueness by the importer.
    """
    errors: dict[str, str] = {}
    for name, limit in _CHAR_LIMITS.items():
        value = getattr(lead, name, "")
        if value and len(value) > limit:
            errors[name] = _("%(field)s最多%(limit)d个字符（当前%(length)d个）。") % {
                "field": _field_label(name),
                "limit": limit,
                "length": len(value),
            }
    if lead.credit_code and "credit_code" not in errors:
        try:
            validate_credit_code(lead.credit_code)
        except ValidationError as error:
            errors["credit_code"] = " ".join(error.messages)
    for field, message in lead_row_errors(lead, today).items():
        errors.setdefault(field, str(message))
    # The database's check constraints on what a lead at its stage holds.
    held = {
        Stage.SIGNED: ("signed_on", "contract_amount"),
        Stage.LANDED: (
            "signed_on",
            "contract_amount",
            "landed_on",
            "registered_name",
            "credit_code",
        ),
        Stage.DROPPED: ("drop_reason",),
    }.get(lead.stage, ())
    for field in held:
        if _is_blank(getattr(lead, field)) and field not in errors:
            errors[field] = _("“%(stage)s”阶段的线索须有%(field)s。") % {
                "stage": Stage(lead.stage).label,
                "field": _field_label(field),
            }
    return errors


def lead_move_errors(lead, *, from_stage: Stage, to_stage: Stage, note: str, day) -> dict[str, str]:
    """Validate a move on an in-memory, data-applied lead; set its derived fields and stage.

    Shared by `lead_change_stage` and the bulk import: the pipeline rules of
    DESIGN (what entering and passing each stage needs, how 终止 and its
    restoring work, that a step back needs a reason). Return field errors.
    """
    errors = _plan_move(lead, from_stage, to_stage, note, day)
    lead.stage = to_stage
    return errors


@dataclass
class CreationPlan:
    """What creating a lead at 接洽 and moving it on would do (see `lead_plan_creation`)."""

    errors: dict
    contact_team: object
    final_team: object
    filled_date: str | None


def lead_plan_creation(lead, *, to_stage: str, team, owners: dict, actor, day) -> CreationPlan:
    """Apply to an in-memory lead what `lead_create` would, without saving; return the plan.

    The same steps as `lead_create(stage=to_stage, team=team)`: the lead
    starts at 接洽 with its required data and the owning team of 接洽 (or the
    `team` asked for, which needs the assign permission), then moves through
    `lead_move_errors` to `to_stage`. `owners` maps stages to their teams (or
    team ids), read once by the caller. Used by the bulk import.
    """
    lead.stage = Stage.CONTACT
    errors = lead_creation_errors(lead)
    errors.update(team_permission_errors(actor, team))
    contact_team = team if team is not None else owners.get(Stage.CONTACT)
    final_team, filled = contact_team, None
    if to_stage != Stage.CONTACT and not errors:
        date_field = STAGE_RULES[to_stage].date_field if to_stage in STAGE_RULES else None
        was_blank = date_field is not None and getattr(lead, date_field) is None
        errors.update(
            lead_move_errors(
                lead, from_stage=Stage.CONTACT, to_stage=Stage(to_stage), note="", day=day
            )
        )
        filled = date_field if was_blank else None
        final_team = next_team(
            to_stage=to_stage, current=contact_team, requested=team, owner=owners.get(to_stage)
        )
    return CreationPlan(errors, contact_team, final_team, filled)


def lead_creation_errors(lead) -> dict[str, str]:
    """Return what a new lead (or lead-like object) lacks to be created at 接洽."""
    return _required_errors(lead, [Stage.CONTACT])


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


def _check_moment(lead: Lead, at: datetime) -> None:
    if at > timezone.now() + timezone.timedelta(minutes=1):
        raise InvalidTransition({"at": _("阶段变更时间不能晚于当前时间。")})
    last = lead.transitions.order_by("-at").values_list("at", flat=True).first()
    if last is not None and at < last:
        raise InvalidTransition(
            {
                "at": _("阶段变更时间不能早于上一次变更（%(last)s）。")
                % {"last": timezone.localtime(last).strftime("%Y-%m-%d %H:%M")}
            }
        )


def _required_errors(lead: Lead, stages) -> dict[str, str]:
    errors: dict[str, str] = {}
    for stage in stages:
        for field in STAGE_RULES[stage].required:
            if field == "industry":
                missing = lead.industry_id is None
            else:
                missing = _is_blank(getattr(lead, field))
            if missing and field not in errors:
                errors[field] = _("进入“%(stage)s”阶段须填写%(field)s。") % {
                    "stage": stage.label,
                    "field": _field_label(field),
                }
    return errors


def _plan_move(lead: Lead, from_stage: Stage, to_stage: Stage, note: str, day) -> dict[str, str]:
    """Validate the move on the locked, data-applied lead; set derived fields.

    Return field errors; an empty dict means the move is allowed.
    """
    if from_stage == Stage.DROPPED:
        if to_stage != lead.dropped_from:
            return {
                "stage": _("已终止的线索只能恢复到终止前的阶段“%(stage)s”。")
                % {"stage": Stage(lead.dropped_from).label}
            }
        lead.dropped_from = ""
        lead.drop_reason = ""
        lead.lost_to = ""
        return {}

    if to_stage == Stage.DROPPED:
        if from_stage == Stage.LANDED:
            return {"stage": _("已落地的项目不能终止；如需更正请先退回。")}
        errors = {}
        if _is_blank(lead.drop_reason):
            errors["drop_reason"] = _("终止线索须填写终止原因。")
        elif LOST_TO_OTHER_PLACE in lead.drop_reason and _is_blank(lead.lost_to):
            errors["lost_to"] = _("终止原因为“落户他地”时必须填写落户地。")
        lead.dropped_from = from_stage
        return errors

    step = stage_index(to_stage) - stage_index(from_stage)
    if step < 0:
        if _is_blank(note):
            return {"note": _("退回到前一阶段须说明原因。")}
        return {}

    passed = PIPELINE[stage_index(from_stage) + 1 : stage_index(to_stage) + 1]
    date_field = STAGE_RULES[to_stage].date_field
    if date_field and getattr(lead, date_field) is None:
        setattr(lead, date_field, day)
    return _required_errors(lead, passed)


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
    **data,
) -> Lead:
    """Move `lead` to `to_stage` and record the move; return the updated lead.

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
        _check_moment(locked, at)
        errors = lead_move_errors(
            locked, from_stage=from_stage, to_stage=to_stage, note=note, day=timezone.localdate(at)
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
            data=json_safe(data),
        )
        transaction.on_commit(
            lambda: lead_stage_changed.send(sender=Lead, lead=locked, transition=transition)
        )
    return locked


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
