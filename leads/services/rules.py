"""The pipeline's rules, shared by the single-lead services and the bulk import.

Each function validates or works out what a rule sets; none writes to the
database, none changes the lead it reads. The stage table (what each stage
needs on entering) is `STAGE_RULES`; `leads.services.plans` turns these
rules into the plans both writers apply.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.choices import PIPELINE, Stage
from leads.models import STAGE_HOLDS, Lead, lead_row_errors
from leads.services.counting import record_events
from leads.services.errors import InvalidTransition
from leads.validators import validate_credit_code


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

# The stages whose dates the monthly report counts by: an import that enters
# or passes them must give their dates (DESIGN: no invented dates).
REPORT_DATES = frozenset({Stage.SIGNED, Stage.LANDED})

# Data a stage change may carry besides its note.
TRANSITION_FIELDS = frozenset(
    {
        "visited_on",
        "intent_on",
        "signed_on",
        "landed_on",
        "planned_investment",
        "contract_amount",
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
        # Derived by the plans (duplicate keys) or set by a merge (已合并).
        *("investor_key", "name_key", "credit_key", "merged_into"),
        *(
            "first_signed_on",
            "first_signed_amount",
            "first_signed_entered",
            "first_landed_on",
            "first_landed_entered",
        ),
        # After 落地: set by leads.services.milestones only.
        *(
            "paid_in",
            "is_key",
            "started_on",
            "in_production_on",
            "planned_signed_on",
            "planned_landed_on",
            "planned_started_on",
            "planned_in_production_on",
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


_CHAR_LIMITS = {
    field.name: field.max_length
    for field in Lead._meta.concrete_fields
    if getattr(field, "max_length", None) and field.get_internal_type() == "CharField"
}
# Read in one call per lead: the bulk import checks every row.
_CHAR_VALUES = operator.attrgetter(*_CHAR_LIMITS)
_CHAR_CHECKS = tuple(_CHAR_LIMITS.items())


def lead_field_errors(lead, today=None) -> dict[str, str]:
    """Return field errors of an in-memory lead, for the bulk import.

    The checks `full_clean` makes on the fields an import sets, done without
    building a model instance: lengths, the credit code and the rules within
    the row (`lead_row_errors`). Choices, amounts, dates and references are
    checked when the cells are parsed; uniqueness by the importer.
    """
    errors: dict[str, str] = {}
    for (name, limit), value in zip(_CHAR_CHECKS, _CHAR_VALUES(lead), strict=True):
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
    for field, message in lead_held_errors(lead).items():
        errors.setdefault(field, message)
    return errors


# The STAGE_HOLDS rules by the stage they apply to, so that a lead is checked only against its own.
_HOLDS_AT = {
    stage: tuple(holds for holds in STAGE_HOLDS if stage in holds.stages) for stage in Stage
}


def lead_held_errors(lead) -> dict[str, str]:
    """Return what `lead` lacks for its stage under the lead table's CHECK constraints.

    Built from `STAGE_HOLDS`, the table the constraints themselves are built
    from, so the bulk import refuses a row before the database would.
    """
    errors: dict[str, str] = {}
    for holds in _HOLDS_AT.get(lead.stage, ()):
        for field in holds.missing(lead):
            errors.setdefault(
                field,
                _("“%(stage)s”阶段的线索须有%(field)s。")
                % {"stage": Stage(lead.stage).label, "field": _field_label(field)},
            )
    return errors


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


class Proposed:
    """Read `lead` as it would be with `changes` (by attname) applied, changing neither.

    Build with `proposed()`, which reads through one view however many are stacked.
    """

    __slots__ = ("changes", "lead")

    def __init__(self, lead, changes: dict):
        self.lead = lead
        self.changes = changes

    def __getattr__(self, name):
        changes = self.changes
        return changes[name] if name in changes else getattr(self.lead, name)


def proposed(lead, changes: dict):
    """Return `lead` read with `changes` applied (`lead` itself when there are none).

    A lead that offers `with_changes` (the bulk import's rows) is read
    through the copy it makes, cheaper than reading through a view.
    """
    if not changes:
        return lead
    if isinstance(lead, Proposed):
        return Proposed(lead.lead, {**lead.changes, **changes})
    with_changes = getattr(lead, "with_changes", None)
    if with_changes is not None:
        return with_changes(changes)
    return Proposed(lead, changes)


# Positions along the pipeline, looked up once per move of a bulk import.
_POSITION = {stage: index for index, stage in enumerate(PIPELINE)}


def move_rule_changes(
    lead, *, from_stage: Stage, to_stage: Stage, note: str, day, fill_entered_date: bool = True
):
    """Return (the fields a move sets by the pipeline rules, field errors); change nothing.

    `lead` is read with the move's data applied (a `Proposed` view). The
    rules of DESIGN: what entering and passing each stage needs, how 终止 and
    its restoring work, that a step back needs a reason, and that the stage
    entered gets the day of the move as its date when none is given. A
    person moving a lead now (`fill_entered_date`) has that date default to
    `day`; an import does not, and must give the dates the report counts by
    (`REPORT_DATES`). The first entry into 签约 / 落地 is recorded
    (`record_events`); a correction's voiding is `void_events`, planned by
    `lead_plan_move`.
    """
    if from_stage == Stage.DROPPED:
        if to_stage != lead.dropped_from:
            return {}, {
                "stage": _("已终止的线索只能恢复到终止前的阶段“%(stage)s”。")
                % {"stage": Stage(lead.dropped_from).label}
            }
        return {"dropped_from": "", "drop_reason": "", "lost_to": ""}, {}

    if to_stage == Stage.DROPPED:
        if from_stage == Stage.LANDED:
            return {}, {"stage": _("已落地的项目不能终止；如需更正请先退回。")}
        errors = {}
        if _is_blank(lead.drop_reason):
            errors["drop_reason"] = _("终止线索须填写终止原因。")
        # 落户他地 without the place is a row rule (lead_row_errors), checked next.
        return {"dropped_from": from_stage.value}, errors

    step = _POSITION[to_stage] - _POSITION[from_stage]
    if step < 0:
        if _is_blank(note):
            return {}, {"note": _("退回到前一阶段须说明原因。")}
        return {}, {}

    passed = PIPELINE[_POSITION[from_stage] + 1 : _POSITION[to_stage] + 1]
    date_field = STAGE_RULES[to_stage].date_field
    changes = {}
    if fill_entered_date and date_field and getattr(lead, date_field) is None:
        changes[date_field] = day
    moved = proposed(lead, changes)
    errors = _required_errors(moved, passed)
    if not fill_entered_date:
        errors.update(_report_date_errors(lead, passed, errors))
    if not errors:
        changes.update(record_events(moved, passed, day))
    return changes, errors


def _report_date_errors(lead, passed, errors: dict) -> dict[str, str]:
    """Return the report dates (`REPORT_DATES`) an import's move lacks, beyond `errors`."""
    missing: dict[str, str] = {}
    for stage in passed:
        name = STAGE_RULES[stage].date_field
        if stage in REPORT_DATES and name not in errors and getattr(lead, name) is None:
            missing.setdefault(
                name,
                _("导入进入“%(stage)s”阶段须填写%(field)s（导入不会以今天代替）。")
                % {"stage": stage.label, "field": _field_label(name)},
            )
    return missing


def lead_passed_errors(lead, *, up_to: str) -> dict[str, str]:
    """Return what `lead` lacks to have passed every stage up to `up_to` (for 终止前阶段)."""
    stages = PIPELINE[1 : _POSITION[Stage(up_to)] + 1]
    return _required_errors(lead, stages)
