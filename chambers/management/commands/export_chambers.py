"""python manage.py export_chambers --out FILE"""

from chambers.excel import export_chambers
from crm.spreadsheets.commands import ExportCommand


class Command(ExportCommand):
    help = "Export every chamber to an .xlsx workbook."
    kind = "chambers"

    def write(self, path, options):
        return export_chambers(path)
