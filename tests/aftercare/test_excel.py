"""The ledger workbook: tolerant import, all-or-nothing, idempotent, round trips, commands, 台账."""

import io
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone
from openpyxl import load_workbook

from aftercare.excel import ProblemImporter, build_ledger_workbook, export_problems
from aftercare.excel.columns import LEDGER
from aftercare.excel.ledger import COLUMNS as LEDGER_COLUMNS
from aftercare.models import Enterprise, Problem, ProblemStatusChange
from crm.spreadsheets.reader import ERROR_COLUMN
from crm.spreadsheets.results import ImportFailed
from leads.reports.period import Period
from tests.aftercare.helpers import feedback, load_reference, make_enterprise, make_problem, walk
from tests.factories import UserFactory, credit_code
from tests.workbooks import read_back, workbook_bytes

HEADERS = [column.header for column in LEDGER]
TEAM = "信息研判组"


def row(**extra):
    base = {
        "企业名称": "洛阳华创智能装备有限公司",
        "反映日期": "2026-03-05",
        "反映渠道": "走访",
        "诉求类别": "用地",
        "诉求内容": "新增用地指标尚未落实",
        "责任单位": TEAM,
    }
    return {**base, **extra}


def ledger(*rows) -> bytes:
    return workbook_bytes(HEADERS, rows, title="企业诉求")


class ExcelTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()

    def run_import(self, *rows, data=None, **kwargs):
        data = data if data is not None else ledger(*rows)
        return ProblemImporter().run(data, filename="诉求台账.xlsx", **kwargs)

    def assert_ok(self, report):
        self.assertTrue(report.ok, report.error_lines())
        return report


class TolerantInputTests(ExcelTestCase):
    def test_dates_labels_and_spaces_as_clerks_type_them(self):
        self.assert_ok(
            self.run_import(
                row(
                    **{
                        "反映日期": "２０２６年３月５日",
                        "反映渠道": " 12345 转办 ",
                        "诉求类别": "水电气暖",
                        "办理时限": "2026/3/20",
                        "责任单位": "　市电力公司",
                    }
                )
            )
        )
        problem = Problem.objects.get()
        self.assertEqual(
            (problem.raised_on, problem.raised_via, problem.category, problem.deadline),
            (date(2026, 3, 5), "hotline", "utilities", date(2026, 3, 20)),
        )
        self.assertEqual(problem.responsible_unit_name, "市电力公司")
        self.assertIsNone(problem.responsible_team)

    def test_a_team_name_makes_the_team_responsible_and_the_deadline_defaults(self):
        self.assert_ok(self.run_import(row()))
        problem = Problem.objects.get()
        self.assertEqual(problem.responsible_team.name, TEAM)
        self.assertEqual(problem.deadline, date(2026, 3, 5) + timedelta(days=60))

    def test_a_row_at_closed_walks_the_ledger_and_keeps_its_dates(self):
        self.assert_ok(
            self.run_import(
                row(
                    **{
                        "办理状态": "已销号",
                        "办理结果": "已协调解决",
                        "办结日期": "2026-03-10",
                        "反馈日期": "2026-03-11",
                        "反馈方式": "电话",
                        "企业评价": "满意",
                        "销号日期": "2026-03-12",
                    }
                )
            )
        )
        problem = Problem.objects.get()
        self.assertEqual((problem.status, problem.closed_on), ("closed", date(2026, 3, 12)))
        self.assertEqual(
            list(problem.changes.values_list("to_status", "channel")),
            [
                ("open", "import"),
                ("in_progress", "import"),
                ("resolved", "import"),
                ("closed", "import"),
            ],
        )


