"""Importing lead workbooks: tolerant input, the pipeline rules, all-or-nothing, idempotence."""

import io
from datetime import date
from decimal import Decimal

from django.core.management import call_command
from django.test import TestCase
from openpyxl import load_workbook

from crm.spreadsheets.reader import ERROR_COLUMN
from leads.choices import Channel, Stage
from leads.excel.export import export_leads
from leads.excel.lead_importer import LeadImporter
from leads.models import Industry, Lead, StageTransition, TaskTeam, Unit
from tests.factories import ChamberFactory, EntrepreneurFactory, UserFactory, credit_code, make_lead
from tests.workbooks import LEAD_HEADERS, lead_workbook, read_back, workbook_bytes

MARCH_5 = date(2026, 3, 5)


class ImportTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        cls.industry = Industry.objects.get(name="工业机器人及智能装备制造")
        cls.chamber = ChamberFactory(name="深圳湖南商会")
        cls.entrepreneur = EntrepreneurFactory(name="李四", company="深圳李氏科技有限公司")
        cls.teams = {team.name: team for team in TaskTeam.objects.all()}

    @staticmethod
    def row(extra=None, **_):
        base = {
            "项目名称": "智能装备产业园",
            "投资方": "深圳华创集团有限公司",
            "所属产业": "工业机器人及智能装备制造",
            "线索来源": "产业链招商",
        }
        return {**base, **(extra or {})}

    def run_import(self, *rows, actor=None, dry_run=False, data=None):
        data = data if data is not None else lead_workbook(*rows)
        return LeadImporter().run(data, actor=actor, dry_run=dry_run, filename="台账.xlsx")

    def assert_imported(self, report):
        self.assertTrue(report.ok, report.error_lines())
        return report


