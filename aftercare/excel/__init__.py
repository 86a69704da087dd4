"""The problem ledger workbook: import, export and the monthly 台账."""

from aftercare.excel.export import export_problems
from aftercare.excel.importer import ProblemImporter
from aftercare.excel.ledger import build_ledger_workbook

__all__ = ["ProblemImporter", "build_ledger_workbook", "export_problems"]
