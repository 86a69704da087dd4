"""Tell whether the background worker has picked a queued task up."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

# A worker polls every second; after this long in the queue, say plainly that none runs.
NOTICE_AFTER_SECONDS = 5
DATABASE_BACKEND = "django_tasks_db.backend.DatabaseBackend"


def task_waiting_seconds(task_path: str, first_arg) -> int | None:
    """Return how many seconds the oldest unstarted run of a task has waited, or None.

    Only the database backend keeps a queue we can look into; with any other
    backend (the immediate one in tests, Redis) the answer is None.
    """
    if settings.TASKS["default"]["BACKEND"] != DATABASE_BACKEND:
        return None
    from django_tasks_db.models import DBTaskResult

    enqueued = (
        DBTaskResult.objects.ready()
        .filter(task_path=task_path, args_kwargs__args__0=first_arg)
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )
    if enqueued is None:
        return None
    return int((timezone.now() - enqueued) / timedelta(seconds=1))


def worker_missing_notice(task_path: str, first_arg) -> str:
    """Return a Chinese notice when the task has waited too long for a worker, else ""."""
    waited = task_waiting_seconds(task_path, first_arg)
    if waited is None or waited < NOTICE_AFTER_SECONDS:
        return ""
    return (
        f"任务已排队 {waited} 秒仍未开始：后台任务进程（worker）似乎未运行。"
        "请用 make run 启动（它同时启动网站和 worker），"
        "或另开一个终端运行 python manage.py db_worker。"
    )
