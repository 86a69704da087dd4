"""Decide what one workbook row does to its lead, by asking the services' planning functions.

A new row gets a `CreationPlan` (`lead_plan_creation`); a matched row gets
the plans `lead_update`, `lead_change_stage` and `lead_assign_team` would
apply (`lead_plan_edit`, `lead_plan_move`, `lead_plan_assign_team`), in that
order. The import decides only how its cells are read: which team a team
cell asks for, which fields a row changes, who may import what. An import
invents no stage date (`fill_entered_date=False`: DESIGN).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone, translation

from leads.choices import Stage
from leads.excel.after import AfterLanding, split_after
from leads.excel.rows import NEW_LEAD, ONLY_DROPPED, LeadRow, updated_dropped_from
from leads.models import TaskTeam
from leads.selectors import user_team_ids
from leads.services import (
    TRANSITION_FIELDS,
    CreationPlan,
    EditPlan,
    MovePlan,
    lead_field_errors,
    lead_plan_assign_team,
    lead_plan_creation,
    lead_plan_edit,
    lead_plan_move,
    next_team,
    proposed,
    stage_owner_teams,
    team_permission_errors,
)


@dataclass(slots=True)
class Creation:
    row: int
    lead: LeadRow  # the row's data; the writer applies `plan` to it
    plan: CreationPlan
    # Plans applied once created: the after-landing columns, the 到位资金 sheet's instalments.
    after: list[EditPlan] = field(default_factory=list)

    @property
    def plans(self) -> tuple:
        """Return every plan of the new lead, in the order they are applied."""
        return (*self.plan.steps, *self.after)


@dataclass(slots=True)
class Update:
    row: int
    lead: LeadRow  # the lead as read; the writer applies `plans` to it, oldest first
    version: int  # the version read, checked again under lock before writing
    plans: list[EditPlan] = field(default_factory=list)
    changed: list = field(default_factory=list)
    # The sheet of `row` when it is not the lead sheet (an update only the 到位资金 sheet asks for).
    sheet: str = ""

    @property
    def move(self) -> MovePlan | None:
        return next((plan for plan in self.plans if isinstance(plan, MovePlan)), None)


class RowContext:
    """What every row's plan reads: the actor and his rights, the moment, the stage owners."""

    def __init__(self, *, actor, at, reason: str = ""):
        self.actor = actor
        self.at = at
        self.day = timezone.localdate(at)
        self.language = translation.get_language()
        self.owners = {stage: team.pk for stage, team in stage_owner_teams().items()}
        self.team_names = dict(TaskTeam.objects.values_list("pk", "name"))
        self.manage_all = actor is None or actor.has_perm("leads.manage_all_lead")
        self.may_change = actor is None or actor.has_perm("leads.change_lead")
        self.may_move = actor is None or actor.has_perm("leads.change_stage_lead")
        self.actor_teams = set() if actor is None else user_team_ids(actor)
        self.after = AfterLanding(actor=actor, day=self.day, reason=reason)


def _view(lead: LeadRow, plans):
    """Return `lead` read as `plans` leave it (later plans win, as when applied in order)."""
    changes: dict = {}
    for plan in plans:
        changes.update(plan.changes)
    return proposed(lead, changes)


def _final_errors(lead: LeadRow, plans, day) -> dict:
    """Return the field errors of `lead` as it will be once `plans` are applied.

    Reads the row through a view of the plans' changes (later plans win, as
    when applied in order) instead of copying it: the writer applies them.
    """
    changes: dict = {}
    for plan in plans:
        changes.update(plan.changes)
    return lead_field_errors(proposed(lead, changes), day)


def creation_step(ctx: RowContext, row: int, values: dict) -> tuple[Creation | None, dict]:
    """Plan a new lead from a row's values; return (the step, field errors)."""
    to_stage = values.pop("stage") or Stage.CONTACT
    after = split_after(values)
    team_id = values.pop("team_id", None)
    dropped_from = values.pop("dropped_from", "")
    if dropped_from and to_stage != Stage.DROPPED:
        return None, {"dropped_from": ONLY_DROPPED}
    lead = LeadRow({**NEW_LEAD, **values})
    lead.created = lead.modified = ctx.at
    natural = next_team(
        to_stage=to_stage,
        current=ctx.owners.get(Stage.CONTACT),
        requested=None,
        owner=ctx.owners.get(to_stage),
    )
    # Naming the team the stage would hand the lead to anyway asks for nothing.
    requested = team_id if team_id is not None and team_id != natural else None
    plan = lead_plan_creation(
        lead,
        to_stage=to_stage,
        at=ctx.at,
        day=ctx.day,
        team=requested,
        owners=ctx.owners,
        actor=ctx.actor,
        language=ctx.language,
        fill_entered_date=False,
        dropped_from=dropped_from,
    )
    errors = dict(plan.errors)
    more: list = []
    if after and not errors:
        more, errors = ctx.after.plans(_view(lead, plan.steps), after)
    errors = errors or _final_errors(lead, (*plan.steps, *more), ctx.day)
    if errors:
        return None, errors
    return Creation(row, lead, plan, more), {}