class TolerantInputTests(ImportTestCase):
    def test_dates_in_every_format_a_clerk_types(self):
        serial = (MARCH_5 - date(1899, 12, 30)).days
        formats = [
            "2026年3月5日",
            "2026/3/5",
            "2026-03-05",
            "2026.3.5",
            MARCH_5,
            serial,
            "２０２６年３月５日",
            " 2026-3-5 ",
        ]
        rows = [
            self.row(
                {
                    "项目名称": f"项目{i}",
                    "当前阶段": "签约",
                    "签约投资额(万元)": 100,
                    "计划投资额(万元)": 100,
                    "签约日期": value,
                }
            )
            for i, value in enumerate(formats)
        ]
        self.assert_imported(self.run_import(*rows))
        self.assertEqual(
            list(Lead.objects.order_by("name").values_list("signed_on", flat=True)),
            [MARCH_5] * len(formats),
        )

    def test_amounts_in_wan_yuan_keep_decimal_precision(self):
        cases = {
            "1.2亿": Decimal("12000.00"),
            "3,000万": Decimal("3000.00"),
            "５００": Decimal("500.00"),
            " 800.5 ": Decimal("800.50"),
            800.5: Decimal("800.50"),
            "1,234.56万元": Decimal("1234.56"),
            "0.35亿元": Decimal("3500.00"),
            12345678.91: Decimal("12345678.91"),
        }
        rows = [
            self.row({"项目名称": f"项目{i}", "计划投资额(万元)": raw})
            for i, raw in enumerate(cases)
        ]
        self.assert_imported(self.run_import(*rows))
        stored = Lead.objects.order_by("name").values_list("planned_investment", flat=True)
        self.assertEqual(list(stored), list(cases.values()))
        self.assertEqual(str(Lead.objects.get(name="项目3").planned_investment), "800.50")

    def test_text_is_trimmed_and_full_width_spaces_removed(self):
        self.run_import(
            self.row({"项目名称": "　智能装备产业园　", "投资方": "  深圳华创集团有限公司 "})
        )
        lead = Lead.objects.get()
        self.assertEqual((lead.name, lead.investor), ("智能装备产业园", "深圳华创集团有限公司"))

    def test_choices_by_label_or_code_and_industry_by_alias(self):
        self.run_import(
            self.row(
                {
                    "项目名称": "甲",
                    "线索来源": "own",
                    "资金来源类别": "境外",
                    "所属产业": "智能制造",
                }
            ),
            self.row(
                {
                    "项目名称": "乙",
                    "线索来源": "自主对接",
                    "资金来源类别": "foreign",
                    "当前阶段": "visit",
                }
            ),
        )
        first, second = Lead.objects.get(name="甲"), Lead.objects.get(name="乙")
        self.assertEqual((first.source, first.origin_type), ("own", "foreign"))
        self.assertEqual((second.source, second.origin_type), ("own", "foreign"))
        self.assertEqual(first.industry, self.industry)
        self.assertEqual(second.stage, Stage.VISIT)

    def test_chamber_and_entrepreneur_by_name(self):
        self.assert_imported(
            self.run_import(
                self.row({"项目名称": "甲", "线索来源": "商会推介", "推介商会": "深圳湖南商会"}),
                self.row({"项目名称": "乙", "线索来源": "回乡创业", "回乡企业家": "李四"}),
            )
        )
        self.assertEqual(Lead.objects.get(name="甲").chamber, self.chamber)
        self.assertEqual(Lead.objects.get(name="乙").entrepreneur, self.entrepreneur)

    def test_unknown_names_are_errors_never_created(self):
        report = self.run_import(
            self.row({"线索来源": "商会推介", "推介商会": "火星商会"}),
            self.row({"项目名称": "乙", "所属产业": "造火箭"}),
        )
        self.assertEqual(
            report.error_lines(),
            [
                "第2行 [推介商会] 系统中没有名为“火星商会”的商会。",
                "第3行 [所属产业] 系统中没有名为“造火箭”的产业（或产业别名）。",
            ],
        )
        self.assertEqual(Lead.objects.count(), 0)

    def test_ambiguous_entrepreneur_name_is_an_error_unless_company_given(self):
        EntrepreneurFactory(name="李四", company="长沙李氏实业有限公司")
        report = self.run_import(self.row({"线索来源": "回乡创业", "回乡企业家": "李四"}))
        self.assertIn("第2行 [回乡企业家] 系统中有 2 位名为“李四”的企业家", report.error_lines()[0])
        report = self.run_import(
            self.row({"线索来源": "回乡创业", "回乡企业家": "李四（深圳李氏科技有限公司）"})
        )
        self.assert_imported(report)
        self.assertEqual(Lead.objects.get().entrepreneur, self.entrepreneur)

    def test_unreadable_cells_name_row_and_column(self):
        report = self.run_import(
            self.row(),
            self.row(
                {
                    "项目名称": "乙",
                    "签约日期": "3月5号",
                    "计划投资额(万元)": "很多",
                    "当前阶段": "谈恋爱",
                }
            ),
        )
        self.assertEqual(
            report.error_lines(),
            [
                "第3行 [当前阶段] “谈恋爱”不是可选值，可选：接洽、考察、意向、签约、落地、终止。",
                "第3行 [计划投资额(万元)] 无法识别的金额“很多”，"
                "请填写数字（单位：万元），如 3000 或 1.2亿。",
                "第3行 [签约日期] 无法识别的日期“3月5号”，请填写如 2026-03-05 或 2026年3月5日。",
            ],
        )
        self.assertEqual(Lead.objects.count(), 0)

    def test_headers_in_any_order(self):
        headers = list(reversed(LEAD_HEADERS))
        data = workbook_bytes(headers, [self.row()])
        self.assert_imported(self.run_import(data=data))
        self.assertEqual(Lead.objects.get().name, "智能装备产业园")


