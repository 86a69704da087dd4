"""Staff pages about duplicate leads: the finder, 不是重复, the merge and its undo.

The finder (局领导, 小分队组长) lists groups of likely duplicates across the
database (`leads.dedup.matches.duplicate_groups`); the merge page (局领导)
shows two leads side by side, a choice per field, and calls `lead_merge`.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from crm.numbers import whole_number
from leads.dedup.finder import duplicate_groups
from leads.dedup.matches import lead_pairs
from leads.models import Lead, LeadMerge, NotDuplicateSource
from leads.permissions import require_perm
from leads.services import (
    MERGE_FIELDS,
    LeadServiceError,
    lead_merge,
    lead_merge_undo,
    merge_default_fields,
    not_duplicate_record,
)

FIND = "leads.find_duplicates_lead"
MERGE = "leads.merge_lead"
GROUPS_SHOWN = 100


@require_perm(FIND)
def duplicate_list(request):
    """List the groups of likely duplicates, oldest first."""
    groups, total = duplicate_groups(limit=GROUPS_SHOWN)
    context = {"groups": groups, "total": total, "shown": len(groups)}
    return render(request, "leads/duplicate_list.html", context)


@require_POST
@require_perm(FIND)
def duplicate_dismiss(request):
    """Remember that the leads of one group are not duplicates (不是重复)."""
    ids = [pk for pk in map(whole_number, request.POST.getlist("lead")) if pk is not None]
    leads = {lead.pk: lead for lead in Lead.objects.filter(pk__in=ids)}
    for first, second in lead_pairs(leads.values()):
        not_duplicate_record(
            lead=leads[first],
            others=[leads[second]],
            actor=request.user,
            source=NotDuplicateSource.FINDER,
        )
    codes = "、".join(lead.code for lead in leads.values())
    messages.success(request, f"已记录：{codes} 不是重复线索。")
    return redirect("leads:duplicates")


def _merge_rows(keep: Lead, merged: Lead, chosen: set[str]) -> list[dict]:
    rows = []
    for name in MERGE_FIELDS:
        field = Lead._meta.get_field(name)
        values = []
        for lead in (keep, merged):
            value = getattr(lead, name)
            if field.choices:
                value = getattr(lead, f"get_{name}_display")()
            values.append("—" if value in (None, "") else value)
        rows.append(
            {
                "name": name,
                "label": field.verbose_name,
                "keep": values[0],
                "merged": values[1],
                "same": values[0] == values[1],
                "take": name in chosen,
            }
        )
    return rows


@require_perm(MERGE)
def lead_merge_view(request):
    """Show two leads side by side with a choice per field; merge them on POST."""
    data = request.POST if request.method == "POST" else request.GET
    keep = get_object_or_404(Lead, pk=data.get("keep") or 0)
    merged = get_object_or_404(Lead, pk=data.get("merged") or 0)
    chosen = set(merge_default_fields(keep, merged))
    if request.method == "POST":
        keep.version = int(request.POST.get("keep_version") or -1)
        merged.version = int(request.POST.get("merged_version") or -1)
        fields = [name for name in MERGE_FIELDS if request.POST.get(name) == "merged"]
        try:
            lead_merge(keep=keep, merged=merged, actor=request.user, fields=fields)
        except LeadServiceError as error:
            for message in error.messages:
                messages.error(request, message)
            chosen = set(fields)
        else:
            messages.success(request, f"已将 {merged.code} 合并到 {keep.code}。")
            return redirect("leads:detail", pk=keep.pk)
    context = {"keep": keep, "merged": merged, "rows": _merge_rows(keep, merged, chosen)}
    return render(request, "leads/lead_merge.html", context)


@require_POST
@require_perm(MERGE)
def lead_merge_undo_view(request, pk):
    """Undo a merge while the kept lead has not changed since."""
    merge = get_object_or_404(LeadMerge, pk=pk)
    try:
        merged = lead_merge_undo(merge=merge, actor=request.user)
    except LeadServiceError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("leads:detail", pk=merge.keep_id)
    messages.success(request, f"已撤销合并，{merged.code} 恢复为独立线索。")
    return redirect("leads:detail", pk=merged.pk)
