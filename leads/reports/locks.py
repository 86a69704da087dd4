"""Locking a report (封存): store it as sent upward, serve that version from then on.

A locked version holds the JSON text, the workbook bytes and the page's
report body exactly as they were; the page, the workbook download, the
JSON and `monthly_report --format json` serve the newest locked version of
a period unless asked for the live figures. Locking again needs a reason and
adds a version; no version is ever changed or removed.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from crm.snapshot import read_snapshot
from leads.models import ReportSnapshot
from leads.reports.monthly import monthly_report_build
from leads.reports.page import body_context
from leads.reports.period import Period
from leads.reports.serialise import report_data
from leads.reports.workbook import build_monthly_workbook

LOCK_PERM = "leads.lock_report_lead"
# Two directors locking one period at once: the second numbers again after the first.
NUMBERING_ATTEMPTS = 3


class LockError(ValueError):
    """A lock was refused; the message is Chinese."""


@dataclass(frozen=True)
class PeriodOnly:
    """What the page's frame reads of a report when the body is a locked version."""

    period: Period


def _user_label(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def report_lock(*, period: Period, actor, reason: str = "") -> ReportSnapshot:
    """Lock the report of `period` as it stands now; return the new version.

    局领导 only (permission lock_report_lead). The first lock may carry a
    note; locking again requires the reason. The stored JSON is marked
    `"locked": true` with `locked_at`, `locked_by` and `version`.
    """
    if actor is not None and not actor.has_perm(LOCK_PERM):
        raise PermissionDenied("只有局领导可以封存通报。")
    reason = (reason or "").strip()
    _last_version(period, reason)  # refuse before the build, not after it
    now = timezone.now()
    # The figures are read in one snapshot and without the write lock (on SQLite
    # the build would otherwise keep every writer waiting for seconds); the
    # version is numbered and written afterwards, in its own short transaction.
    with read_snapshot():
        report = monthly_report_build(period)
        data = report_data(report)
        workbook = io.BytesIO()
        # A locked version keeps every row of its lists: it is what was sent upward.
        build_monthly_workbook(report, workbook, full=True)
        html = render_to_string("reports/_report_body.html", body_context(report, locked=True))
    stored = dict(
        data=data, workbook=workbook.getvalue(), html=html, now=now, actor=actor, reason=reason
    )
    for _ in range(NUMBERING_ATTEMPTS - 1):
        try:
            return _store(period, **stored)
        except IntegrityError:
            # Another lock of the period committed this number first (the unique
            # constraint on the version decides): number again; a lock without a
            # reason is then refused as a re-lock.
            continue
    return _store(period, **stored)


def _store(period: Period, *, data, workbook, html, now, actor, reason) -> ReportSnapshot:
    """Write the next version of `period` with the figures read; refuse a re-lock without reason."""
    with transaction.atomic():
        version = _last_version(period, reason) + 1
        data = {
            **data,
            "locked": True,
            "locked_at": timezone.localtime(now).isoformat(),
            "locked_by": _user_label(actor),
            "version": version,
            "lock_reason": reason,
        }
        return ReportSnapshot.objects.create(
            start=period.start,
            end=period.end,
            version=version,
            json_text=json.dumps(data, ensure_ascii=False),
            workbook=workbook,
            html=html,
            locked_at=now,
            locked_by=actor,
            reason=reason,
        )


def _last_version(period: Period, reason: str) -> int:
    """Return the period's last locked version (0 for none); a further lock needs `reason`."""
    last = (
        ReportSnapshot.objects.filter(start=period.start, end=period.end).aggregate(
            last=Max("version")
        )["last"]
        or 0
    )
    if last and not reason:
        raise LockError(f"{period.label}的通报已封存 {last} 版，重新封存须说明原因。")
    return last


def report_versions(period: Period) -> list[ReportSnapshot]:
    """Return the locked versions of `period`, newest first (without their contents)."""
    return list(
        ReportSnapshot.objects.filter(start=period.start, end=period.end)
        .select_related("locked_by")
        .defer("json_text", "workbook", "html")
        .order_by("-version")
    )


def report_snapshot_get(period: Period, version: int | None = None) -> ReportSnapshot | None:
    """Return the locked version asked for (default: the newest), or None."""
    versions = ReportSnapshot.objects.filter(start=period.start, end=period.end)
    if version is not None:
        versions = versions.filter(version=version)
    return versions.select_related("locked_by").order_by("-version").first()
