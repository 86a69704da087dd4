"""Likely duplicates on entry: the checked services, the import's warnings, the keys both write."""

import io
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from crm.spreadsheets.results import ImportFailed
from leads.choices import Source, Stage
from leads.excel.lead_importer import LeadImporter
from leads.models import Industry, Lead, NotDuplicate, NotDuplicateSource
from leads.services import (
    DuplicateSuspected,
    lead_change_stage,
    lead_create_checked,
    lead_merge,
    lead_update,
    lead_update_checked,
)
from tests.factories import UserFactory, credit_code, make_lead
from tests.workbooks import lead_workbook

ROW = {
    "所属产业": "信息技术",
    "线索来源": "自主对接",
}


def row(name, investor, **extra):
    return {**ROW, "项目名称": name, "投资方": investor, **extra}


class KeysTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)

    def test_the_service_and_the_import_store_the_same_keys(self):
        by_service = make_lead(name="新能源客车项目", investor="河南省郑州市宇通客车股份有限公司")
        LeadImporter().run(
            lead_workbook(row("新能源客车项目", "郑州宇通客车有限公司")), filename="台账.xlsx"
        )
        by_import = Lead.objects.get(investor="郑州宇通客车有限公司")
        for name in ("investor_key", "name_key", "credit_key"):
            with self.subTest(key=name):
                self.assertEqual(getattr(by_import, name), getattr(by_service, name))
        self.assertEqual(by_import.investor_key, "宇通客车")
        self.assertEqual(by_import.name_key, "新能源客车")

    def test_edits_and_landing_keep_the_keys_in_step(self):
        lead = make_lead(name="一期", investor="甲公司", stage=Stage.SIGNED)
        lead = lead_update(lead=lead, investor="乙科技有限公司", name="二期项目")
        self.assertEqual((lead.investor_key, lead.name_key), ("乙科技", "二期"))
        code = credit_code("91410100170010540")
        lead = lead_change_stage(
            lead=lead,
            to_stage=Stage.LANDED,
            channel="web",
            landed_on=lead.signed_on,
            registered_name="乙科技（本区）有限公司",
            credit_code=code.lower(),
        )
        self.assertEqual(Lead.objects.get(pk=lead.pk).credit_key, code)

    def test_an_import_update_of_the_investor_updates_its_key(self):
        lead = make_lead(name="一期", investor="甲公司")
        LeadImporter().run(
            lead_workbook({**row("一期", "丙集团有限公司"), "项目编号": lead.code}),
            filename="台账.xlsx",
        )
        self.assertEqual(Lead.objects.get(pk=lead.pk).investor_key, "丙")


class CheckedEntryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        cls.industry = Industry.objects.get(name="信息技术")
        cls.clerk = UserFactory(groups=["小分队队员"])
        cls.existing = make_lead(name="宇通新能源客车项目", investor="宇通客车股份有限公司")

    def create(self, **extra):
        values = {
            "name": "新能源客车",
            "investor": "郑州宇通客车",
            "industry": self.industry,
            "source": Source.OWN,
            **extra,
        }
        return lead_create_checked(actor=self.clerk, channel="web", **values)

    def test_a_likely_duplicate_is_refused_until_confirmed(self):
        with self.assertRaises(DuplicateSuspected) as caught:
            self.create()
        self.assertEqual([lead.code for lead in caught.exception.leads], [self.existing.code])
        self.assertFalse(Lead.objects.filter(investor="郑州宇通客车").exists())
        lead = self.create(confirmed=[self.existing.pk])
        pair = NotDuplicate.objects.get()
        self.assertEqual({pair.first_id, pair.second_id}, {lead.pk, self.existing.pk})
        self.assertEqual((pair.source, pair.actor), (NotDuplicateSource.CREATE, self.clerk))
        reason = Lead.history.filter(id=lead.pk).earliest("history_id").history_change_reason
        self.assertIn(self.existing.code, reason)
        self.assertIn("已确认不是重复", lead.transitions.get().note)

    def test_a_confirmation_covers_only_the_leads_shown(self):
        other = make_lead(name="新能源客车二期", investor="宇通客车有限公司")
        with self.assertRaises(DuplicateSuspected) as caught:
            self.create(confirmed=[self.existing.pk])
        self.assertEqual({lead.pk for lead in caught.exception.leads}, {self.existing.pk, other.pk})

    def test_same_credit_code_warns_whatever_the_names(self):
        code = credit_code("91410100170010540")
        landed = make_lead(
            name="别的名字", investor="别的公司", stage=Stage.LANDED, credit_code=code
        )
        lead = make_lead(name="完全不同", investor="另一家")
        with self.assertRaises(DuplicateSuspected) as caught:
            lead_update_checked(lead=lead, actor=self.clerk, credit_code=code)
        self.assertEqual([found.pk for found in caught.exception.leads], [landed.pk])

    def test_an_edit_that_leaves_the_names_alone_is_not_checked(self):
        dup = lead_create_checked(
            channel="web",
            confirmed=[self.existing.pk],
            name="新能源客车",
            investor="宇通客车",
            industry=self.industry,
            source=Source.OWN,
        )
        updated = lead_update_checked(lead=dup, actor=self.clerk, notes="补充备注")
        self.assertEqual(updated.notes, "补充备注")
        with self.assertRaises(DuplicateSuspected):
            lead_update_checked(lead=updated, actor=self.clerk, name="宇通新能源客车")
        edited = lead_update_checked(
            lead=updated, actor=self.clerk, name="宇通新能源客车", confirmed=[self.existing.pk]
        )
        self.assertEqual(NotDuplicate.objects.get(source=NotDuplicateSource.EDIT).actor, self.clerk)
        self.assertEqual(edited.name, "宇通新能源客车")


class ImportWarningTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        cls.existing = make_lead(name="宇通新能源客车项目", investor="宇通客车股份有限公司")

    def test_preview_lists_duplicates_of_leads_and_of_rows_and_still_imports(self):
        data = lead_workbook(
            row("新能源客车", "郑州宇通客车"),
            row("氢能重卡", "华创集团"),
            row("华创氢能重卡项目", "深圳市华创集团有限公司"),
            row("无关项目", "无关公司"),
        )
        preview = LeadImporter().run(data, dry_run=True, filename="台账.xlsx")
        self.assertTrue(preview.ok)
        self.assertEqual(len(preview.warnings), 2)
        self.assertIn("第2行", preview.warnings[0])
        self.assertIn(self.existing.code, preview.warnings[0])
        self.assertIn("第4行", preview.warnings[1])
        self.assertIn("本文件第3行", preview.warnings[1])
        report = LeadImporter().run(data, filename="台账.xlsx")
        self.assertTrue(report.written)
        self.assertEqual(Lead.objects.count(), 5)

    def test_the_command_prints_the_warnings(self):
        with TemporaryDirectory() as folder:
            path = Path(folder) / "台账.xlsx"
            path.write_bytes(lead_workbook(row("新能源客车", "郑州宇通客车")))
            out, err = io.StringIO(), io.StringIO()
            call_command("import_leads", str(path), "--no-progress", stdout=out, stderr=err)
        self.assertIn("注意：第2行“新能源客车”疑似重复", err.getvalue())
        self.assertIn(self.existing.code, err.getvalue())
        self.assertEqual(out.getvalue(), "新建 1 条，更新 0 条，未变 0 条\n")

    def test_a_merged_leads_code_updates_the_lead_kept(self):
        director = UserFactory(groups=["局领导"])
        merged = make_lead(name="新能源客车", investor="郑州宇通客车")
        lead_merge(keep=self.existing, merged=merged, actor=director)
        report = LeadImporter().run(
            lead_workbook(
                {
                    **row("宇通新能源客车项目", "宇通客车股份有限公司"),
                    "项目编号": merged.code,
                    "备注": "按旧编号导入",
                }
            ),
            filename="台账.xlsx",
        )
        self.assertTrue(report.written, report.error_lines())
        self.assertEqual(Lead.objects.get(pk=self.existing.pk).notes, "按旧编号导入")
        self.assertEqual(Lead.all_objects.get(pk=merged.pk).notes, "")

    def test_a_lead_merged_between_validation_and_write_refuses_the_import(self):
        director = UserFactory(groups=["局领导"])
        other = make_lead(name="新能源客车", investor="郑州宇通客车")
        importer = LeadImporter()
        at = timezone.now()
        data = lead_workbook(
            {**row("新能源客车", "郑州宇通客车"), "项目编号": other.code, "备注": "新"}
        )
        plan = importer.plan(importer.read(data), actor=None, at=at, progress=None)
        self.assertEqual(len(plan.updates), 1)
        lead_merge(keep=self.existing, merged=other, actor=director)
        with self.assertRaises(ImportFailed), transaction.atomic():
            importer.write(plan, actor=None, at=at, note="Excel导入")
        self.assertEqual(Lead.all_objects.get(pk=other.pk).notes, "")
