"""python manage.py export_targets --out FILE [--year YYYY]"""

from crm.spreadsheets.commands import ExportCommand
from leads.excel.targets import export_targets


class Command(ExportCommand):
    help = "Export the annual targets (of one year, or all) to an .xlsx workbook."
    kind = "targets"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--year", type=int, help="only this year's targets")

    def write(self, path, options):
        return export_targets(path, year=options["year"])
