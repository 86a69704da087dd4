"""Import the problem ledger: validate every row, then write all rows or none.

A row with a 诉求编号 the system knows updates that problem (blank cells keep
what is stored); a row without one is matched by enterprise, 反映日期 and
诉求内容, so importing the same ledger twice changes nothing; any other row
creates a problem. A row's 办理状态 is reached through the ledger's moves
(`problem_change_status`), each with what it needs taken from the row: an
import never invents a date the report counts by (办结日期, 销号日期).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from aftercare.excel.columns import HEADERS, LEDGER, workbook_columns
from aftercare.excel.plan import PlanContext, ProblemPlan, RowStep
from aftercare.rules import ProblemEditConflict
from aftercare.services import (
    enterprise_find_or_create,
    problem_change_status,
    problem_create,
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
from leads.validators import validate_credit_code


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
        context = PlanContext(at)
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
