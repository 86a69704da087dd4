"""Ledgers that travel: a whole export imports into a fresh database equal, field by field."""

import io
from datetime import date

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import TestCase

from aftercare.models import Enterprise
from leads.choices import Stage
from leads.excel.export import export_leads
from leads.excel.lead_importer import LeadImporter
from leads.models import Activity, Lead, NodePlan, PaidIn, StageTransition, SupervisionNote
from tests.factories import UserFactory, credit_code, make_lead
from tests.workbooks import LEAD_HEADERS, lead_workbook, workbook_bytes

# Every field a ledger carries (all but bookkeeping: ids, times, version).
LEDGER_FIELDS = [
    "code", "name", "investor", "origin", "origin_type", "industry_id", "source", "chamber_id",
    "entrepreneur_id", "stage", "team_id", "leader", "owner_id", "planned_investment",
    "contract_amount", "paid_in", "visited_on", "intent_on", "signed_on", "landed_on",
    "registered_name", "credit_code", "drop_reason", "lost_to", "dropped_from", "next_follow_up",
    "notes", "started_on", "in_production_on", "planned_started_on", "planned_in_production_on",
    "is_key",
]  # fmt: skip
ROW = {
    "项目名称": "智能装备产业园",
    "投资方": "深圳华创集团有限公司",
    "所属产业": "信息技术",
    "线索来源": "自主对接",
}


def ledger(queryset=None) -> dict:
    queryset = Lead.objects.all() if queryset is None else queryset
    return {row["code"]: row for row in queryset.values(*LEDGER_FIELDS)}


def paid_ins() -> list:
    return sorted(
        PaidIn.objects.values_list("lead__code", "received_on", "amount", "kind", "note"),
        key=repr,
    )


class DemoLedgerTravelsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        call_command("seed_demo", leads=200, verbosity=0, stdout=io.StringIO())
        users = list(get_user_model().objects.order_by("pk"))
        # Owners by unique name, and two that share a full name (exported by username).
        twin_a = UserFactory(username="twin_a", last_name="王", first_name="重名")
        twin_b = UserFactory(username="twin_b", last_name="王", first_name="重名")
        for index, pk in enumerate(Lead.objects.order_by("code").values_list("pk", flat=True)):
            owner = [users[index % len(users)], twin_a, twin_b, None][index % 4]
            Lead.objects.filter(pk=pk).update(owner=owner)

    def test_export_of_the_demo_data_imports_into_a_fresh_database_equal(self):
        before = ledger()
        instalments = paid_ins()
        self.assertTrue(instalments)
        self.assertEqual(len(before), 200)
        self.assertTrue(any(row["lost_to"] for row in before.values()))
        self.assertTrue(any(row["dropped_from"] not in ("", "contact") for row in before.values()))
        # The columns after 落地 are really carried (the demo gives them values).
        for name in ("started_on", "in_production_on", "planned_started_on", "paid_in"):
            self.assertTrue(any(row[name] for row in before.values()), name)
        self.assertTrue(any(row["is_key"] for row in before.values()))
        buffer = io.BytesIO()
        export_leads(buffer)
        # A fresh installation: reference data, chambers, entrepreneurs and users only.
        # (History is append-only through the ORM; a fresh database simply has none,
        # nor the enterprises aftercare linked to the demo's landings.)
        with connection.cursor() as cursor:
            for model in (
                Enterprise, Activity, StageTransition, NodePlan, PaidIn, SupervisionNote,
                Lead.history.model, Lead,
            ):  # fmt: skip
                cursor.execute(f"DELETE FROM {model._meta.db_table}")

        report = LeadImporter().run(buffer.getvalue(), filename="台账.xlsx")

        self.assertTrue(report.ok, report.error_lines()[:10])
        self.assertEqual(report.counts["new"], 200)
        after = ledger()
        self.assertEqual(sorted(after), sorted(before))
        for code, row in before.items():
            self.assertEqual(after[code], row, code)
        # And once there, the same file changes nothing.
        # The planned dates imported are the first version of each plan.
        nodes = ("planned_started_on", "planned_in_production_on")
        planned = sum(1 for row in before.values() for name in nodes if row[name])
        self.assertEqual(NodePlan.objects.count(), planned)
        # Every instalment travels on the 到位资金 sheet; 到位资金 is their sum.
        self.assertEqual(paid_ins(), instalments)
        again = LeadImporter().run(buffer.getvalue())
        self.assertEqual(again.counts["unchanged"], 200, again.error_lines()[:10])
        self.assertEqual(again.sheet_counts("到位资金")["unchanged"], len(instalments))
        self.assertEqual(paid_ins(), instalments)


class LedgerColumnTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)

    def run_import(self, data):
        return LeadImporter().run(data, filename="台账.xlsx")

    def test_place_in_the_reason_fills_reason_and_place(self):
        reasons = {
            "甲": ("落户他地：郑州市", "郑州市"),
            "乙": ("落户他地（苏州）", "苏州"),
            "丙": ("落户他地(苏州)", "苏州"),
            "丁": ("落户他地:合肥 高新区", "合肥 高新区"),
        }
        rows = [
            {**ROW, "项目名称": name, "当前阶段": "终止", "终止原因": reason}
            for name, (reason, _place) in reasons.items()
        ]
        report = self.run_import(lead_workbook(*rows))
        self.assertTrue(report.ok, report.error_lines())
        stored = dict(Lead.objects.values_list("name", "lost_to"))
        self.assertEqual(stored, {name: place for name, (_r, place) in reasons.items()})
        self.assertEqual(set(Lead.objects.values_list("drop_reason", flat=True)), {"落户他地"})

    def test_place_in_the_reason_and_a_different_place_cell_is_an_error_naming_both(self):
        row = {**ROW, "当前阶段": "终止", "终止原因": "落户他地：郑州市", "落户地": "开封市"}
        report = self.run_import(lead_workbook(row))
        self.assertEqual(
            report.error_lines(),
            [
                "第2行 [落户地] 终止原因写的落户地是“郑州市”，落户地一列写的是“开封市”，"
                "两者不一致，请改为同一地点。"
            ],
        )
        self.assertFalse(Lead.objects.exists())

    def test_lost_elsewhere_without_a_place_is_still_refused(self):
        report = self.run_import(lead_workbook({**ROW, "当前阶段": "终止", "终止原因": "落户他地"}))
        self.assertEqual(
            report.error_lines(), ["第2行 [终止原因] 终止原因为“落户他地”时必须填写落户地。"]
        )

    def test_owner_by_name_or_username_and_a_shared_name_asks_for_the_username(self):
        one = UserFactory(username="zhangsan", last_name="张", first_name="三")
        UserFactory(username="wang1", last_name="王", first_name="五")
        two = UserFactory(username="wang2", last_name="王", first_name="五")
        rows = [
            {**ROW, "项目名称": "甲", "责任人": "张三"},
            {**ROW, "项目名称": "乙", "责任人": "wang2"},
        ]
        self.assertTrue(self.run_import(lead_workbook(*rows)).ok)
        self.assertEqual(
            dict(Lead.objects.values_list("name", "owner")), {"甲": one.pk, "乙": two.pk}
        )
        report = self.run_import(lead_workbook({**ROW, "项目名称": "丙", "责任人": "王五"}))
        self.assertEqual(
            report.error_lines(),
            ["第2行 [责任人] 系统中有 2 位名为“王五”的用户，请改填其用户名以区分。"],
        )

    def test_visit_and_intent_dates_travel(self):
        row = {
            **ROW,
            "当前阶段": "意向",
            "计划投资额(万元)": 100,
            "考察日期": "2026年2月3日",
            "意向日期": "2026-02-10",
        }
        self.assertTrue(self.run_import(lead_workbook(row)).ok)
        lead = Lead.objects.get()
        self.assertEqual((lead.visited_on, lead.intent_on), (date(2026, 2, 3), date(2026, 2, 10)))

    def test_a_ledger_with_only_the_required_columns_imports_and_keeps_the_rest(self):
        lead = make_lead(
            name=ROW["项目名称"],
            investor=ROW["投资方"],
            notes="网页上写的备注",
            leader="副区长 张华",
        )
        headers = ["项目名称", "投资方", "所属产业", "线索来源", "当前阶段"]
        data = workbook_bytes(
            headers, [{**ROW, "所属产业": lead.industry.name, "当前阶段": "考察"}]
        )
        report = self.run_import(data)
        self.assertTrue(report.ok, report.error_lines())
        lead.refresh_from_db()
        self.assertEqual(lead.stage, Stage.VISIT)
        self.assertEqual((lead.notes, lead.leader), ("网页上写的备注", "副区长 张华"))

    def test_unknown_columns_are_ignored_with_one_warning(self):
        headers = [*LEAD_HEADERS, "联系人电话", "备用列"]
        data = workbook_bytes(headers, [{**ROW, "联系人电话": "138"}, {**ROW, "项目名称": "乙"}])
        report = self.run_import(data)
        self.assertTrue(report.ok, report.error_lines())
        self.assertEqual(
            report.warnings, ["以下列不是本工作簿的列，已忽略，未导入：“联系人电话”、“备用列”。"]
        )
        self.assertEqual(report.as_json()["warnings"], report.warnings)
        self.assertEqual(Lead.objects.count(), 2)

    def test_a_missing_required_column_is_named(self):
        headers = [h for h in LEAD_HEADERS if h != "当前阶段"]
        report = self.run_import(workbook_bytes(headers, [ROW]))
        self.assertIn("缺少表头：“当前阶段”", report.file_error)

    def test_dropped_lead_is_created_with_its_stage_before_the_drop(self):
        row = {**ROW, "当前阶段": "终止", "终止原因": "投资方撤资", "终止前阶段": "意向"}
        report = self.run_import(lead_workbook(row))
        self.assertEqual(
            report.error_lines(),
            ["第2行 [计划投资额(万元)] 进入“意向”阶段须填写计划投资额(万元)。"],
        )
        self.assertTrue(self.run_import(lead_workbook({**row, "计划投资额(万元)": 50})).ok)
        lead = Lead.objects.get()
        self.assertEqual((lead.stage, lead.dropped_from), (Stage.DROPPED, Stage.INTENT))
        self.assertEqual(
            list(lead.transitions.values_list("from_stage", "to_stage")),
            [("", "contact"), ("contact", "dropped")],
        )

    def test_stage_before_the_drop_cannot_be_changed_by_import(self):
        lead = make_lead(
            stage=Stage.DROPPED, name=ROW["项目名称"], investor=ROW["投资方"], drop_reason="撤资"
        )
        row = {"项目编号": lead.code, **ROW, "所属产业": lead.industry.name, "当前阶段": "终止"}
        report = self.run_import(lead_workbook({**row, "终止前阶段": "签约"}))
        self.assertEqual(
            report.error_lines(),
            [
                "第2行 [终止前阶段] 该线索终止前的阶段是“接洽”，与所填“签约”不一致；"
                "导入不能改变终止前阶段。"
            ],
        )


class NoInventedDatesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)

    def test_a_landed_row_without_its_landing_date_is_refused(self):
        row = {
            **ROW,
            "当前阶段": "落地",
            "签约日期": "2025-05-01",
            "签约投资额(万元)": 100,
            "计划投资额(万元)": 100,
            "落地企业名称": "某公司",
            "统一社会信用代码": credit_code(),
        }
        report = LeadImporter().run(lead_workbook(row))
        self.assertEqual(
            report.error_lines(),
            ["第2行 [落地日期] 导入进入“落地”阶段须填写落地日期（导入不会以今天代替）。"],
        )
        self.assertFalse(Lead.objects.exists())

    def test_a_signed_row_keeps_its_skipped_dates_blank(self):
        row = {
            **ROW,
            "当前阶段": "签约",
            "签约日期": "2025-05-01",
            "签约投资额(万元)": 100,
            "计划投资额(万元)": 100,
        }
        self.assertTrue(LeadImporter().run(lead_workbook(row)).ok)
        lead = Lead.objects.get()
        self.assertEqual(lead.signed_on, date(2025, 5, 1))
        self.assertEqual((lead.visited_on, lead.intent_on), (None, None))

    def test_an_update_to_landed_needs_the_landing_date(self):
        lead = make_lead(stage=Stage.SIGNED, name=ROW["项目名称"], investor=ROW["投资方"])
        row = {
            "项目编号": lead.code,
            **ROW,
            "所属产业": lead.industry.name,
            "当前阶段": "落地",
            "落地企业名称": "某公司",
            "统一社会信用代码": credit_code(),
        }
        report = LeadImporter().run(lead_workbook(row))
        self.assertEqual(
            report.error_lines(),
            ["第2行 [落地日期] 导入进入“落地”阶段须填写落地日期（导入不会以今天代替）。"],
        )
        lead.refresh_from_db()
        self.assertEqual((lead.stage, lead.landed_on), (Stage.SIGNED, None))

    def test_the_web_service_still_dates_the_entered_stage_today(self):
        lead = make_lead(stage=Stage.VISIT)
        self.assertIsNotNone(lead.visited_on)
