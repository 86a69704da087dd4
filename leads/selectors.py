"""Reads that apply permissions: who may see and change which leads, and how."""

from dataclasses import dataclass

from django.db.models import Q

from leads.choices import PIPELINE, Stage, stage_index
from leads.models import Lead, TaskTeam
from leads.services.rules import STAGE_RULES


def user_team_ids(user) -> set[int]:
    """Return the ids of the task teams `user` leads or belongs to."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_crm_team_ids", None)
    if cached is None:
        cached = set(
            TaskTeam.objects.filter(Q(members=user) | Q(leader=user)).values_list("id", flat=True)
        )
        user._crm_team_ids = cached
    return cached


def lead_can_change(user, lead: Lead) -> bool:
    """Return whether `user` may edit `lead`, move its stage or log activities on it.

    局领导 (permission manage_all_lead) change every lead; team leaders and
    members change the leads their team owns; read-only users change none.
    """
    if not user.is_authenticated or not user.has_perm("leads.change_lead"):
        return False
    if user.has_perm("leads.manage_all_lead"):
        return True
    return lead.team_id is not None and lead.team_id in user_team_ids(user)


def lead_list_changeable(user, queryset=None):
    """Return the leads `user` may change, as a queryset."""
    queryset = Lead.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.has_perm("leads.change_lead"):
        return queryset.none()
    if user.has_perm("leads.manage_all_lead"):
        return queryset
    return queryset.filter(team_id__in=user_team_ids(user))


@dataclass(frozen=True)
class LeadMoves:
    """What a user may do to a lead now; views, forms and templates ask it.

    The stage buttons (`forward`, `back`, `drop`, `reopen`) are set only for
    a user who may change the lead's stage; the service still checks the
    data each move needs.
    """

    forward: Stage | None = None
    back: Stage | None = None
    drop: bool = False
    reopen: Stage | None = None
    can_edit: bool = False
    can_log_activity: bool = False
    can_assign_team: bool = False

    @property
    def can_move(self) -> bool:
        """Return whether the user may change the lead's stage at all."""
        return bool(self.forward or self.back or self.drop or self.reopen)


def _pipeline_moves(stage: str, dropped_from: str) -> dict:
    """Return the moves the pipeline allows from `stage` (DESIGN: pipeline rules).

    One step forward or back along PIPELINE; 终止 from any stage before
    落地; a dropped lead only back to the stage it was dropped from.
    """
    if stage == Stage.DROPPED:
        return {"reopen": Stage(dropped_from)}
    index = stage_index(stage)
    return {
        "forward": PIPELINE[index + 1] if index + 1 < len(PIPELINE) else None,
        "back": PIPELINE[index - 1] if index > 0 else None,
        "drop": stage != Stage.LANDED,
    }


def lead_available_moves(*, lead, user) -> LeadMoves:
    """Return what `user` may do to `lead` now: stage moves, edit, log activity, assign team.

    `lead` is a Lead or any object with its `stage`, `team_id` and (for a
    dropped lead) `dropped_from`, such as a board card. Changing anything
    needs `lead_can_change`; each action also its own permission.
    """
    if not lead_can_change(user, lead):
        return LeadMoves()
    moves = {}
    if user.has_perm("leads.change_stage_lead"):
        moves = _pipeline_moves(lead.stage, getattr(lead, "dropped_from", ""))
    return LeadMoves(
        **moves,
        can_edit=True,
        can_log_activity=user.has_perm("leads.add_activity"),
        can_assign_team=user.has_perm("leads.assign_team_lead"),
    )


@dataclass(frozen=True)
class MoveFields:
    """The data a move's form asks for, read from the rules' table `STAGE_RULES`."""

    asked: tuple[str, ...] = ()
    required: frozenset[str] = frozenset()
    # The entered stage's date: the day of the move when left blank.
    defaulted: str | None = None
    # Moving back or reopening: the note must give the reason.
    reason_needed: bool = False


# Optional data a page also offers when a lead enters a stage (no rule needs it).
ENTERING_OPTIONAL: dict[str, tuple[str, ...]] = {}
# 终止 needs a reason; 落户他地 also the place it went (the row rule).
DROP_FIELDS = MoveFields(asked=("drop_reason", "lost_to"), required=frozenset({"drop_reason"}))


def lead_move_fields(*, lead, to_stage: str) -> MoveFields:
    """Return what a move of `lead` to `to_stage` asks for.

    Forward: the entered stage's date and what every passed stage requires
    (STAGE_RULES), plus the optional data of the entered stage. Dropping:
    the reason and, for 落户他地, where it went. Back or reopening: a reason.
    """
    if to_stage == Stage.DROPPED:
        return DROP_FIELDS
    if lead.stage == Stage.DROPPED:
        return MoveFields(reason_needed=True)
    step = stage_index(to_stage) - stage_index(lead.stage)
    if step <= 0:
        return MoveFields(reason_needed=step < 0)
    passed = PIPELINE[stage_index(lead.stage) + 1 : stage_index(to_stage) + 1]
    date_field = STAGE_RULES[to_stage].date_field
    asked: list[str] = []
    for stage in passed:
        own_date = (STAGE_RULES[stage].date_field,) if stage == to_stage else ()
        asked += [name for name in (*own_date, *STAGE_RULES[stage].required) if name not in asked]
    asked += ENTERING_OPTIONAL.get(to_stage, ())
    required = frozenset(name for stage in passed for name in STAGE_RULES[stage].required)
    return MoveFields(asked=tuple(asked), required=required, defaulted=date_field)


def stage_data_fields(stage: str) -> tuple[str, ...]:
    """Return the data a lead records on entering `stage`: its date and required fields."""
    rule = STAGE_RULES[stage]
    own_date = (rule.date_field,) if rule.date_field else ()
    return tuple(dict.fromkeys((*own_date, *rule.required)))
