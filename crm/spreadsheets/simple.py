"""SimpleImporter: import a flat reference table (chambers, entrepreneurs) by a natural key.

A row whose key exists updates that record (blank cells keep what is
stored), otherwise it creates one. Writes go through simple-history's bulk
helpers so every created or changed record gets its history row.
"""

from __future__ import annotations

from dataclasses import dataclass

from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from crm.spreadsheets.cells import CellError, cell_problem, clean_text
from crm.spreadsheets.importers import WorkbookImporter
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

KEY_BLANK = (None, "")


def key_part(value):
    """Return one part of a natural key, a blank cell and an unset foreign key alike as ""."""
    return "" if value in KEY_BLANK else value


@dataclass
class Spec:
    """One column of a reference table: header, model field, parser, whether required."""

    header: str
    field: str
    parse: object = clean_text
    required: bool = False


@dataclass
class SimplePlan:
    report: ImportReport
    creations: list
    updates: list
    changed_fields: set


def _row_values(sheet: Sheet, row: int, cells, specs: list[Spec]) -> tuple[dict, list[RowError]]:
    """Return the row's parsed values by field, and an error for each cell that is wrong."""
    values, errors = {}, []
    for spec in specs:
        raw = sheet.value(cells, spec.header)
        problem = cell_problem(raw)
        if problem:
            errors.append(RowError(row, spec.header, problem))
            continue
        try:
            value = spec.parse(raw) if raw not in (None, "") else None
        except CellError as error:
            errors.append(RowError(row, spec.header, str(error)))
            continue
        if value in (None, "") and spec.required:
            errors.append(RowError(row, spec.header, f"{spec.header}不能为空。"))
        values[spec.field] = value
    return values, errors


def _changed_fields(obj, values: dict) -> list[str]:
    """Return the fields whose new value differs; an empty cell keeps the stored value."""
    return [
        name
        for name, value in values.items()
        if value not in (None, "") and getattr(obj, name) != value
    ]


class SimpleImporter(WorkbookImporter):
    model = None
    key: tuple[str, ...] = ()

    def specs(self) -> list[Spec]:
        raise NotImplementedError

    def plan(self, sheet: Sheet, *, actor, at, progress) -> SimplePlan:
        specs = self.specs()
        labels = {spec.field: spec.header for spec in specs}
        key_headers = {labels[name] for name in self.key}
        existing = {
            tuple(key_part(getattr(obj, name)) for name in self.key): obj
            for obj in self.model.objects.all()
        }
        report = ImportReport()
        creations, updates, changed_fields = [], [], set()
        seen: dict[tuple, int] = {}
        for row, cells in sheet.rows:
            outcome = RowOutcome(row=row, kind=ERROR)
            report.outcomes.append(outcome)
            values, errors = _row_values(sheet, row, cells, specs)
            key = tuple(key_part(values.get(name)) for name in self.key)
            outcome.key = self.describe(values)
            if key in seen and not errors:
                errors.append(
                    RowError(row, labels[self.key[0]], f"与第{seen[key]}行是同一条记录。")
                )
            # A key cell that could not be read says nothing about which record the row is.
            if not any(error.column in key_headers for error in errors):
                seen.setdefault(key, row)
            errors.extend(self.check(row, values, labels))
            if errors:
                outcome.errors = errors
                continue
            obj = existing.get(key)
            if obj is None:
                creations.append(self._new(values, at))
                outcome.kind = NEW
                continue
            changed = _changed_fields(obj, values)
            if not changed:
                outcome.kind = UNCHANGED
                continue
            for name in changed:
                setattr(obj, name, values[name])
            obj.modified = at
            changed_fields.update(changed)
            updates.append(obj)
            outcome.kind = UPDATE
            outcome.changes = [labels[name] for name in changed]
        if actor is not None and (creations or updates) and not actor.has_perm(self.permission):
            report.file_error = "您没有导入该工作簿的权限。"
        return SimplePlan(report, creations, updates, changed_fields)

    def _new(self, values: dict, at):
        obj = self.model(**{k: ("" if v is None else v) for k, v in self.fill(values).items()})
        obj.created = obj.modified = at
        return obj

    def describe(self, values: dict) -> str:
        """Return how the preview names the record of a row: its key's values."""
        return " ".join(str(values[name]) for name in self.key if values.get(name) not in KEY_BLANK)

    def fill(self, values: dict) -> dict:
        """Return the field values of a new record (None for an unset foreign key)."""
        return values

    def check(self, row: int, values: dict, labels: dict) -> list[RowError]:
        return []

    def write(self, plan: SimplePlan, *, actor, at, note: str) -> None:
        if plan.creations:
            bulk_create_with_history(
                plan.creations,
                self.model,
                batch_size=1000,
                default_user=actor,
                default_change_reason=note,
                default_date=at,
            )
        if plan.updates:
            bulk_update_with_history(
                plan.updates,
                self.model,
                fields=sorted(plan.changed_fields | {"modified"}),
                batch_size=1000,
                default_user=actor,
                default_change_reason=note,
                default_date=at,
            )
