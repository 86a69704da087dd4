"""Write the monthly signed-versus-landed report as an Excel workbook or JSON."""

import io
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from crm.snapshot import read_snapshot
from crm.spreadsheets.commands import command_exported
from leads.reports.locks import LockError, report_lock, report_snapshot_get
from leads.reports.monthly import monthly_report_build
from leads.reports.period import Period, PeriodError
from leads.reports.serialise import report_data
from leads.reports.workbook import build_monthly_workbook

FORMATS = ("xlsx", "json")


class Command(BaseCommand):
    help = (
        "生成月度签约落地通报。例：monthly_report 2026-03 --format xlsx --out 月报.xlsx；"
        "monthly_report 2026-03 --format json；周报/旬报：--from 2026-03-01 --to 2026-03-10；"
        "封存：monthly_report 2026-03 --lock --reason 上报版；已封存的期间默认输出封存版本，"
        "--live 输出实时数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("month", nargs="?", help="报表月份 YYYY-MM")
        parser.add_argument("--format", default="json", help="输出格式：xlsx 或 json（默认 json）")
        parser.add_argument("--out", help="xlsx 输出文件路径")
        parser.add_argument("--from", dest="start", help="起始日期 YYYY-MM-DD（与 --to 一起使用）")
        parser.add_argument("--to", dest="end", help="截止日期 YYYY-MM-DD")
        parser.add_argument("--lock", action="store_true", help="封存本期通报（上报版本）")
        parser.add_argument("--reason", default="", help="封存说明；重新封存时必填")
        parser.add_argument("--live", action="store_true", help="不用封存版本，按当前数据计算")

    def handle(self, *args, month=None, format="json", out=None, start=None, end=None, **options):
        """Build (or lock, or serve the locked version of) the report and write it out."""
        period = self._period(month, start, end)
        if format not in FORMATS:
            raise CommandError(f"不支持的输出格式“{format}”，只能是 xlsx 或 json。")
        if format == "xlsx" and not out:
            raise CommandError("输出 xlsx 须用 --out 指定文件路径，例如 --out 月报.xlsx。")
        if options["lock"]:
            try:
                snapshot = report_lock(period=period, actor=None, reason=options["reason"])
            except LockError as error:
                raise CommandError(str(error)) from None
            self.stderr.write(f"已封存 {period.label} 通报第 {snapshot.version} 版。")
            return
        locked = None if options["live"] else report_snapshot_get(period)
        if locked is not None:
            # The version as sent upward, byte for byte.
            text, workbook = locked.json_text, bytes(locked.workbook)
            rows = len(json.loads(text).get("backlog", []))
        else:
            with read_snapshot():
                report = monthly_report_build(period)
                text, workbook, rows = json.dumps(report_data(report)), None, len(report.backlog)
                if format == "xlsx":
                    buffer = io.BytesIO()
                    # Every row of the long lists: no one waits on the command, and
                    # its file has no page to download the rest from.
                    build_monthly_workbook(report, buffer, full=True)
                    workbook = buffer.getvalue()
        self._write(text if format == "json" else workbook, out)
        if format == "xlsx":
            self.stderr.write(f"已生成 {period.label} 通报：{out}")
        # The rows are the projects the report lists one by one (签约未落地).
        command_exported(
            self,
            {"month": month, "format": format, "start": start, "end": end},
            kind="monthly_report",
            rows=rows,
            filename=Path(out).name if out else "",
            note=f"{period.label} 通报（{format}）" + ("" if out else "，输出到标准输出"),
        )

    def _write(self, content, out) -> None:
        """Write JSON text (pretty-printed) or workbook bytes to `out`."""
        try:
            if isinstance(content, str):
                text = json.dumps(json.loads(content), ensure_ascii=False, indent=2)
                if not out:
                    self.stdout.write(text)
                    return
                Path(out).write_text(text + "\n", encoding="utf-8")
            else:
                Path(out).write_bytes(content)
        except OSError as error:
            raise CommandError(f"无法写入文件“{out}”：{error.strerror or error}。") from None

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
