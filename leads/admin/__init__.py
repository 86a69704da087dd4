"""Admin for administrators: reference data, and leads whose stage moves only by the service.

Importing the modules registers their ModelAdmins, so Django's autodiscover
(which imports ``leads.admin``) finds them all.
"""

from leads.admin import activities, history, leads, milestones, reference

__all__ = ["activities", "history", "leads", "milestones", "reference"]
