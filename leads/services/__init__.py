"""Every write with business meaning on leads, and the pipeline rules they apply.

`lifecycle` holds the writes (create, edit, change stage, hand over);
`rules` holds the validation and planning shared with the bulk import.
Import from `leads.services`.
"""

from leads.services.lifecycle import (
    lead_assign_team,
    lead_change_stage,
    lead_code_next,
    lead_create,
    lead_set_credit,
    lead_update,
)
from leads.services.rules import (
    CODE_PREFIX,
    SERVICE_FIELDS,
    STAGE_RULES,
    TRANSITION_FIELDS,
    CreationPlan,
    EditConflict,
    InvalidTransition,
    LeadServiceError,
    StageRule,
    json_safe,
    lead_creation_errors,
    lead_field_errors,
    lead_move_errors,
    lead_plan_creation,
    next_team,
    stage_owner_team,
    stage_owner_teams,
    team_permission_errors,
)

__all__ = [
    "CODE_PREFIX",
    "SERVICE_FIELDS",
    "STAGE_RULES",
    "TRANSITION_FIELDS",
    "CreationPlan",
    "EditConflict",
    "InvalidTransition",
    "LeadServiceError",
    "StageRule",
    "json_safe",
    "lead_assign_team",
    "lead_change_stage",
    "lead_code_next",
    "lead_create",
    "lead_creation_errors",
    "lead_field_errors",
    "lead_move_errors",
    "lead_plan_creation",
    "lead_set_credit",
    "lead_update",
    "next_team",
    "stage_owner_team",
    "stage_owner_teams",
    "team_permission_errors",
]
