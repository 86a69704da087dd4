"""python manage.py import_targets FILE [--dry-run] [--user USERNAME]"""

from crm.spreadsheets.commands import ImportCommand
from leads.excel.targets import TargetImporter


class Command(ImportCommand):
    help = "Import the annual target workbook: all rows or, on any error, none."
    importer_class = TargetImporter
