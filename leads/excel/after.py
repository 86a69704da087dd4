"""The lead workbook's columns after 落地: 开工/投产 dates, their planned dates and 重点项目.

They are fields only the services set (SERVICE_FIELDS), so a row's values
for them are not an edit: each goes through the plan the service would
make, applied after the row's edit and stage move (a row moving a lead to
落地 may record its 开工 date too).

- 开工日期 / 投产日期: `plan_milestone_record`, with the lead's row rules
  (only once landed, not in the future, 开工 not before 落地, 投产 not
  before 开工); a recorded date is changed only by someone who may correct
  (`leads.correct_stage_lead`, as on the lead page).
- 计划开工日期 / 计划投产日期: `plan_node`, which keeps every version as a
  NodePlan row. The workbook has no reason column: the import gives the
  file ("Excel导入：台账.xlsx") as the reason, so a ledger may change an
  existing plan, and the NodePlan version names the file it came from.
- 重点项目 (是/否): changed only by someone who may mark key projects
  (`leads.mark_key_lead`, 局领导); otherwise the row is refused.

A blank cell keeps what the lead holds, as in every column.
"""

from __future__ import annotations

from leads.choices import Milestone, Node
from leads.services import EditPlan, proposed
from leads.services.milestones import plan_milestone_record, plan_node, plan_set_key

MILESTONE_COLUMNS = {"started_on": Milestone.STARTED, "in_production_on": Milestone.IN_PRODUCTION}
PLANNED_COLUMNS = {
    "planned_started_on": Node.STARTED,
    "planned_in_production_on": Node.IN_PRODUCTION,
}
KEY_COLUMN = "is_key"
AFTER_FIELDS = (*MILESTONE_COLUMNS, *PLANNED_COLUMNS, KEY_COLUMN)
KEY_REFUSED = "只有局领导可以标记重点项目，您无权通过导入修改“重点项目”。"


def split_after(values: dict) -> dict:
    """Take the after-landing columns out of a row's values; return those not left blank."""
    found = {}
    for name in AFTER_FIELDS:
        if name in values:
            value = values.pop(name)
            if value is not None:
                found[name] = value
    return found


class AfterLanding:
    """Plan a row's after-landing columns for one actor, on one day, with one reason (the file)."""

    def __init__(self, *, actor, day, reason: str):
        self.day = day
        self.reason = reason
        # No actor: a command run on the server, which may do what the system does.
        self.may_correct = actor is None or actor.has_perm("leads.correct_stage_lead")
        self.may_mark_key = actor is None or actor.has_perm("leads.mark_key_lead")

    def plans(self, lead, wanted: dict) -> tuple[list[EditPlan], dict]:
        """Return (the plans setting `wanted` on `lead`, field errors); each reads the one before.

        `lead` is read as the row's earlier plans leave it; values it already
        holds plan nothing.
        """
        plans: list[EditPlan] = []
        errors: dict = {}
        view = lead

        def add(plan):
            nonlocal view
            plans.append(plan)
            view = proposed(view, dict(plan.changes))

        for name, milestone in MILESTONE_COLUMNS.items():
            on = wanted.get(name)
            if on is None or getattr(view, name) == on:
                continue
            plan = plan_milestone_record(
                view, milestone=milestone, on=on, may_correct=self.may_correct, today=self.day
            )
            if plan.errors:
                errors.update({key: message for key, message in plan.errors.items()})
            elif plan.changes:
                add(plan)
        for name, node in PLANNED_COLUMNS.items():
            on = wanted.get(name)
            if on is None or getattr(view, name) == on:
                continue
            plan = plan_node(view, node=node, on=on, reason=self.reason)
            if plan.errors:
                errors[name] = "".join(plan.errors.values())
            elif plan.changes:
                add(plan)
        is_key = wanted.get(KEY_COLUMN)
        if is_key is not None and is_key != view.is_key:
            if self.may_mark_key:
                add(plan_set_key(view, is_key=is_key))
            else:
                errors[KEY_COLUMN] = KEY_REFUSED
        return plans, errors
