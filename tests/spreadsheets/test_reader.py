"""Opening a workbook: every way a file can be wrong is one Chinese WorkbookError."""

import io
import zipfile

from django.test import SimpleTestCase
from openpyxl import Workbook

from crm.spreadsheets.reader import WorkbookError, check_headers, read_sheet

COLUMNS = ["项目名称", "投资方", "签约日期"]


def xlsx(rows, *, title="台账", extra_sheets=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name in extra_sheets:
        workbook.create_sheet(name)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class ReadSheetTests(SimpleTestCase):
    def test_reads_rows_with_excel_row_numbers_and_skips_blank_rows(self):
        data = xlsx(
            [COLUMNS, ["甲项目", "甲公司", "2026-03-05"], [None, None, None], ["乙", "乙", None]]
        )
        sheet = read_sheet(data, columns=COLUMNS)
        self.assertEqual(sheet.title, "台账")
        self.assertEqual([number for number, _values in sheet.rows], [2, 4])
        self.assertEqual(sheet.value(sheet.rows[0][1], "投资方"), "甲公司")
        self.assertIsNone(sheet.value(sheet.rows[1][1], "签约日期"))

    def test_the_template_help_sheet_is_not_the_data(self):
        workbook = Workbook()
        workbook.active.title = "填写说明"
        data_sheet = workbook.create_sheet("数据")
        data_sheet.append(COLUMNS)
        data_sheet.append(["甲", "甲", None])
        buffer = io.BytesIO()
        workbook.save(buffer)
        self.assertEqual(read_sheet(buffer.getvalue(), columns=COLUMNS).title, "数据")

    def test_files_that_are_not_workbooks_are_refused(self):
        docx = io.BytesIO()
        with zipfile.ZipFile(docx, "w") as archive:
            archive.writestr("word/document.xml", "<w/>")
        cases = {
            b"": "空的",
            "项目名称,投资方\n甲,乙\n".encode(): "CSV",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64: ".xls",
            b"PK\x03\x04garbage": "损坏",
            docx.getvalue(): "Word",
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 16: "无法识别",
        }
        for data, words in cases.items():
            with self.subTest(words=words), self.assertRaisesMessage(WorkbookError, words):
                read_sheet(data, columns=COLUMNS)

    def test_empty_and_header_only_sheets_are_refused(self):
        with self.assertRaisesMessage(WorkbookError, "是空的"):
            read_sheet(xlsx([]), columns=COLUMNS)
        with self.assertRaisesMessage(WorkbookError, "只有表头"):
            read_sheet(xlsx([COLUMNS]), columns=COLUMNS)

    def test_too_many_rows_are_refused(self):
        with self.settings(CRM_IMPORT_MAX_ROWS=2):
            rows = [COLUMNS] + [["甲", "乙", None]] * 3
            with self.assertRaisesMessage(WorkbookError, "超过单次导入上限 2 行"):
                read_sheet(xlsx(rows), columns=COLUMNS)

    def test_oversized_file_is_refused_before_reading(self):
        data = xlsx([COLUMNS, ["甲", "乙", None]])
        with (
            self.settings(CRM_IMPORT_MAX_BYTES=100),
            self.assertRaisesMessage(WorkbookError, "超过上限"),
        ):
            read_sheet(data, columns=COLUMNS)


class CheckHeadersTests(SimpleTestCase):
    def test_returns_positions_in_any_order(self):
        self.assertEqual(
            check_headers(["签约日期", "项目名称", "投资方"], COLUMNS),
            {"签约日期": 0, "项目名称": 1, "投资方": 2},
        )

    def test_the_error_column_of_an_error_workbook_is_ignored(self):
        self.assertEqual(set(check_headers([*COLUMNS, "错误说明"], COLUMNS)), set(COLUMNS))

    def test_names_repeated_misspelled_and_missing_headers(self):
        with self.assertRaises(WorkbookError) as caught:
            check_headers(["项目名称", "项目名称", "投资人"], COLUMNS)
        message = caught.exception.message
        self.assertIn("表头重复：“项目名称”", message)
        self.assertIn("无法识别的表头“投资人”（是否应为“投资方”？）", message)
        self.assertIn("缺少表头", message)

    def test_a_wrong_file_altogether_is_named_as_such(self):
        with self.assertRaisesMessage(WorkbookError, "没有找到本工作簿应有的表头"):
            check_headers(["姓名", "电话"], COLUMNS)
