"""Export the problem ledger in the columns the import reads."""

from __future__ import annotations

from aftercare.excel.columns import LEDGER, workbook_columns
from aftercare.models import Problem
from crm.spreadsheets.writer import write_rows


def ledger_values(problem: Problem) -> list:
    """Return one problem's cells in ledger order (choice labels, dates as dates)."""
    special = {
        "enterprise": problem.enterprise.name,
        "credit_code": problem.enterprise.credit_code,
        "unit": problem.responsible_name,
        "handler": problem.handler.username if problem.handler_id else "",
    }
    values = []
    for column in LEDGER:
        if column.field in special:
            values.append(special[column.field])
        elif column.choices:
            value = getattr(problem, column.field)
            values.append(str(dict(column.choices).get(value, "")) if value else "")
        else:
            values.append(getattr(problem, column.field))
    return values


def export_queryset(queryset=None):
    queryset = Problem.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "enterprise", "responsible_team", "responsible_unit", "handler"
    ).order_by("code")


def export_problems(output, queryset=None) -> int:
    """Write problems to an .xlsx at `output` in the ledger's columns; return the row count."""
    rows = (ledger_values(problem) for problem in export_queryset(queryset).iterator())
    return write_rows(output, title="企业诉求", columns=workbook_columns(), rows=rows)
