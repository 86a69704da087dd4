"""The pipeline's data: industries, task teams, leads, their stage history and activities.

One module per concern: `reference` (industries, teams, units, stage owners, targets),
`lead` (the lead and its row rules), `history` (stage transitions, activities)
`milestones` (node plans, paid-in instalments, 督办 notes after 落地),
`jobs` (background imports), `snapshots` (locked reports) and `tally` (the stage
tally). Import models from `leads.models`.
"""

from leads.models.duplicates import DuplicateKey, LeadMerge, NotDuplicate, NotDuplicateSource
from leads.models.history import Activity, StageTransition
from leads.models.jobs import AdminUpload, ImportJob
from leads.models.lead import (
    AMOUNT,
    DATED_FIELDS,
    MILESTONE_DATE_FIELDS,
    STAGE_DATE_FIELDS,
    STAGE_HOLDS,
    Lead,
    StageChoicesBase,
    StageHolds,
    lead_row_errors,
    stage_date_errors,
)
from leads.models.milestones import NodePlan, PaidIn, SupervisionNote
from leads.models.reference import (
    AnnualTarget,
    Industry,
    IndustryAlias,
    IndustryManager,
    StageOwner,
    TaskTeam,
    TaskTeamManager,
    Unit,
)
from leads.models.snapshots import ReportSnapshot
from leads.models.tally import ReportImage, ReportTally, StageTally

__all__ = [
    "AMOUNT",
    "DATED_FIELDS",
    "MILESTONE_DATE_FIELDS",
    "STAGE_DATE_FIELDS",
    "STAGE_HOLDS",
    "Activity",
    "AdminUpload",
    "AnnualTarget",
    "DuplicateKey",
    "ImportJob",
    "Industry",
    "IndustryAlias",
    "IndustryManager",
    "Lead",
    "LeadMerge",
    "NodePlan",
    "NotDuplicate",
    "NotDuplicateSource",
    "PaidIn",
    "ReportImage",
    "ReportSnapshot",
    "ReportTally",
    "StageChoicesBase",
    "StageHolds",
    "StageOwner",
    "StageTally",
    "StageTransition",
    "SupervisionNote",
    "TaskTeam",
    "TaskTeamManager",
    "Unit",
    "lead_row_errors",
    "stage_date_errors",
]
