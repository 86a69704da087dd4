"""Staff pages for leads."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from leads.filters import LeadFilter
from leads.models import Lead

PAGE_SIZE = 50


@login_required
def lead_list(request):
    """Render the filtered, paginated lead list."""
    queryset = Lead.objects.select_related("industry", "team").order_by("-created", "-id")
    lead_filter = LeadFilter(request.GET or None, queryset=queryset)
    page = Paginator(lead_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "leads/lead_list.html", {"filter": lead_filter, "page": page})


@login_required
def lead_detail(request, pk):
    """Render one lead with its stage history."""
    lead = get_object_or_404(Lead.objects.select_related("industry", "team"), pk=pk)
    transitions = lead.transitions.select_related("actor", "to_team")
    return render(request, "leads/lead_detail.html", {"lead": lead, "transitions": transitions})
