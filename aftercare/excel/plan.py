"""Plan the ledger import: read each row, find its problem, and list the writes and moves it needs.

Nothing is written here: a row's moves are checked on an unsaved copy of
its problem with the same rules `problem_change_status` applies.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

from aftercare.choices import MOVES, Rating, Status
from aftercare.excel.columns import HEADERS, REQUIRED
from aftercare.models import Problem
from aftercare.rules import LABELS, STATUS_RULES, status_move_errors
from aftercare.services import category_deadline_days, problem_deadline_default
from crm.spreadsheets.results import ImportReport, RowError
from leads.models import TaskTeam, Unit

ORDINARY = ("raised_on", "raised_via", "category", "description", "deadline")
# Dates the report counts by: a row must give them, the import never fills them in.
COUNTED_DATES = {Status.RESOLVED: "resolved_on", Status.CLOSED: "closed_on"}
IMPORT_NOTE = "Excel导入"


@dataclass
class RowStep:
    row: int
    problem: Problem | None
    enterprise: tuple[str, str]
    fields: dict
    moves: list[tuple[Status, dict]] = field(default_factory=list)


@dataclass
class ProblemPlan:
    report: ImportReport
    steps: list[RowStep]


def status_path(start: Status, target: Status) -> list[Status] | None:
    """Return the shortest list of moves from `start` to `target` ([] when equal, None if none)."""
    queue, seen = deque([(start, [])]), {start}
    while queue:
        status, path = queue.popleft()
        if status == target:
            return path
        for following in MOVES[status]:
            if following not in seen:
                seen.add(following)
                queue.append((following, [*path, following]))
    return None


class PlanContext:
    """What the planner reads once per import: problems, units, teams, users, deadlines."""

    def __init__(self, at):
        self.today = timezone.localdate(at)
        problems = Problem.objects.select_related(
            "enterprise", "responsible_team", "responsible_unit"
        )
        self.by_code = {problem.code: problem for problem in problems}
        self.by_content = {
            (p.enterprise.name, p.raised_on, p.description): p for p in self.by_code.values()
        }
        self.teams = dict(TaskTeam.objects.values_list("name", "pk"))
        self.units = dict(Unit.objects.filter(active=True).values_list("name", "pk"))
        users = get_user_model().objects.filter(is_active=True)
        self.users = {u.first_name: u.pk for u in users if u.first_name}
        self.users.update({u.username: u.pk for u in users})
        self.days = category_deadline_days()

    def step(self, row: int, values: dict, errors: list) -> tuple[RowStep | None, list[RowError]]:
        """Return the row's step, or None and every error of the row (cell errors first)."""
        problem = self.by_code.get(values["code"]) if values["code"] else None
        if problem is None and not values["code"]:
            key = (values["enterprise"], values["raised_on"], values["description"])
            problem = self.by_content.get(key)
        unreadable = {error.column for error in errors}
        errors = errors + [
            RowError(row, HEADERS[name], f"{HEADERS[name]}不能为空。")
            for name in REQUIRED
            if problem is None
            and values.get(name) in (None, "")
            and HEADERS[name] not in unreadable
        ]
        if values["handler"] and values["handler"] not in self.users:
            errors.append(
                RowError(row, HEADERS["handler"], f"系统中没有用户“{values['handler']}”。")
            )
        if errors:
            return None, errors
        fields = self.fields(values, problem)
        candidate = _candidate(problem, fields, values, self.days)
        errors = self.check(row, candidate)
        step = RowStep(
            row,
            problem,
            (values["enterprise"] or "", values["credit_code"] or ""),
            fields if problem is not None else {**fields, "code": values["code"] or ""},
        )
        if not errors:
            errors = self.moves(row, step, candidate, values)
        return step, errors

    def fields(self, values: dict, problem) -> dict:
        fields = {name: values[name] for name in ORDINARY if values.get(name) not in (None, "")}
        if values["unit"] and (problem is None or values["unit"] != problem.responsible_name):
            fields.update(self.responsible(values["unit"]))
        if values["handler"]:
            fields["handler_id"] = self.users[values["handler"]]
        if problem is None:
            return fields
        changed = {k: v for k, v in fields.items() if getattr(problem, k) != v}
        if values["enterprise"] and values["enterprise"] != problem.enterprise.name:
            changed["enterprise"] = values["enterprise"]
        return changed

    def responsible(self, name: str) -> dict:
        """Return the responsible fields of a 责任单位 cell.

        An active unit of that name first, then a task team, else the name as
        an outside department's free text. A cell that repeats what the problem
        shows now changes nothing (the caller skips it), so a round trip of a
        problem with both a team and a unit keeps both.
        """
        unit = self.units.get(name)
        team = None if unit else self.teams.get(name)
        return {
            "responsible_unit_id": unit,
            "responsible_team_id": team,
            "responsible_unit_name": "" if unit or team else name,
        }

    def check(self, row: int, candidate: Problem) -> list[RowError]:
        errors = []
        if candidate.raised_on > self.today:
            errors.append(RowError(row, HEADERS["raised_on"], "反映日期不能晚于今天。"))
        elif candidate.deadline < candidate.raised_on:
            errors.append(RowError(row, HEADERS["deadline"], "办理时限不能早于反映日期。"))
        return errors

    def moves(self, row: int, step: RowStep, candidate: Problem, values: dict) -> list[RowError]:
        target = Status(values["status"] or candidate.status)
        path = status_path(Status(candidate.status), target)
        if path is None:
            return [
                RowError(
                    row,
                    HEADERS["status"],
                    f"不能从“{Status(candidate.status).label}”变为“{target.label}”。",
                )
            ]
        if target == Status.CLOSED and values["rating"] == Rating.UNSATISFIED:
            return [
                RowError(row, HEADERS["rating"], "企业评价为不满意的诉求不能销号，应为办理中。")
            ]
        for status in path:
            rule = STATUS_RULES[status]
            data = {
                n: values[n]
                for n in (*rule.required, *rule.optional)
                if n != "handler" and values.get(n) not in (None, "")
            }
            counted = COUNTED_DATES.get(status)
            if counted and counted not in data:
                return [
                    RowError(
                        row,
                        HEADERS[counted],
                        f"办理状态为“{target.label}”时必须填写{LABELS[counted]}。",
                    )
                ]
            for name, value in data.items():
                setattr(candidate, name, value)
            problems = status_move_errors(
                candidate,
                from_status=candidate.status,
                to_status=status,
                note=IMPORT_NOTE,
                today=self.today,
            )
            if problems:
                return [
                    RowError(row, HEADERS.get(name, HEADERS["status"]), message)
                    for name, message in problems.items()
                ]
            candidate.status = status
            step.moves.append((status, data))
        return []


def _candidate(problem, fields: dict, values: dict, days: dict) -> Problem:
    """Return an unsaved copy of the problem as the row would make it."""
    if problem is not None:
        candidate = Problem.objects.model(
            **{f.attname: getattr(problem, f.attname) for f in Problem._meta.concrete_fields}
        )
    else:
        candidate = Problem(status=Status.OPEN)
    for name, value in fields.items():
        if name != "enterprise":
            setattr(candidate, name, value)
    if candidate.deadline is None:
        candidate.deadline = problem_deadline_default(
            category=candidate.category, raised_on=candidate.raised_on, days=days
        )
    if problem is None:
        fields["deadline"] = candidate.deadline
    return candidate
