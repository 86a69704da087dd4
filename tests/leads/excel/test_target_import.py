"""Importing and exporting the annual target workbook (年度目标)."""

import io
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse

from leads.excel.targets import TargetImporter, export_targets
from leads.models import AnnualTarget, ImportJob, Industry, TaskTeam, Unit
from leads.reports.monthly import monthly_report_build
from leads.reports.period import Period
from leads.reports.serialise import report_data
from tests.factories import UserFactory
from tests.workbooks import read_back, workbook_bytes

HEADERS = [
    "年度",
    "所属产业",
    "负责小分队",
    "单位",
    "分包领导",
    "签约项目数",
    "签约金额(万元)",
    "落地项目数",
    "落地金额(万元)",
]
DISTRICT = [2026, None, None, None, None, 40, "1.2亿", 25, 80000]
INDUSTRY = ["2026年", "IT", None, None, None, "１２", "3亿", "8项", "２００００"]
TEAM = [2026, None, "洽谈攻坚小分队", None, None, "10个", 20000.5, 0, None]


def targets_workbook(*rows) -> bytes:
    return workbook_bytes(HEADERS, rows, title="年度目标")


def target_figures(target: AnnualTarget) -> tuple:
    return (
        target.signed_count,
        target.signed_amount,
        target.landed_count,
        target.landed_amount,
    )


class TargetTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        cls.leader = UserFactory(groups=["局领导"], is_staff=True)
        cls.team_leader = UserFactory(groups=["小分队组长"], is_staff=True)
        cls.it = Industry.objects.get(name="信息技术")
        cls.team = TaskTeam.objects.get(name="洽谈攻坚小分队")

    def run_import(self, data: bytes, actor=None, **kwargs):
        return TargetImporter().run(data, actor=actor or self.leader, **kwargs)


class TargetImporterTests(TargetTestCase):
    def test_creates_district_industry_and_team_targets_with_history(self):
        report = self.run_import(targets_workbook(DISTRICT, INDUSTRY, TEAM), filename="t.xlsx")
        self.assertEqual(report.counts, {"new": 3, "update": 0, "unchanged": 0, "error": 0})
        self.assertEqual(
            [outcome.key for outcome in report.outcomes],
            ["2026 全区", "2026 信息技术", "2026 洽谈攻坚小分队"],
        )
        district = AnnualTarget.objects.get(year=2026, industry=None, team=None)
        self.assertEqual(
            target_figures(district), (40, Decimal("12000.00"), 25, Decimal("80000.00"))
        )
        industry = AnnualTarget.objects.get(year=2026, industry=self.it)
        self.assertEqual(
            target_figures(industry), (12, Decimal("30000.00"), 8, Decimal("20000.00"))
        )
        team = AnnualTarget.objects.get(year=2026, team=self.team)
        # A blank figure of a new target is 0.
        self.assertEqual(target_figures(team), (10, Decimal("20000.50"), 0, Decimal("0.00")))
        for target in (district, industry, team):
            entry = target.history.get()
            self.assertEqual(
                (entry.history_type, entry.history_user, entry.history_change_reason),
                ("+", self.leader, "Excel导入：t.xlsx"),
            )
            self.assertIsNotNone(target.created)

    def test_updates_the_target_of_the_same_year_and_scope(self):
        self.run_import(targets_workbook(DISTRICT, INDUSTRY))
        report = self.run_import(
            targets_workbook([2026, None, None, None, None, 45, None, None, None], INDUSTRY)
        )
        self.assertEqual(report.counts, {"new": 0, "update": 1, "unchanged": 1, "error": 0})
        self.assertEqual(report.outcomes[0].changes, ["签约项目数"])
        district = AnnualTarget.objects.get(year=2026, industry=None, team=None)
        # Blank cells keep what is stored.
        self.assertEqual(
            target_figures(district), (45, Decimal("12000.00"), 25, Decimal("80000.00"))
        )
        self.assertEqual(
            [entry.history_type for entry in district.history.order_by("history_id")],
            ["+", "~"],
        )
        self.assertEqual(AnnualTarget.objects.count(), 2)

    def test_reimporting_the_same_file_changes_nothing(self):
        data = targets_workbook(DISTRICT, INDUSTRY, TEAM)
        self.run_import(data)
        history = AnnualTarget.history.count()
        before = {t.pk: (target_figures(t), t.modified) for t in AnnualTarget.objects.all()}
        report = self.run_import(data)
        self.assertEqual(report.counts, {"new": 0, "update": 0, "unchanged": 3, "error": 0})
        self.assertEqual(AnnualTarget.history.count(), history)
        after = {t.pk: (target_figures(t), t.modified) for t in AnnualTarget.objects.all()}
        self.assertEqual(after, before)

    def test_district_row_matches_a_district_target_entered_in_the_admin(self):
        entered = AnnualTarget.objects.create(year=2026, signed_count=30)
        report = self.run_import(targets_workbook([2026, "", "", None, None, 40]))
        self.assertEqual(report.counts["update"], 1, report.error_lines())
        self.assertEqual(AnnualTarget.objects.get().pk, entered.pk)
        entered.refresh_from_db()
        self.assertEqual(entered.signed_count, 40)
        report = self.run_import(targets_workbook([2026, "", "", None, None, 40]))
        self.assertEqual(report.counts["unchanged"], 1)
        self.assertEqual(AnnualTarget.objects.count(), 1)

    def test_other_years_are_other_targets(self):
        AnnualTarget.objects.create(year=2025, signed_count=30)
        report = self.run_import(targets_workbook([2026, None, None, None, None, 40]))
        self.assertEqual(report.counts["new"], 1)
        self.assertEqual(
            sorted(AnnualTarget.objects.values_list("year", "signed_count")),
            [(2025, 30), (2026, 40)],
        )