class PipelineRuleTests(ImportTestCase):
    def landed(self, **extra):
        return self.row(
            {
                "当前阶段": "落地",
                "签约日期": "2026-03-05",
                "落地日期": "2026-03-20",
                "签约投资额(万元)": "1.2亿",
                "计划投资额(万元)": "1.5亿",
                "落地企业名称": "华创智能（本区）有限公司",
                "统一社会信用代码": credit_code(),
                **extra,
            }
        )

    def test_new_lead_at_landed_writes_the_same_history_as_the_service(self):
        self.assert_imported(self.run_import(self.landed()))
        lead = Lead.objects.get()
        self.assertEqual(lead.stage, Stage.LANDED)
        self.assertEqual(lead.team, self.teams["落地服务组"])
        self.assertEqual(lead.contract_amount, Decimal("12000.00"))
        self.assertIsNotNone(lead.landed_on)
        self.assertEqual(lead.version, 1)
        transitions = list(lead.transitions.values_list("from_stage", "to_stage", "channel"))
        self.assertEqual(
            transitions, [("", "contact", Channel.IMPORT), ("contact", "landed", Channel.IMPORT)]
        )
        history = list(lead.history.order_by("history_id").values_list("history_type", "stage"))
        self.assertEqual(history, [("+", "contact"), ("~", "landed")])
        self.assertTrue(lead.history.first().history_change_reason.startswith("Excel导入"))

        # The service, for the same lead, writes the same shape of rows.
        made = make_lead(stage=Stage.LANDED, name="对照", channel=Channel.IMPORT)
        self.assertEqual(
            list(made.transitions.values_list("from_stage", "to_stage")),
            [(f, t) for f, t, _c in transitions],
        )
        self.assertEqual(made.history.count(), lead.history.count())

    def test_landing_needs_the_signing_data(self):
        report = self.run_import(
            self.row(
                {
                    "当前阶段": "落地",
                    "落地企业名称": "某公司",
                    "计划投资额(万元)": 100,
                    "统一社会信用代码": credit_code(),
                }
            )
        )
        self.assertEqual(
            report.error_lines(),
            [
                "第2行 [签约日期] 进入“签约”阶段须填写签约日期。",
                "第2行 [签约投资额(万元)] 进入“签约”阶段须填写签约投资额(万元)。",
                "第2行 [落地日期] 导入进入“落地”阶段须填写落地日期（导入不会以今天代替）。",
            ],
        )
        self.assertEqual(Lead.objects.count(), 0)

    def test_invalid_credit_code_and_future_date_are_refused(self):
        report = self.run_import(
            self.landed(**{"统一社会信用代码": "91350100M000100Y40"}),
            self.row(
                {
                    "项目名称": "乙",
                    "下次跟进日期": "2099-01-01",
                    "签约日期": "2099-01-01",
                    "当前阶段": "签约",
                    "签约投资额(万元)": 1,
                    "计划投资额(万元)": 1,
                }
            ),
        )
        lines = report.error_lines()
        self.assertIn("第2行 [统一社会信用代码] 统一社会信用代码校验位错误", lines[0])
        self.assertTrue(lines[1].startswith("第3行 [签约日期] 签约日期不能晚于今天"))

    def test_dropping_needs_a_reason(self):
        report = self.run_import(self.row({"当前阶段": "终止"}))
        self.assertEqual(report.error_lines(), ["第2行 [终止原因] 终止线索须填写终止原因。"])
        self.assert_imported(
            self.run_import(self.row({"当前阶段": "终止", "终止原因": "投资方撤资"}))
        )
        lead = Lead.objects.get()
        self.assertEqual((lead.stage, lead.dropped_from), (Stage.DROPPED, Stage.CONTACT))

    def test_stage_moves_forward_on_update_through_the_rules(self):
        lead = make_lead(
            stage=Stage.CONTACT,
            name="智能装备产业园",
            investor="深圳华创集团有限公司",
            industry=self.industry,
        )
        report = self.run_import(
            self.row({"项目编号": lead.code, "当前阶段": "意向", "计划投资额(万元)": "5000"})
        )
        self.assertEqual(report.counts["update"], 1, report.error_lines())
        lead.refresh_from_db()
        self.assertEqual((lead.stage, lead.planned_investment), (Stage.INTENT, Decimal("5000")))
        self.assertEqual(lead.team, self.teams["洽谈攻坚小分队"])
        # An import invents no stage date (DESIGN): the intent date stays blank.
        self.assertIsNone(lead.intent_on)
        move = lead.transitions.last()
        self.assertEqual(
            (move.from_stage, move.to_stage, move.channel), ("contact", "intent", Channel.IMPORT)
        )
        self.assertEqual(lead.history.count(), 3)  # created by the service; fields, move

    def test_import_cannot_move_a_lead_back(self):
        lead = make_lead(stage=Stage.INTENT, industry=self.industry)
        report = self.run_import(self.row({"项目编号": lead.code, "当前阶段": "接洽"}))
        self.assertEqual(
            report.error_lines(),
            ["第2行 [当前阶段] 导入不能把线索退回到前一阶段，请在线索页面退回并说明原因。"],
        )

    def test_intent_needs_planned_investment(self):
        report = self.run_import(self.row({"当前阶段": "意向"}))
        self.assertEqual(
            report.error_lines(),
            ["第2行 [计划投资额(万元)] 进入“意向”阶段须填写计划投资额(万元)。"],
        )


