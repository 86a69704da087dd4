"""python manage.py import_chambers FILE [--dry-run] [--user USERNAME]"""

from chambers.excel import ChamberImporter
from crm.spreadsheets.commands import ImportCommand


class Command(ImportCommand):
    help = "Import the chamber workbook: all rows or, on any error, none."
    importer_class = ChamberImporter
