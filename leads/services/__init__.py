"""Every write with business meaning on leads, and the pipeline rules they apply.

`rules` holds the validation shared with the bulk import; `plans` decides,
from the rules, every value a write sets (a frozen plan); `lifecycle` holds
the writes (create, edit, change stage, hand over), each applying a plan
through the ORM (`codes` gives out lead codes under a lock); `milestones`
the writes after 落地 (node plans, 开工/投产, instalments, key projects,
督办); `duplicates` and `merge` the writes about duplicate leads. The bulk import
applies the same plans through its SQL path.
Import from `leads.services`.
"""

from leads.services.codes import lead_code_next, lead_codes_lock
from leads.services.duplicates import (
    DuplicateSuspected,
    lead_create_checked,
    lead_update_checked,
    likely_duplicates_of,
    not_duplicate_record,
)
from leads.services.errors import EditConflict, InvalidTransition, LeadServiceError
from leads.services.lifecycle import (
    lead_assign_team,
    lead_change_stage,
    lead_create,
    lead_set_credit,
    lead_update,
)
from leads.services.locking import lead_lock_current
from leads.services.merge import MERGE_FIELDS, lead_merge, lead_merge_undo, merge_default_fields
from leads.services.milestones import (
    KEY_PROJECT_AMOUNT,
    key_proposed,
    lead_add_paid_in,
    lead_add_supervision,
    lead_plan_milestone,
    lead_plan_node,
    lead_record_milestone,
    lead_set_key,
)
from leads.services.plans import (
    CreationPlan,
    EditPlan,
    MovePlan,
    lead_plan_assign_team,
    lead_plan_creation,
    lead_plan_edit,
    lead_plan_move,
)
from leads.services.reasons import change_reason
from leads.services.rules import (
    CODE_PREFIX,
    SERVICE_FIELDS,
    STAGE_RULES,
    TRANSITION_FIELDS,
    Proposed,
    StageRule,
    json_safe,
    lead_creation_errors,
    lead_field_errors,
    lead_held_errors,
    lead_passed_errors,
    move_rule_changes,
    proposed,
)
from leads.services.teams import (
    next_team,
    stage_owner_team,
    stage_owner_teams,
    team_permission_errors,
)

__all__ = [
    "CODE_PREFIX",
    "KEY_PROJECT_AMOUNT",
    "MERGE_FIELDS",
    "SERVICE_FIELDS",
    "STAGE_RULES",
    "TRANSITION_FIELDS",
    "CreationPlan",
    "DuplicateSuspected",
    "EditConflict",
    "EditPlan",
    "InvalidTransition",
    "LeadServiceError",
    "MovePlan",
    "Proposed",
    "StageRule",
    "change_reason",
    "json_safe",
    "key_proposed",
    "lead_add_paid_in",
    "lead_add_supervision",
    "lead_assign_team",
    "lead_change_stage",
    "lead_code_next",
    "lead_codes_lock",
    "lead_create",
    "lead_create_checked",
    "lead_creation_errors",
    "lead_field_errors",
    "lead_held_errors",
    "lead_lock_current",
    "lead_merge",
    "lead_merge_undo",
    "lead_passed_errors",
    "lead_plan_assign_team",
    "lead_plan_creation",
    "lead_plan_edit",
    "lead_plan_milestone",
    "lead_plan_move",
    "lead_plan_node",
    "lead_record_milestone",
    "lead_set_credit",
    "lead_set_key",
    "lead_update",
    "lead_update_checked",
    "likely_duplicates_of",
    "merge_default_fields",
    "move_rule_changes",
    "next_team",
    "not_duplicate_record",
    "proposed",
    "stage_owner_team",
    "stage_owner_teams",
    "team_permission_errors",
]
