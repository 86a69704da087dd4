"""Signals other parts of the system subscribe to (notifications, caches)."""

from django.dispatch import Signal

# Sent after the transaction that changed a lead's stage has committed.
# Arguments: lead, transition.
lead_stage_changed = Signal()
