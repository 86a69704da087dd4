"""The page shown to a login locked out by django-axes (AXES_LOCKOUT_CALLABLE)."""

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.shortcuts import render


def client_ip(request) -> str | None:
    """Return the client's address: behind our proxy, the one it appended to X-Forwarded-For.

    nginx's $proxy_add_x_forwarded_for appends the address it saw, so the last
    entry is trustworthy; anything before it was sent by the client and may be forged.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.BEHIND_PROXY and forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR") or None


def lockout_response(request, original_response=None, credentials=None):
    """Render the Chinese lockout page with 429 Too Many Requests."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)