class RefusalTests(ExcelTestCase):
    def assert_refused(self, report, *lines):
        self.assertFalse(report.ok)
        for line in lines:
            self.assertIn(line, report.error_lines())
        self.assertFalse(Problem.objects.exists())
        self.assertFalse(Enterprise.objects.exists())

    def test_one_bad_row_writes_nothing_and_names_row_and_column(self):
        report = self.run_import(row(), row(**{"反映日期": "3月5号", "诉求内容": "另一个"}))
        self.assert_refused(
            report, "第3行 [反映日期] 无法识别的日期“3月5号”，请填写如 2026-03-05 或 2026年3月5日。"
        )

    def test_missing_required_cells_and_unknown_choices(self):
        report = self.run_import(row(**{"企业名称": None, "诉求类别": "卫生"}))
        self.assert_refused(report, "第2行 [企业名称] 企业名称不能为空。")
        self.assertTrue(any("[诉求类别] “卫生”不是可选值" in line for line in report.error_lines()))

    def test_closed_without_the_close_out_date_is_refused(self):
        report = self.run_import(
            row(
                **{
                    "办理状态": "已销号",
                    "办理结果": "已解决",
                    "办结日期": "2026-03-10",
                    "反馈日期": "2026-03-11",
                    "反馈方式": "电话",
                    "企业评价": "满意",
                }
            )
        )
        self.assert_refused(report, "第2行 [销号日期] 办理状态为“已销号”时必须填写销号日期。")

    def test_closed_without_feedback_or_with_an_unsatisfied_rating_is_refused(self):
        closed = {
            "办理状态": "已销号",
            "办理结果": "已解决",
            "办结日期": "2026-03-10",
            "销号日期": "2026-03-12",
        }
        report = self.run_import(row(**closed))
        self.assert_refused(report, "第2行 [反馈日期] 请填写反馈日期。")
        report = self.run_import(
            row(**closed, **{"反馈日期": "2026-03-11", "反馈方式": "电话", "企业评价": "不满意"})
        )
        self.assert_refused(report, "第2行 [企业评价] 企业评价为不满意的诉求不能销号，应为办理中。")

    def test_on_record_without_the_explanation_is_refused(self):
        report = self.run_import(row(**{"办理状态": "记录在案", "复核日期": "2026-09-01"}))
        self.assert_refused(report, "第2行 [政策解释] 请填写政策解释。")

    def test_bad_credit_code_and_unknown_handler(self):
        report = self.run_import(row(**{"统一社会信用代码": "123", "经办人": "nobody"}))
        self.assertFalse(report.ok)
        self.assertTrue(
            any("[统一社会信用代码] 统一社会信用代码应为18位" in e for e in report.error_lines())
        )

    def test_not_an_xlsx_and_wrong_headers(self):
        report = self.run_import(data=b"name,date\n1,2\n")
        self.assertIsNotNone(report.file_error)
        report = self.run_import(data=workbook_bytes(["项目名称", "投资方"], [["a", "b"]]))
        self.assertIn("表头", report.file_error)

    def test_the_same_problem_twice_in_one_file_is_refused(self):
        report = self.run_import(row(), row())
        self.assert_refused(report, "第3行 [诉求编号] 与第2行是同一条诉求。")

    def test_import_needs_the_permission(self):
        report = self.run_import(row(), actor=UserFactory())
        self.assertEqual(report.file_error, "您没有导入企业诉求的权限。")
        self.assertFalse(Problem.objects.exists())