def _requested_team(ctx: RowContext, team_id, to_stage, existing: dict, moving: bool):
    """Return the team a matched row's team cell asks for, or None.

    The cell asks for a hand-over only when it names neither the current
    team (an unedited cell) nor the one the move hands over to.
    """
    if team_id is None:
        return None
    natural = existing["team_id"]
    if moving:
        natural = next_team(
            to_stage=to_stage, current=natural, requested=None, owner=ctx.owners.get(to_stage)
        )
    return None if team_id in (natural, existing["team_id"]) else team_id


def _update_refusals(ctx: RowContext, existing: dict, moving: bool, requested) -> dict:
    """Return what the actor may not do to a matched lead through the import."""
    errors = {}
    if not ctx.may_change or not (ctx.manage_all or existing["team_id"] in ctx.actor_teams):
        team = ctx.team_names.get(existing["team_id"], "无")
        errors["code"] = (
            f"线索 {existing['code']} 由“{team}”负责，您无权通过导入修改其他小分队的线索。"
        )
    if moving and not ctx.may_move:
        errors["stage"] = "您无权变更线索阶段。"
    errors.update(team_permission_errors(ctx.actor, requested))
    return errors


def _update_plans(ctx: RowContext, lead: LeadRow, values: dict, changed, to_stage, requested):
    """Return (the plans of a matched row, oldest first, field errors): edit, then move or team."""
    plans: list[EditPlan] = []
    view = lead
    if changed:
        fields = {name: values[name] for name in changed}
        plans.append(lead_plan_edit(lead, fields=fields, language=ctx.language))
        view = proposed(lead, dict(plans[-1].changes))
    if to_stage != lead.stage:
        move = lead_plan_move(
            view,
            to_stage=to_stage,
            at=ctx.at,
            day=ctx.day,
            data={name: values[name] for name in changed if name in TRANSITION_FIELDS},
            team=requested,
            owner=ctx.owners.get(to_stage),
            actor=ctx.actor,
            language=ctx.language,
            fill_entered_date=False,
        )
        errors = dict(move.errors)
        if "note" in errors:
            errors["note"] = "导入不能把线索退回到前一阶段，请在线索页面退回并说明原因。"
        plans.append(move)
        return plans, errors
    if requested is not None:
        name = ctx.team_names.get(requested, "")
        plans.append(
            lead_plan_assign_team(
                view, team=requested, team_name=name, actor=ctx.actor, language=ctx.language
            )
        )
    return plans, {}


def update_step(ctx: RowContext, row: int, values: dict, existing: dict):
    """Plan a matched row; return (the step, or None when the row changes nothing, errors)."""
    to_stage = values.pop("stage") or existing["stage"]
    team_id = values.pop("team_id", None)
    after = {name: v for name, v in split_after(values).items() if existing[name] != v}
    problem = updated_dropped_from(existing, to_stage, values.pop("dropped_from", ""))
    if problem:
        return None, {"dropped_from": problem}
    # A blank cell keeps what the system holds: a ledger that lacks a
    # detail entered on the web must not erase it.
    values = {name: value for name, value in values.items() if value not in ("", None)}
    changed = [name for name, value in values.items() if existing[name] != value]
    moving = to_stage != existing["stage"]
    requested = _requested_team(ctx, team_id, to_stage, existing, moving)
    if not changed and not moving and requested is None and not after:
        return None, {}
    errors = _update_refusals(ctx, existing, moving, requested)
    if errors:
        return None, errors
    lead = LeadRow(existing)
    lead.modified = ctx.at
    plans, errors = _update_plans(ctx, lead, values, changed, to_stage, requested)
    if after and not errors:
        more, errors = ctx.after.plans(_view(lead, plans), after)
        plans.extend(more)
    errors = errors or _final_errors(lead, plans, ctx.day)
    if errors:
        return None, errors
    changed.extend(after)
    return Update(row=row, lead=lead, version=existing["version"], plans=plans, changed=changed), {}
