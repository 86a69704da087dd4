"""Background tasks (django-tasks): large imports run here, not in the request."""

from django_tasks import task

from leads.excel.jobs import import_job_run


@task()
def run_import_job(job_id: int, confirm: bool = False) -> str:
    """Validate, or import when confirmed, the workbook of ImportJob `job_id`."""
    return import_job_run(job_id, confirm=confirm)
