"""python manage.py import_leads FILE [--dry-run] [--user USERNAME]"""

from crm.spreadsheets.commands import ImportCommand
from leads.excel.lead_importer import LeadImporter


class Command(ImportCommand):
    help = "Import a lead workbook (台账): all rows or, on any error, none."
    importer_class = LeadImporter
