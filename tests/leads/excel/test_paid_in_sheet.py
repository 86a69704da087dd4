"""The 到位资金 sheet: instalments by import, all or nothing with the lead sheet, never twice."""

import io
from datetime import timedelta
from decimal import Decimal

from django.test import TestCase
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from leads.choices import Channel, PaidInKind, Stage
from leads.excel.export import export_leads
from leads.excel.lead_importer import LeadImporter
from leads.models import Lead, PaidIn
from leads.services import lead_add_paid_in
from tests.factories import make_lead
from tests.roles import RolesMixin
from tests.workbooks import workbook_bytes

TODAY = timezone.localdate()
SIGNED_ON = TODAY - timedelta(days=20)
PAID_HEADERS = ["项目编号", "到位日期", "金额(万元)", "类别", "备注"]
LEAD_HEADERS = ["项目编号", "项目名称", "投资方", "所属产业", "线索来源", "当前阶段",
                "到位资金(万元)", "备注"]  # fmt: skip


def two_sheets(lead_rows, paid_rows) -> bytes:
    workbook = Workbook()
    leads = workbook.active
    leads.title = "招商线索"
    paid = workbook.create_sheet("到位资金")
    for sheet, headers, rows in ((leads, LEAD_HEADERS, lead_rows), (paid, PAID_HEADERS, paid_rows)):
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class PaidInSheetTestCase(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        cls.lead = make_lead(stage=Stage.SIGNED, name="签约项目", signed_on=SIGNED_ON)
        cls.contact = make_lead(name="接洽项目", investor="别的集团")

    def paid(self, lead=None, **cells) -> dict:
        return {
            "项目编号": (lead or self.lead).code,
            "到位日期": SIGNED_ON.isoformat(),
            "金额(万元)": "100",
            "类别": "注册资本实缴",
            **cells,
        }

    def lead_row(self, lead=None, **cells) -> dict:
        lead = lead or self.lead
        return {
            "项目编号": lead.code,
            "项目名称": lead.name,
            "投资方": lead.investor,
            "所属产业": lead.industry.name,
            "线索来源": lead.get_source_display(),
            "当前阶段": lead.get_stage_display(),
            **cells,
        }

    def run_import(self, data, actor=None):
        return LeadImporter().run(data, actor=actor or self.director, filename="到位.xlsx")

    def only_paid(self, *rows) -> bytes:
        return workbook_bytes(PAID_HEADERS, rows, title="到位资金")


class PaidInOnlyWorkbookTests(PaidInSheetTestCase):
    def test_instalments_are_added_by_the_rules_and_the_sum_kept(self):
        data = self.only_paid(
            self.paid(**{"到位日期": f"{SIGNED_ON.year}年{SIGNED_ON.month}月{SIGNED_ON.day}日",
                         "金额(万元)": "1,000万"}),
            self.paid(**{"到位日期": TODAY.isoformat(), "金额(万元)": 200.5, "类别": "固定资产投资",
                         "备注": "设备款"}),
        )  # fmt: skip
        report = self.run_import(data)
        self.assertTrue(report.ok, report.error_lines())
        self.assertEqual(report.sheet_counts("到位资金")["new"], 2)
        self.assertIn("“到位资金”新增 2 条", report.summary())
        rows = list(
            PaidIn.objects.filter(lead=self.lead)
            .order_by("received_on")
            .values_list("received_on", "amount", "kind", "note", "channel", "actor")
        )
        self.assertEqual(
            rows,
            [
                (SIGNED_ON, Decimal("1000.00"), PaidInKind.REGISTERED_CAPITAL, "", Channel.IMPORT,
                 self.director.pk),
                (TODAY, Decimal("200.50"), PaidInKind.FIXED_ASSETS, "设备款", Channel.IMPORT,
                 self.director.pk),
            ],
        )  # fmt: skip
        lead = Lead.objects.get(pk=self.lead.pk)
        self.assertEqual(lead.paid_in, Decimal("1200.50"))
        self.assertEqual(lead.version, self.lead.version + 2)
        self.assertIn(
            f"Excel导入：到位.xlsx（登记到位资金：200.50 万元（{TODAY.isoformat()}，"
            "固定资产投资））",
            list(lead.history.values_list("history_change_reason", flat=True)),
        )
        # The same file again adds nothing.
        again = self.run_import(data)
        self.assertEqual(again.sheet_counts("到位资金")["unchanged"], 2, again.error_lines())
        self.assertEqual(PaidIn.objects.count(), 2)
        self.assertEqual(Lead.objects.get(pk=self.lead.pk).paid_in, Decimal("1200.50"))

    def test_a_third_equal_row_is_a_new_instalment_beyond_those_held(self):
        lead_add_paid_in(lead=self.lead, on=SIGNED_ON, amount="100", kind="registered_capital",
                         actor=None)  # fmt: skip
        report = self.run_import(self.only_paid(self.paid(), self.paid()))
        self.assertEqual(
            (report.sheet_counts("到位资金")["unchanged"], report.sheet_counts("到位资金")["new"]),
            (1, 1),
        )
        self.assertEqual(Lead.objects.get(pk=self.lead.pk).paid_in, Decimal("200.00"))

    def test_each_bad_row_is_an_error_naming_sheet_row_and_column(self):
        data = self.only_paid(
            self.paid(**{"到位日期": (TODAY + timedelta(days=1)).isoformat()}),
            self.paid(**{"到位日期": (SIGNED_ON - timedelta(days=1)).isoformat()}),
            self.paid(**{"金额(万元)": "0"}),
            self.paid(**{"金额(万元)": "1.234"}),
            self.paid(**{"类别": "捐赠"}),
            self.paid(**{"项目编号": "ZS-2000-9999"}),
            self.paid(self.contact),
            self.paid(**{"项目编号": None}),
            self.paid(**{"到位日期": "昨天"}),
        )
        report = self.run_import(data)
        before = (SIGNED_ON - timedelta(days=1)).isoformat()
        self.assertEqual(
            report.error_lines(),
            [
                f"“到位资金”第2行 [到位日期] 到位日期不能晚于今天（{TODAY.isoformat()}）。",
                f"“到位资金”第3行 [到位日期] 到位日期（{before}）不能早于签约日期"
                f"（{SIGNED_ON.isoformat()}）。",
                "“到位资金”第4行 [金额(万元)] 金额必须大于 0（万元）。",
                "“到位资金”第5行 [金额(万元)] 金额最多保留两位小数（万元）。",
                "“到位资金”第6行 [类别] “捐赠”不是可选值，可选：注册资本实缴、固定资产投资、其他。",
                "“到位资金”第7行 [项目编号] 系统中没有项目编号为“ZS-2000-9999”的线索。",
                "“到位资金”第8行 [项目编号] 项目签约后才能登记到位资金。",
                "“到位资金”第9行 [项目编号] 请填写项目编号。",
                "“到位资金”第10行 [到位日期] 无法识别的日期“昨天”，"
                "请填写如 2026-03-05 或 2026年3月5日。",
            ],
        )
        self.assertFalse(PaidIn.objects.exists())

    def test_the_error_workbook_writes_the_sheet_back_with_its_errors(self):
        data = self.only_paid(self.paid(), self.paid(**{"金额(万元)": "0"}))
        buffer = io.BytesIO()
        LeadImporter().write_errors(data, buffer, actor=self.director)
        sheet = load_workbook(io.BytesIO(buffer.getvalue()))["到位资金"]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        self.assertEqual(rows[0][-1], "错误说明")
        self.assertIsNone(rows[1][-1])
        self.assertEqual(rows[2][-1], "[金额(万元)] 金额必须大于 0（万元）。")


class WithTheLeadSheetTests(PaidInSheetTestCase):
    def test_a_lead_moved_to_signed_receives_instalments_in_the_same_workbook(self):
        row = self.lead_row(
            self.contact,
            **{"当前阶段": "签约", "到位资金(万元)": "300"},
        )
        row.update({"签约日期": SIGNED_ON.isoformat()})
        headers = [*LEAD_HEADERS, "签约日期", "签约投资额(万元)", "计划投资额(万元)"]
        row["签约投资额(万元)"] = row["计划投资额(万元)"] = "5000"
        workbook = Workbook()
        workbook.active.title = "招商线索"
        workbook.active.append(headers)
        workbook.active.append([row.get(h) for h in headers])
        paid = workbook.create_sheet("到位资金")
        paid.append(PAID_HEADERS)
        for amount in ("100", "200"):
            paid.append([self.contact.code, SIGNED_ON, amount, "其他", ""])
        buffer = io.BytesIO()
        workbook.save(buffer)
        report = self.run_import(buffer.getvalue())
        self.assertTrue(report.ok, report.error_lines())
        lead = Lead.objects.get(pk=self.contact.pk)
        self.assertEqual((lead.stage, lead.paid_in), (Stage.SIGNED, Decimal("300.00")))
        self.assertEqual(PaidIn.objects.filter(lead=lead).count(), 2)

    def test_an_error_on_either_sheet_writes_nothing(self):
        bad_lead = self.two(
            [self.lead_row(**{"备注": "改了"}), self.lead_row(self.contact, **{"所属产业": "无"})],
            [self.paid()],
        )
        report = self.run_import(bad_lead)
        self.assertFalse(report.ok)
        self.assertFalse(PaidIn.objects.exists())
        bad_paid = self.two(
            [self.lead_row(**{"备注": "改了"})], [self.paid(**{"金额(万元)": "-1"})]
        )
        report = self.run_import(bad_paid)
        self.assertEqual(report.error_lines(), ["“到位资金”第2行 [金额(万元)] 金额不能为负数。"])
        self.assertEqual(Lead.objects.get(pk=self.lead.pk).notes, self.lead.notes)

    def two(self, lead_rows, paid_rows):
        return two_sheets(lead_rows, paid_rows)

    def test_the_paid_in_column_is_read_only(self):
        lead_add_paid_in(lead=self.lead, on=SIGNED_ON, amount="50", kind="other", actor=None)
        report = self.run_import(self.two([self.lead_row(**{"到位资金(万元)": "80"})], []))
        self.assertEqual(
            report.error_lines(),
            [
                "第2行 [到位资金(万元)] 到位资金是各笔到位资金的合计（50.00 万元），不能在此修改；"
                "请在“到位资金”工作表中逐笔登记到位日期、金额和类别。"
            ],
        )
        # Blank, the sum, or the sum once this file's instalments are added: accepted.
        for stated, rows in (("", []), ("50", []), ("80", [self.paid(**{"金额(万元)": "30"})])):
            report = self.run_import(self.two([self.lead_row(**{"到位资金(万元)": stated})], rows))
            self.assertTrue(report.ok, (stated, report.error_lines()))
        self.assertEqual(Lead.objects.get(pk=self.lead.pk).paid_in, Decimal("80.00"))

    def test_export_then_import_adds_nothing(self):
        lead_add_paid_in(lead=self.lead, on=SIGNED_ON, amount="12.5", kind="other", actor=None,
                         note="首笔")  # fmt: skip
        lead = Lead.objects.get(pk=self.lead.pk)
        lead_add_paid_in(lead=lead, on=TODAY, amount="7", kind="fixed_assets", actor=None)
        buffer = io.BytesIO()
        export_leads(buffer)
        sheet = load_workbook(io.BytesIO(buffer.getvalue()))["到位资金"]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        self.assertEqual(rows[0], PAID_HEADERS)
        self.assertEqual([row[0] for row in rows[1:]], [self.lead.code] * 2)
        self.assertEqual([row[3] for row in rows[1:]], ["其他", "固定资产投资"])
        report = self.run_import(buffer.getvalue())
        self.assertTrue(report.ok, report.error_lines())
        self.assertEqual(report.counts["unchanged"], 2)
        self.assertEqual(report.sheet_counts("到位资金")["unchanged"], 2)
        self.assertEqual(PaidIn.objects.count(), 2)
        self.assertEqual(Lead.objects.get(pk=self.lead.pk).paid_in, Decimal("19.50"))
