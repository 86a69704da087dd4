"""python manage.py import_entrepreneurs FILE [--dry-run] [--user USERNAME]"""

from chambers.excel import EntrepreneurImporter
from crm.spreadsheets.commands import ImportCommand


class Command(ImportCommand):
    help = "Import the entrepreneur workbook: all rows or, on any error, none."
    importer_class = EntrepreneurImporter
