"""Checks the lead pages run before any read or write, answering 403 when refused."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from leads.selectors import lead_can_change


def require_perm(perm: str):
    """Decorate a view: login required, then `perm` or 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def check_can_change(user, lead, *, perm: str | None = None) -> None:
    """Raise PermissionDenied unless `user` may change `lead` (and holds `perm`)."""
    if not lead_can_change(user, lead) or (perm and not user.has_perm(perm)):
        raise PermissionDenied
