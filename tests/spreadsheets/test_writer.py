"""Writing workbooks: typed cells, formula escaping, error workbooks that re-import, templates."""

import io
from datetime import date
from decimal import Decimal

from django.test import SimpleTestCase
from openpyxl import load_workbook

from crm.spreadsheets.cells import parse_amount, parse_date
from crm.spreadsheets.reader import Sheet, read_sheet
from crm.spreadsheets.writer import Column, build_template, write_error_workbook, write_rows

COLUMNS = [
    Column("项目名称"),
    Column("签约日期", kind="date"),
    Column("签约金额", kind="amount"),
    Column("人数", kind="integer"),
    Column("阶段", options=lambda: ["接洽", "签约"], required=True, help="当前阶段"),
]


class WriteRowsTests(SimpleTestCase):
    def write(self, rows):
        buffer = io.BytesIO()
        count = write_rows(buffer, title="台账", columns=COLUMNS, rows=rows)
        return count, load_workbook(io.BytesIO(buffer.getvalue())).active

    def test_dates_and_amounts_are_typed_cells(self):
        count, sheet = self.write([["甲", date(2026, 3, 5), Decimal("1234.50"), 3, "签约"]])
        self.assertEqual(count, 1)
        self.assertEqual([cell.value for cell in sheet[1]], [c.header for c in COLUMNS])
        _name, signed, amount, people, _stage = sheet[2]
        self.assertEqual(signed.value.date(), date(2026, 3, 5))
        self.assertEqual(signed.number_format, "yyyy-mm-dd")
        self.assertEqual(amount.value, 1234.5)
        self.assertEqual(amount.number_format, "0.00")
        self.assertEqual(people.value, 3)
        self.assertEqual(sheet.freeze_panes, "A2")

    def test_text_excel_would_run_is_escaped_and_reads_back_unchanged(self):
        formulas = ['=HYPERLINK("http://x")', "+86 138", "-1", "@SUM(A1)"]
        _count, sheet = self.write([[text, None, None, None, ""] for text in formulas])
        for row, text in enumerate(formulas, start=2):
            with self.subTest(text=text):
                cell = sheet.cell(row=row, column=1)
                self.assertEqual(cell.data_type, "s")
                self.assertEqual(cell.value, "'" + text)

    def test_empty_values_leave_cells_empty(self):
        _count, sheet = self.write([["甲", None, "", None, ""]])
        self.assertEqual([cell.value for cell in sheet[2]][1:], [None, None, None, None])

    def test_exported_cells_parse_back_to_the_same_values(self):
        buffer = io.BytesIO()
        write_rows(
            buffer,
            title="台账",
            columns=COLUMNS,
            rows=[["甲", date(2026, 2, 28), Decimal("0.10"), 1, "接洽"]],
        )
        sheet = read_sheet(buffer.getvalue(), columns=[c.header for c in COLUMNS])
        values = sheet.rows[0][1]
        self.assertEqual(parse_date(sheet.value(values, "签约日期")), date(2026, 2, 28))
        self.assertEqual(parse_amount(sheet.value(values, "签约金额")), Decimal("0.10"))


class ErrorWorkbookTests(SimpleTestCase):
    def test_rows_keep_their_numbers_and_errors_fill_the_new_column(self):
        sheet = Sheet(
            title="台账",
            headers=["项目名称", "签约日期", "错误说明"],
            columns={"项目名称": 0, "签约日期": 1},
            rows=[(2, ["甲", "2026-03-05", "旧的说明"]), (5, ["乙", "2026年13月1日", ""])],
        )
        buffer = io.BytesIO()
        write_error_workbook(buffer, sheet=sheet, errors={5: ["[签约日期] 日期不存在。"]})
        out = load_workbook(io.BytesIO(buffer.getvalue())).active
        self.assertEqual([c.value for c in out[1]], ["项目名称", "签约日期", "错误说明"])
        self.assertEqual(out.cell(row=2, column=1).value, "甲")
        self.assertIsNone(out.cell(row=2, column=3).value)
        self.assertEqual(out.cell(row=5, column=2).value, "2026年13月1日")
        self.assertEqual(out.cell(row=5, column=3).value, "[签约日期] 日期不存在。")
        # The corrected workbook is accepted again: the 错误说明 column is ignored.
        again = read_sheet(buffer.getvalue(), columns=["项目名称", "签约日期"])
        self.assertEqual([number for number, _values in again.rows], [2, 5])


class TemplateTests(SimpleTestCase):
    def test_template_has_dropdowns_and_a_guide(self):
        buffer = io.BytesIO()
        build_template(buffer, title="招商线索", columns=COLUMNS, notes="导入规则：\n1. 全部或全不")
        workbook = load_workbook(io.BytesIO(buffer.getvalue()))
        self.assertEqual(workbook.sheetnames, ["招商线索", "选项", "填写说明"])
        sheet = workbook["招商线索"]
        self.assertEqual([c.value for c in sheet[1]], [c.header for c in COLUMNS])
        (validation,) = sheet.data_validations.dataValidation
        self.assertEqual(validation.formula1, "'选项'!$E$2:$E$3")
        self.assertEqual(workbook["选项"].sheet_state, "hidden")
        guide = [[c.value for c in row] for row in workbook["填写说明"].iter_rows()]
        self.assertIn(["阶段", "必填", "当前阶段", "接洽、签约"], guide)
        self.assertIn(["1. 全部或全不", None, None, None], guide)