class MatchingTests(ImportTestCase):
    def test_row_with_code_updates_that_lead(self):
        lead = make_lead(industry=self.industry, name="旧名称")
        report = self.run_import(self.row({"项目编号": lead.code, "项目名称": "新名称"}))
        self.assertEqual(report.counts, {"new": 0, "update": 1, "unchanged": 0, "error": 0})
        lead.refresh_from_db()
        self.assertEqual((lead.name, lead.investor), ("新名称", "深圳华创集团有限公司"))
        self.assertEqual(lead.history.first().history_type, "~")

    def test_row_without_code_matches_investor_and_name(self):
        lead = make_lead(
            industry=self.industry, name="智能装备产业园", investor="深圳华创集团有限公司"
        )
        self.run_import(self.row({"分包领导": "王副区长"}))
        self.assertEqual(Lead.objects.count(), 1)
        lead.refresh_from_db()
        self.assertEqual(lead.leader, "王副区长")

    def test_unmatched_rows_get_generated_codes(self):
        existing = make_lead(industry=self.industry, name="已有")
        self.run_import(self.row({"项目名称": "甲"}), self.row({"项目名称": "乙"}))
        prefix, number = existing.code.rsplit("-", 1)
        codes = list(
            Lead.objects.exclude(pk=existing.pk).order_by("code").values_list("code", flat=True)
        )
        self.assertEqual(
            codes, [f"{prefix}-{int(number) + 1:04d}", f"{prefix}-{int(number) + 2:04d}"]
        )

    def test_blank_cells_keep_what_the_system_holds(self):
        lead = make_lead(industry=self.industry, leader="王副区长", notes="重要")
        self.run_import(
            self.row({"项目编号": lead.code, "项目名称": lead.name, "投资方": lead.investor})
        )
        lead.refresh_from_db()
        self.assertEqual((lead.leader, lead.notes), ("王副区长", "重要"))

    def test_the_same_lead_twice_in_a_file_is_an_error(self):
        report = self.run_import(self.row(), self.row())
        self.assertEqual(report.error_lines(), ["第3行 [项目名称] 与第2行的投资方和项目名称重复。"])

    def test_unknown_code_of_a_known_project_is_an_error(self):
        lead = make_lead(
            industry=self.industry, name="智能装备产业园", investor="深圳华创集团有限公司"
        )
        report = self.run_import(self.row({"项目编号": "ZS-2019-0001"}))
        self.assertEqual(
            report.error_lines(),
            [f"第2行 [项目编号] 系统中该投资方的同名项目编号为{lead.code}，与所填编号不一致。"],
        )


