"""The audit log page, for 局领导."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from audit.filters import AuditEventFilter
from audit.models import AuditEvent

PAGE_SIZE = 50


@login_required
def event_list(request):
    """Render the filtered, paginated audit log, newest first."""
    if not request.user.has_perm("audit.view_auditevent"):
        raise PermissionDenied
    event_filter = AuditEventFilter(
        request.GET or None, queryset=AuditEvent.objects.select_related("user")
    )
    page = Paginator(event_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": event_filter, "page": page, "query": query.urlencode()}
    return render(request, "audit/event_list.html", context)
