"""Writes on activities (对接记录): the contacts with an investor logged on a lead."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import Activity, Lead
from leads.services import lead_update

UNCHANGED = object()


def activity_rule_errors(activity: Activity) -> dict[str, list[str]]:
    """Return what breaks the activity rules beyond the model's own checks.

    An activity records what happened: its date is not in the future.
    Forms call this to show the message on the field before saving.
    """
    if activity.occurred_on and activity.occurred_on > timezone.localdate():
        return {"occurred_on": [_("对接日期不能晚于今天。")]}
    return {}


def _validate(activity: Activity) -> None:
    errors = {}
    try:
        activity.full_clean()
    except ValidationError as error:
        errors = error.message_dict
    for field, messages in activity_rule_errors(activity).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def activity_create(*, lead: Lead, actor, next_follow_up=UNCHANGED, **fields) -> Activity:
    """Log a contact on `lead`; return it.

    Refuses a date in the future (an activity records what happened) and
    anything the model rejects, with Chinese field messages. When
    `next_follow_up` is given, the lead's next follow-up date is set in the
    same transaction through `lead_update` (field history included).
    """
    activity = Activity(lead=lead, created_by=actor, **fields)
    _validate(activity)
    with transaction.atomic():
        activity.save()
        if next_follow_up is not UNCHANGED and next_follow_up != lead.next_follow_up:
            # A refusal (e.g. a stale lead) raises and rolls the activity back too.
            lead_update(
                lead=lead,
                actor=actor,
                note=_("添加对接记录时更新下次跟进日期"),
                next_follow_up=next_follow_up,
            )
    return activity


def activity_update(*, activity: Activity, **fields) -> Activity:
    """Correct a logged activity; return it.

    The rules of `activity_create` apply; who logged it stays as it was.
    """
    for name, value in fields.items():
        setattr(activity, name, value)
    _validate(activity)
    activity.save()
    return activity