class UnitAndLeaderTargetTests(TargetTestCase):
    """Targets broken down to a unit (单位) and to a 分包领导 (目标任务分解落实到各单位)."""

    UNIT = [2026, None, None, "城关街道", None, 6, "2亿", 3, 5000]
    LEADER = [2026, None, None, None, "王副区长", "8项", 30000, 4, None]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.unit = Unit.objects.create(name="城关街道", kind=Unit.Kind.TOWN)

    def test_unit_and_leader_rows_create_their_own_targets(self):
        report = self.run_import(targets_workbook(DISTRICT, self.UNIT, self.LEADER))
        self.assertEqual(report.counts, {"new": 3, "update": 0, "unchanged": 0, "error": 0})
        self.assertEqual(
            [outcome.key for outcome in report.outcomes],
            ["2026 全区", "2026 城关街道", "2026 王副区长"],
        )
        unit = AnnualTarget.objects.get(year=2026, unit=self.unit)
        self.assertEqual(target_figures(unit), (6, Decimal("20000.00"), 3, Decimal("5000.00")))
        self.assertEqual((unit.industry, unit.team, unit.leader), (None, None, ""))
        leader = AnnualTarget.objects.get(year=2026, leader="王副区长")
        self.assertEqual(target_figures(leader), (8, Decimal("30000.00"), 4, Decimal("0.00")))
        self.assertIsNone(leader.unit)
        district = AnnualTarget.objects.get(year=2026, unit=None, leader="", team=None)
        self.assertEqual(district.signed_count, 40)

    def test_a_unit_row_updates_that_units_target_only(self):
        self.run_import(targets_workbook(DISTRICT, self.UNIT, self.LEADER))
        changed = [2026, None, None, "城关街道", None, 9]
        report = self.run_import(targets_workbook(changed, self.LEADER))
        self.assertEqual(report.counts, {"new": 0, "update": 1, "unchanged": 1, "error": 0})
        self.assertEqual(AnnualTarget.objects.get(unit=self.unit).signed_count, 9)
        self.assertEqual(AnnualTarget.objects.get(year=2026, leader="", unit=None).signed_count, 40)

    def test_export_lists_units_and_leaders_after_teams_and_imports_back_unchanged(self):
        self.run_import(targets_workbook(self.LEADER, self.UNIT, TEAM, DISTRICT))
        buffer = io.BytesIO()
        self.assertEqual(export_targets(buffer, year=2026), 4)
        rows = read_back(buffer.getvalue())
        self.assertEqual(rows[0], HEADERS)
        self.assertEqual(
            [row[1:5] for row in rows[1:]],
            [
                [None, None, None, None],
                [None, "洽谈攻坚小分队", None, None],
                [None, None, "城关街道", None],
                [None, None, None, "王副区长"],
            ],
        )
        report = self.run_import(buffer.getvalue())
        self.assertEqual(report.counts, {"new": 0, "update": 0, "unchanged": 4, "error": 0})

    def test_the_report_measures_unit_and_leader_targets_by_credit(self):
        self.run_import(targets_workbook(self.UNIT, self.LEADER))
        data = report_data(monthly_report_build(Period.month(2026, 3)))
        scopes = {(row["scope"], row["name"]) for row in data["targets"]}
        self.assertLessEqual({("unit", "城关街道"), ("leader", "王副区长")}, scopes)


