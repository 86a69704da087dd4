"""Write audit events. Callers pass the request where there is one; commands pass the user."""

from __future__ import annotations

from urllib.parse import unquote_plus

from audit.models import AuditEvent

CHANNEL_WEB = "web"
CHANNEL_ADMIN = "admin"
CHANNEL_COMMAND = "command"
QUERY_LIMIT = 2000


def client_ip(request) -> str | None:
    """Return the client's address as the lockout sees it (X-Forwarded-For only behind a proxy)."""
    if request is None:
        return None
    from crm.lockout import client_ip as lockout_client_ip

    return lockout_client_ip(request)


def audit_record(
    *,
    kind: str,
    request=None,
    user=None,
    username: str = "",
    channel: str = "",
    subject: str = "",
    query: str = "",
    rows: int | None = None,
    filename: str = "",
    note: str = "",
) -> AuditEvent:
    """Write one audit event; the user defaults to the request's authenticated user."""
    request_user = getattr(request, "user", None)
    if user is None and request_user is not None and request_user.is_authenticated:
        user = request_user
    if user is not None and not username:
        username = user.get_username()
    if not channel:
        channel = CHANNEL_COMMAND if request is None else CHANNEL_WEB
    return AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=username[:150],
        ip_address=client_ip(request),
        channel=channel,
        subject=subject[:50],
        query=unquote_plus(query)[:QUERY_LIMIT],
        rows=rows,
        filename=filename[:255],
        note=note[:255],
    )


def record_export(*, kind: str, rows: int, request=None, user=None, query=None, **extra):
    """Log an export of `rows` rows of `kind` (leads, chambers, targets …) with its filter."""
    if query is None and request is not None:
        query = request.GET.urlencode()
    return audit_record(
        kind=AuditEvent.Kind.EXPORT,
        request=request,
        user=user,
        subject=kind,
        query=query or "",
        rows=rows,
        **extra,
    )


def record_import(*, kind: str, rows: int, filename: str, request=None, user=None, **extra):
    """Log a confirmed import of `rows` rows of `kind` from the workbook `filename`."""
    return audit_record(
        kind=AuditEvent.Kind.IMPORT,
        request=request,
        user=user,
        subject=kind,
        rows=rows,
        filename=filename,
        **extra,
    )
