"""python manage.py export_entrepreneurs --out FILE"""

from chambers.excel import export_entrepreneurs
from crm.spreadsheets.commands import ExportCommand


class Command(ExportCommand):
    help = "Export every entrepreneur to an .xlsx workbook."
    kind = "entrepreneurs"

    def write(self, path, options):
        return export_entrepreneurs(path)
