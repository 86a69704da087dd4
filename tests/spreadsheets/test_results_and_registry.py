"""Import results and the registry through which apps offer their workbooks."""

from django.test import SimpleTestCase

from crm.spreadsheets.importers import importer_for, importer_kinds
from crm.spreadsheets.results import ERROR, NEW, UNCHANGED, ImportReport, RowError, RowOutcome


class ImportReportTests(SimpleTestCase):
    def report(self):
        report = ImportReport()
        report.outcomes = [
            RowOutcome(row=2, kind=NEW, key="ZS-1"),
            RowOutcome(row=4, kind=ERROR, errors=[RowError(4, "签约日期", "日期不存在。")]),
            RowOutcome(row=3, kind=ERROR, errors=[RowError(3, "投资方", "必填。")]),
            RowOutcome(row=5, kind=UNCHANGED),
        ]
        return report

    def test_errors_are_listed_by_row_with_their_column(self):
        report = self.report()
        self.assertFalse(report.ok)
        self.assertEqual(
            report.error_lines(), ["第3行 [投资方] 必填。", "第4行 [签约日期] 日期不存在。"]
        )
        self.assertEqual(report.errors_by_row()[4], ["[签约日期] 日期不存在。"])
        self.assertEqual(report.counts, {"new": 1, "update": 0, "unchanged": 1, "error": 2})

    def test_summary_says_whether_anything_was_written(self):
        report = ImportReport()
        report.outcomes = [RowOutcome(row=2, kind=NEW)]
        self.assertTrue(report.ok)
        self.assertEqual(report.summary(), "新建 1 条，更新 0 条，未变 0 条（预检，未写入）")
        report.written = True
        self.assertEqual(report.summary(), "新建 1 条，更新 0 条，未变 0 条")

    def test_a_file_error_is_the_only_line(self):
        report = ImportReport(file_error="上传的文件是空的。")
        self.assertFalse(report.ok)
        self.assertEqual(report.error_lines(), ["上传的文件是空的。"])


class RegistryTests(SimpleTestCase):
    def test_each_app_registers_its_workbooks(self):
        self.assertEqual(
            set(importer_kinds()), {"leads", "targets", "chambers", "entrepreneurs", "problems"}
        )
        for kind in importer_kinds():
            with self.subTest(kind=kind):
                importer = importer_for(kind)
                self.assertTrue(importer.permission)
                self.assertTrue(importer.headers())

    def test_an_unknown_kind_is_not_guessed(self):
        with self.assertRaises(KeyError):
            importer_for("invoices")