class AllOrNothingTests(ImportTestCase):
    def test_one_bad_row_writes_nothing(self):
        lead = make_lead(industry=self.industry, name="旧名称")
        history = lead.history.count()
        rows = [self.row({"项目名称": f"项目{i}"}) for i in range(50)]
        rows.append(self.row({"项目编号": lead.code, "项目名称": "新名称"}))
        rows.append(self.row({"项目名称": "坏行", "所属产业": "不存在的产业"}))
        report = self.run_import(*rows)
        self.assertFalse(report.ok)
        self.assertEqual(
            report.error_lines(),
            ["第53行 [所属产业] 系统中没有名为“不存在的产业”的产业（或产业别名）。"],
        )
        self.assertEqual(Lead.objects.count(), 1)
        lead.refresh_from_db()
        self.assertEqual((lead.name, lead.history.count()), ("旧名称", history))

    def test_dry_run_validates_and_writes_nothing(self):
        report = self.run_import(self.row(), dry_run=True)
        self.assertEqual(report.counts["new"], 1)
        self.assertIn("预检，未写入", report.summary())
        self.assertEqual(Lead.objects.count(), 0)

    def test_error_workbook_marks_each_bad_row_and_imports_once_fixed(self):
        data = lead_workbook(self.row(), self.row({"项目名称": "乙", "签约日期": "昨天"}))
        buffer = io.BytesIO()
        LeadImporter().write_errors(data, buffer)
        sheet = load_workbook(buffer).worksheets[0]
        header = [cell.value for cell in sheet[1]]
        self.assertEqual(header[-1], ERROR_COLUMN)
        self.assertIsNone(sheet.cell(row=2, column=len(header)).value)
        self.assertIn(
            "[签约日期] 无法识别的日期“昨天”", sheet.cell(row=3, column=len(header)).value
        )
        sheet.cell(row=3, column=header.index("签约日期") + 1).value = None
        fixed = io.BytesIO()
        sheet.parent.save(fixed)
        self.assert_imported(self.run_import(data=fixed.getvalue()))
        self.assertEqual(Lead.objects.count(), 2)


class IdempotenceTests(ImportTestCase):
    def test_reimport_of_same_file_changes_nothing(self):
        data = lead_workbook(
            self.row(
                {
                    "当前阶段": "签约",
                    "签约日期": "2026/3/5",
                    "签约投资额(万元)": "800.5",
                    "计划投资额(万元)": "1000",
                }
            ),
            self.row({"项目名称": "乙", "线索来源": "回乡创业", "回乡企业家": "李四"}),
        )
        self.assert_imported(self.run_import(data=data))
        counts = (Lead.history.count(), StageTransition.objects.count())
        versions = list(Lead.objects.order_by("pk").values_list("version", flat=True))
        report = self.run_import(data=data)
        self.assertEqual(report.counts, {"new": 0, "update": 0, "unchanged": 2, "error": 0})
        self.assertEqual((Lead.history.count(), StageTransition.objects.count()), counts)
        self.assertEqual(
            list(Lead.objects.order_by("pk").values_list("version", flat=True)), versions
        )


