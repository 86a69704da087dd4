"""Exporting leads: the workbook's shape, formula escaping, the round trip, the template."""

import io
from datetime import date, datetime
from decimal import Decimal

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from leads.choices import Stage
from leads.excel.export import export_leads
from leads.excel.lead_importer import LeadImporter
from leads.models import Industry, Lead, StageTransition
from tests.factories import EntrepreneurFactory, UserFactory, make_lead
from tests.workbooks import LEAD_HEADERS


def exported(queryset=None) -> bytes:
    buffer = io.BytesIO()
    export_leads(buffer, queryset)
    return buffer.getvalue()


class ExportTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        cls.industry = Industry.objects.get(name="信息技术")
        cls.signed = make_lead(
            stage=Stage.SIGNED,
            industry=cls.industry,
            name='=HYPERLINK("http://evil")',
            investor="+86 深圳华创",
            notes="@SUM(A1)",
            leader="-王副区长",
            signed_on=date(2026, 3, 5),
            contract_amount=Decimal("800.50"),
        )
        cls.returnee = make_lead(
            industry=cls.industry,
            name="回乡项目",
            source="returnee",
            entrepreneur=EntrepreneurFactory(name="李四", company="深圳李氏科技有限公司"),
        )
        cls.plain = make_lead(industry=cls.industry, name="＝全角等号")
        # The services trim text; data from older systems may still start with these.
        Lead.objects.filter(pk=cls.returnee.pk).update(origin="\t制表符开头")
        Lead.objects.filter(pk=cls.plain.pk).update(investor="\r回车开头")


class ExportWorkbookTests(ExportTestCase):
    def test_header_is_the_workbook_columns_frozen(self):
        sheet = load_workbook(io.BytesIO(exported())).worksheets[0]
        self.assertEqual([cell.value for cell in sheet[1]], LEAD_HEADERS)
        self.assertEqual(sheet.freeze_panes, "A2")

    def test_cells_excel_would_run_as_formulas_are_escaped(self):
        sheet = load_workbook(io.BytesIO(exported())).worksheets[0]
        values = {cell.value for row in sheet.iter_rows(min_row=2) for cell in row}
        for text in [
            '=HYPERLINK("http://evil")',
            "+86 深圳华创",
            "@SUM(A1)",
            "-王副区长",
            "\t制表符开头",
            "＝全角等号",
        ]:
            self.assertIn("'" + text, values)
            self.assertNotIn(text, values)
        # XML stores a carriage return as _x000D_, which openpyxl does not decode.
        self.assertIn("'_x000D_回车开头", values)
        self.assertFalse(any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row))

    def test_dates_are_date_cells_and_amounts_numbers_with_two_decimals(self):
        sheet = load_workbook(io.BytesIO(exported(Lead.objects.filter(pk=self.signed.pk)))).active
        row = {header: cell for header, cell in zip(LEAD_HEADERS, sheet[2], strict=True)}
        self.assertEqual(row["签约日期"].value, datetime(2026, 3, 5))
        self.assertTrue(row["签约日期"].is_date)
        self.assertEqual(row["签约日期"].number_format, "yyyy-mm-dd")
        self.assertEqual(row["签约投资额(万元)"].value, 800.5)
        self.assertEqual(row["签约投资额(万元)"].number_format, "0.00")
        self.assertEqual(row["当前阶段"].value, "签约")
        self.assertEqual(row["所属产业"].value, "信息技术")

    def test_entrepreneur_is_written_with_company(self):
        sheet = load_workbook(io.BytesIO(exported(Lead.objects.filter(pk=self.returnee.pk)))).active
        column = LEAD_HEADERS.index("回乡企业家")
        self.assertEqual(sheet[2][column].value, "李四（深圳李氏科技有限公司）")


