"""Signals other parts of the system subscribe to (notifications, caches)."""

from django.dispatch import Signal

# Sent after the transaction that changed a problem's status has committed.
# Arguments: problem, change.
problem_status_changed = Signal()