class ImportPermissionTests(ImportTestCase):
    def test_team_member_cannot_update_another_teams_lead(self):
        leader = UserFactory(groups=["小分队组长"])
        own_team = self.teams["信息研判组"]
        own_team.members.add(leader)
        theirs = make_lead(stage=Stage.VISIT, industry=self.industry, name="他队项目")
        ours = make_lead(stage=Stage.CONTACT, industry=self.industry, name="本队项目")
        report = self.run_import(
            self.row({"项目编号": ours.code, "项目名称": "本队项目", "备注": "改"}),
            self.row({"项目编号": theirs.code, "项目名称": "他队项目", "备注": "改"}),
            actor=leader,
        )
        self.assertEqual(
            report.error_lines(),
            [
                f"第3行 [项目编号] 线索 {theirs.code} 由“考察接待组”负责，"
                "您无权通过导入修改其他小分队的线索。"
            ],
        )
        ours.refresh_from_db()
        self.assertEqual(ours.notes, "")

    def test_bureau_leader_updates_any_teams_lead(self):
        boss = UserFactory(groups=["局领导"])
        theirs = make_lead(stage=Stage.VISIT, industry=self.industry, name="他队项目")
        report = self.run_import(
            self.row({"项目编号": theirs.code, "项目名称": "他队项目", "备注": "改"}), actor=boss
        )
        self.assert_imported(report)
        self.assertEqual(Lead.objects.get(pk=theirs.pk).history.first().history_user, boss)

    def test_naming_another_team_needs_the_assign_permission(self):
        leader = UserFactory(groups=["小分队组长"])
        report = self.run_import(self.row({"负责小分队": "落地服务组"}), actor=leader)
        self.assertEqual(report.error_lines(), ["第2行 [负责小分队] 您无权指定负责小分队。"])
        boss = UserFactory(groups=["局领导"])
        self.assert_imported(self.run_import(self.row({"负责小分队": "落地服务组"}), actor=boss))
        self.assertEqual(Lead.objects.get().team, self.teams["落地服务组"])


class CreditUnitColumnTests(ImportTestCase):
    """The 引进单位 column: a unit by name (issue 8), exported and imported back unchanged."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.unit = Unit.objects.create(name="经开区管委会", kind=Unit.Kind.DEPARTMENT)
        Unit.objects.create(name="城西街道", kind=Unit.Kind.TOWN)

    def test_a_unit_named_in_the_column_is_credited(self):
        report = self.run_import(
            self.row({"引进单位": " 经开区管委会 "}), self.row({"项目名称": "乙"})
        )
        self.assert_imported(report)
        credited = dict(Lead.objects.values_list("name", "credit_unit"))
        self.assertEqual(credited, {"智能装备产业园": self.unit.pk, "乙": None})
        # The credited team is the team at capture, as for a lead entered on a page.
        lead = Lead.objects.get(name="智能装备产业园")
        self.assertEqual(lead.credit_team_id, lead.transitions.get().to_team_id)

    def test_an_unknown_unit_names_the_cell_and_writes_nothing(self):
        report = self.run_import(self.row({"引进单位": "火星办事处"}))
        self.assertEqual(
            report.error_lines(), ["第2行 [引进单位] 系统中没有名为“火星办事处”的单位。"]
        )
        self.assertFalse(Lead.objects.exists())

    def test_changing_the_unit_updates_the_lead_with_history_and_reimport_changes_nothing(self):
        self.assert_imported(self.run_import(self.row({"引进单位": "经开区管委会"})))
        code = Lead.objects.get().code
        data = lead_workbook(self.row({"项目编号": code, "引进单位": "城西街道"}))
        report = self.run_import(data=data)
        self.assertEqual(report.counts["update"], 1, report.error_lines())
        lead = Lead.objects.get()
        self.assertEqual(lead.credit_unit.name, "城西街道")
        self.assertEqual(
            [entry.credit_unit_id for entry in lead.history.order_by("history_id")],
            [self.unit.pk, lead.credit_unit_id],
        )
        self.assertEqual(self.run_import(data=data).counts["unchanged"], 1)

    def test_export_writes_the_unit_by_name_and_imports_back_unchanged(self):
        self.assert_imported(self.run_import(self.row({"引进单位": "经开区管委会"})))
        buffer = io.BytesIO()
        export_leads(buffer)
        rows = read_back(buffer.getvalue())
        self.assertEqual(rows[1][rows[0].index("引进单位")], "经开区管委会")
        report = self.run_import(data=buffer.getvalue())
        self.assertEqual(report.counts["unchanged"], 1, report.error_lines())
