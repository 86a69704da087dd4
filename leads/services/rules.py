"""The pipeline's rules, shared by the single-lead services and the bulk import.

Each function validates or plans; none writes to the database. The stage
table (what each stage needs on entering) is `STAGE_RULES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.choices import PIPELINE, Stage, stage_index
from leads.models import Lead, StageOwner, TaskTeam, lead_row_errors
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
    {
        "id",
        "code",
        "stage",
        "stage_entered_at",
        "team",
        "dropped_from",
        "version",
        "created",
        "credit_team",
        *(
            "first_signed_on",
            "first_signed_amount",
            "first_signed_entered",
            "first_landed_on",
            "first_landed_entered",
        ),
    }
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


def lead_move_errors(
    lead, *, from_stage: Stage, to_stage: Stage, note: str, day, correction: bool = False
) -> dict[str, str]:
    """Validate a move on an in-memory, data-applied lead; set its derived fields and stage.

    Shared by `lead_change_stage` and the bulk import: the pipeline rules of
    DESIGN (what entering and passing each stage needs, how 终止 and its
    restoring work, that a step back needs a reason). Also records the
    counted events (`record_events`) and, for a correction, voids them.
    Return field errors.
    """
    errors = _plan_move(lead, from_stage, to_stage, note, day, correction)
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
    # Credit goes to the team at capture (首谈), as lead_create gives it.
    lead.credit_team_id = getattr(contact_team, "pk", contact_team)
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


def check_moment(lead: Lead, at: datetime) -> None:
    """Refuse a move dated in the future or before the lead's previous move."""
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


def record_events(lead, passed, day) -> None:
    """Record on the lead its first entry into 签约 / 落地 (the report's counted events).

    The first signing keeps its 签约日期 and 签约投资额 as they were on
    entering, whatever happens later (a drop, a move back, an edit); only a
    correction (`void_events`) clears them. `day` is the day it was recorded.
    """
    if Stage.SIGNED in passed and lead.first_signed_on is None:
        lead.first_signed_on = lead.signed_on
        lead.first_signed_amount = lead.contract_amount
        lead.first_signed_entered = day
    if Stage.LANDED in passed and lead.first_landed_on is None:
        lead.first_landed_on = lead.landed_on
        lead.first_landed_entered = day


def void_events(lead, to_stage: Stage) -> dict:
    """Clear the counted events a correction back to `to_stage` undoes; return what was cleared.

    A correction says the stages left were entered by mistake: their counted
    events and their stage dates are removed (a later real signing counts anew).
    """
    voided = {}
    undo = [Stage.LANDED]
    if stage_index(to_stage) < stage_index(Stage.SIGNED):
        undo.append(Stage.SIGNED)
    if Stage.LANDED in undo and lead.first_landed_on is not None:
        voided["landed_on"] = lead.first_landed_on
        voided["landed_amount"] = lead.first_signed_amount
        lead.first_landed_on = lead.first_landed_entered = None
        lead.landed_on = None
    if Stage.SIGNED in undo and lead.first_signed_on is not None:
        voided["signed_on"] = lead.first_signed_on
        voided["signed_amount"] = lead.first_signed_amount
        lead.first_signed_on = lead.first_signed_amount = lead.first_signed_entered = None
        lead.signed_on = None
    return voided


def correction_errors(actor, *, from_stage: Stage, to_stage: Stage) -> dict[str, str]:
    """Return why a move may not be marked as a correction: only 局领导, only a move back."""
    if actor is None or not actor.has_perm("leads.correct_stage_lead"):
        return {"correction": _("只有局领导可以把退回标记为更正误录。")}
    if Stage.DROPPED in (from_stage, to_stage) or stage_index(to_stage) >= stage_index(from_stage):
        return {"correction": _("只有退回到前一阶段才能标记为更正误录。")}
    return {}


def _plan_move(
    lead: Lead, from_stage: Stage, to_stage: Stage, note: str, day, correction: bool = False
) -> dict[str, str]:
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
        # 落户他地 without the place is a row rule (lead_row_errors), checked next.
        lead.dropped_from = from_stage
        return errors

    step = stage_index(to_stage) - stage_index(from_stage)
    if step < 0:
        if _is_blank(note):
            return {"note": _("退回到前一阶段须说明原因。")}
        if correction:
            void_events(lead, to_stage)
        return {}

    passed = PIPELINE[stage_index(from_stage) + 1 : stage_index(to_stage) + 1]
    date_field = STAGE_RULES[to_stage].date_field
    if date_field and getattr(lead, date_field) is None:
        setattr(lead, date_field, day)
    errors = _required_errors(lead, passed)
    if not errors:
        record_events(lead, passed, day)
    return errors
