"""Chainable reads over enterprises and their problems."""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone

from aftercare.choices import DEADLINE_STATES, OPEN_STATES, Status


def overdue_q(today: date) -> Q:
    """Return the condition of 超期 on `today`: a deadline state and a deadline before today.

    `Problem.is_overdue` applies the same rule to one row (tests hold the two equal).
    """
    return Q(status__in=DEADLINE_STATES, deadline__lt=today)


class EnterpriseQuerySet(models.QuerySet):
    def search(self, text: str):
        """Enterprises whose name or credit code contains `text`."""
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(credit_code__icontains=text.upper()))


class ProblemQuerySet(models.QuerySet):
    def open(self):
        """Problems not yet closed out (销号)."""
        return self.filter(status__in=OPEN_STATES)

    def closed(self):
        return self.filter(status=Status.CLOSED)

    def overdue(self, *, now=None):
        """Problems past their deadline with the enterprise still waiting, at `now`'s local day."""
        return self.filter(overdue_q(timezone.localdate(now)))

    def not_overdue(self, *, now=None):
        return self.exclude(overdue_q(timezone.localdate(now)))

    def raised_between(self, start: date, end: date):
        return self.filter(raised_on__gte=start, raised_on__lte=end)

    def closed_between(self, start: date, end: date):
        return self.filter(status=Status.CLOSED, closed_on__gte=start, closed_on__lte=end)

    def of_teams(self, team_ids):
        return self.filter(responsible_team_id__in=team_ids)
