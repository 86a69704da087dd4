"""python manage.py export_problems --out FILE [--status S ...] [--category C ...] [--team NAME]
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
from leads.models import TaskTeam
from leads.reports.period import Period, PeriodError, current_month


class Command(ExportCommand):
    help = "Export the enterprise-problem ledger (or the monthly 台账 with --ledger)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--status", action="append", default=[], help="e.g. open, closed")
        parser.add_argument("--category", action="append", default=[], help="e.g. land")
        parser.add_argument("--team", help="responsible task team name")
        parser.add_argument("--unit", help="responsible unit name contains")
        parser.add_argument("--overdue", choices=["yes", "no"])
        parser.add_argument("--month", help="raised in YYYY-MM (with --ledger: the 台账 month)")
        parser.add_argument("--ledger", action="store_true", help="write the monthly 台账")

    def write(self, path, options) -> int:
        if options["ledger"]:
            try:
                month = options["month"]
                period = Period.parse_month(month) if month else current_month()
            except PeriodError as error:
                raise CommandError(str(error)) from None
            book = build_ledger_workbook(period, today=timezone.localdate())
            book.save(path)
            return book["全部诉求"].max_row - 2
        query = {"status": options["status"], "category": options["category"]}
        if options["team"]:
            team = TaskTeam.objects.filter(name=options["team"]).first()
            if team is None:
                raise CommandError(f"没有名为“{options['team']}”的小分队。")
            query["team"] = team.pk
        for name in ("unit", "month"):
            if options[name]:
                query[name] = options[name]
        if options["overdue"]:
            query["overdue"] = "true" if options["overdue"] == "yes" else "false"
        problem_filter = ProblemFilter(query, queryset=problem_list())
        if not problem_filter.is_valid():
            raise CommandError(f"筛选条件有误：{problem_filter.errors.as_text()}")
        return export_problems(path, problem_filter.qs)
