"""The report's workbook and JSON: read back, and in agreement with each other and the report."""

import io
import json
from datetime import date
from decimal import Decimal
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import TestCase
from openpyxl import load_workbook
from openpyxl.chart import BarChart

from leads.models import AnnualTarget, Industry, StageOwner
from leads.reports.monthly import backlog_report_build, monthly_report_build
from leads.reports.period import Period
from leads.reports.serialise import report_data
from leads.reports.workbook import build_backlog_workbook, build_monthly_workbook
from tests.leads.reports.scenario import LeadMaker, load_reference, moment

SHEETS = [
    "汇总",
    "按产业",
    "按小分队",
    "按引进单位",
    "按分包领导",
    "按来源",
    "按资金来源",
    "签约未落地",
    "年度目标",
    "签约后终止与调整说明",
    "排名",
    "督办清单",
    "企业诉求",
]
KEYS = {
    "month",
    "month_totals",
    "ytd_totals",
    "last_year_month_totals",
    "last_year_ytd_totals",
    "by_industry",
    "by_team",
    "by_source",
    "by_origin",
    "landing_rate",
    "targets",
    "backlog",
    "by_unit",
    "by_leader",
    "signed_then_dropped",
    "corrections",
    "ranking",
    "locked",
    "problems",
    "milestones",
    "paid_in_totals",
    "rates",
}


def unquoted(reference: str) -> str:
    """Return a cell reference without quotes around the sheet name (optional for these names)."""
    return reference.replace("'", "")


def is_red(cell) -> bool:
    """Return whether the cell's font is the report's red (C00000, whatever the alpha)."""
    color = cell.font.color
    return color is not None and isinstance(color.rgb, str) and color.rgb.endswith("C00000")


def amount_text(value):
    return f"{value:.2f}"


