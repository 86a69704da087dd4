"""Log logins, failed logins, lockouts and logouts from Django's and axes' signals."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import AuditEvent
from audit.services import CHANNEL_ADMIN, audit_record


def _channel(request) -> str:
    return CHANNEL_ADMIN if request is not None and request.path.startswith("/admin/") else ""


@receiver(user_logged_in, dispatch_uid="audit_login")
def log_login(sender, request, user, **kwargs):
    audit_record(kind=AuditEvent.Kind.LOGIN, request=request, user=user, channel=_channel(request))


@receiver(user_logged_out, dispatch_uid="audit_logout")
def log_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(
            kind=AuditEvent.Kind.LOGOUT, request=request, user=user, channel=_channel(request)
        )


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        kind=AuditEvent.Kind.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", "")),
        channel=_channel(request),
    )


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def log_locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(
        kind=AuditEvent.Kind.LOCKED_OUT,
        request=request,
        username=username or "",
        channel=_channel(request),
    )
