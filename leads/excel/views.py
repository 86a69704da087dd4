"""Staff pages for Excel: upload → preview → confirm, the job's progress, export, templates."""

import io
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from crm.numbers import whole_number
from crm.spreadsheets.importers import importer_for
from crm.spreadsheets.signals import export_sent
from crm.spreadsheets.writer import TextTooLong
from crm.worker import worker_missing_notice
from leads.excel.export import export_leads
from leads.excel.forms import ImportUploadForm
from leads.excel.jobs import import_job_confirm, import_job_start
from leads.excel.targets import export_targets
from leads.filters import LeadFilter
from leads.models import ImportJob, Lead

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(buffer: io.BytesIO, filename: str) -> FileResponse:
    buffer.seek(0)
    response = FileResponse(buffer, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _job_for(request, pk) -> ImportJob:
    job = get_object_or_404(ImportJob, pk=pk)
    if job.created_by_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied
    return job


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Show the upload form; store an uploaded workbook and start its validation."""
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"kind": request.GET.get("kind", ImportJob.Kind.LEADS)},
    )
    if not form.kinds:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = import_job_start(
            kind=form.cleaned_data["kind"],
            filename=upload.name,
            data=upload.read(),
            user=request.user,
        )
        return redirect("leads:import_job", job.pk)
    recent = ImportJob.objects.filter(created_by=request.user).defer("data")[:10]
    limits = {"rows": settings.CRM_IMPORT_MAX_ROWS, "mb": settings.CRM_IMPORT_MAX_BYTES // 2**20}
    context = {"form": form, "recent": recent, "limits": limits}
    return render(request, "leads/import.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def import_job(request, pk):
    """Show a job's progress, its preview (new / updated / unchanged / error rows) or its result."""
    job = _job_for(request, pk)
    if request.method == "POST":
        if job.status != ImportJob.Status.PREVIEW:
            messages.error(request, "该导入已确认过或未通过校验，不能再次确认。")
        else:
            import_job_confirm(job)
        return redirect("leads:import_job", job.pk)
    if request.GET.get("format") == "json":
        notice = worker_missing_notice("leads.excel.jobs.run_import_job", job.pk)
        return JsonResponse(
            {
                "status": job.status,
                "phase": job.phase,
                "done": job.done,
                "total": job.total,
                "percent": job.percent,
                "running": job.running,
                **({"notice": notice} if notice else {}),  # no worker has started it
            }
        )
    return render(request, "leads/import_job.html", {"job": job, "report": job.report})


@login_required
def import_job_errors(request, pk):
    """Return the uploaded workbook with a 错误说明 column added to every row in error."""
    job = _job_for(request, pk)
    buffer = io.BytesIO()
    report = importer_for(job.kind).write_errors(bytes(job.data), buffer, actor=job.created_by)
    stem = job.filename.rsplit(".", 1)[0]
    filename = f"{stem}-错误说明.xlsx"
    export_sent(
        request=request,
        kind=job.kind,
        rows=len(report.outcomes),
        filename=filename,
        filters="",
        note="错误说明工作簿（上传文件加错误说明列）",
    )
    return xlsx_response(buffer, filename)


@login_required
def lead_export(request):
    """Download the leads of the current filter (the lead list's query string) as .xlsx."""
    if not request.user.has_perm("leads.export_lead"):
        raise PermissionDenied
    lead_filter = LeadFilter(request.GET or None, queryset=Lead.objects.all())
    buffer = io.BytesIO()
    try:
        rows = export_leads(buffer, lead_filter.qs)
    except TextTooLong as error:
        return HttpResponse(error.message, status=409, content_type="text/plain; charset=utf-8")
    filename = f"招商线索-{timezone.localdate():%Y%m%d}.xlsx"
    export_sent(request=request, kind="leads", rows=rows, filename=filename)
    return xlsx_response(buffer, filename)


@login_required
def target_export(request):
    """Download the annual targets (?year=YYYY for one year) in the import's workbook."""
    if not request.user.has_perm("leads.export_annualtarget"):
        raise PermissionDenied
    year = whole_number(request.GET.get("year", ""))
    buffer = io.BytesIO()
    filename = f"年度目标-{year or '全部'}.xlsx"
    rows = export_targets(buffer, year=year)
    export_sent(request=request, kind="targets", rows=rows, filename=filename)
    return xlsx_response(buffer, filename)


@login_required
def import_template(request):
    """Download the blank import template of a workbook (?kind=leads|chambers|…|targets)."""
    kind = request.GET.get("kind", ImportJob.Kind.LEADS)
    if kind not in ImportJob.Kind.values:
        kind = ImportJob.Kind.LEADS
    importer = importer_for(kind)
    if not request.user.has_perm(importer.permission):
        raise PermissionDenied
    buffer = io.BytesIO()
    importer.write_template(buffer)
    return xlsx_response(buffer, f"{importer.title}导入模板.xlsx")


__all__ = [
    "import_job",
    "import_job_errors",
    "import_template",
    "import_upload",
    "lead_export",
    "target_export",
]
