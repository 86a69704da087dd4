"""The rules of a problem's moves, shared by the service and the import's validation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from aftercare.choices import MOVES, FeedbackWay, Rating, Status


class ProblemServiceError(ValidationError):
    """A problem write was refused; carries field-level messages in Chinese."""


class InvalidStatusChange(ProblemServiceError):
    """The requested status change breaks a ledger rule."""


class ProblemEditConflict(ProblemServiceError):
    """The problem was changed by someone else since the caller read it."""


@dataclass(frozen=True)
class StatusRule:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # The date field filled with the day of the move when not given.
    date_field: str | None = None


# What each move needs (the speech: 限时解决, 记录在案 with the policy explanation,
# 上报 to whom and when, 销号 only after the enterprise was told the outcome).
STATUS_RULES = {
    Status.IN_PROGRESS: StatusRule(required=(), optional=("handler", "escalation_answer")),
    Status.RESOLVED: StatusRule(
        required=("resolution",),
        optional=("resolved_on", "escalation_answer"),
        date_field="resolved_on",
    ),
    Status.ON_RECORD: StatusRule(required=("explanation", "review_on")),
    Status.ESCALATED: StatusRule(
        required=("escalated_to",), optional=("escalated_on",), date_field="escalated_on"
    ),
    Status.CLOSED: StatusRule(
        required=("feedback_on", "feedback_way", "rating"),
        optional=("closed_on",),
        date_field="closed_on",
    ),
}
MOVE_FIELDS = {name for rule in STATUS_RULES.values() for name in (*rule.required, *rule.optional)}

LABELS = {
    "handler": _("经办人"),
    "resolution": _("办理结果"),
    "resolved_on": _("办结日期"),
    "explanation": _("政策解释"),
    "review_on": _("复核日期"),
    "escalated_to": _("上报单位"),
    "escalated_on": _("上报日期"),
    "escalation_answer": _("上级答复"),
    "feedback_on": _("反馈日期"),
    "feedback_way": _("反馈方式"),
    "rating": _("企业评价"),
    "closed_on": _("销号日期"),
    "note": _("说明"),
}
DATE_FIELDS = ("resolved_on", "review_on", "escalated_on", "feedback_on", "closed_on")
# Dates of things that already happened (the review date is a plan).
PAST_DATES = ("resolved_on", "escalated_on", "feedback_on", "closed_on")


def allowed_moves(status: str) -> tuple[Status, ...]:
    """Return the statuses a problem in `status` may move to."""
    return MOVES[Status(status)]


def status_move_errors(problem, *, from_status, to_status, note: str, today: date) -> dict:
    """Return field errors of moving `problem` (its new values already set) to `to_status`."""
    from_status, to_status = Status(from_status), Status(to_status)
    if to_status not in MOVES[from_status]:
        return {
            "status": _("不能从“%(from)s”直接变为“%(to)s”。")
            % {"from": from_status.label, "to": to_status.label}
        }
    errors = {}
    for field in STATUS_RULES[to_status].required:
        if getattr(problem, field) in (None, ""):
            errors[field] = _("请填写%(label)s。") % {"label": LABELS[field]}
    reopening = to_status == Status.IN_PROGRESS
    if reopening and from_status == Status.ESCALATED and not problem.escalation_answer:
        errors["escalation_answer"] = _("上报的问题重新办理前，请记录上级答复。")
    if (
        to_status == Status.IN_PROGRESS
        and from_status in (Status.ON_RECORD, Status.RESOLVED)
        and not note
    ):
        errors["note"] = _("请说明重新办理的原因。")
    if problem.feedback_way and problem.feedback_way not in FeedbackWay.values:
        errors["feedback_way"] = _("未知的反馈方式。")
    if problem.rating and problem.rating not in Rating.values:
        errors["rating"] = _("未知的企业评价。")
    errors.update(date_errors(problem, today))
    return errors


def date_errors(problem, today: date) -> dict:
    """Return field errors for move dates in the future or before the problem was raised."""
    errors = {}
    for field in DATE_FIELDS:
        value = getattr(problem, field)
        if value is None:
            continue
        if field in PAST_DATES and value > today:
            errors[field] = _("%(label)s不能晚于今天（%(today)s）。") % {
                "label": LABELS[field],
                "today": today.isoformat(),
            }
        elif value < problem.raised_on:
            errors[field] = _("%(label)s不能早于反映日期（%(raised)s）。") % {
                "label": LABELS[field],
                "raised": problem.raised_on.isoformat(),
            }
    order = [("resolved_on", "feedback_on"), ("feedback_on", "closed_on")]
    for earlier, later in order:
        first, second = getattr(problem, earlier), getattr(problem, later)
        if first and second and second < first and later not in errors:
            errors[later] = _("%(later)s不能早于%(earlier)s（%(date)s）。") % {
                "later": LABELS[later],
                "earlier": LABELS[earlier],
                "date": first.isoformat(),
            }
    return errors


def errors_of(error: ValidationError) -> dict:
    """Return a ValidationError's messages as {field: one line}."""
    return {
        field: " ".join(str(m) for m in messages) for field, messages in error.message_dict.items()
    }


def full_clean_or_raise(obj, exclude=()) -> None:
    """Run `obj.full_clean()`; raise ProblemServiceError with Chinese field messages."""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise ProblemServiceError(errors_of(error)) from None


def stripped(fields: dict) -> dict:
    """Return `fields` with text values trimmed."""
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
