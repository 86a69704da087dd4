"""Signals other parts of the system subscribe to (notifications, caches)."""

from django.dispatch import Signal

# Sent after the transaction that changed a lead's stage has committed.
# Arguments: lead, transition.
lead_stage_changed = Signal()

# Sent inside the transaction that moved leads to 落地, right after their
# transition rows are written, so a receiver's writes commit or roll back with
# the landing (aftercare creates or links each lead's enterprise).
# Arguments: leads (a list), actor. The one-lead service and the bulk import both send it.
lead_landed_in_transaction = Signal()