class ReportData(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()
        maker = LeadMaker(seed=99)
        maker.random_leads(60, date(2024, 9, 1), date(2026, 6, 30))
        lead = maker.sign(
            maker.contact(moment(date(2025, 3, 1))), moment(date(2025, 3, 31), 23, 30)
        )
        maker.land(lead, moment(date(2025, 4, 1)), paid_in=Decimal("10.05"))
        AnnualTarget.objects.create(
            year=2025, signed_count=10, signed_amount=Decimal("10000"), landed_count=4
        )
        AnnualTarget.objects.create(
            year=2025, industry=Industry.objects.get(pk=2), signed_count=2, landed_count=1
        )
        cls.period = Period.month(2025, 3)

    def setUp(self):
        self.report = monthly_report_build(self.period)

    def workbook(self):
        buffer = io.BytesIO()
        build_monthly_workbook(self.report, buffer)
        buffer.seek(0)
        return load_workbook(buffer)

    def json_output(self, *args):
        out = io.StringIO()
        call_command("monthly_report", *args, stdout=out)
        return json.loads(out.getvalue())


class MonthlyWorkbookTests(ReportData):
    def test_has_the_seven_sheets_with_title_and_unit_rows(self):
        book = self.workbook()
        self.assertEqual(book.sheetnames, SHEETS)
        for sheet in book.worksheets:
            self.assertIn("2025年3月", sheet["A1"].value)
            self.assertIn("单位：万元", sheet["A2"].value)

    def test_every_sheet_prints_on_a4_landscape_one_page_wide(self):
        for sheet in self.workbook().worksheets:
            with self.subTest(sheet=sheet.title):
                self.assertEqual(sheet.page_setup.orientation, "landscape")
                self.assertEqual(int(sheet.page_setup.paperSize), 9)  # A4
                # One page wide (1 is the attribute's default, so a writer may leave it out),
                # as many pages tall as the rows need.
                self.assertEqual(int(sheet.page_setup.fitToWidth or 1), 1)
                self.assertEqual(int(sheet.page_setup.fitToHeight), 0)
                self.assertTrue(sheet.sheet_properties.pageSetUpPr.fitToPage)
                self.assertGreater(sheet.column_dimensions["B"].width, 5)
                self.assertEqual(sheet.oddFooter.center.text, "第 &P 页，共 &N 页")
                margins = sheet.page_margins
                self.assertEqual((margins.left, margins.top, margins.footer), (0.5, 0.6, 0.5))
                self.assertEqual(sheet["A3"].border.top.style, "thin")

    def test_summary_cells_hold_the_report_figures(self):
        sheet = self.workbook()["汇总"]
        report = self.report
        rows = {}
        for r in range(sheet.max_row, 0, -1):  # the first row with a label wins
            rows[sheet.cell(r, 1).value] = r
        signed_amount = rows["签约金额"]
        self.assertEqual(
            sheet.cell(signed_amount, 2).value, float(report.month_totals.signed.amount)
        )
        self.assertEqual(
            sheet.cell(signed_amount, 3).value, float(report.last_year_month_totals.signed.amount)
        )
        self.assertEqual(sheet.cell(signed_amount, 5).value, float(report.ytd_totals.signed.amount))
        paid_in = rows["落地项目的累计到位资金（不按到位日期）"]
        self.assertEqual(
            sheet.cell(paid_in, 6).value, float(report.last_year_ytd_totals.landed.paid_in)
        )
        landed = rows["落地项目数（个）"]
        self.assertEqual(sheet.cell(landed, 2).value, report.month_totals.landed.count)
        rate = rows["本年累计"]
        self.assertEqual(sheet.cell(rate, 2).value, report.landing_rate.signed_count)
        self.assertEqual(sheet.cell(rate, 3).value, report.landing_rate.landed_count)
        trend_first = rows["月份"] + 1
        for offset, point in enumerate(report.trend):
            self.assertEqual(sheet.cell(trend_first + offset, 2).value, point.signed.count)
            self.assertEqual(sheet.cell(trend_first + offset, 5).value, float(point.landed.amount))
        self.assertIn("说明", rows)

    def test_summary_has_native_charts_of_the_twelve_month_trend(self):
        sheet = self.workbook()["汇总"]
        charts = sheet._charts
        self.assertEqual(len(charts), 2)
        first = min(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "月份") + 1
        for chart, columns in zip(charts, (("B", "C"), ("D", "E")), strict=True):
            self.assertIsInstance(chart, BarChart)
            refs = [unquoted(series.val.numRef.f) for series in chart.series]
            self.assertEqual(refs, [f"汇总!${c}${first}:${c}${first + 11}" for c in columns])
            self.assertEqual(
                [unquoted(series.tx.strRef.f) for series in chart.series],
                [f"汇总!${c}${first - 1}" for c in columns],
            )
            categories = chart.series[0].cat.strRef or chart.series[0].cat.numRef
            self.assertEqual(unquoted(categories.f), f"汇总!$A${first}:$A${first + 11}")

    def test_industry_sheet_lists_ten_industries_total_and_a_chart(self):
        sheet = self.workbook()["按产业"]
        names = [sheet.cell(r, 1).value for r in range(5, 16)]
        self.assertEqual(names, [row.name for row in self.report.by_industry] + ["合计"])
        for r, row in enumerate(self.report.by_industry, start=5):
            self.assertEqual(sheet.cell(r, 2).value, row.month.signed.count)
            self.assertEqual(sheet.cell(r, 10).value, float(row.ytd.landed.amount))
        self.assertEqual(sheet.cell(15, 7).value, self.report.ytd_totals.signed.count)
        (chart,) = sheet._charts
        self.assertEqual(chart.type, "bar")
        self.assertEqual(
            [unquoted(s.val.numRef.f) for s in chart.series],
            ["按产业!$H$5:$H$14", "按产业!$J$5:$J$14"],
        )
        self.assertEqual([s.tx.v for s in chart.series], ["本年累计签约金额", "本年累计落地金额"])

    def test_backlog_and_targets_sheets_hold_the_rows(self):
        book = self.workbook()
        backlog = book["签约未落地"]
        codes = [backlog.cell(r, 2).value for r in range(4, 4 + len(self.report.backlog))]
        self.assertEqual(codes, [row.code for row in self.report.backlog])
        self.assertTrue(self.report.backlog)
        days = [backlog.cell(r, 9).value for r in range(4, 4 + len(self.report.backlog))]
        self.assertEqual(days, [row.days_waiting for row in self.report.backlog])
        targets = book["年度目标"]
        self.assertEqual(targets["B5"].value, "全区")
        self.assertEqual(targets["C5"].value, 10)
        self.assertEqual(targets["D5"].value, self.report.ytd_totals.signed.count)
        self.assertEqual(targets["B6"].value, Industry.objects.get(pk=2).name)

    def test_overdue_backlog_rows_are_red_and_the_total_row_bold(self):
        StageOwner.objects.filter(stage="signed").update(sla_days=30)
        self.report = monthly_report_build(self.period)
        sheet = self.workbook()["签约未落地"]
        overdue = [row.overdue for row in self.report.backlog]
        self.assertIn(True, overdue)
        self.assertIn(False, overdue)
        for r, late in enumerate(overdue, start=4):
            self.assertEqual(sheet.cell(r, 10).value, "超期" if late else None)
            self.assertEqual(is_red(sheet.cell(r, 3)), late)
        total = 4 + len(overdue)
        self.assertEqual(sheet.cell(total, 1).value, "合计")
        self.assertTrue(sheet.cell(total, 1).font.bold)
        self.assertEqual(
            sheet.cell(total, 8).value,
            float(sum(row.contract_amount for row in self.report.backlog)),
        )


def sheet_values(sheet) -> list[tuple]:
    return [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]


class WorkbookListedRowsTests(ReportData):
    """A workbook lists the backlog up to LISTED_ROWS, says how many and where the rest is."""

    def workbook(self, **options):
        buffer = io.BytesIO()
        build_monthly_workbook(self.report, buffer, **options)
        buffer.seek(0)
        return load_workbook(buffer)

    def test_past_the_cap_it_lists_the_longest_waiting_and_totals_them_all(self):
        backlog = list(self.report.backlog)
        self.assertGreater(len(backlog), 3)
        with mock.patch("leads.reports.workbook.LISTED_ROWS", 2):
            sheet = self.workbook()["签约未落地"]
        self.assertEqual(
            [sheet.cell(r, 2).value for r in (4, 5)], [row.code for row in backlog[:2]]
        )
        waited = [row.days_waiting for row in backlog]
        self.assertEqual(sorted(waited, reverse=True)[:2], [sheet.cell(r, 9).value for r in (4, 5)])
        self.assertEqual(sheet.cell(6, 1).value, "合计")
        self.assertTrue(sheet.cell(6, 2).value.startswith(f"{len(backlog)} 个项目"))
        self.assertEqual(sheet.cell(6, 8).value, float(sum(row.contract_amount for row in backlog)))
        self.assertEqual(
            sheet.cell(8, 1).value,
            f"本表列出等待最久的前 2 个（共 {len(backlog)} 个）；"
            "完整清单请在通报页面下载“签约未落地清单”。",
        )
        self.assertTrue(sheet.cell(9, 1).value.startswith("说明："))

    def test_within_the_cap_or_full_it_lists_every_row_and_no_rest(self):
        backlog = list(self.report.backlog)
        for name, cap, options in (
            ("within", len(backlog), {}),
            ("full", 2, {"full": True}),
        ):
            with self.subTest(name), mock.patch("leads.reports.workbook.LISTED_ROWS", cap):
                rows = sheet_values(self.workbook(**options)["签约未落地"])
                codes = [row[1] for row in rows[3:-2]]
                self.assertEqual(codes, [row.code for row in backlog])
                self.assertFalse(any("本表列出" in str(row[0]) for row in rows))

    def test_the_backlog_list_alone_is_the_full_sheet(self):
        with mock.patch("leads.reports.workbook.LISTED_ROWS", 2):
            whole = sheet_values(self.workbook(full=True)["签约未落地"])
        buffer = io.BytesIO()
        build_backlog_workbook(backlog_report_build(self.period), buffer)
        book = load_workbook(buffer)
        self.assertEqual(book.sheetnames, ["签约未落地"])
        self.assertEqual(sheet_values(book["签约未落地"]), whole)


class WorkbookCellTests(TestCase):
    """What a lead's text can hold reaches the workbook as that text, and the layout holds."""

    NAME = '=HYPERLINK("http://example.com","点此查看")'
    INVESTOR = "+86 某某投资有限公司"

    @classmethod
    def setUpTestData(cls):
        load_reference()
        maker = LeadMaker(seed=7)
        for investor in (cls.INVESTOR, "http://example.com/某公司", "普通投资方"):
            maker.sign(
                maker.contact(moment(date(2025, 3, 2)), name=cls.NAME, investor=investor),
                moment(date(2025, 3, 5)),
            )

    def test_text_excel_would_run_or_link_stays_text(self):
        buffer = io.BytesIO()
        build_monthly_workbook(monthly_report_build(Period.month(2025, 3)), buffer)
        sheet = load_workbook(buffer)["签约未落地"]
        names = {sheet.cell(r, 4).value: sheet.cell(r, 3) for r in range(4, 7)}
        self.assertEqual(set(names), {self.INVESTOR, "http://example.com/某公司", "普通投资方"})
        for name in names.values():
            self.assertEqual(name.value, self.NAME)
            self.assertEqual(name.data_type, "s")
            self.assertTrue(name.quotePrefix)
        investors = [sheet.cell(r, 4) for r in range(4, 7)]
        self.assertEqual(
            {cell.value: cell.quotePrefix for cell in investors},
            {self.INVESTOR: True, "http://example.com/某公司": False, "普通投资方": False},
        )
        self.assertFalse(sheet._hyperlinks)
        self.assertEqual(sheet.cell(7, 1).value, "合计")

    def test_titles_notes_and_header_spans_are_merged(self):
        buffer = io.BytesIO()
        build_monthly_workbook(monthly_report_build(Period.month(2025, 3)), buffer)
        book = load_workbook(buffer)
        backlog = {str(r) for r in book["签约未落地"].merged_cells.ranges}
        self.assertLessEqual({"A1:J1", "A2:J2", "B7:G7", "A9:J9"}, backlog)
        industry = {str(r) for r in book["按产业"].merged_cells.ranges}
        self.assertLessEqual({"A1:M1", "A3:A4", "B3:C3", "D3:F3", "L3:M3"}, industry)
        targets = {str(r) for r in book["年度目标"].merged_cells.ranges}
        self.assertLessEqual({"A3:A4", "B3:B4", "C3:E3"}, targets)


class MonthlyReportJsonTests(ReportData):
    def test_command_prints_exactly_the_listed_keys(self):
        data = self.json_output("2025-03", "--format", "json")
        self.assertEqual(set(data), KEYS)
        self.assertEqual(data["month"], "2025-03")
        self.assertEqual(set(data["month_totals"]), {"signed", "landed"})
        self.assertEqual(set(data["by_industry"][0]), {"name", "month", "ytd", "paid_in_totals"})
        self.assertEqual(
            set(data["backlog"][0]),
            {
                "code",
                "name",
                "investor",
                "industry",
                "team",
                "signed_on",
                "days_waiting",
                "overdue",
            },
        )

    def test_json_agrees_with_the_report_and_the_workbook(self):
        data = self.json_output("2025-03", "--format", "json")
        self.assertEqual(data, json.loads(json.dumps(report_data(self.report))))
        self.assertEqual(
            data["ytd_totals"]["signed"],
            {
                "count": self.report.ytd_totals.signed.count,
                "amount": amount_text(self.report.ytd_totals.signed.amount),
            },
        )
        sheet = self.workbook()["按产业"]
        for r, row in enumerate(data["by_industry"], start=5):
            self.assertEqual(sheet.cell(r, 1).value, row["name"])
            self.assertEqual(
                sheet.cell(r, 3).value, float(Decimal(row["month"]["signed"]["amount"]))
            )
            self.assertEqual(sheet.cell(r, 9).value, row["ytd"]["landed"]["count"])

    def test_amounts_are_strings_with_two_decimals(self):
        data = self.json_output("2025-03", "--format", "json")
        amounts = [
            data["month_totals"]["landed"]["paid_in"],
            data["ytd_totals"]["signed"]["amount"],
        ]
        amounts += [row["ytd"]["signed"]["amount"] for row in data["by_source"]]
        for text in amounts:
            self.assertRegex(text, r"^\d+\.\d{2}$")
        self.assertRegex(data["targets"][0]["percent"]["signed"]["count"], r"^\d+\.\d{2}$")
        self.assertIsNone(data["targets"][0]["percent"]["landed"]["amount"])

    def test_date_range_uses_the_same_code(self):
        data = self.json_output("--from", "2025-03-21", "--to", "2025-03-31", "--format", "json")
        report = monthly_report_build(Period(date(2025, 3, 21), date(2025, 3, 31)))
        self.assertEqual(data["month"], "2025-03-21/2025-03-31")
        self.assertEqual(data, json.loads(json.dumps(report_data(report))))
        self.assertGreaterEqual(data["month_totals"]["signed"]["count"], 1)

    def test_command_writes_the_workbook(self):
        path = self.enterContext(_temp_path())
        call_command(
            "monthly_report", "2025-03", "--format", "xlsx", "--out", path, stderr=io.StringIO()
        )
        book = load_workbook(path)
        self.assertEqual(book.sheetnames, SHEETS)

    def test_bad_arguments_give_chinese_errors(self):
        cases = [
            (["2025-13"], "月份“2025-13”格式不正确"),
            ([], "请指定报表月份"),
            (["2025-03", "--format", "pdf"], "不支持的输出格式“pdf”"),
            (["2025-03", "--format", "xlsx"], "须用 --out 指定文件路径"),
            (["--from", "2025-03-01"], "须同时指定 --from 和 --to"),
            (["--from", "2025-03-10", "--to", "2025-03-01"], "不能晚于截止日期"),
            (["--from", "2025-02-30", "--to", "2025-03-01"], "起始日期“2025-02-30”格式不正确"),
            (["2025-03", "--from", "2025-03-01", "--to", "2025-03-02"], "不能同时使用"),
        ]
        for args, message in cases:
            with self.subTest(args=args), self.assertRaisesMessage(CommandError, message):
                call_command("monthly_report", *args, stdout=io.StringIO())


class _temp_path:
    def __enter__(self):
        import tempfile

        self.dir = tempfile.TemporaryDirectory()
        return f"{self.dir.name}/月报.xlsx"

    def __exit__(self, *exc):
        self.dir.cleanup()
