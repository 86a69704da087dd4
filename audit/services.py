"""Write audit events. Callers pass the request where there is one; commands pass the user.

Imports and exports arrive through the spreadsheet layer's signals
(crm.spreadsheets.signals, received in audit.signals), whatever the entry point.
"""

from __future__ import annotations

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
        query=query[:QUERY_LIMIT],
        rows=rows,
        filename=filename[:255],
        note=note[:255],
    )
