"""Run django-import-export's admin import through our importer.

The admin reads the upload into a tablib Dataset and calls
`Resource.import_data`; this mixin hands the dataset to the workbook's
importer (all-or-nothing, pipeline rules, bulk writes) and returns the
stock `Result`, so the admin's preview and confirm pages show new, updated,
unchanged and invalid rows. A confirm that finds any error writes nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from import_export.results import Result, RowResult

from crm.spreadsheets.cells import clean_text, refuse_error_text
from crm.spreadsheets.importers import CONFLICT, importer_for
from crm.spreadsheets.reader import Sheet, WorkbookError, check_headers
from crm.spreadsheets.results import ERROR, NEW, UNCHANGED, UPDATE, ImportFailed

IMPORT_TYPES = {
    NEW: RowResult.IMPORT_TYPE_NEW,
    UPDATE: RowResult.IMPORT_TYPE_UPDATE,
    UNCHANGED: RowResult.IMPORT_TYPE_SKIP,
}


class ImportThroughPlanMixin:
    workbook_kind = ""

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        importer = importer_for(self.workbook_kind)
        result = Result()
        headers = [clean_text(header) for header in dataset.headers or []]
        result.diff_headers = headers
        try:
            columns = check_headers(
                headers, importer.headers(), required=importer.required_headers()
            )
        except WorkbookError as error:
            result.append_base_error(result_error(error.message))
            return result
        sheet = Sheet(title="", headers=headers, columns=columns)
        # The admin reads the file with openpyxl, which gives error cells as their text.
        sheet.rows = [
            (index + 2, [refuse_error_text(value) for value in row])
            for index, row in enumerate(dataset)
        ]
        values = {number: row for number, row in sheet.rows}
        actor = kwargs.get("user")
        at = timezone.now()
        plan = importer.plan(sheet, actor=actor, at=at, progress=None)
        if plan.report.ok and not dry_run:
            try:
                with transaction.atomic():
                    importer.write(plan, actor=actor, at=at, note="Excel导入（管理后台）")
                plan.report.written = True
            except ImportFailed:
                pass
            except (IntegrityError, OperationalError):
                result.append_base_error(result_error(CONFLICT))
                return result
        for outcome in plan.report.outcomes:
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