class TargetImportErrorTests(TargetTestCase):
    CASES = [
        ([None, None, None, None, None, 1], "第3行 [年度] 年度不能为空。"),
        (
            ["26", None, None, None, None, 1],
            "第3行 [年度] 无法识别的年度“26”，请填写四位年份，如 2026。",
        ),
        (
            [1999, None, None, None, None, 1],
            "第3行 [年度] 年度“1999”超出范围，应在 2000 至 2100 年之间。",
        ),
        (
            [2026, "航空航天", None, None, None, 1],
            "第3行 [所属产业] 系统中没有名为“航空航天”的产业。",
        ),
        (
            [2026, None, "飞行小分队", None, None, 1],
            "第3行 [负责小分队] 系统中没有名为“飞行小分队”的小分队。",
        ),
        (
            [2026, "信息技术", "洽谈攻坚小分队", None, None, 1],
            "第3行 [负责小分队] 一行只能是一项目标：所属产业、负责小分队、单位、分包领导"
            "只能填写其中一列，全区目标都留空。",
        ),
        ([2026, None, None, "火星街道", None, 1], "第3行 [单位] 系统中没有名为“火星街道”的单位。"),
        (
            [2026, "信息技术", None, None, "王副区长", 1],
            "第3行 [分包领导] 一行只能是一项目标：所属产业、负责小分队、单位、分包领导"
            "只能填写其中一列，全区目标都留空。",
        ),
        ([2026, None, None, None, None, -3], "第3行 [签约项目数] 项目数不能为负数。"),
        ([2026, None, None, None, None, "2.5"], "第3行 [签约项目数] 项目数“2.5”应为整数。"),
        (
            [2026, None, None, None, None, 1, None, "若干"],
            "第3行 [落地项目数] 无法识别的项目数“若干”，请填写整数，如 12。",
        ),
        (
            [2026, None, None, None, None, 1, "很多"],
            "第3行 [签约金额(万元)] 无法识别的金额“很多”，"
            "请填写数字（单位：万元），如 3000 或 1.2亿。",
        ),
        (
            [2026, None, None, None, None, 1, None, None, -5],
            "第3行 [落地金额(万元)] 金额不能为负数。",
        ),
        (
            [2026, None, None, None, None, 1, "5000元"],
            "第3行 [签约金额(万元)] 金额“5000元”的单位应为万元或亿元。",
        ),
    ]

    def test_each_bad_cell_is_named_by_row_and_column_and_nothing_is_written(self):
        good = [2025, "信息技术", None, None, None, 5]
        for bad, message in self.CASES:
            with self.subTest(message=message):
                report = self.run_import(targets_workbook(good, bad))
                self.assertEqual(report.error_lines(), [message])
                self.assertFalse(report.written)
                self.assertEqual(AnnualTarget.objects.count(), 0)
        self.assertFalse(TaskTeam.objects.filter(name="飞行小分队").exists())
        self.assertEqual(AnnualTarget.history.count(), 0)

    def test_the_same_target_twice_in_a_file_is_an_error(self):
        report = self.run_import(
            targets_workbook(
                DISTRICT, [2026, None, None, None, None, 3], INDUSTRY, ["2026", "信息技术", None]
            )
        )
        self.assertEqual(
            report.error_lines(),
            ["第3行 [年度] 与第2行是同一条记录。", "第5行 [年度] 与第4行是同一条记录。"],
        )
        self.assertEqual(AnnualTarget.objects.count(), 0)

    def test_an_unreadable_scope_is_not_taken_for_the_district_row(self):
        report = self.run_import(
            targets_workbook([2026, "航空航天", None, None, None, 1], DISTRICT)
        )
        self.assertEqual(
            report.error_lines(), ["第2行 [所属产业] 系统中没有名为“航空航天”的产业。"]
        )

    def test_a_team_leader_cannot_import_targets(self):
        report = self.run_import(targets_workbook(DISTRICT), actor=self.team_leader)
        self.assertEqual(report.error_lines(), ["您没有导入该工作簿的权限。"])
        self.assertEqual(AnnualTarget.objects.count(), 0)


