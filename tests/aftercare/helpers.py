"""Shared setup of the ledger tests: reference data, enterprises, problems made by the services."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.management import call_command

from aftercare.models import Enterprise
from aftercare.services import problem_change_status, problem_create
from leads.models import TaskTeam

SHANGHAI = ZoneInfo("Asia/Shanghai")


def moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """Return `day` at hour:minute Shanghai time."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def load_reference():
    call_command("loaddata", "reference", verbosity=0)


def make_enterprise(name="洛阳华创智能装备有限公司", **fields) -> Enterprise:
    return Enterprise.objects.create(name=name, **fields)


def make_problem(*, enterprise=None, team=None, at=None, **fields):
    """Create a problem at 待办 through `problem_create`, filling what it needs."""
    defaults = {
        "raised_via": "visit",
        "category": "land",
        "description": "新增用地指标尚未落实",
    }
    if team is None and not {"responsible_unit_name", "responsible_unit"} & set(fields):
        team = TaskTeam.objects.order_by("pk").first()
    return problem_create(
        enterprise=enterprise or make_enterprise(),
        responsible_team=team,
        at=at,
        **{**defaults, **fields},
    )


def walk(problem, *moves, at=None, actor=None):
    """Apply (status, data) moves in order; return the problem."""
    for status, data in moves:
        problem = problem_change_status(
            problem=problem, to_status=status, actor=actor, at=at, **data
        )
    return problem


def resolve(problem, *, at=None, on=None):
    return walk(
        problem,
        ("in_progress", {}),
        ("resolved", {"resolution": "已协调自然资源局解决", **({"resolved_on": on} if on else {})}),
        at=at,
    )


def feedback(day: date, rating="satisfied") -> dict:
    return {"feedback_on": day, "feedback_way": "phone", "rating": rating}
