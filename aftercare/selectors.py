"""Reads that apply permissions: who may see and act on which problems."""

from __future__ import annotations

from django.db.models import Q

from aftercare.models import Enterprise, Problem
from leads.selectors import user_team_ids

VIEW_PERM = "aftercare.view_problem"
ACT_PERM = "aftercare.change_status_problem"
ALL_PERM = "aftercare.manage_all_problem"


def problem_can_act(user, problem: Problem) -> bool:
    """Return whether `user` may move `problem` or edit it.

    局领导 (manage_all_problem) act on every problem; the members and the
    leader of the responsible task team, and the problem's handler, act on
    theirs; read-only users act on none. A problem assigned to a unit
    (leads.Unit, which has no members) or to an outside department (free
    text) and to no team is acted on by its handler and the 局领导.
    """
    if not user.is_authenticated or not user.has_perm(ACT_PERM):
        return False
    if user.has_perm(ALL_PERM):
        return True
    if problem.handler_id is not None and problem.handler_id == user.pk:
        return True
    return problem.responsible_team_id is not None and (
        problem.responsible_team_id in user_team_ids(user)
    )


def problem_list_actionable(user, queryset=None):
    """Return the problems `user` may act on, as a queryset."""
    queryset = Problem.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.has_perm(ACT_PERM):
        return queryset.none()
    if user.has_perm(ALL_PERM):
        return queryset
    return queryset.filter(Q(responsible_team_id__in=user_team_ids(user)) | Q(handler=user))


def problem_list(*, filters=None):
    """Return problems with what the ledger list shows, joined in one query."""
    return Problem.objects.select_related(
        "enterprise", "responsible_team", "responsible_unit", "handler"
    )


def enterprise_get(pk: int) -> Enterprise:
    return Enterprise.objects.select_related("lead", "liaison").get(pk=pk)
