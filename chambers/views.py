"""Staff pages for chambers and returning entrepreneurs: the 以商招商 scoreboard."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from chambers.models import Chamber, Entrepreneur
from chambers.selectors import chamber_list, entrepreneur_list, referred_leads_conversion
from leads.models import Lead
from leads.permissions import require_perm

PAGE_SIZE = 50


def _referred(request, **lookup):
    leads = Lead.objects.filter(**lookup)
    totals = referred_leads_conversion(leads)
    rows = leads.select_related("industry", "team").order_by("-created", "-id")
    return totals, Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


@require_perm("chambers.view_chamber")
def chamber_list_view(request):
    """Render every chamber with the leads it referred and how far they got."""
    page = Paginator(chamber_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "chambers/chamber_list.html", {"page": page})


@require_perm("chambers.view_chamber")
def chamber_detail_view(request, pk):
    """Render one chamber: contacts, members, referred leads and conversion."""
    chamber = get_object_or_404(Chamber, pk=pk)
    totals, page = _referred(request, chamber=chamber)
    entrepreneurs = chamber.entrepreneurs.order_by("name")
    context = {"chamber": chamber, "totals": totals, "page": page, "entrepreneurs": entrepreneurs}
    return render(request, "chambers/chamber_detail.html", context)


@require_perm("chambers.view_entrepreneur")
def entrepreneur_list_view(request):
    """Render every returning entrepreneur with the leads that came from them."""
    page = Paginator(entrepreneur_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "chambers/entrepreneur_list.html", {"page": page})


@require_perm("chambers.view_entrepreneur")
def entrepreneur_detail_view(request, pk):
    """Render one entrepreneur: where they are, their chamber, referred leads and conversion."""
    entrepreneur = get_object_or_404(Entrepreneur.objects.select_related("chamber"), pk=pk)
    totals, page = _referred(request, entrepreneur=entrepreneur)
    context = {"entrepreneur": entrepreneur, "totals": totals, "page": page}
    return render(request, "chambers/entrepreneur_detail.html", context)
