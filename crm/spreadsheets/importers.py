"""WorkbookImporter: read, validate every row, then write all rows or none.

Each workbook (leads, chambers, entrepreneurs) subclasses it with its
columns, a `plan` that validates the rows and decides what each one does,
and a `write` that applies a valid plan in bulk.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from crm.spreadsheets.reader import Sheet, WorkbookError, read_sheet
from crm.spreadsheets.results import ImportFailed, ImportReport
from crm.spreadsheets.writer import Column, build_template, write_error_workbook

# progress(phase, done, total); phases: "validate", "write", "done".
Progress = Callable[[str, int, int], None]


logger = logging.getLogger(__name__)
CONFLICT = "写入时与同时进行的其他修改或导入发生冲突，未写入任何数据；请稍后重新导入。"

_REGISTRY: dict[str, Callable[[], WorkbookImporter]] = {}


def importer_register(kind: str, factory: Callable[[], WorkbookImporter]) -> None:
    """Make `factory` the importer of workbook `kind`; apps call this from `ready()`.

    The spreadsheet layer knows no app: each app registers its workbooks,
    so the import pages, jobs and the admin find them by kind.
    """
    _REGISTRY[kind] = factory


def importer_for(kind: str) -> WorkbookImporter:
    """Return a new importer of the registered workbook `kind` (KeyError when unknown)."""
    return _REGISTRY[kind]()


def importer_kinds() -> list[str]:
    """Return the registered workbook kinds."""
    return list(_REGISTRY)


class WorkbookImporter:
    # The permission a user needs to import this workbook.
    permission = ""

    kind = ""
    title = ""
    notes = ""
    # The note of what this import writes: set from the file's name by `run`.
    note = "Excel导入"

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def headers(self) -> list[str]:
        return [column.header for column in self.columns()]

    def required_headers(self) -> list[str] | None:
        """Return the columns a workbook must have; None means all, and no others."""
        return None

    def plan(self, sheet: Sheet, *, actor, at, progress: Progress | None):
        """Validate every row of `sheet`; return a plan whose `.report` says what each row does."""
        raise NotImplementedError

    def write(self, plan, *, actor, at, note: str) -> None:
        """Apply a valid plan; raise ImportFailed if the database changed meanwhile."""
        raise NotImplementedError

    def read(self, data: bytes) -> Sheet:
        return read_sheet(data, columns=self.headers(), required=self.required_headers())

    def run(
        self,
        data: bytes,
        *,
        actor=None,
        dry_run: bool = False,
        filename: str = "",
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import the workbook in `data`: all rows or, on any error, none. Return the report."""
        try:
            sheet = self.read(data)
        except WorkbookError as error:
            return ImportReport(file_error=error.message)
        at = timezone.now()
        self.note = note = f"Excel导入：{filename}" if filename else "Excel导入"
        plan = self.plan(sheet, actor=actor, at=at, progress=progress)
        plan.report.warnings = [*sheet.warnings, *plan.report.warnings]
        del sheet
        if not plan.report.ok or dry_run:
            return plan.report
        if progress:
            progress("write", 0, len(plan.report.outcomes))
        try:
            with transaction.atomic():
                self.write(plan, actor=actor, at=at, note=note)
        except ImportFailed as failed:
            return failed.report
        except (IntegrityError, OperationalError):
            # The last line of defence: a conflicting write the checks under the
            # write lock did not foresee is refused in Chinese, not a traceback.
            logger.warning("import of %s refused on a write conflict", filename, exc_info=True)
            return ImportReport(file_error=CONFLICT)
        plan.report.written = True
        if progress:
            progress("done", len(plan.report.outcomes), len(plan.report.outcomes))
        return plan.report

    def write_errors(self, data: bytes, output, *, actor=None) -> ImportReport:
        """Write the workbook in `data` back with a 错误说明 column; return the report."""
        sheet = self.read(data)
        # The planner frees rows as it reads them; keep ours for writing back.
        copy = Sheet(sheet.title, sheet.headers, sheet.columns, rows=list(sheet.rows))
        for title, other in sheet.companions.items():
            copy.companions[title] = Sheet(title, other.headers, other.columns, list(other.rows))
        plan = self.plan(copy, actor=actor, at=timezone.now(), progress=None)
        plan.report.warnings = [*sheet.warnings, *plan.report.warnings]
        others = [
            (other, plan.report.errors_by_row(title)) for title, other in sheet.companions.items()
        ]
        write_error_workbook(output, sheet=sheet, errors=plan.report.errors_by_row(), others=others)
        return plan.report

    def write_template(self, output) -> None:
        build_template(output, title=self.title, columns=self.columns(), notes=self.notes)
