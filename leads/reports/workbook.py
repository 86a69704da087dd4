"""The report as a print-ready Excel workbook with native charts."""

from openpyxl import Workbook


def build_monthly_workbook(report) -> Workbook:
    """Return the workbook of `report`."""
    raise NotImplementedError
