"""Reads that apply permissions: who may see and change which leads."""

from django.db.models import Q

from leads.models import Lead, TaskTeam


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
