"""Ledger Excel pages: import (synchronous, all or nothing), export, template, monthly 台账."""

from __future__ import annotations

import base64
import io
from urllib.parse import quote

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from aftercare.excel import ProblemImporter, build_ledger_workbook, export_problems
from aftercare.filters import ProblemFilter
from aftercare.selectors import problem_list
from crm.spreadsheets.signals import CHANNEL_WEB, export_sent, import_sent
from leads.permissions import require_perm
from leads.reports.period import Period, PeriodError, current_month

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "aftercare_import"
# An error workbook is offered for files up to this size (kept in the session).
SESSION_MAX_BYTES = 2 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label="企业诉求台账（.xlsx）")


def xlsx_response(buffer: io.BytesIO, filename: str) -> FileResponse:
    buffer.seek(0)
    response = FileResponse(buffer, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@require_perm("aftercare.import_problem")
def import_view(request):
    """Check (预检) or import an uploaded ledger; on errors, offer the error workbook."""
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        dry_run = request.POST.get("action") != "import"
        report = ProblemImporter().run(
            data, actor=request.user, dry_run=dry_run, filename=upload.name
        )
        if not dry_run:
            import_sent(
                report, kind="problems", filename=upload.name, channel=CHANNEL_WEB, request=request
            )
        request.session.pop(SESSION_KEY, None)
        if not report.ok and not report.file_error and len(data) <= SESSION_MAX_BYTES:
            request.session[SESSION_KEY] = {
                "name": upload.name,
                "data": base64.b64encode(data).decode(),
            }
    return render(
        request,
        "aftercare/problem_import.html",
        {
            "form": form,
            "report": report,
            "can_download_errors": SESSION_KEY in request.session,
        },
    )


@require_perm("aftercare.import_problem")
def import_errors_view(request):
    """Return the last refused upload with a 错误说明 column, to fix and upload again."""
    stored = request.session.get(SESSION_KEY)
    if not stored:
        return redirect("aftercare:import")
    buffer = io.BytesIO()
    data = base64.b64decode(stored["data"])
    report = ProblemImporter().write_errors(data, buffer, actor=request.user)
    filename = f"错误说明_{stored['name']}"
    export_sent(
        request=request,
        kind="problems",
        rows=len(report.outcomes),
        filename=filename,
        filters="",
        note="错误说明工作簿（上传文件加错误说明列）",
    )
    return xlsx_response(buffer, filename)


@login_required
def template_view(request):
    buffer = io.BytesIO()
    ProblemImporter().write_template(buffer)
    return xlsx_response(buffer, "企业诉求台账导入模板.xlsx")


@require_perm("aftercare.export_problem")
def export_view(request):
    """Download the ledger as filtered on the list page, in the columns the import reads."""
    queryset = ProblemFilter(request.GET or None, queryset=problem_list()).qs
    buffer = io.BytesIO()
    rows = export_problems(buffer, queryset)
    filename = f"企业诉求台账_{timezone.localdate():%Y%m%d}.xlsx"
    export_sent(request=request, kind="problems", rows=rows, filename=filename)
    return xlsx_response(buffer, filename)


@require_perm("aftercare.export_problem")
def ledger_view(request):
    """Download the monthly 台账 workbook of ?month=YYYY-MM (default: this month)."""
    month = request.GET.get("month", "")
    try:
        period = Period.parse_month(month) if month else current_month()
    except PeriodError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    buffer = io.BytesIO()
    rows = build_ledger_workbook(period, buffer, today=timezone.localdate())
    filename = f"企业诉求台账_{period.key}.xlsx"
    export_sent(request=request, kind="problem_ledger", rows=rows, filename=filename)
    return xlsx_response(buffer, filename)