class IdempotenceAndRoundTripTests(ExcelTestCase):
    def test_importing_the_same_file_twice_changes_nothing(self):
        data = ledger(row(), row(**{"诉求内容": "招工难", "诉求类别": "用工"}))
        self.assert_ok(self.run_import(data=data))
        changes = ProblemStatusChange.objects.count()
        report = self.assert_ok(self.run_import(data=data))
        self.assertEqual(report.counts["unchanged"], 2)
        self.assertEqual(
            (Problem.objects.count(), ProblemStatusChange.objects.count()), (2, changes)
        )

    def test_an_export_reimports_with_no_changes(self):
        enterprise = make_enterprise(credit_code=credit_code("91410300MA0000009"))
        problem = make_problem(
            enterprise=enterprise,
            raised_on=date(2026, 3, 1),
            handler=UserFactory(username="wangwu"),
        )
        walk(
            problem,
            ("in_progress", {}),
            ("escalated", {"escalated_to": "市发改委", "escalated_on": date(2026, 3, 2)}),
        )
        make_problem(
            enterprise=enterprise,
            team=None,
            responsible_unit_name="市电力公司",
            description="=SUM(A1)",
            raised_on=date(2026, 3, 3),
        )
        buffer = io.BytesIO()
        self.assertEqual(export_problems(buffer), 2)
        report = self.assert_ok(self.run_import(data=buffer.getvalue()))
        self.assertEqual(report.counts["unchanged"], 2, report.as_json()["samples"])
        self.assertEqual(Problem.objects.get(raised_on=date(2026, 3, 3)).description, "=SUM(A1)")

    def test_a_row_with_its_code_updates_fields_and_moves_the_status(self):
        problem = make_problem(raised_on=date(2026, 3, 1))
        report = self.assert_ok(
            self.run_import(
                row(
                    **{
                        "诉求编号": problem.code,
                        "企业名称": problem.enterprise.name,
                        "反映日期": "2026-03-01",
                        "办理状态": "已办结",
                        "办理结果": "已解决",
                        "办结日期": "2026-03-04",
                        "诉求内容": "用地指标（补充说明）",
                    }
                )
            )
        )
        self.assertEqual(report.counts["update"], 1)
        problem.refresh_from_db()
        self.assertEqual((problem.status, problem.resolved_on), ("resolved", date(2026, 3, 4)))
        self.assertEqual(problem.description, "用地指标（补充说明）")

    def test_a_stale_plan_is_refused_at_write(self):
        problem = make_problem(raised_on=date(2026, 3, 1))
        importer = ProblemImporter()
        sheet = importer.read(
            ledger(
                row(
                    **{
                        "诉求编号": problem.code,
                        "企业名称": problem.enterprise.name,
                        "反映日期": "2026-03-01",
                        "办理状态": "办理中",
                    }
                )
            )
        )
        plan = importer.plan(sheet, actor=None, at=timezone.now(), progress=None)
        walk(Problem.objects.get(), ("in_progress", {}))
        with self.assertRaises(ImportFailed) as caught:
            importer.write(plan, actor=None, at=timezone.now(), note="")
        self.assertIn("已被他人修改", caught.exception.report.error_lines()[0])

    def test_the_error_workbook_comes_back_fixable(self):
        data = ledger(row(), row(**{"反映日期": "下周", "诉求内容": "招工难"}))
        output = io.BytesIO()
        ProblemImporter().write_errors(data, output)
        rows = read_back(output.getvalue())
        errors = rows[0].index(ERROR_COLUMN)
        self.assertIsNone(rows[1][errors])
        self.assertIn("[反映日期]", rows[2][errors])
        rows[2][HEADERS.index("反映日期")] = "2026-03-06"
        fixed = workbook_bytes(rows[0], rows[1:], title="企业诉求")
        self.assert_ok(self.run_import(data=fixed))
        self.assertEqual(Problem.objects.count(), 2)


