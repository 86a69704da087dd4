"""Write the monthly signed-versus-landed report as an Excel workbook or JSON."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from crm.spreadsheets.commands import command_exported
from leads.reports.monthly import monthly_report_build
from leads.reports.period import Period, PeriodError
from leads.reports.serialise import report_data
from leads.reports.workbook import build_monthly_workbook

FORMATS = ("xlsx", "json")


class Command(BaseCommand):
    help = (
        "生成月度签约落地通报。例：monthly_report 2026-03 --format xlsx --out 月报.xlsx；"
        "monthly_report 2026-03 --format json；周报/旬报：--from 2026-03-01 --to 2026-03-10。"
    )

    def add_arguments(self, parser):
        parser.add_argument("month", nargs="?", help="报表月份 YYYY-MM")
        parser.add_argument("--format", default="json", help="输出格式：xlsx 或 json（默认 json）")
        parser.add_argument("--out", help="xlsx 输出文件路径")
        parser.add_argument("--from", dest="start", help="起始日期 YYYY-MM-DD（与 --to 一起使用）")
        parser.add_argument("--to", dest="end", help="截止日期 YYYY-MM-DD")

    def handle(self, *args, month=None, format="json", out=None, start=None, end=None, **options):
        """Build the report for the month or range and write it to --out or standard output."""
        period = self._period(month, start, end)
        if format not in FORMATS:
            raise CommandError(f"不支持的输出格式“{format}”，只能是 xlsx 或 json。")
        if format == "xlsx" and not out:
            raise CommandError("输出 xlsx 须用 --out 指定文件路径，例如 --out 月报.xlsx。")
        report = monthly_report_build(period)
        if format == "json":
            text = json.dumps(report_data(report), ensure_ascii=False, indent=2)
            if out:
                with open(out, "w", encoding="utf-8") as handle:
                    handle.write(text + "\n")
            else:
                self.stdout.write(text)
        else:
            try:
                build_monthly_workbook(report).save(out)
            except OSError as error:
                raise CommandError(f"无法写入文件“{out}”：{error.strerror or error}。") from None
            self.stderr.write(f"已生成 {period.label} 通报：{out}")
        # The rows are the projects the report lists one by one (签约未落地).
        command_exported(
            self,
            {"month": month, "format": format, "start": start, "end": end},
            kind="monthly_report",
            rows=len(report.backlog),
            filename=Path(out).name if out else "",
            note=f"{period.label} 通报（{format}）" + ("" if out else "，输出到标准输出"),
        )

    def _period(self, month, start, end) -> Period:
        try:
            if start or end:
                if month:
                    raise CommandError(
                        "请只指定月份，或只指定 --from/--to 日期范围，不能同时使用。"
                    )
                if not (start and end):
                    raise CommandError("日期范围须同时指定 --from 和 --to。")
                return Period.parse_range(start, end)
            if not month:
                raise CommandError("请指定报表月份（YYYY-MM），或用 --from/--to 指定日期范围。")
            return Period.parse_month(month)
        except PeriodError as error:
            raise CommandError(str(error)) from None
