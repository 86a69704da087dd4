"""Which task team holds a lead: the stage owners, the hand-over on a move, who may choose."""

from django.utils.translation import gettext as _

from leads.choices import Stage
from leads.models import StageOwner, TaskTeam


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