class CommandAndLedgerTests(ExcelTestCase):
    def test_import_command_dry_run_writes_nothing_then_imports(self):
        path = self._tmp(ledger(row()))
        out = io.StringIO()
        call_command("import_problems", str(path), "--dry-run", "--no-progress", stdout=out)
        self.assertIn("预检", out.getvalue())
        self.assertFalse(Problem.objects.exists())
        call_command("import_problems", str(path), "--no-progress", stdout=io.StringIO())
        self.assertEqual(Problem.objects.count(), 1)

    def test_import_command_fails_with_the_errors(self):
        path = self._tmp(ledger(row(**{"反映日期": "坏"})))
        with self.assertRaises(CommandError):
            call_command("import_problems", str(path), "--no-progress", stderr=io.StringIO())

    def test_export_command_filters(self):
        make_problem(category="land")
        make_problem(category="labour", description="招工难")
        path = self._tmp(b"")
        call_command(
            "export_problems", "--out", str(path), "--category", "labour", stdout=io.StringIO()
        )
        rows = read_back(path.read_bytes())
        self.assertEqual([r[HEADERS.index("诉求内容")] for r in rows[1:]], ["招工难"])

    def test_monthly_ledger_has_three_sheets_on_a4_landscape(self):
        today = date(2026, 3, 20)
        late = make_problem(raised_on=date(2026, 3, 1), deadline=date(2026, 3, 5))
        done = make_problem(raised_on=date(2026, 3, 2), description="已办完")
        walk(
            done,
            ("in_progress", {}),
            ("resolved", {"resolution": "好", "resolved_on": date(2026, 3, 3)}),
            ("closed", feedback(date(2026, 3, 4)) | {"closed_on": date(2026, 3, 4)}),
        )
        buffer = io.BytesIO()
        listed = build_ledger_workbook(Period.month(2026, 3), buffer, today=today)
        book = load_workbook(buffer)
        self.assertEqual(listed, 2)
        self.assertEqual(book.sheetnames, ["全部诉求", "本月销号", "超期诉求"])
        for sheet in book.worksheets:
            self.assertEqual(sheet.page_setup.orientation, "landscape")
            self.assertEqual(int(sheet.page_setup.paperSize), 9)
        codes = lambda name: [r[0].value for r in book[name].iter_rows(min_row=3)]  # noqa: E731
        self.assertEqual(sorted(codes("全部诉求")), sorted([late.code, done.code]))
        self.assertEqual(codes("本月销号"), [done.code])
        self.assertEqual(codes("超期诉求"), [late.code])

    def test_ledger_text_longer_than_a_cell_is_cut_with_a_note_and_formula_text_stays_text(self):
        long = "用地" * 20_000
        make_problem(raised_on=date(2026, 3, 1), description=long)
        make_problem(raised_on=date(2026, 3, 2), description="=1+1 一直未办")
        buffer = io.BytesIO()
        build_ledger_workbook(Period.month(2026, 3), buffer, today=date(2026, 3, 20))
        sheet = load_workbook(buffer)["全部诉求"]
        column = [label for label, _width, _fmt in LEDGER_COLUMNS].index("诉求内容") + 1
        cut, formula = sheet.cell(3, column), sheet.cell(4, column)
        self.assertEqual(len(cut.value), 32767)
        self.assertTrue(cut.value.startswith("用地用地"))
        self.assertTrue(cut.value.endswith("（超出 Excel 单元格上限，全文共 40,000 字，见系统）"))
        self.assertEqual((formula.value, formula.data_type), ("=1+1 一直未办", "s"))
        self.assertTrue(formula.quotePrefix)

    def test_ledger_cuts_text_as_excel_counts_it(self):
        make_problem(raised_on=date(2026, 3, 1), description="😀" * 20_000)
        buffer = io.BytesIO()
        build_ledger_workbook(Period.month(2026, 3), buffer, today=date(2026, 3, 20))
        sheet = load_workbook(buffer)["全部诉求"]
        column = [label for label, _width, _fmt in LEDGER_COLUMNS].index("诉求内容") + 1
        text = sheet.cell(3, column).value
        self.assertTrue(text.endswith("（超出 Excel 单元格上限，全文共 20,000 字，见系统）"))
        self.assertLessEqual(len(text.encode("utf-16-le")) // 2, 32767)
        self.assertEqual(set(text.split("……")[0]), {"😀"})

    def _tmp(self, data: bytes) -> Path:
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder)
        path = folder / "诉求台账.xlsx"
        path.write_bytes(data)
        return path
