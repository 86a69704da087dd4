"""The lead workbook's columns after 落地: 开工/投产, their planned dates and 重点项目."""

from datetime import timedelta

from django.test import TestCase
from django.utils import timezone

from leads.choices import Channel, Stage
from leads.excel.lead_importer import LeadImporter
from leads.models import Lead, NodePlan
from leads.services import lead_plan_node, lead_record_milestone
from tests.factories import make_lead
from tests.roles import RolesMixin
from tests.workbooks import LEAD_HEADERS, workbook_bytes

TODAY = timezone.localdate()
LANDED_ON = TODAY - timedelta(days=60)
HEADERS = ["项目编号", "项目名称", "投资方", "所属产业", "线索来源", "当前阶段", "开工日期",
           "投产日期", "计划开工日期", "计划投产日期", "重点项目"]  # fmt: skip


def chinese(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class AfterLandingImportTestCase(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        cls.lead = make_lead(
            stage=Stage.LANDED, signed_on=LANDED_ON - timedelta(days=10), landed_on=LANDED_ON
        )
        # A 组长 of the lead's team: may import and edit it, not correct dates nor mark key ones.
        cls.lead.team.members.add(cls.a_leader)

    def row(self, lead=None, **cells) -> dict:
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

    def run_import(self, *rows, actor=None):
        actor = actor or self.director
        data = workbook_bytes(HEADERS, rows)
        return LeadImporter().run(data, actor=actor, filename="台账.xlsx")

    def stored(self, lead=None) -> Lead:
        return Lead.objects.get(pk=(lead or self.lead).pk)


class ColumnsTests(AfterLandingImportTestCase):
    def test_the_columns_are_in_the_workbook(self):
        for header in ("开工日期", "投产日期", "计划开工日期", "计划投产日期", "重点项目"):
            self.assertIn(header, LEAD_HEADERS)

    def test_dates_in_clerk_formats_and_yes_are_recorded_with_plans_and_history(self):
        started, producing = LANDED_ON + timedelta(days=5), LANDED_ON + timedelta(days=30)
        plan_start, plan_production = TODAY + timedelta(days=30), TODAY + timedelta(days=90)
        report = self.run_import(
            self.row(**{
                "开工日期": chinese(started),
                "投产日期": producing.strftime("%Y/%m/%d"),
                "计划开工日期": plan_start.isoformat(),
                "计划投产日期": chinese(plan_production),
                "重点项目": "Y",
            })
        )  # fmt: skip
        self.assertTrue(report.ok, report.error_lines())
        self.assertEqual(report.counts["update"], 1)
        lead = self.stored()
        self.assertEqual(
            (lead.started_on, lead.in_production_on, lead.is_key),
            (started, producing, True),
        )
        self.assertEqual(
            (lead.planned_started_on, lead.planned_in_production_on), (plan_start, plan_production)
        )
        plans = list(
            NodePlan.objects.filter(lead=lead)
            .order_by("node")
            .values_list("node", "planned_on", "previous_on", "reason", "channel", "actor")
        )
        self.assertEqual(
            plans,
            [
                ("in_production", plan_production, None, "Excel导入：台账.xlsx", Channel.IMPORT,
                 self.director.pk),
                ("started", plan_start, None, "Excel导入：台账.xlsx", Channel.IMPORT,
                 self.director.pk),
            ],
        )  # fmt: skip
        reasons = list(lead.history.values_list("history_change_reason", flat=True))
        self.assertIn(f"Excel导入：台账.xlsx（登记开工：{started.isoformat()}）", reasons)
        self.assertIn("Excel导入：台账.xlsx（列为重点项目）", reasons)
        # The version counts every plan: 5 writes after the lead's own.
        self.assertEqual(lead.version, self.lead.version + 5)

    def test_bad_cells_are_row_errors_naming_the_column(self):
        report = self.run_import(
            self.row(**{"开工日期": "2026-13-45", "计划投产日期": "明年", "重点项目": "也许"})
        )
        self.assertEqual(
            report.error_lines(),
            [
                "第2行 [开工日期] 日期“2026-13-45”不存在。",
                "第2行 [计划投产日期] 无法识别的日期“明年”，请填写如 2026-03-05 或 2026年3月5日。",
                "第2行 [重点项目] “也许”无法识别，请填写“是”或“否”。",
            ],
        )
        self.assertEqual(self.stored().version, self.lead.version)

    def test_dates_before_landing_in_the_future_or_on_an_unlanded_lead_are_refused(self):
        signed = make_lead(stage=Stage.SIGNED, name="签约项目", signed_on=LANDED_ON)
        report = self.run_import(
            self.row(**{"开工日期": (LANDED_ON - timedelta(days=1)).isoformat()}),
            self.row(signed, **{"开工日期": TODAY.isoformat()}),
        )
        lines = report.error_lines()
        self.assertEqual(len(lines), 2, lines)
        self.assertTrue(lines[0].startswith("第2行 [开工日期] 开工日期（"), lines)
        self.assertIn("不能早于落地日期", lines[0])
        self.assertEqual(lines[1], "第3行 [开工日期] 项目落地后才能登记开工日期。")
        report = self.run_import(
            self.row(**{
                "开工日期": LANDED_ON.isoformat(),
                "投产日期": (TODAY + timedelta(days=1)).isoformat(),
            })
        )  # fmt: skip
        self.assertEqual(len(report.error_lines()), 1)
        self.assertIn("[投产日期] 投产日期不能晚于今天", report.error_lines()[0])
        self.assertIsNone(self.stored().started_on)

    def test_a_recorded_date_is_changed_only_by_who_may_correct(self):
        lead_record_milestone(lead=self.lead, milestone="started", on=LANDED_ON, actor=None)
        later = (LANDED_ON + timedelta(days=3)).isoformat()
        report = self.run_import(self.row(**{"开工日期": later}), actor=self.a_leader)
        self.assertEqual(
            report.error_lines(),
            [f"第2行 [开工日期] 开工日期已登记为 {LANDED_ON.isoformat()}，只有局领导可以更正。"],
        )
        # The same date again is no change, for anyone.
        same = self.run_import(self.row(**{"开工日期": LANDED_ON.isoformat()}), actor=self.a_leader)
        self.assertEqual(same.counts["unchanged"], 1, same.error_lines())
        self.assertTrue(self.run_import(self.row(**{"开工日期": later})).ok)
        self.assertEqual(self.stored().started_on, LANDED_ON + timedelta(days=3))

    def test_a_changed_plan_keeps_a_version_with_the_file_as_reason(self):
        first = TODAY + timedelta(days=10)
        lead_plan_node(lead=self.lead, node="started", on=first, actor=self.director)
        slipped = TODAY + timedelta(days=40)
        row = self.row(**{"计划开工日期": slipped.isoformat()})
        report = self.run_import(row, actor=self.a_leader)
        self.assertTrue(report.ok, report.error_lines())
        latest = NodePlan.objects.filter(lead=self.lead).latest("id")
        self.assertEqual(
            (latest.planned_on, latest.previous_on, latest.reason, latest.actor),
            (slipped, first, "Excel导入：台账.xlsx", self.a_leader),
        )
        self.assertEqual(NodePlan.objects.filter(lead=self.lead).count(), 2)
        again = self.run_import(row, actor=self.a_leader)
        self.assertEqual(again.counts["unchanged"], 1)
        self.assertEqual(NodePlan.objects.filter(lead=self.lead).count(), 2)

    def test_planned_dates_keep_the_nodes_order(self):
        report = self.run_import(
            self.row(**{
                "计划开工日期": (TODAY + timedelta(days=60)).isoformat(),
                "计划投产日期": (TODAY + timedelta(days=30)).isoformat(),
            })
        )  # fmt: skip
        self.assertEqual(len(report.error_lines()), 1)
        self.assertIn("[计划投产日期] 计划投产日期", report.error_lines()[0])
        self.assertIn("不能早于计划开工日期", report.error_lines()[0])
        self.assertFalse(NodePlan.objects.exists())

    def test_key_project_changes_only_with_the_right_to_mark_them(self):
        self.assertFalse(self.a_leader.has_perm("leads.mark_key_lead"))
        report = self.run_import(self.row(**{"重点项目": "是"}), actor=self.a_leader)
        self.assertEqual(
            report.error_lines(),
            ["第2行 [重点项目] 只有局领导可以标记重点项目，您无权通过导入修改“重点项目”。"],
        )
        self.assertFalse(self.stored().is_key)
        # What the lead already holds is no change and needs no right.
        same = self.run_import(self.row(**{"重点项目": "否"}), actor=self.a_leader)
        self.assertEqual(same.counts["unchanged"], 1, same.error_lines())
        for value, expected in (("TRUE", True), ("0", False), ("是", True)):
            self.assertTrue(self.run_import(self.row(**{"重点项目": value})).ok)
            self.assertEqual(self.stored().is_key, expected)
