"""The 督办 list (late nodes), its Excel download, and a 督办 note by 局领导.

The list is bureau-wide: every staff role reads it (permission view_lead),
like the lead list; ?team= narrows it to one responsible team.
"""

import io
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from crm.numbers import whole_number
from crm.snapshot import read_snapshot
from crm.spreadsheets.signals import export_sent
from leads.models import Lead, TaskTeam
from leads.overdue import (
    DEFAULT_SORT,
    MostLateFirst,
    SortedByColumn,
    overdue_nodes,
    overdue_sorted,
    sort_applied,
)
from leads.pages.edit_views import _next_url
from leads.pages.forms import add_service_errors
from leads.pages.node_forms import SupervisionForm
from leads.pages.node_sheets import write_overdue_workbook
from leads.permissions import require_perm
from leads.services import LeadServiceError, lead_add_supervision

PAGE_SIZE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _team_id(request) -> int | None:
    return whole_number(request.GET.get("team", ""))


def _rows(request):
    """Return (sort applied, sorted rows, team id) for the list's query string."""
    team_id = _team_id(request)
    sort, rows = overdue_sorted(overdue_nodes(team_id=team_id), request.GET.get("o", ""))
    return sort, rows, team_id


@require_perm("leads.view_lead")
def overdue_list(request):
    """Render the 督办 list: late nodes and signed projects past the 签约 time limit."""
    team_id, sort = _team_id(request), sort_applied(request.GET.get("o"))
    with read_snapshot():
        rows = MostLateFirst(team_id) if sort == DEFAULT_SORT else SortedByColumn(team_id, sort)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    unsorted = query.copy()
    unsorted.pop("o", None)
    context = {
        "page": page,
        "sort": sort,
        "team_id": team_id,
        "teams": TaskTeam.objects.order_by("name"),
        "query": query.urlencode(),
        "query_unsorted": unsorted.urlencode(),
        "today": timezone.localdate(),
        "next_param": quote(request.get_full_path()),
    }
    return render(request, "leads/overdue_nodes.html", context)


@require_perm("leads.view_lead")
def overdue_export(request):
    """Download the 督办 list's rows, as filtered and sorted on the page, as .xlsx."""
    _sort, rows, _team = _rows(request)
    buffer = io.BytesIO()
    write_overdue_workbook(buffer, rows)
    buffer.seek(0)
    response = FileResponse(buffer, content_type=XLSX)
    filename = f"督办清单_{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    export_sent(request=request, kind="overdue_nodes", rows=len(rows), filename=filename)
    return response


@require_perm("leads.supervise_lead")
def supervision_add(request, pk):
    """Add a 督办 note with a deadline to a lead (局领导) through `lead_add_supervision`."""
    lead = get_object_or_404(Lead.objects.select_related("team"), pk=pk)
    initial = {"node": request.GET.get("node", "")}
    form = SupervisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lead_add_supervision(lead=lead, actor=request.user, **form.cleaned_data)
        except LeadServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"已对 {lead.code} 下达督办意见。")
            return redirect(_next_url(request, reverse("leads:detail", args=[pk])))
    status = 400 if form.errors else 200
    context = {"form": form, "lead": lead, "next": _next_url(request, "")}
    return render(request, "leads/supervision_form.html", context, status=status)
