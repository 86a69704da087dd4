"""python manage.py import_problems FILE [--dry-run] [--user USERNAME]"""

from aftercare.excel import ProblemImporter
from crm.spreadsheets.commands import ImportCommand


class Command(ImportCommand):
    help = "Import the enterprise-problem ledger: all rows or, on any error, none."
    importer_class = ProblemImporter
