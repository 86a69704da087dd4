"""The 重点项目推进表 (page and .xlsx), listing a key project, and planning a node's date.

Everyone on staff reads the table; 局领导 (mark_key_lead) list key projects;
whoever may edit a lead (its team, 局领导) plans its nodes, a change with
a reason, every version kept by `lead_plan_node`.
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
from leads.key_projects import COLOUR_LABELS, KeyProjectPages, key_candidates, key_project_rows
from leads.models import Lead
from leads.nodes import NODE_RULES
from leads.pages.edit_views import _next_url
from leads.pages.forms import add_service_errors
from leads.pages.node_forms import PlanNodeForm, SetKeyForm
from leads.pages.node_sheets import build_key_projects_workbook
from leads.permissions import check_lead_allows, require_perm
from leads.services import LeadServiceError, lead_plan_node, lead_set_key

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEARS_BACK = 5
# Key projects listed a page at a time: a city's seeded history holds 300,000.
PAGE_SIZE = 100


def _year(request) -> int:
    """Return ?year= when it is a plausible year, else this year."""
    this_year = timezone.localdate().year
    year = whole_number(request.GET.get("year", ""))
    return year if year is not None and 2000 <= year <= this_year + 5 else this_year


@require_perm("leads.view_lead")
def key_projects(request):
    """Render the 重点项目推进表 of ?year= and, for 局领导, the proposed key projects."""
    year = _year(request)
    this_year = timezone.localdate().year
    with read_snapshot():
        page = Paginator(KeyProjectPages(year), PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
    context = {
        "year": year,
        "this_year": this_year,
        "years": range(this_year + 1, this_year - YEARS_BACK, -1),
        "page": page,
        "query": f"year={year}",
        "nodes": [rule.node for rule in NODE_RULES],
        "legend": COLOUR_LABELS,
        "candidates": key_candidates() if request.user.has_perm("leads.mark_key_lead") else None,
        "next_param": quote(request.get_full_path()),
    }
    return render(request, "leads/key_projects.html", context)


@require_perm("leads.view_lead")
def key_projects_export(request):
    """Download the 重点项目推进表 of ?year= as .xlsx, coloured like the page."""
    year = _year(request)
    buffer = io.BytesIO()
    rows = key_project_rows(year=year)
    build_key_projects_workbook(rows, year=year).save(buffer)
    buffer.seek(0)
    response = FileResponse(buffer, content_type=XLSX)
    filename = f"重点项目推进表_{year}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    export_sent(request=request, kind="key_projects", rows=len(rows), filename=filename)
    return response


@require_perm("leads.mark_key_lead")
def set_key(request, pk):
    """List a project as a key project, or take it off (局领导), through `lead_set_key`."""
    lead = get_object_or_404(Lead, pk=pk)
    back = _next_url(request, reverse("leads:key_projects"))
    if request.method != "POST":
        return redirect(back)
    form = SetKeyForm(request.POST)
    if form.is_valid():
        try:
            lead = lead_set_key(lead=lead, actor=request.user, **form.cleaned_data)
        except LeadServiceError as error:
            add_service_errors(form, error)
    if form.errors:
        for message in (m for messages_ in form.errors.values() for m in messages_):
            messages.error(request, message)
    else:
        text = "已列为重点项目" if lead.is_key else "已取消重点项目"
        messages.success(request, f"{lead.code} {text}。")
    return redirect(back)


@require_perm("leads.change_lead")
def plan_node(request, pk):
    """Set a planned node date (签约/落地/开工/投产) through `lead_plan_node`."""
    lead = get_object_or_404(Lead, pk=pk)
    check_lead_allows(request.user, lead, "can_edit")
    initial = {"node": request.GET.get("node", ""), "version": lead.version}
    form = PlanNodeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        lead.version = form.cleaned_data.pop("version")
        try:
            lead_plan_node(lead=lead, actor=request.user, **form.cleaned_data)
        except LeadServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"已更新 {lead.code} 的节点计划。")
            return redirect(_next_url(request, reverse("leads:detail", args=[pk])))
    context = {
        "form": form,
        "lead": lead,
        "plans": [(rule.node.label, getattr(lead, rule.planned)) for rule in NODE_RULES],
        "next": _next_url(request, ""),
    }
    return render(request, "leads/plan_node_form.html", context, status=400 if form.errors else 200)
