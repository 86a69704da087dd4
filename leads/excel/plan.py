"""Validate a lead workbook row by row and decide what each row does, writing nothing.

Reference data (industries and aliases, chambers, entrepreneurs, teams,
stage owners) is read once per import; matched leads are read in chunks
(`matching`). Each row becomes a `LeadRow` (a light stand-in for a Lead)
and the plans the services would apply to it (`steps`): `lead_create`,
`lead_update`, `lead_change_stage`, `lead_assign_team` decide, through
their planning functions; the writer (`write`) only applies the plans.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from crm.spreadsheets.reader import Sheet
from crm.spreadsheets.results import (
    ERROR,
    NEW,
    UNCHANGED,
    UPDATE,
    ImportReport,
    RowError,
    RowOutcome,
)
from leads.dedup.matches import import_duplicate_warnings
from leads.excel.matching import LeadMatcher
from leads.excel.paid_in import PAID_IN_SHEET, PaidInSheetPlanner
from leads.excel.rows import parse_rows
from leads.excel.steps import Creation, RowContext, Update, creation_step, update_step
from leads.resources import lead_columns
from leads.services import lead_code_next

# Model fields that are not columns: where their errors are shown.
ERROR_COLUMN_FOR = {"note": "stage", "lost_to": "drop_reason", "version": "code"}


@dataclass
class LeadPlan:
    report: ImportReport
    creations: list[Creation]
    updates: list[Update]
    # The creations whose codes the import generated (renumbered at write time if taken).
    generated: list[Creation] = field(default_factory=list)


class LeadPlanner:
    """Build a LeadPlan for one sheet, for one actor, at one moment."""

    def __init__(self, *, actor, at, progress=None, reason: str = "Excel导入"):
        self.actor = actor
        self.at = at
        self.progress = progress
        # The reason a changed node plan is given: the file it came from.
        self.context = RowContext(actor=actor, at=at, reason=reason)
        self.headers = dict(lead_columns())

    def plan(self, sheet: Sheet) -> LeadPlan:
        """Validate every row of `sheet` and plan it; return the plan with its report."""
        parsed = list(parse_rows(sheet, self.progress))
        matcher = LeadMatcher(parsed, self.error)
        report = ImportReport()
        creations: list[Creation] = []
        updates: list[Update] = []
        paid_in = PaidInSheetPlanner(at=self.at, day=self.context.day)
        total = len(parsed)
        for index in range(total):
            row, values, errors = parsed[index]
            # Free each row's parsed cells once planned (a new lead keeps its LeadRow):
            # at 100,000 rows they held a hundred megabytes to the end of the plan.
            parsed[index] = None
            outcome = RowOutcome(
                row=row, kind=ERROR, key=values.get("code") or "", label=values.get("name") or ""
            )
            report.outcomes.append(outcome)
            # The sum of the instalments: checked against them, never written (`paid_in`).
            stated = values.pop("paid_in", None)
            existing = matcher.match(row, values, errors, outcome)
            step = None
            if errors:
                outcome.errors = errors
            elif existing is None:
                step = self.plan_creation(row, values, outcome, creations)
            else:
                step = self.plan_update(row, values, existing, outcome, updates)
            paid_in.note(outcome, step, existing, stated)
        generated = self.assign_codes(creations, report)
        if PAID_IN_SHEET in sheet.companions:
            paid_in.plan(sheet.companions[PAID_IN_SHEET], report.outcomes, updates)
        paid_in.check_stated(self.headers["paid_in"])
        # Likely duplicates are warnings: the clerk decides (the keys are the plans').
        report.warnings.extend(
            import_duplicate_warnings(
                [(step.row, step.lead.name, step.plan.entry.changes) for step in creations]
            )
        )
        if self.progress:
            self.progress("validate", total, total)
        return LeadPlan(report=report, creations=creations, updates=updates, generated=generated)

    def error(self, row: int, name: str, message: str) -> RowError:
        name = ERROR_COLUMN_FOR.get(name, name)
        return RowError(row, self.headers.get(name, self.headers["stage"]), str(message))

    def errors_from(self, row: int, errors: dict) -> list[RowError]:
        return [self.error(row, name, message) for name, message in errors.items()]

    def plan_creation(self, row: int, values: dict, outcome: RowOutcome, creations: list):
        step, errors = creation_step(self.context, row, values)
        if errors:
            outcome.errors = self.errors_from(row, errors)
            return None
        outcome.kind = NEW
        creations.append(step)
        return step

    def plan_update(self, row: int, values: dict, existing: dict, outcome, updates: list):
        step, errors = update_step(self.context, row, values, existing)
        if step is None and not errors:
            outcome.kind = UNCHANGED
            return None
        outcome.key = existing["code"]
        if errors:
            outcome.errors = self.errors_from(row, errors)
            return None
        outcome.kind = UPDATE
        outcome.changes = [self.headers.get(n.removesuffix("_id"), n) for n in step.changed]
        if step.move is not None:
            outcome.changes.append(self.headers["stage"])
        updates.append(step)
        return step

    def assign_codes(self, creations: list[Creation], report: ImportReport) -> list[Creation]:
        """Give new leads without a code the next free codes of the year; return those leads."""
        wanted = [step for step in creations if not step.lead.code]
        if not wanted:
            return wanted
        year = timezone.localtime(self.at).year
        taken = {step.lead.code for step in creations if step.lead.code}
        codes = [
            code
            for code in lead_code_next(year=year, count=len(wanted) + len(taken))
            if code not in taken
        ]
        outcomes = {outcome.row: outcome for outcome in report.outcomes}
        for step, code in zip(wanted, codes, strict=False):
            step.lead.code = code
            outcomes[step.row].key = code
        return wanted
