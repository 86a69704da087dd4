"""Writes on activities (对接记录): the contacts with an investor logged on a lead."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import Activity, Lead


def activity_create(*, lead: Lead, actor, **fields) -> Activity:
    """Log a contact on `lead`; return it.

    Refuses a date in the future (an activity records what happened) and
    anything the model rejects, with Chinese field messages.
    """
    activity = Activity(lead=lead, created_by=actor, **fields)
    errors = {}
    try:
        activity.full_clean()
    except ValidationError as error:
        errors = error.message_dict
    if activity.occurred_on and activity.occurred_on > timezone.localdate():
        errors.setdefault("occurred_on", []).append(_("对接日期不能晚于今天。"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        activity.save()
    return activity
