"""Import the problem ledger: validate every row, then write all rows or none.

A row with a 诉求编号 the system knows updates that problem (blank cells keep
what is stored); a row without one is matched by enterprise, 反映日期 and
诉求内容, so importing the same ledger twice changes nothing; any other row
creates a problem. A row's 办理状态 is reached through the ledger's moves
(`problem_change_status`), each with what it needs taken from the row: an
import never invents a date the report counts by (办结日期, 销号日期).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from aftercare.choices import MOVES, Rating, Status
from aftercare.excel.columns import HEADERS, LEDGER, REQUIRED, workbook_columns
from aftercare.models import Problem
from aftercare.rules import LABELS, STATUS_RULES, ProblemEditConflict, status_move_errors
from aftercare.services import (
    category_deadline_days,
    enterprise_find_or_create,
    problem_change_status,
    problem_create,
    problem_deadline_default,
    problem_update,
)
from crm.spreadsheets.cells import CellError
from crm.spreadsheets.importers import WorkbookImporter
from crm.spreadsheets.results import (
    ERROR,
    NEW,
    UNCHANGED,
    UPDATE,
    ImportFailed,
    ImportReport,
    RowError,
    RowOutcome,
)
from leads.models import TaskTeam
from leads.validators import validate_credit_code

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


class ProblemImporter(WorkbookImporter):
    kind = "problems"
    title = "企业诉求"
    permission = "aftercare.import_problem"
    notes = (
        "按诉求编号匹配：已有的诉求更新（空白单元格保持原值），没有编号的按“企业名称+反映日期+诉求内容”"
        "匹配，仍没有的新建。办理状态按台账规则逐步办理：已办结须填办理结果和办结日期，记录在案须填政策"
        "解释和复核日期，已上报须填上报单位和上报日期，已销号须填反馈日期、反馈方式、企业评价（满意或"
        "基本满意）和销号日期。任何一行有误则整个文件不写入。"
    )

    def columns(self):
        return workbook_columns()

    def plan(self, sheet, *, actor, at, progress) -> ProblemPlan:
        report, steps = ImportReport(), []
        context = _Context(at)
        seen: dict[str, int] = {}
        for row, cells in sheet.rows:
            outcome = RowOutcome(row=row, kind=ERROR)
            report.outcomes.append(outcome)
            values, errors = _parse(row, cells, sheet)
            step, errors = context.step(row, values, errors)
            key = values.get("code") or (
                values.get("enterprise"),
                values.get("raised_on"),
                values.get("description"),
            )
            outcome.key = values.get("code") or values.get("enterprise") or ""
            if key in seen and not errors:
                errors = [RowError(row, HEADERS["code"], f"与第{seen[key]}行是同一条诉求。")]
            seen.setdefault(key, row)
            if errors:
                outcome.errors = errors
                continue
            if step.problem is None:
                outcome.kind = NEW
            elif step.fields or step.moves:
                outcome.kind = UPDATE
                outcome.changes = [HEADERS.get(name, name) for name in step.fields]
                outcome.changes += [str(status.label) for status, _data in step.moves]
            else:
                outcome.kind = UNCHANGED
                continue
            steps.append(step)
        if actor is not None and steps and not actor.has_perm(self.permission):
            report.file_error = "您没有导入企业诉求的权限。"
        return ProblemPlan(report, steps)

    def write(self, plan: ProblemPlan, *, actor, at, note: str) -> None:
        for step in plan.steps:
            try:
                _write_step(step, actor=actor, at=at, note=note)
            except ProblemEditConflict:
                _fail(plan.report, step.row, "该诉求在校验后已被他人修改，请重新导入。")
            except ValidationError as error:
                _fail(plan.report, step.row, "；".join(error.messages))


def _fail(report: ImportReport, row: int, message: str):
    for outcome in report.outcomes:
        if outcome.row == row:
            outcome.kind = ERROR
            outcome.errors = [RowError(row, HEADERS["code"], message)]
    raise ImportFailed(report)


def _parse(row, cells, sheet) -> tuple[dict, list[RowError]]:
    values, errors = {}, []
    for column in LEDGER:
        raw = sheet.value(cells, column.header)
        try:
            values[column.field] = column.parse(raw) if raw not in (None, "") else None
        except CellError as error:
            values[column.field] = None
            errors.append(RowError(row, column.header, str(error)))
    code = values.get("credit_code")
    if code:
        values["credit_code"] = code = code.upper()
        try:
            validate_credit_code(code)
        except ValidationError as error:
            errors.append(RowError(row, HEADERS["credit_code"], error.messages[0]))
    return values, errors


class _Context:
    """What the planner reads once per import: problems, teams, users, deadlines."""

    def __init__(self, at):
        self.today = timezone.localdate(at)
        problems = Problem.objects.select_related("enterprise", "responsible_team")
        self.by_code = {problem.code: problem for problem in problems}
        self.by_content = {
            (p.enterprise.name, p.raised_on, p.description): p for p in self.by_code.values()
        }
        self.teams = dict(TaskTeam.objects.values_list("name", "pk"))
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
        if values["unit"]:
            team = self.teams.get(values["unit"])
            fields["responsible_team_id"] = team
            fields["responsible_unit_name"] = "" if team else values["unit"]
        if values["handler"]:
            fields["handler_id"] = self.users[values["handler"]]
        if problem is None:
            return fields
        changed = {k: v for k, v in fields.items() if getattr(problem, k) != v}
        if values["enterprise"] and values["enterprise"] != problem.enterprise.name:
            changed["enterprise"] = values["enterprise"]
        return changed

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


def _write_step(step: RowStep, *, actor, at, note: str) -> None:
    fields = dict(step.fields)
    if step.problem is None or "enterprise" in fields:
        name, credit_code = step.enterprise
        fields["enterprise"] = enterprise_find_or_create(name=name, credit_code=credit_code)
    if step.problem is None:
        problem = problem_create(actor=actor, channel="import", at=at, **fields)
    else:
        problem = problem_update(problem=step.problem, actor=actor, **fields)
    for status, data in step.moves:
        problem = problem_change_status(
            problem=problem,
            to_status=status,
            actor=actor,
            channel="import",
            note=note,
            at=at,
            **data,
        )