class TargetExportTests(TargetTestCase):
    def setUp(self):
        self.run_import(targets_workbook(DISTRICT, INDUSTRY, TEAM))
        AnnualTarget.objects.create(year=2025, industry=self.it, signed_count=9)

    def test_export_lists_district_then_industries_then_teams_by_year(self):
        buffer = io.BytesIO()
        self.assertEqual(export_targets(buffer), 4)
        rows = read_back(buffer.getvalue())
        self.assertEqual(rows[0], HEADERS)
        self.assertEqual(
            rows[1:],
            [
                [2026, None, None, None, None, 40, 12000, 25, 80000],
                [2026, "信息技术", None, None, None, 12, 30000, 8, 20000],
                [2026, None, "洽谈攻坚小分队", None, None, 10, 20000.5, 0, 0],
                [2025, "信息技术", None, None, None, 9, 0, 0, 0],
            ],
        )

    def test_export_then_import_changes_nothing(self):
        buffer = io.BytesIO()
        export_targets(buffer)
        history = AnnualTarget.history.count()
        report = self.run_import(buffer.getvalue())
        self.assertEqual(report.counts, {"new": 0, "update": 0, "unchanged": 4, "error": 0})
        self.assertEqual(AnnualTarget.history.count(), history)

    def test_template_has_the_columns_and_dropdowns(self):
        buffer = io.BytesIO()
        TargetImporter().write_template(buffer)
        self.assertEqual(read_back(buffer.getvalue())[0], HEADERS)
        guide = read_back(buffer.getvalue(), "填写说明")
        self.assertIn("洽谈攻坚小分队", guide[3][3])


