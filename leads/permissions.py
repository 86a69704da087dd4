"""Checks the lead pages run before any read or write, answering 403 when refused."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from leads.selectors import LeadMoves, lead_available_moves


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


def check_lead_allows(user, lead, action: str) -> LeadMoves:
    """Return what `user` may do to `lead`; raise PermissionDenied unless it allows `action`.

    `action` names a `LeadMoves` flag: can_edit, can_move, can_log_activity.
    """
    moves = lead_available_moves(lead=lead, user=user)
    if not getattr(moves, action):
        raise PermissionDenied
    return moves
