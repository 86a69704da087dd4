"""Every write with business meaning on enterprises and their problems.

`problem_change_status` is the one place a problem's status changes: pages,
the admin, the Excel import, commands and tests all call it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftercare.choices import DEFAULT_DEADLINE_DAYS, Rating, Status
from aftercare.enterprises import (
    enterprise_create,
    enterprise_find_or_create,
    enterprise_update,
    enterprises_link_landed,
)
from aftercare.models import CategoryDeadline, Problem, ProblemStatusChange
from aftercare.rules import (
    MOVE_FIELDS,
    STATUS_RULES,
    InvalidStatusChange,
    ProblemEditConflict,
    ProblemServiceError,
    full_clean_or_raise,
    status_move_errors,
    stripped,
)
from aftercare.signals import problem_status_changed
from leads.services.codes import yearly_codes_next

__all__ = [
    "SERVICE_FIELDS",
    "category_deadline_days",
    "enterprise_create",
    "enterprise_find_or_create",
    "enterprise_update",
    "enterprises_link_landed",
    "problem_change_status",
    "problem_code_next",
    "problem_create",
    "problem_deadline_default",
    "problem_update",
]

CODE_PREFIX = "SQ"
# Fields set only by the services: the code, the status and what the moves record.
SERVICE_FIELDS = {"code", "status", "version", "reopen_count", *MOVE_FIELDS} - {"handler"}


def problem_code_next(*, year: int, count: int = 1) -> list[str]:
    """Return the next `count` unused problem codes of `year`, e.g. SQ-2026-0001."""
    return yearly_codes_next(Problem.objects.all(), prefix=CODE_PREFIX, year=year, count=count)


def category_deadline_days() -> dict[str, int]:
    """Return the days allowed per category: the admin's table over the built-in defaults."""
    days = {str(category): value for category, value in DEFAULT_DEADLINE_DAYS.items()}
    days.update(CategoryDeadline.objects.values_list("category", "days"))
    return days


def problem_deadline_default(*, category: str, raised_on: date, days=None) -> date:
    """Return the deadline (限时) of a problem of `category` raised on `raised_on`."""
    days = category_deadline_days() if days is None else days
    return raised_on + timedelta(days=days.get(category, DEFAULT_DEADLINE_DAYS["other"]))


def problem_create(
    *, actor=None, channel: str = "web", code: str = "", at: datetime | None = None, **fields
) -> Problem:
    """Record a problem at 待办; the deadline defaults by category (限时).

    Writes the creation's history row (blank → 待办). A code like
    SQ-2026-0001 is generated when none is given.
    """
    invalid = set(fields) & SERVICE_FIELDS
    if invalid:
        raise TypeError(f"problem_create() cannot set {sorted(invalid)}")
    at = at or timezone.now()
    fields = stripped(fields)
    if fields.get("raised_on") is None:
        fields["raised_on"] = timezone.localdate(at)
    if fields.get("deadline") is None and fields.get("category"):
        fields["deadline"] = problem_deadline_default(
            category=fields["category"], raised_on=fields["raised_on"]
        )
    for attempt in range(5):
        try:
            with transaction.atomic():
                problem = Problem(**fields)
                problem.code = code.strip() or problem_code_next(year=fields["raised_on"].year)[0]
                full_clean_or_raise(problem)
                if problem.raised_on > timezone.localdate(at):
                    raise ProblemServiceError({"raised_on": _("反映日期不能晚于今天。")})
                problem.save()
                ProblemStatusChange.objects.create(
                    problem=problem,
                    from_status="",
                    to_status=Status.OPEN,
                    at=at,
                    actor=actor,
                    channel=channel,
                    note=_("登记诉求"),
                )
                return problem
        except IntegrityError:
            # Two writers took the same generated code; take the next one.
            if code or attempt == 4:
                raise
    raise AssertionError("unreachable")


def _lock_current(problem: Problem) -> Problem:
    """Lock the problem's row and return it; refuse a copy read before the last change."""
    stored = Problem.objects.select_for_update().get(pk=problem.pk)
    if problem.version != stored.version:
        raise ProblemEditConflict(
            {
                "version": _(
                    "该诉求已被他人修改（当前版本 %(current)d，您的版本 %(yours)d），"
                    "请刷新后重新操作，您填写的内容未保存。"
                )
                % {"current": stored.version, "yours": problem.version}
            }
        )
    return stored


