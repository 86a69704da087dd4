"""Shell pages of the project: the dashboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from leads.dashboard import dashboard_get


@login_required
def home(request):
    """Render the dashboard: targets, pipeline, my team's queue, what is due and stalled.

    A user given no role yet is told so, with 403, and sees no data.
    """
    if not request.user.has_perm("leads.view_lead"):
        return render(request, "no_role.html", status=403)
    return render(request, "home.html", dashboard_get(request.user))
