"""The ledger's dashboard tile, included by the home page without leads importing aftercare."""

from django import template
from django.db.models import Count
from django.utils import timezone

from aftercare.querysets import overdue_q
from aftercare.selectors import VIEW_PERM, problem_list_actionable

register = template.Library()
TILE_ROWS = 5


@register.inclusion_tag("aftercare/_dashboard_tile_body.html", takes_context=True)
def problem_dashboard_tile(context):
    """Render the user's open problems and the overdue ones among them."""
    user = context["request"].user
    if not user.has_perm(VIEW_PERM):
        return {"show": False}
    today = timezone.localdate()
    mine = problem_list_actionable(user).open()
    counts = mine.aggregate(open=Count("pk"), overdue=Count("pk", filter=overdue_q(today)))
    overdue = mine.filter(overdue_q(today)).select_related("enterprise").order_by("deadline")
    return {
        "show": True,
        "open_count": counts["open"],
        "overdue_count": counts["overdue"],
        "overdue": overdue[:TILE_ROWS],
    }