class TargetCommandTests(TargetTestCase):
    def setUp(self):
        self.folder = TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)

    def file(self, name: str, data: bytes = b"") -> str:
        path = Path(self.folder.name) / name
        if data:
            path.write_bytes(data)
        return str(path)

    def call(self, *args):
        out, err = io.StringIO(), io.StringIO()
        call_command(*args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_import_prints_the_summary_and_dry_run_writes_nothing(self):
        path = self.file("目标.xlsx", targets_workbook(DISTRICT, INDUSTRY, TEAM))
        out, _err = self.call("import_targets", path, "--dry-run", "--no-progress")
        self.assertEqual(out, "新建 3 条，更新 0 条，未变 0 条（预检，未写入）\n")
        self.assertEqual(AnnualTarget.objects.count(), 0)
        out, _err = self.call(
            "import_targets", path, "--user", self.leader.username, "--no-progress"
        )
        self.assertEqual(out, "新建 3 条，更新 0 条，未变 0 条\n")
        self.assertEqual(AnnualTarget.history.filter(history_user=self.leader).count(), 3)
        out, err = self.call("import_targets", path)
        self.assertEqual(out, "新建 0 条，更新 0 条，未变 3 条\n")
        self.assertIn("100%", err)  # the progress bar

    def test_import_failure_exits_non_zero_naming_each_error(self):
        path = self.file("目标.xlsx", targets_workbook(DISTRICT, [2026, None, "飞行小分队"]))
        err = io.StringIO()
        with self.assertRaisesMessage(CommandError, "导入失败：1 处错误，未写入任何数据。"):
            call_command("import_targets", path, "--no-progress", stdout=io.StringIO(), stderr=err)
        self.assertEqual(
            err.getvalue(), "第3行 [负责小分队] 系统中没有名为“飞行小分队”的小分队。\n"
        )
        self.assertEqual(AnnualTarget.objects.count(), 0)

    def test_export_of_one_year_imports_back_unchanged(self):
        self.run_import(targets_workbook(DISTRICT, INDUSTRY))
        AnnualTarget.objects.create(year=2025, signed_count=9)
        path = self.file("导出.xlsx")
        out, _err = self.call("export_targets", "--out", path, "--year", "2026")
        self.assertEqual(out, f"已导出 2 条到 {path}\n")
        self.assertEqual([row[0] for row in read_back(Path(path).read_bytes())[1:]], [2026, 2026])
        out, _err = self.call("import_targets", path)
        self.assertEqual(out, "新建 0 条，更新 0 条，未变 2 条\n")


class TargetImportPageTests(TargetTestCase):
    def upload(self, data: bytes):
        file = SimpleUploadedFile("目标.xlsx", data, content_type="application/octet-stream")
        return self.client.post(reverse("leads:import"), {"kind": "targets", "file": file})

    def test_upload_preview_confirm(self):
        self.client.force_login(self.leader)
        page = self.client.get(reverse("leads:import"))
        self.assertContains(page, "?kind=targets")
        self.upload(targets_workbook(DISTRICT, INDUSTRY))
        job = ImportJob.objects.get()
        self.assertEqual((job.kind, job.status), ("targets", ImportJob.Status.PREVIEW))
        url = reverse("leads:import_job", args=[job.pk])
        preview = self.client.get(url)
        self.assertContains(preview, "导入年度目标")
        self.assertContains(preview, "2026 全区")
        self.assertContains(preview, "2026 信息技术")
        self.assertEqual(AnnualTarget.objects.count(), 0)
        self.client.post(url)
        done = self.client.get(url)
        self.assertContains(done, "导入完成：新建 2 条，更新 0 条，未变 0 条")
        self.assertContains(done, f'href="{reverse("reports:monthly")}"')
        self.assertEqual(AnnualTarget.history.filter(history_user=self.leader).count(), 2)

    def test_errors_are_listed_and_the_marked_workbook_downloads(self):
        self.client.force_login(self.leader)
        self.upload(targets_workbook(DISTRICT, [2026, None, "飞行小分队", None, None, 1]))
        job = ImportJob.objects.get()
        self.assertEqual(job.status, ImportJob.Status.INVALID)
        page = self.client.get(reverse("leads:import_job", args=[job.pk]))
        self.assertContains(page, "第3行 [负责小分队] 系统中没有名为“飞行小分队”的小分队。")
        response = self.client.get(reverse("leads:import_job_errors", args=[job.pk]))
        rows = read_back(b"".join(response.streaming_content))
        self.assertEqual(rows[0], [*HEADERS, "错误说明"])
        self.assertEqual(rows[2][-1], "[负责小分队] 系统中没有名为“飞行小分队”的小分队。")
        self.assertEqual(AnnualTarget.objects.count(), 0)

    def test_import_page_opens_on_the_target_workbook(self):
        self.client.force_login(self.leader)
        page = self.client.get(reverse("leads:import"), {"kind": "targets"})
        self.assertContains(page, '<option value="targets" selected>年度目标</option>', html=True)

    def test_staff_export_of_one_year(self):
        self.run_import(targets_workbook(DISTRICT, INDUSTRY))
        AnnualTarget.objects.create(year=2025, signed_count=9)
        self.client.force_login(self.leader)
        response = self.client.get(reverse("leads:targets_export"), {"year": "2026"})
        rows = read_back(b"".join(response.streaming_content))
        self.assertEqual([row[:2] for row in rows[1:]], [[2026, None], [2026, "信息技术"]])
        self.client.force_login(self.team_leader)
        response = self.client.get(reverse("leads:targets_export"), {"year": "2026"})
        self.assertEqual(response.status_code, 403)

    def test_report_page_links_to_import_and_export_for_those_allowed(self):
        url = reverse("reports:monthly")
        self.client.force_login(self.leader)
        page = self.client.get(url, {"month": "2026-03"})
        self.assertContains(page, f"{reverse('leads:import')}?kind=targets")
        self.assertContains(page, f"{reverse('leads:targets_export')}?year=2026")
        self.client.force_login(self.team_leader)
        page = self.client.get(url, {"month": "2026-03"})
        self.assertNotContains(page, "导入年度目标")
        self.assertNotContains(page, reverse("leads:targets_export"))

    def test_template_downloads(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("leads:template"), {"kind": "targets"})
        data = b"".join(response.streaming_content)
        self.assertEqual(read_back(data)[0], HEADERS)

    def test_a_team_leader_cannot_import_targets_on_the_page(self):
        self.client.force_login(self.team_leader)
        page = self.client.get(reverse("leads:import"))
        self.assertNotContains(page, "?kind=targets")
        response = self.client.get(reverse("leads:template"), {"kind": "targets"})
        self.assertEqual(response.status_code, 403)
        response = self.upload(targets_workbook(DISTRICT))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(ImportJob.objects.exists())
        self.assertEqual(AnnualTarget.objects.count(), 0)
        response = self.client.get(reverse("admin:leads_annualtarget_import"))
        self.assertEqual(response.status_code, 403)


class TargetAdminImportTests(TargetTestCase):
    def test_admin_import_previews_then_confirms(self):
        self.client.force_login(self.leader)
        data = targets_workbook(DISTRICT, TEAM)
        preview = self.client.post(
            reverse("admin:leads_annualtarget_import"),
            {"format": "0", "import_file": SimpleUploadedFile("t.xlsx", data)},
        )
        self.assertEqual(preview.context["result"].totals["new"], 2)
        self.assertEqual(AnnualTarget.objects.count(), 0)
        done = self.client.post(
            reverse("admin:leads_annualtarget_process_import"),
            preview.context["confirm_form"].initial,
            follow=True,
        )
        self.assertContains(done, "导入完成：新建 2 条")
        self.assertEqual(
            list(AnnualTarget.history.values_list("history_user", flat=True)),
            [self.leader.pk] * 2,
        )

    def test_admin_preview_names_the_errors_and_writes_nothing(self):
        self.client.force_login(self.leader)
        data = targets_workbook(DISTRICT, [2026, "航空航天", None, None, None, 1])
        preview = self.client.post(
            reverse("admin:leads_annualtarget_import"),
            {"format": "0", "import_file": SimpleUploadedFile("t.xlsx", data)},
        )
        self.assertContains(preview, "第3行：系统中没有名为“航空航天”的产业。")
        self.assertNotIn("confirm_form", preview.context)
        self.assertEqual(AnnualTarget.objects.count(), 0)

    def test_admin_list_names_the_scope_of_each_target(self):
        self.run_import(targets_workbook(DISTRICT, INDUSTRY, TEAM))
        self.client.force_login(self.leader)
        page = self.client.get(reverse("admin:leads_annualtarget_changelist"))
        for scope in ("全区", "信息技术", "洽谈攻坚小分队"):
            self.assertContains(page, f'<td class="field-scope">{scope}</td>', html=True)

    def test_admin_export_writes_the_import_workbook(self):
        self.client.force_login(self.leader)
        self.run_import(targets_workbook(DISTRICT))
        url = reverse("admin:leads_annualtarget_export")
        form = self.client.get(url).context["form"]
        data = {name: "on" for name in form.fields if name != "export_items"}
        data.update({"format": "0", "resource": "0"})
        response = self.client.post(url, data)
        rows = read_back(response.content)
        self.assertEqual(rows, [HEADERS, [2026, None, None, None, None, 40, 12000, 25, 80000]])


class TargetReportTests(TargetTestCase):
    def test_monthly_report_shows_the_imported_targets(self):
        self.run_import(targets_workbook(DISTRICT, INDUSTRY, TEAM))
        data = report_data(monthly_report_build(Period.month(2026, 3)))
        targets = {(row["scope"], row["name"]): row["target"] for row in data["targets"]}
        self.assertEqual(
            targets,
            {
                ("district", "全区"): {
                    "signed": {"count": 40, "amount": "12000.00"},
                    "landed": {"count": 25, "amount": "80000.00"},
                },
                ("industry", "信息技术"): {
                    "signed": {"count": 12, "amount": "30000.00"},
                    "landed": {"count": 8, "amount": "20000.00"},
                },
                ("team", "洽谈攻坚小分队"): {
                    "signed": {"count": 10, "amount": "20000.50"},
                    "landed": {"count": 0, "amount": "0.00"},
                },
            },
        )
        self.assertEqual(
            [row["scope"] for row in data["targets"]], ["district", "industry", "team"]
        )
