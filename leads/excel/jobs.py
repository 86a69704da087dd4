"""Background import jobs: start one, report its progress, confirm it."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from crm.spreadsheets.importers import importer_for
from crm.spreadsheets.results import ImportReport
from crm.spreadsheets.signals import CHANNEL_WEB, import_sent
from leads.models import ImportJob

PHASES = {"validate": "正在校验", "write": "正在写入数据库", "done": "已完成"}


def import_job_start(*, kind: str, filename: str, data: bytes, user) -> ImportJob:
    """Store an uploaded workbook and queue its validation (the preview)."""
    job = ImportJob.objects.create(
        kind=kind,
        filename=filename[:255],
        data=data,
        size=len(data),
        created_by=user,
        phase=_("排队等待校验"),
    )
    run_import_job.enqueue(job.pk, confirm=False)
    job.refresh_from_db()
    return job


def import_job_confirm(job: ImportJob) -> ImportJob:
    """Queue the import of a previewed job; a job in any other state is left as it is."""
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
        status=ImportJob.Status.IMPORTING, phase=_("排队等待导入"), done=0
    )
    if updated:
        run_import_job.enqueue(job.pk, confirm=True)
    job.refresh_from_db()
    return job


def import_job_run(job_id: int, *, confirm: bool) -> str:
    """Validate (and, when confirmed, import) the job's workbook; store the outcome on the job."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        report = importer_for(job.kind).run(
            bytes(job.data),
            actor=job.created_by,
            dry_run=not confirm,
            filename=job.filename,
            progress=_progress_recorder(job_id),
        )
    except Exception:
        # The import's transaction has rolled back; say so instead of
        # leaving the job looking as if it were still running.
        failed = ImportReport(
            file_error=_("导入时发生系统错误，未写入任何数据；请联系系统管理员。")
        )
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            report=failed.as_json(),
            phase=ImportJob.Status.FAILED.label,
        )
        if confirm:
            _announce(job, failed)
        raise
    status = _outcome_status(report, confirm=confirm)
    total = len(report.outcomes)
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        report=report.as_json(),
        phase=ImportJob.Status(status).label,
        done=total,
        total=total,
    )
    if confirm:
        _announce(job, report)
    return report.summary() if report.ok else report.error_lines()[0]


def _progress_recorder(job_id: int):
    """Return the importer's progress callback: store the phase on the job, twice a second."""
    last = [0.0]

    def progress(phase, done, total):
        now = time.monotonic()
        if phase == "validate" and done and now - last[0] < 0.5:
            return
        last[0] = now
        if transaction.get_connection().in_atomic_block:
            return  # not visible to other connections before the commit anyway
        ImportJob.objects.filter(pk=job_id).update(
            phase=PHASES.get(phase, phase), done=done, total=total
        )

    return progress


def _outcome_status(report: ImportReport, *, confirm: bool) -> str:
    """Return the job status a finished validation or import leaves."""
    if not report.ok:
        return ImportJob.Status.INVALID
    if confirm:
        return ImportJob.Status.DONE if report.written else ImportJob.Status.FAILED
    return ImportJob.Status.PREVIEW


def _announce(job: ImportJob, report: ImportReport) -> None:
    """Announce the confirmed import of `job` (written or refused) for the audit log."""
    import_sent(
        report,
        kind=job.kind,
        filename=job.filename,
        channel=CHANNEL_WEB,
        user=job.created_by,
    )


@task()
def run_import_job(job_id: int, confirm: bool = False) -> str:
    """Validate, or import when confirmed, the workbook of ImportJob `job_id` (in the worker)."""
    return import_job_run(job_id, confirm=confirm)
