"""Staff pages that write leads: create, edit, move stage, log an activity, after 落地.

Each view checks the permission (403 when refused) and calls one service.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from crm.numbers import whole_number
from leads.choices import Channel, Milestone, Stage
from leads.models import Lead
from leads.pages.after_landing import MILESTONE_FIELDS, MilestoneForm, PaidInForm
from leads.pages.forms import (
    ActivityForm,
    LeadCreateForm,
    LeadEditForm,
    StageMoveForm,
    add_service_errors,
)
from leads.pages.views import lead_detail
from leads.permissions import check_lead_allows, require_perm
from leads.services import (
    DuplicateSuspected,
    LeadServiceError,
    lead_add_paid_in,
    lead_assign_team,
    lead_create_checked,
    lead_record_milestone,
    lead_update_checked,
)
from leads.services.activities import activity_create


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _confirmed(request) -> list[str]:
    """Return the likely duplicates the user confirmed (仍然新建 / 确认不是重复), if he did."""
    if request.POST.get("confirm_not_duplicate") != "1":
        return []
    return [
        pk for pk in request.POST.getlist("confirmed_duplicate") if whole_number(pk) is not None
    ]


@require_perm("leads.add_lead")
def lead_create_view(request):
    """Create a lead at 接洽 once the likely duplicates shown are confirmed (仍然新建)."""
    form = LeadCreateForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        try:
            lead = lead_create_checked(
                actor=request.user,
                channel=Channel.WEB,
                confirmed=_confirmed(request),
                **form.cleaned_data,
            )
        except DuplicateSuspected as suspected:
            duplicates = suspected.leads
        except LeadServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"已新建线索 {lead.code}。")
            return redirect("leads:detail", pk=lead.pk)
    context = {"form": form, "lead": None, "duplicates": duplicates}
    return render(request, "leads/lead_form.html", context)


@require_perm("leads.change_lead")
def lead_edit_view(request, pk):
    """Edit a lead's fields through `lead_update_checked`, refusing a stale copy."""
    lead = get_object_or_404(Lead, pk=pk)
    check_lead_allows(request.user, lead, "can_edit")
    form = LeadEditForm(request.POST or None, instance=lead, user=request.user)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        lead.version = form.cleaned_data["version"]
        team = form.cleaned_data.get("assign_team")
        try:
            with transaction.atomic():
                lead = lead_update_checked(
                    lead=lead,
                    actor=request.user,
                    confirmed=_confirmed(request),
                    **form.lead_fields(),
                )
                if team is not None:
                    lead_assign_team(lead=lead, team=team, actor=request.user)
        except DuplicateSuspected as suspected:
            duplicates = suspected.leads
        except LeadServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "已保存修改。")
            return redirect("leads:detail", pk=pk)
    context = {"form": form, "lead": lead, "duplicates": duplicates}
    return render(request, "leads/lead_form.html", context)


@require_perm("leads.change_stage_lead")
def lead_stage_view(request, pk, to_stage):
    """Ask what a move to `to_stage` needs and perform it through `lead_change_stage`."""
    lead = get_object_or_404(Lead.objects.select_related("team"), pk=pk)
    check_lead_allows(request.user, lead, "can_move")
    if to_stage not in Stage.values:
        return redirect("leads:detail", pk=pk)
    form = StageMoveForm(request.POST or None, lead=lead, to_stage=to_stage, user=request.user)
    if request.method == "POST" and form.is_valid():
        moved = form.change_stage(actor=request.user, channel=Channel.WEB)
        if moved is not None:
            messages.success(request, f"{moved.code} 已进入“{moved.get_stage_display()}”阶段。")
            return redirect(_next_url(request, reverse("leads:detail", args=[pk])))
    context = {
        "form": form,
        "lead": lead,
        "to_stage": Stage(to_stage),
        "next": _next_url(request, ""),
    }
    return render(request, "leads/lead_stage_form.html", context)


@require_perm("leads.add_activity")
def activity_add_view(request, pk):
    """Log an activity on a lead; answer htmx with the refreshed activity panel."""
    lead = get_object_or_404(Lead, pk=pk)
    moves = check_lead_allows(request.user, lead, "can_log_activity")
    if request.method != "POST":
        return redirect("leads:detail", pk=pk)
    form = ActivityForm(request.POST, lead=lead)
    if form.is_valid():
        try:
            activity_create(lead=lead, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if request.htmx:
        lead.refresh_from_db()
        context = {
            "lead": lead,
            "activities": lead.activities.select_related("created_by"),
            "activity_form": form if form.errors else ActivityForm(lead=lead),
            "moves": moves,
        }
        return render(request, "leads/_activities.html", context)
    if form.errors:
        return lead_detail(request, pk, activity_form=form, status=400)
    messages.success(request, "已添加对接记录。")
    return redirect("leads:detail", pk=pk)


@require_POST
@require_perm("leads.change_lead")
def milestone_record_view(request, pk):
    """Record the 开工 or 投产 date through `lead_record_milestone`."""
    lead = get_object_or_404(Lead, pk=pk)
    check_lead_allows(request.user, lead, "can_edit")
    form = MilestoneForm(request.POST)
    if form.is_valid():
        lead.version = form.cleaned_data["version"]
        try:
            lead_record_milestone(
                lead=lead,
                milestone=form.cleaned_data["milestone"],
                on=form.cleaned_data["on"],
                actor=request.user,
            )
        except LeadServiceError as error:
            add_service_errors(form, error, fields=MILESTONE_FIELDS)
        else:
            label = Milestone(form.cleaned_data["milestone"]).label
            messages.success(request, f"已登记{label}日期 {form.cleaned_data['on']:%Y-%m-%d}。")
            return redirect("leads:detail", pk=pk)
    return lead_detail(request, pk, status=400, milestone_form=form)


@require_POST
@require_perm("leads.add_paidin")
def paid_in_add_view(request, pk):
    """Add an instalment of 到位资金 through `lead_add_paid_in`."""
    lead = get_object_or_404(Lead, pk=pk)
    check_lead_allows(request.user, lead, "can_edit")
    form = PaidInForm(request.POST)
    if form.is_valid():
        lead.version = form.cleaned_data["version"]
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            lead_add_paid_in(lead=lead, actor=request.user, **data)
        except LeadServiceError as error:
            add_service_errors(form, error, fields={"lead": None})
        else:
            messages.success(request, f"已登记到位资金 {data['amount']} 万元。")
            return redirect("leads:detail", pk=pk)
    return lead_detail(request, pk, status=400, paid_in_form=form)
