"""Landing a lead creates or links its enterprise, in the landing's transaction, on every path."""

from unittest import mock

from django.db import transaction
from django.test import TestCase

from aftercare.models import Enterprise
from leads.choices import Channel, Stage
from leads.excel.lead_importer import LeadImporter
from leads.models import Lead
from leads.services import lead_change_stage
from tests.aftercare.helpers import load_reference
from tests.factories import credit_code, make_lead
from tests.workbooks import lead_workbook

CODE = credit_code("91410300MA0000001")


class LandingServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()

    def land(self, lead, **data):
        fields = {"registered_name": "华创智能（本区）有限公司", "credit_code": CODE, **data}
        return lead_change_stage(lead=lead, to_stage=Stage.LANDED, channel=Channel.WEB, **fields)

    def test_landing_creates_the_enterprise_linked_to_the_lead(self):
        lead = self.land(make_lead(stage=Stage.SIGNED))
        enterprise = Enterprise.objects.get()
        self.assertEqual(
            (enterprise.name, enterprise.credit_code, enterprise.lead),
            ("华创智能（本区）有限公司", CODE, lead),
        )
        self.assertTrue(enterprise.from_investment)

    def test_an_enterprise_with_the_credit_code_is_linked_not_duplicated(self):
        existing = Enterprise.objects.create(name="华创智能有限公司（旧名）", credit_code=CODE)
        lead = self.land(make_lead(stage=Stage.SIGNED))
        self.assertEqual(Enterprise.objects.get(), existing)
        existing.refresh_from_db()
        self.assertEqual(existing.lead, lead)
        self.assertEqual(existing.name, "华创智能有限公司（旧名）")

    def test_an_enterprise_found_by_name_takes_the_credit_code(self):
        existing = Enterprise.objects.create(name="华创智能（本区）有限公司")
        self.land(make_lead(stage=Stage.SIGNED))
        existing.refresh_from_db()
        self.assertEqual(existing.credit_code, CODE)
        self.assertEqual(Enterprise.objects.count(), 1)

    def test_a_failing_enterprise_write_rolls_the_landing_back(self):
        lead = make_lead(stage=Stage.SIGNED)
        with (
            # Any way the enterprise is written fails: one save or a bulk insert.
            mock.patch.object(Enterprise, "save", side_effect=RuntimeError("boom")),
            mock.patch.object(
                type(Enterprise.objects), "bulk_create", side_effect=RuntimeError("boom")
            ),
            self.assertRaises(RuntimeError),
            transaction.atomic(),
        ):
            self.land(lead)
        self.assertEqual(Lead.objects.get().stage, Stage.SIGNED)
        self.assertFalse(Enterprise.objects.exists())


class LandingImportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()

    def test_the_bulk_import_links_enterprises_of_landed_rows(self):
        row = {
            "项目名称": "智能装备产业园",
            "投资方": "深圳华创集团有限公司",
            "所属产业": "工业机器人及智能装备制造",
            "线索来源": "产业链招商",
            "当前阶段": "落地",
            "签约日期": "2026-03-05",
            "签约投资额(万元)": "1.2亿",
            "计划投资额(万元)": "1.5亿",
            # An import invents no date the report counts by (DESIGN).
            "落地日期": "2026-03-20",
            "落地企业名称": "华创智能（本区）有限公司",
            "统一社会信用代码": CODE,
        }
        report = LeadImporter().run(lead_workbook(row), filename="台账.xlsx")
        self.assertTrue(report.ok, report.error_lines())
        enterprise = Enterprise.objects.get()
        self.assertEqual((enterprise.credit_code, enterprise.lead), (CODE, Lead.objects.get()))
        again = LeadImporter().run(lead_workbook(row), filename="台账.xlsx")
        self.assertTrue(again.ok)
        self.assertEqual(Enterprise.objects.count(), 1)
