"""Signals sent whenever a workbook is imported or exported, whatever the entry point.

The spreadsheet layer knows no app; the audit app connects its receivers to
these in its `ready()`, so the commands, the admin, the staff pages and the
import jobs are all logged the one same way. Keyword arguments of both:

- kind: what was moved ("leads", "chambers", "monthly_report" …);
- rows: how many rows (0 for a refused import);
- filename: the workbook's name, "" when there is none;
- filters: the filter as text (a query string, or a command's options);
- request: the web request, or None (then user/username say who);
- user, username: who, when there is no request (a command's --user, the OS user);
- channel: "web", "admin" or "command";
- note: a summary, or the first error of a refused import.

A dry run (预检, the admin's preview) is not an import and sends nothing.
"""

from __future__ import annotations

from urllib.parse import unquote_plus

from django.dispatch import Signal

CHANNEL_WEB = "web"
CHANNEL_ADMIN = "admin"
CHANNEL_COMMAND = "command"

workbook_imported = Signal()
workbook_exported = Signal()


def request_filters(request) -> str:
    """Return a request's query string as readable text: stage=contact&q=项目."""
    return unquote_plus(request.GET.urlencode()) if request is not None else ""


def import_sent(
    report,
    *,
    kind: str,
    filename: str = "",
    channel: str,
    request=None,
    user=None,
    username: str = "",
    filters: str = "",
) -> None:
    """Announce a confirmed import from its ImportReport: rows written, or 0 and the first error."""
    if report.written:
        rows, note = len(report.outcomes), report.summary()
    else:
        rows, note = 0, "导入失败：" + (report.error_lines() or ["未写入任何数据"])[0]
    workbook_imported.send(
        sender=kind,
        kind=kind,
        rows=rows,
        filename=filename,
        filters=filters,
        request=request,
        user=user,
        username=username,
        channel=channel,
        note=note,
    )


def export_sent(
    *,
    kind: str,
    rows: int | None,
    channel: str = CHANNEL_WEB,
    request=None,
    user=None,
    username: str = "",
    filename: str = "",
    filters: str | None = None,
    note: str = "",
) -> None:
    """Announce an export of `rows` rows of `kind`; filters default to the query string."""
    if filters is None:
        filters = request_filters(request)
    workbook_exported.send(
        sender=kind,
        kind=kind,
        rows=rows,
        filename=filename,
        filters=filters,
        request=request,
        user=user,
        username=username,
        channel=channel,
        note=note,
    )
