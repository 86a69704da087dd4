"""Staff pages that read leads: dashboard, list, board, detail."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from leads.filters import LeadFilter
from leads.models import Lead, LeadMerge
from leads.pages.after_landing import after_landing_context
from leads.pages.alerts import StageLimits
from leads.pages.board import COLUMN_SIZE, board_columns, board_dropped
from leads.pages.dashboard import dashboard_get
from leads.pages.forms import ActivityForm
from leads.pages.timeline import lead_detail_queryset, lead_field_changes, lead_timeline
from leads.permissions import require_perm
from leads.selectors import lead_available_moves
from leads.tally import live_lead_count

PAGE_SIZE = 50
# A keyword search lists at most this many matches and counts no further: its
# LIKE '%…%' uses no index, so counting every match read every lead (0.43 s of
# the 0.47 s page at 1,000,000 leads for "鼎盛", which one lead in ten matches).
SEARCH_LISTED = 1000

# Sortable columns of the list: query value → ordering; "-" prefix reverses.
SORTS = {
    "code": "code",
    "name": "name",
    "investor": "investor",
    "industry": "industry__order",
    "stage": "stage",
    "team": "team__name",
    "amount": "contract_amount",
    "planned": "planned_investment",
    "signed_on": "signed_on",
    "landed_on": "landed_on",
    "waiting": "-stage_entered_at",
    "follow_up": "next_follow_up",
}


def _ordering(value: str) -> tuple[str, list[str]]:
    key = (value or "").lstrip("-")
    if key not in SORTS:
        return "", ["-id"]
    field = SORTS[key]
    if value.startswith("-"):
        field = field[1:] if field.startswith("-") else f"-{field}"
    # Ties by id in the sort's direction: one index on (column, id) serves both ways.
    return value, [field, "-id" if field.startswith("-") else "id"]


def _filtered(request):
    queryset = Lead.objects.select_related("industry", "team")
    lead_filter = LeadFilter(request.GET or None, queryset=queryset)
    compact_filter_form(lead_filter.form)
    return lead_filter


def compact_filter_form(form) -> None:
    """Fit the filter form on one line: checkbox drop-downs, "全部" for no choice."""
    for name in ("stage", "industry", "source"):
        field = form.fields[name]
        field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
    for name in ("team", "chamber", "entrepreneur"):
        form.fields[name].empty_label = "全部"
    origin = form.fields["origin_type"]
    origin.empty_label = "全部"
    origin.choices = [c for c in origin.choices if c[0] != ""]
    form.fields["stalled"].widget = forms.Select(
        choices=[("", "全部"), ("true", "仅滞留（超期）"), ("false", "未滞留")]
    )


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@login_required
def home(request):
    """Render the dashboard: targets, pipeline, my team's queue, what is due and stalled.

    A user given no role yet is told so, with 403, and sees no data.
    """
    if not request.user.has_perm("leads.view_lead"):
        return render(request, "no_role.html", status=403)
    return render(request, "home.html", dashboard_get(request.user))


class ListPaginator(Paginator):
    """The lead list's paginator; `capped` when a keyword search counted no further
    than the matches it lists (the page says so)."""

    capped = False


def _list_paginator(lead_filter, queryset) -> ListPaginator:
    """Return the list's paginator; the number of all leads or one team's from the tally,
    a keyword search's matches up to SEARCH_LISTED (`capped` when there are more).

    The exact count of a million live leads read a whole index (26 ms on PostgreSQL
    for the count alone, and the page 150 ms); the tally has the same number.
    """
    paginator = ListPaginator(queryset, PAGE_SIZE)
    kept = lead_filter.tally_keys()
    if kept is not None:
        # `count` is a cached property: once set, the paginator does not count.
        paginator.count = live_lead_count(**kept)
    elif lead_filter.searches_text():
        # The first SEARCH_LISTED matches in the list's order, and whether there are more.
        matches = queryset.order_by().values("pk")[: SEARCH_LISTED + 1].count()
        paginator.capped = matches > SEARCH_LISTED
        paginator.count = min(matches, SEARCH_LISTED)
    return paginator


@require_perm("leads.view_lead")
def lead_list(request):
    """Render the filtered, sortable, paginated lead list."""
    lead_filter = _filtered(request)
    sort, ordering = _ordering(request.GET.get("o", ""))
    page = _list_paginator(lead_filter, lead_filter.qs.order_by(*ordering)).get_page(
        request.GET.get("page")
    )
    StageLimits.load().annotate(page.object_list)
    context = {
        "filter": lead_filter,
        "page": page,
        "sort": sort,
        "query": _query_without(request, "page"),
        "query_unsorted": _query_without(request, "page", "o"),
    }
    return render(request, "leads/lead_list.html", context)


@require_perm("leads.view_lead")
def lead_board(request):
    """Render the pipeline board: a column per stage, same filters as the list."""
    lead_filter = _filtered(request)
    stalled = lead_filter.keeps_stalled_only()
    columns = board_columns(
        lead_filter.qs_but_stalled() if stalled else lead_filter.qs,
        limits=StageLimits.load(),
        user=request.user,
        tally_keys=lead_filter.tally_keys(),
        stalled=stalled,
    )
    context = {
        "filter": lead_filter,
        "columns": columns,
        "column_size": COLUMN_SIZE,
        "query": request.GET.urlencode(),
        "next_param": quote(request.get_full_path()),
    }
    return render(request, "leads/lead_board.html", context)


@require_perm("leads.view_lead")
def lead_board_dropped(request):
    """Render the dropped leads, with their reasons, for review and reopening."""
    lead_filter = _filtered(request)
    leads = board_dropped(lead_filter.qs).order_by("-stage_entered_at", "-id")
    page = Paginator(leads, PAGE_SIZE).get_page(request.GET.get("page"))
    for lead in page:
        lead.moves = lead_available_moves(lead=lead, user=request.user)
    context = {"filter": lead_filter, "page": page, "query": _query_without(request, "page")}
    return render(request, "leads/lead_board_dropped.html", context)


@require_perm("leads.view_lead")
def lead_detail(request, pk, *, activity_form=None, status=200, **after_landing_forms):
    """Render one lead: fields, timeline, activities, field history, the actions allowed.

    `after_landing_forms` are refused milestone / paid-in forms to show again. The
    address of a merged lead (已合并) leads to the lead it was merged into.
    """
    lead = lead_detail_queryset().filter(pk=pk).first()
    if lead is None:
        merged = get_object_or_404(Lead.all_objects.select_related("merged_into"), pk=pk)
        if merged.merged_into is None:
            raise Http404
        messages.info(request, f"线索 {merged.code} 已合并到 {merged.merged_into.code}。")
        return redirect("leads:detail", pk=merged.merged_into_id)
    StageLimits.load().annotate([lead])
    moves = lead_available_moves(lead=lead, user=request.user)
    context = {
        **after_landing_context(lead, moves, **after_landing_forms),
        "lead": lead,
        "transitions": lead_timeline(lead),
        "activities": lead.activities.select_related("created_by"),
        "history": lead_field_changes(lead),
        "moves": moves,
        "activity_form": activity_form or ActivityForm(lead=lead),
        "merges": LeadMerge.objects.filter(keep=lead, undone_at__isnull=True).select_related(
            "merged", "actor"
        ),
    }
    return render(request, "leads/lead_detail.html", context, status=status)
