"""Ledger pages: the problem list, a problem with its timeline and moves, the enterprises."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Value
from django.db.models.functions import Coalesce, NullIf
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from aftercare.choices import Status
from aftercare.filters import ProblemFilter
from aftercare.models import Enterprise, Problem
from aftercare.pages.forms import MOVE_FORMS, MOVE_LABELS
from aftercare.rules import ProblemServiceError, allowed_moves
from aftercare.selectors import VIEW_PERM, problem_can_act, problem_list
from aftercare.services import problem_change_status
from leads.permissions import require_perm

PAGE_SIZE = 50
SORTS = {
    "code": "code",
    "enterprise": "enterprise__name",
    "raised_on": "raised_on",
    "category": "category",
    # The displayed name: team, then unit, then free text (Problem.responsible_name).
    "unit": Coalesce(
        "responsible_team__name",
        "responsible_unit__name",
        NullIf("responsible_unit_name", Value("")),
    ),
    "deadline": "deadline",
    "status": "status",
}


def _ordering(value: str) -> tuple[str, list[str]]:
    key = (value or "").lstrip("-")
    if key not in SORTS:
        return "", ["-raised_on", "-id"]
    sort, descending = SORTS[key], value.startswith("-")
    if not isinstance(sort, str):
        return value, [sort.desc() if descending else sort.asc(), "-id"]
    return value, [("-" if descending else "") + sort, "-id"]


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@require_perm(VIEW_PERM)
def problem_list_view(request):
    """List the ledger with its filters and sorting; overdue rows in red."""
    problem_filter = ProblemFilter(request.GET or None, queryset=problem_list())
    sort, ordering = _ordering(request.GET.get("o", ""))
    page = Paginator(problem_filter.qs.order_by(*ordering), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    for problem in page:
        problem.overdue = problem.is_overdue_on(today)
    return render(
        request,
        "aftercare/problem_list.html",
        {
            "filter": problem_filter,
            "page": page,
            "sort": sort,
            "query": _query_without(request, "page"),
            "query_unsorted": _query_without(request, "page", "o"),
            "statuses": Status.choices,
        },
    )


def move_buttons(problem: Problem) -> list[tuple[str, str]]:
    """Return (status, label) of each move the problem's status allows, as the page offers them."""
    buttons = []
    for status in allowed_moves(problem.status):
        label = MOVE_LABELS[status]
        if status == Status.IN_PROGRESS and problem.status != Status.OPEN:
            label = "重新办理"
        buttons.append((status.value, label))
    return buttons


@require_perm(VIEW_PERM)
def problem_detail_view(request, pk):
    """Show a problem, its timeline and the moves the user may make."""
    problem = get_object_or_404(
        Problem.objects.select_related(
            "enterprise", "responsible_team", "responsible_unit", "handler"
        ),
        pk=pk,
    )
    changes = problem.changes.select_related("actor").order_by("-at", "-id")
    can_act = problem_can_act(request.user, problem)
    return render(
        request,
        "aftercare/problem_detail.html",
        {
            "problem": problem,
            "overdue": problem.is_overdue(),
            "changes": changes,
            "can_act": can_act,
            "moves": move_buttons(problem) if can_act else [],
        },
    )


@login_required
def problem_move_view(request, pk, to_status):
    """Show and apply the form of one move (受理, 办结, 记录在案, 上报, 销号)."""
    problem = get_object_or_404(Problem.objects.select_related("enterprise"), pk=pk)
    if not problem_can_act(request.user, problem):
        raise PermissionDenied
    try:
        status = Status(to_status)
        form_class = MOVE_FORMS[status]
    except (ValueError, KeyError):
        raise PermissionDenied from None
    form = form_class(request.POST or None, initial={"version": problem.version})
    if status == Status.IN_PROGRESS and problem.status != Status.ESCALATED:
        form.fields.pop("escalation_answer")
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        problem.version = data.pop("version")
        note = data.pop("note", "")
        try:
            moved = problem_change_status(
                problem=problem, to_status=status, actor=request.user, note=note, **data
            )
        except ProblemServiceError as error:
            for field, messages_ in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
        else:
            if status == Status.CLOSED and moved.status != Status.CLOSED:
                messages.warning(request, "企业评价不满意，诉求已退回办理中，请继续办理。")
            else:
                messages.success(request, f"已{dict(move_buttons(problem)).get(status, '')}。")
            return redirect("aftercare:problem_detail", pk=problem.pk)
    label = dict(move_buttons(problem)).get(status.value, MOVE_LABELS[status])
    return render(
        request,
        "aftercare/problem_move.html",
        {
            "problem": problem,
            "form": form,
            "status": status,
            "label": label,
        },
        status=400 if form.errors else 200,
    )


@require_perm("aftercare.view_enterprise")
def enterprise_list_view(request):
    """List the enterprises served, with their open and overdue problem counts."""
    queryset = Enterprise.objects.search(request.GET.get("q", "")).select_related("liaison")
    page = Paginator(queryset.order_by("name"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "aftercare/enterprise_list.html",
        {
            "page": page,
            "q": request.GET.get("q", ""),
            "query": _query_without(request, "page"),
        },
    )


@require_perm("aftercare.view_enterprise")
def enterprise_detail_view(request, pk):
    """Show an enterprise: contacts, its leader, the lead it came from, its problems."""
    enterprise = get_object_or_404(Enterprise.objects.select_related("lead", "liaison"), pk=pk)
    problems = enterprise.problems.select_related("responsible_team", "responsible_unit").order_by(
        "-raised_on", "-id"
    )
    today = timezone.localdate()
    problems = list(problems)
    for problem in problems:
        problem.overdue = problem.is_overdue_on(today)
    return render(
        request,
        "aftercare/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "problems": problems,
        },
    )
