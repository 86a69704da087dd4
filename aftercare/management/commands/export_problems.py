"""python manage.py export_problems --out FILE [--status S ...] [--category C ...] [--team NAME]
[--responsible-unit NAME]
[--unit TEXT] [--overdue yes|no] [--month YYYY-MM] [--ledger]

Without --ledger: the ledger in the columns the import reads, filtered like
the list page. With --ledger: the monthly 台账 workbook of --month (default
this month): all problems, those closed out in the month, the overdue ones.
"""

from django.core.management.base import CommandError
from django.utils import timezone

from aftercare.excel import build_ledger_workbook, export_problems
from aftercare.filters import ProblemFilter
from aftercare.selectors import problem_list
from crm.spreadsheets.commands import ExportCommand
from leads.models import TaskTeam, Unit
from leads.reports.period import Period, PeriodError, current_month


class Command(ExportCommand):
    help = "Export the enterprise-problem ledger (or the monthly 台账 with --ledger)."
    kind = "problems"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--status", action="append", default=[], help="e.g. open, closed")
        parser.add_argument("--category", action="append", default=[], help="e.g. land")
        parser.add_argument("--team", help="responsible task team name")
        parser.add_argument("--responsible-unit", help="responsible unit (leads.Unit) name")
        parser.add_argument("--unit", help="responsible team, unit or outside name contains")
        parser.add_argument("--overdue", choices=["yes", "no"])
        parser.add_argument("--month", help="raised in YYYY-MM (with --ledger: the 台账 month)")
        parser.add_argument("--ledger", action="store_true", help="write the monthly 台账")

    def export_kind(self, options) -> str:
        return "problem_ledger" if options["ledger"] else self.kind

    def write(self, path, options) -> int:
        if options["ledger"]:
            try:
                month = options["month"]
                period = Period.parse_month(month) if month else current_month()
            except PeriodError as error:
                raise CommandError(str(error)) from None
            return build_ledger_workbook(period, path, today=timezone.localdate())
        query = {"status": options["status"], "category": options["category"]}
        if options["team"]:
            team = TaskTeam.objects.filter(name=options["team"]).first()
            if team is None:
                raise CommandError(f"没有名为“{options['team']}”的小分队。")
            query["team"] = team.pk
        if options["responsible_unit"]:
            unit = Unit.objects.filter(name=options["responsible_unit"]).first()
            if unit is None:
                raise CommandError(f"没有名为“{options['responsible_unit']}”的单位。")
            query["responsible_unit"] = unit.pk
        for name in ("unit", "month"):
            if options[name]:
                query[name] = options[name]
        if options["overdue"]:
            query["overdue"] = "true" if options["overdue"] == "yes" else "false"
        problem_filter = ProblemFilter(query, queryset=problem_list())
        if not problem_filter.is_valid():
            raise CommandError(f"筛选条件有误：{problem_filter.errors.as_text()}")
        return export_problems(path, problem_filter.qs)
