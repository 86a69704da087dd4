"""Run django-import-export's admin import through our importer.

The admin reads the upload into a tablib Dataset and calls
`Resource.import_data`; this mixin hands the dataset to the workbook's
importer (all-or-nothing, pipeline rules, bulk writes) and returns the
stock `Result`, so the admin's preview and confirm pages show new, updated,
unchanged and invalid rows. A confirm that finds any error writes nothing.
The confirm (not the preview) is announced through `workbook_imported`
with the admin's request, written or refused.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from import_export.results import Result, RowResult

from crm.spreadsheets.cells import clean_text, refuse_error_text
from crm.spreadsheets.importers import CONFLICT, importer_for
from crm.spreadsheets.reader import Sheet, WorkbookError, check_headers
from crm.spreadsheets.results import ERROR, NEW, UNCHANGED, UPDATE, ImportFailed, ImportReport
from crm.spreadsheets.signals import CHANNEL_ADMIN, import_sent

IMPORT_TYPES = {
    NEW: RowResult.IMPORT_TYPE_NEW,
    UPDATE: RowResult.IMPORT_TYPE_UPDATE,
    UNCHANGED: RowResult.IMPORT_TYPE_SKIP,
}


class ImportThroughPlanMixin:
    workbook_kind = ""

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """Plan (and unless `dry_run`, write) the dataset; announce a confirmed import."""
        headers = [clean_text(header) for header in dataset.headers or []]
        values, report = self._import_report(dataset, headers, dry_run, kwargs.get("user"))
        if not dry_run:
            import_sent(
                report,
                kind=self.workbook_kind,
                filename=kwargs.get("file_name") or "",
                channel=CHANNEL_ADMIN,
                request=kwargs.get("request"),
                user=kwargs.get("user"),
            )
        return admin_result(report, headers, values)

    def _import_report(self, dataset, headers, dry_run, actor):
        """Return the rows by number and the importer's report on them (written unless dry)."""
        importer = importer_for(self.workbook_kind)
        try:
            columns = check_headers(
                headers, importer.headers(), required=importer.required_headers()
            )
        except WorkbookError as error:
            return {}, ImportReport(file_error=error.message)
        sheet = Sheet(title="", headers=headers, columns=columns)
        # The admin reads the file with openpyxl, which gives error cells as their text.
        sheet.rows = [
            (index + 2, [refuse_error_text(value) for value in row])
            for index, row in enumerate(dataset)
        ]
        values = {number: row for number, row in sheet.rows}
        at = timezone.now()
        plan = importer.plan(sheet, actor=actor, at=at, progress=None)
        if not plan.report.ok or dry_run:
            return values, plan.report
        try:
            with transaction.atomic():
                importer.write(plan, actor=actor, at=at, note="Excel导入（管理后台）")
        except ImportFailed as failed:
            return values, failed.report
        except (IntegrityError, OperationalError):
            return values, ImportReport(file_error=CONFLICT)
        plan.report.written = True
        return values, plan.report


def admin_result(report: ImportReport, headers: list[str], values: dict) -> Result:
    """Return the importer's report as django-import-export's Result for the admin's pages."""
    result = Result()
    result.diff_headers = headers
    if report.file_error:
        result.append_base_error(result_error(report.file_error))
        return result
    for outcome in report.outcomes:
        row_values = ["" if v is None else str(v) for v in values.get(outcome.row, [])]
        if outcome.kind == ERROR:
            error = ValidationError(
                {e.column: [f"第{e.row}行：{e.message}"] for e in outcome.errors}
            )
            result.append_invalid_row(
                outcome.row, dict(zip(headers, row_values, strict=False)), error
            )
            result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
            continue
        row_result = RowResult()
        row_result.import_type = IMPORT_TYPES[outcome.kind]
        row_result.object_repr = f"{outcome.key} {outcome.label}".strip()
        row_result.diff = row_values
        result.append_row_result(row_result)
        result.increment_row_result_total(row_result)
    return result


def result_error(message: str):
    from import_export.results import Error

    return Error(WorkbookError(message))
