"""Ledger pages that write: register and edit problems and enterprises."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from aftercare.models import Enterprise, Problem
from aftercare.pages.forms import EnterpriseForm, ProblemForm
from aftercare.rules import ProblemServiceError
from aftercare.selectors import problem_can_act
from aftercare.services import (
    enterprise_create,
    enterprise_update,
    problem_create,
    problem_update,
)
from leads.permissions import require_perm


def _add_errors(form, error: ProblemServiceError) -> None:
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


@require_perm("aftercare.add_problem")
def problem_create_view(request):
    """Register a problem at 待办 (its deadline defaults by category)."""
    initial = {"enterprise": request.GET.get("enterprise")}
    form = ProblemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            problem = problem_create(actor=request.user, **fields)
        except ProblemServiceError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"已登记诉求 {problem.code}。")
            return redirect("aftercare:problem_detail", pk=problem.pk)
    return render(request, "aftercare/problem_form.html", {"form": form, "problem": None})


@require_perm("aftercare.change_problem")
def problem_edit_view(request, pk):
    """Edit a problem's ordinary fields; a stale copy is refused."""
    problem = get_object_or_404(Problem, pk=pk)
    if not problem_can_act(request.user, problem):
        raise PermissionDenied
    form = ProblemForm(
        request.POST or None,
        instance=Problem.objects.get(pk=pk),
        initial={"version": problem.version},
    )
    if request.method == "POST" and form.is_valid():
        problem.version = form.cleaned_data["version"]
        try:
            problem_update(problem=problem, actor=request.user, **form.service_fields())
        except ProblemServiceError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect("aftercare:problem_detail", pk=pk)
    return render(request, "aftercare/problem_form.html", {"form": form, "problem": problem})


@require_perm("aftercare.add_enterprise")
def enterprise_create_view(request):
    """Add an enterprise that never was a lead."""
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            enterprise = enterprise_create(actor=request.user, **fields)
        except ProblemServiceError as error:
            _add_errors(form, error)
        else:
            return redirect("aftercare:enterprise_detail", pk=enterprise.pk)
    return render(request, "aftercare/enterprise_form.html", {"form": form, "enterprise": None})


@require_perm("aftercare.change_enterprise")
def enterprise_edit_view(request, pk):
    """Edit an enterprise; a stale copy is refused."""
    enterprise = get_object_or_404(Enterprise, pk=pk)
    form = EnterpriseForm(
        request.POST or None,
        instance=Enterprise.objects.get(pk=pk),
        initial={"version": enterprise.version},
    )
    if request.method == "POST" and form.is_valid():
        enterprise.version = form.cleaned_data.pop("version")
        try:
            enterprise_update(enterprise=enterprise, actor=request.user, **form.cleaned_data)
        except ProblemServiceError as error:
            _add_errors(form, error)
        else:
            return redirect("aftercare:enterprise_detail", pk=pk)
    return render(
        request, "aftercare/enterprise_form.html", {"form": form, "enterprise": enterprise}
    )