def problem_update(*, problem: Problem, actor=None, **fields) -> Problem:
    """Change a problem's ordinary fields (not its status); refuse a stale copy."""
    invalid = set(fields) & SERVICE_FIELDS
    if invalid:
        raise TypeError(f"problem_update() cannot set {sorted(invalid)}")
    with transaction.atomic():
        stored = _lock_current(problem)
        changed = [
            field for field, value in stripped(fields).items() if getattr(stored, field) != value
        ]
        if not changed:
            return stored
        for field in changed:
            setattr(stored, field, stripped(fields)[field])
        full_clean_or_raise(stored, exclude=["code"])
        stored.version += 1
        stored.save(update_fields=[*changed, "version", "modified"])
    return stored


def problem_change_status(
    *,
    problem: Problem,
    to_status: str,
    actor=None,
    channel: str = "web",
    note: str = "",
    at: datetime | None = None,
    **data,
) -> Problem:
    """Move `problem` to `to_status` and record the move; return the updated problem.

    Locks the row; refuses a stale copy (ProblemEditConflict); validates the
    move and what it needs (InvalidStatusChange, Chinese field messages):
    已办结 needs the resolution, 记录在案 the policy explanation and a review
    date, 已上报 to whom, 已销号 the feedback date, way and rating. A close-out
    rated 不满意 reopens the problem (办理中) instead of closing it. Fills the
    move's date with the day of the move when not given; writes a
    ProblemStatusChange row; sends `problem_status_changed` after commit.
    Kept in one piece on purpose: it reads as the steps of DESIGN.md's stage
    change (lock, no-op, validate, save, history row, on-commit signal).
    """
    unknown = set(data) - MOVE_FIELDS
    if unknown:
        raise TypeError(f"problem_change_status() got unexpected fields: {sorted(unknown)}")
    try:
        to_status = Status(to_status)
    except ValueError:
        raise InvalidStatusChange({"status": _("未知的状态：%(s)s。") % {"s": to_status}}) from None
    at = at or timezone.now()
    today = timezone.localdate(at)
    note = (note or "").strip()
    with transaction.atomic():
        stored = _lock_current(problem)
        from_status = Status(stored.status)
        if to_status == from_status:
            return stored
        rule = STATUS_RULES[to_status]
        allowed = set(rule.required) | set(rule.optional)
        extra = sorted(set(data) - allowed)
        if extra:
            raise InvalidStatusChange({extra[0]: _("该项不属于此操作。")})
        for field, value in stripped(data).items():
            setattr(stored, field, value)
        if rule.date_field and getattr(stored, rule.date_field) is None:
            setattr(stored, rule.date_field, today)
        errors = status_move_errors(
            stored, from_status=from_status, to_status=to_status, note=note, today=today
        )
        if errors:
            raise InvalidStatusChange(errors)
        final, rating = to_status, stored.rating if to_status == Status.CLOSED else ""
        if to_status == Status.CLOSED and rating == Rating.UNSATISFIED:
            final, note = _reopen_unsatisfied(stored), note or _("企业评价不满意，重新办理。")
        stored.status = final
        stored.version += 1
        full_clean_or_raise(stored, exclude=["code"])
        stored.save()
        change = ProblemStatusChange.objects.create(
            problem=stored,
            from_status=from_status,
            to_status=final,
            at=at,
            actor=actor,
            channel=channel,
            note=note,
            rating=rating,
            data=_json_safe(data),
        )
        transaction.on_commit(
            lambda: problem_status_changed.send(sender=Problem, problem=stored, change=change)
        )
    return stored


def _reopen_unsatisfied(problem: Problem) -> Status:
    """Reopen a problem whose close-out the enterprise rated 不满意; return its new status.

    The enterprise was told but is not content, so the problem is worked
    again. The feedback stays in the history row; the problem waits for the
    next one.
    """
    problem.closed_on = problem.feedback_on = None
    problem.feedback_way = problem.rating = ""
    problem.reopen_count += 1
    return Status.IN_PROGRESS


def _json_safe(data: dict) -> dict:
    safe = {}
    for key, value in data.items():
        if hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, date):
            value = value.isoformat()
        safe[key] = value
    return safe