class RoundTripTests(ExportTestCase):
    def test_export_then_import_changes_nothing(self):
        EntrepreneurFactory(name="李四", company="另一家公司")  # the name alone is now ambiguous
        before = (Lead.history.count(), StageTransition.objects.count())
        versions = dict(Lead.objects.values_list("pk", "version"))
        report = LeadImporter().run(exported())
        self.assertTrue(report.ok, report.error_lines())
        self.assertEqual(report.counts, {"new": 0, "update": 0, "unchanged": 3, "error": 0})
        self.assertEqual((Lead.history.count(), StageTransition.objects.count()), before)
        self.assertEqual(dict(Lead.objects.values_list("pk", "version")), versions)
        self.assertEqual(Lead.objects.get(pk=self.signed.pk).name, '=HYPERLINK("http://evil")')

    def test_export_into_an_empty_database_restores_the_leads(self):
        data = exported()
        snapshot = list(
            Lead.objects.order_by("code").values_list("code", "name", "stage", "contract_amount")
        )
        StageTransition.objects.all()._raw_delete(StageTransition.objects.db)
        Lead.history.all().delete()
        Lead.objects.all().delete()
        report = LeadImporter().run(data)
        self.assertEqual(report.counts["new"], 3, report.error_lines())
        restored = list(
            Lead.objects.order_by("code").values_list("code", "name", "stage", "contract_amount")
        )
        self.assertEqual(restored, snapshot)


class TemplateTests(ExportTestCase):
    def test_template_has_dropdowns_instructions_and_frozen_header(self):
        buffer = io.BytesIO()
        LeadImporter().write_template(buffer)
        workbook = load_workbook(buffer)
        sheet = workbook.worksheets[0]
        self.assertEqual([cell.value for cell in sheet[1]], LEAD_HEADERS)
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertGreater(sheet.column_dimensions["B"].width, 20)
        validated = {}
        for validation in sheet.data_validations.dataValidation:
            column = str(validation.sqref).split(":")[0].rstrip("0123456789")
            validated[LEAD_HEADERS[column_index_from_string(column) - 1]] = validation.formula1
        self.assertEqual(
            set(validated),
            {
                "所属产业",
                "线索来源",
                "资金来源类别",
                "当前阶段",
                "负责小分队",
                "推介商会",
                "引进单位",
                "终止前阶段",
                "重点项目",
            },
        )
        options = workbook["选项"]
        industries = [c.value for c in options["F"][1:] if c.value]
        self.assertEqual(industries, list(Industry.objects.values_list("name", flat=True)))
        guide = workbook["填写说明"]
        explained = {row[0].value: row for row in guide.iter_rows(min_row=2) if row[0].value}
        for header in LEAD_HEADERS:
            self.assertIn(header, explained)
        self.assertIn("接洽、考察、意向、签约、落地、终止", explained["当前阶段"][3].value)

    def test_template_imports_cleanly_once_filled(self):
        buffer = io.BytesIO()
        LeadImporter().write_template(buffer)
        workbook = load_workbook(buffer)
        sheet = workbook.worksheets[0]
        values = {
            "项目名称": "模板项目",
            "投资方": "模板集团",
            "所属产业": "信息技术",
            "线索来源": "自主对接",
        }
        for header, value in values.items():
            sheet.cell(row=2, column=LEAD_HEADERS.index(header) + 1, value=value)
        filled = io.BytesIO()
        workbook.save(filled)
        report = LeadImporter().run(filled.getvalue())
        self.assertEqual(report.counts["new"], 1, report.error_lines())


class ExportPageTests(ExportTestCase):
    def test_export_downloads_the_filtered_list(self):
        user = UserFactory(groups=["小分队队员"])
        self.client.force_login(user)
        response = self.client.get(reverse("leads:export"), {"stage": "signed"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        self.assertEqual([row[0].value for row in sheet.iter_rows(min_row=2)], [self.signed.code])

    def test_export_needs_its_permission(self):
        self.client.force_login(UserFactory(groups=["只读"]))
        self.assertEqual(self.client.get(reverse("leads:export")).status_code, 403)

    def test_export_query_count_does_not_grow_with_leads(self):
        user = UserFactory(groups=["局领导"])
        self.client.force_login(user)
        # Session, user, two permission reads, the users (for 责任人), the leads,
        # their instalments (the 到位资金 sheet) and the audit log's row (the
        # workbook_exported signal's receiver).
        with self.assertNumQueries(8):
            b"".join(self.client.get(reverse("leads:export")).streaming_content)
        for index in range(5):
            make_lead(industry=self.industry, name=f"更多{index}")
        with self.assertNumQueries(8):
            b"".join(self.client.get(reverse("leads:export")).streaming_content)

    def test_template_download_needs_the_import_permission(self):
        self.client.force_login(UserFactory(groups=["小分队队员"]))
        self.assertEqual(self.client.get(reverse("leads:template")).status_code, 403)
        self.client.force_login(UserFactory(groups=["小分队组长"]))
        response = self.client.get(reverse("leads:template"))
        self.assertEqual(response.status_code, 200)
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        self.assertIn("填写说明", workbook.sheetnames)
