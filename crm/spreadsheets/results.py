"""What an import found: one outcome per row, the errors, the totals."""

from __future__ import annotations

from dataclasses import dataclass, field

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
# How many errors a command or page lists; the error workbook marks them all.
SHOWN_ERRORS = 200
KIND_LABELS = {NEW: "新建", UPDATE: "更新", UNCHANGED: "未变", ERROR: "有误"}


@dataclass(frozen=True)
class RowError:
    """One problem in one cell, reported as 第{row}行 [{column}] {message}.

    On a workbook's second sheet the sheet is named first: “到位资金”第3行 [金额(万元)] ….
    """

    row: int
    column: str
    message: str
    sheet: str = ""

    def __str__(self):
        where = f"“{self.sheet}”第{self.row}行" if self.sheet else f"第{self.row}行"
        return f"{where} [{self.column}] {self.message}"


@dataclass
class RowOutcome:
    """What the import does with one row: create, update, leave unchanged, or refuse."""

    row: int
    kind: str
    key: str = ""
    label: str = ""
    changes: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # The sheet of the row when it is not the workbook's main sheet.
    sheet: str = ""


class ImportFailed(Exception):
    """The import was refused; nothing was written. Carries the report with every error."""

    def __init__(self, report: ImportReport):
        super().__init__("; ".join(report.error_lines()[:5]))
        self.report = report


class ImportReport:
    """The outcome of validating (and maybe writing) one workbook."""

    def __init__(self, file_error: str | None = None):
        self.file_error = file_error
        self.outcomes: list[RowOutcome] = []
        self.written = False
        # Said once for the file, not errors: e.g. extra columns that were ignored.
        self.warnings: list[str] = []

    @property
    def errors(self) -> list[RowError]:
        return [error for outcome in self.outcomes for error in outcome.errors]

    @property
    def ok(self) -> bool:
        return self.file_error is None and not any(o.kind == ERROR for o in self.outcomes)

    @property
    def counts(self) -> dict[str, int]:
        """Return the main sheet's rows by kind (`sheet_counts` for another sheet)."""
        return self.sheet_counts("")

    def sheet_counts(self, sheet: str) -> dict[str, int]:
        counts = dict.fromkeys((NEW, UPDATE, UNCHANGED, ERROR), 0)
        for outcome in self.outcomes:
            if outcome.sheet == sheet:
                counts[outcome.kind] += 1
        return counts

    def other_sheets(self) -> list[str]:
        """Return the sheets besides the main one that have rows, in the order first seen."""
        return list(dict.fromkeys(o.sheet for o in self.outcomes if o.sheet))

    def error_lines(self) -> list[str]:
        """Return every error as one line: the main sheet's first, each sheet in row order."""
        if self.file_error:
            return [self.file_error]
        order = {"": 0, **{sheet: i + 1 for i, sheet in enumerate(self.other_sheets())}}
        errors = sorted(self.errors, key=lambda e: (order.get(e.sheet, len(order)), e.row))
        return [str(error) for error in errors]

    def shown_error_lines(self, limit: int = SHOWN_ERRORS) -> list[str]:
        """Return the first `limit` error lines, then a line counting the rest, if any."""
        lines = self.error_lines()
        if len(lines) <= limit:
            return lines
        return [
            *lines[:limit],
            f"另有 {len(lines) - limit} 处错误未列出（错误工作簿中标出了全部错误）。",
        ]

    def errors_by_row(self, sheet: str = "") -> dict[int, list[str]]:
        by_row: dict[int, list[str]] = {}
        for error in self.errors:
            if error.sheet == sheet:
                by_row.setdefault(error.row, []).append(f"[{error.column}] {error.message}")
        return by_row

    def summary(self) -> str:
        """Return the one-line summary: created, updated, unchanged counts, then other sheets'."""
        counts = self.counts
        line = f"新建 {counts[NEW]} 条，更新 {counts[UPDATE]} 条，未变 {counts[UNCHANGED]} 条"
        for sheet in self.other_sheets():
            counts = self.sheet_counts(sheet)
            line += f"；“{sheet}”新增 {counts[NEW]} 条，未变 {counts[UNCHANGED]} 条"
        return line if self.written else line + "（预检，未写入）"

    def as_json(self, *, sample: int = 200) -> dict:
        """Return the report for storing on an ImportJob: totals, errors, a sample of each kind."""
        samples: dict[str, list] = {kind: [] for kind in KIND_LABELS}
        for outcome in self.outcomes:
            bucket = samples[outcome.kind]
            if len(bucket) < sample:
                bucket.append(
                    {
                        "row": outcome.row,
                        "sheet": outcome.sheet,
                        "key": outcome.key,
                        "label": outcome.label,
                        "changes": outcome.changes,
                        "errors": [f"[{e.column}] {e.message}" for e in outcome.errors],
                    }
                )
        return {
            "file_error": self.file_error,
            "counts": self.counts,
            "written": self.written,
            "summary": self.summary(),
            "errors": self.shown_error_lines(),
            "warnings": self.warnings,
            "error_total": 1 if self.file_error else len(self.errors),
            "samples": samples,
        }
