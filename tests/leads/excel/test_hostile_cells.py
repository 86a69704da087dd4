"""Hostile or odd cells: each is refused with its row and column in Chinese, nothing is written."""

import io
import re

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from openpyxl import Workbook

from crm.spreadsheets.cells import EXCEL_CELL_LIMIT
from crm.spreadsheets.writer import TextTooLong
from leads.excel.export import export_leads
from leads.excel.lead_importer import LeadImporter
from leads.models import Lead
from tests.factories import make_lead
from tests.leads.excel.test_import_files import rezip
from tests.workbooks import LEAD_HEADERS, lead_workbook, read_back, workbook_bytes

ROW = {
    "项目名称": "智能装备产业园",
    "投资方": "深圳华创集团有限公司",
    "所属产业": "信息技术",
    "线索来源": "自主对接",
}


def column_letter(header: str) -> str:
    return chr(ord("A") + LEAD_HEADERS.index(header))


class HostileCellTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)

    def assert_refused(self, data: bytes, *lines: str):
        report = LeadImporter().run(data, filename="台账.xlsx")
        self.assertFalse(report.ok)
        self.assertIsNone(report.file_error)
        errors = report.error_lines()
        for line in lines:
            self.assertTrue(any(line in error for error in errors), errors)
        self.assertEqual(Lead.objects.count(), 0)
        return errors

    def test_new_row_with_blank_industry_is_refused_not_a_foreign_key_failure(self):
        self.assert_refused(
            lead_workbook({**ROW, "所属产业": None}),
            "第2行 [所属产业] 进入“接洽”阶段须填写所属产业。",
        )

    def test_merged_cells_are_refused_by_row_and_column(self):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "招商线索"
        sheet.append(LEAD_HEADERS)
        for name in ("甲", "乙", "丙"):
            sheet.append([{**ROW, "项目名称": name}.get(header) for header in LEAD_HEADERS])
        letter = column_letter("所属产业")
        sheet.merge_cells(f"{letter}2:{letter}4")
        buffer = io.BytesIO()
        workbook.save(buffer)
        errors = self.assert_refused(
            buffer.getvalue(),
            f"第3行 [所属产业] 是合并单元格 {letter}2:{letter}4 的一部分",
            f"第4行 [所属产业] 是合并单元格 {letter}2:{letter}4 的一部分",
        )
        self.assertFalse(any(error.startswith("第2行") for error in errors), errors)

    def test_numbers_that_are_not_finite_are_refused(self):
        header = "计划投资额(万元)"
        letter = column_letter(header)
        data = lead_workbook(
            *({**ROW, "项目名称": name, header: 1} for name in ("甲", "乙", "丙", "丁"))
        )

        def change(name, content):
            if name != "xl/worksheets/sheet1.xml":
                return content
            for row, text in ((2, b"1e309"), (3, b"NaN"), (4, b"-1e309"), (5, b"inf")):
                content = re.sub(
                    rb'(<c r="' + letter.encode() + str(row).encode() + rb'"[^>]*><v>)1(</v>)',
                    rb"\g<1>" + text + rb"\g<2>",
                    content,
                )
            return content

        self.assert_refused(
            rezip(data, change=change),
            *(f"第{row}行 [{header}] 单元格的数值无效" for row in (2, 3, 4, 5)),
        )

    def test_excel_error_values_are_errors_never_blanks(self):
        # openpyxl saves these strings as error cells (t="e"), as Excel does.
        rows = [
            {
                **ROW,
                "项目名称": "甲",
                "当前阶段": "签约",
                "签约投资额(万元)": 1,
                "签约日期": "#VALUE!",
            },
            {**ROW, "项目名称": "乙", "备注": "#N/A"},
            {**ROW, "项目名称": "丙", "计划投资额(万元)": "#DIV/0!"},
            {**ROW, "项目名称": "丁", "投资方所在地": "#REF!"},
        ]
        self.assert_refused(
            lead_workbook(*rows),
            "第2行 [签约日期] 单元格是 Excel 错误值 #VALUE!",
            "第3行 [备注] 单元格是 Excel 错误值 #N/A",
            "第4行 [计划投资额(万元)] 单元格是 Excel 错误值 #DIV/0!",
            "第5行 [投资方所在地] 单元格是 Excel 错误值 #REF!",
        )

    def test_error_value_written_by_a_formula_is_named(self):
        letter = column_letter("签约日期")
        data = lead_workbook({**ROW, "当前阶段": "签约", "签约投资额(万元)": 1, "签约日期": "x"})

        def change(name, content):
            if name != "xl/worksheets/sheet1.xml":
                return content
            return re.sub(
                rb'<c r="' + letter.encode() + rb'2"[^>]*>.*?</c>',
                b'<c r="' + letter.encode() + b'2" s="0" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
                content,
            )

        self.assert_refused(
            rezip(data, change=change), "第2行 [签约日期] 单元格是 Excel 错误值 #DIV/0!"
        )

    def test_text_longer_than_a_cell_holds_is_refused_with_the_limit(self):
        # openpyxl (like Excel) cuts text at the limit, and python-calamine cuts
        # what it reads: write the long cell into the sheet's XML directly.
        data = lead_workbook({**ROW, "备注": "占位"})
        long_text = "长" * (EXCEL_CELL_LIMIT + 1)

        def change(name, content):
            return content.replace("占位".encode(), long_text.encode())

        self.assert_refused(
            rezip(data, change=change),
            "第2行 [备注] 单元格有 32,768 个字符，超过 Excel 单元格上限 32,767 个字符",
        )

    def test_text_of_exactly_the_limit_imports_whole(self):
        note = "长" * EXCEL_CELL_LIMIT
        report = LeadImporter().run(lead_workbook({**ROW, "备注": note}))
        self.assertTrue(report.ok, report.error_lines())
        self.assertEqual(Lead.objects.get().notes, note)

    def test_a_note_longer_than_a_cell_is_refused_by_the_model(self):
        lead = make_lead(name="甲")
        lead.notes = "长" * (EXCEL_CELL_LIMIT + 1)
        with self.assertRaises(Exception) as caught:
            lead.full_clean()
        self.assertIn("notes", caught.exception.message_dict)

    def test_export_never_cuts_text_and_refuses_what_cannot_fit(self):
        note = "长" * EXCEL_CELL_LIMIT
        make_lead(name="甲", notes=note)
        buffer = io.BytesIO()
        export_leads(buffer)
        report = LeadImporter().run(buffer.getvalue())
        self.assertTrue(report.ok, report.error_lines())
        self.assertEqual(report.counts["unchanged"], 1)
        # A text stored before the limit existed stops the export instead of being cut.
        Lead.objects.update(notes="长" * (EXCEL_CELL_LIMIT + 5))
        with self.assertRaises(TextTooLong) as caught:
            export_leads(io.BytesIO())
        self.assertIn(
            "[备注] 有 32,772 个字符，超过 Excel 单元格上限 32,767", caught.exception.message
        )
        # Excel counts a character outside the BMP (an emoji) as two: 20,000 of them do not
        # fit either, and must not be cut to 16,383 by the writer.
        Lead.objects.update(notes="😀" * 20_000)
        with self.assertRaises(TextTooLong) as caught:
            export_leads(io.BytesIO())
        self.assertIn("[备注] 有 40,000 个字符", caught.exception.message)


class ErrorCapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)

    def test_command_lists_the_first_200_errors_and_counts_the_rest(self):
        rows = [{**ROW, "项目名称": f"项目{i}", "所属产业": "不存在"} for i in range(250)]
        data = workbook_bytes(LEAD_HEADERS, rows)
        path = self.tmp_path("台账.xlsx")
        path.write_bytes(data)
        err = io.StringIO()
        with self.assertRaises(CommandError) as caught:
            call_command("import_leads", str(path), "--no-progress", stderr=err)
        lines = err.getvalue().splitlines()
        self.assertEqual(len(lines), 201)
        self.assertEqual(lines[-1], "另有 50 处错误未列出（错误工作簿中标出了全部错误）。")
        self.assertIn("250 处错误", str(caught.exception))
        report = LeadImporter().run(data)
        self.assertEqual(len(report.as_json()["errors"]), 201)
        self.assertEqual(report.as_json()["error_total"], 250)
        # The error workbook still marks every row.
        self.assertEqual(len(LeadImporter().write_errors(data, io.BytesIO()).errors), 250)

    def tmp_path(self, name):
        import tempfile
        from pathlib import Path

        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        return Path(directory.name) / name


class HostileErrorWorkbookTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)

    def test_error_workbook_of_a_hostile_file_writes_the_cells_back(self):
        header = "计划投资额(万元)"
        letter = column_letter(header)
        data = lead_workbook(
            {**ROW, "项目名称": "甲", header: 1},
            {**ROW, "项目名称": "乙", "签约日期": "#N/A"},
        )

        def change(name, content):
            if name != "xl/worksheets/sheet1.xml":
                return content
            return re.sub(
                rb'(<c r="' + letter.encode() + rb'2"[^>]*><v>)1(</v>)',
                rb"\g<1>1e309\g<2>",
                content,
            )

        buffer = io.BytesIO()
        report = LeadImporter().write_errors(rezip(data, change=change), buffer)
        self.assertEqual(len(report.errors), 2)
        rows = read_back(buffer.getvalue())
        headers = rows[0]
        self.assertEqual(rows[1][headers.index(header)], "inf")
        self.assertEqual(rows[2][headers.index("签约日期")], "#N/A")
        self.assertIn("单元格是 Excel 错误值 #N/A", rows[2][headers.index("错误说明")])
