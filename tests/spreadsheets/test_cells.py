"""The cell parsers read what clerks type; anything else is a Chinese CellError."""

from datetime import date, datetime
from decimal import Decimal

from django.test import SimpleTestCase

from crm.spreadsheets.cells import (
    EXCEL_CELL_LIMIT,
    CellError,
    ChoiceParser,
    NameLookup,
    clean_text,
    escape_formula,
    exceeds_cell,
    excel_length,
    excel_serial,
    parse_amount,
    parse_date,
    parse_yes_no,
)


class ParseDateTests(SimpleTestCase):
    def test_accepts_the_forms_clerks_type(self):
        cases = {
            "2026年3月5日": date(2026, 3, 5),
            "2026/3/5": date(2026, 3, 5),
            "2026-03-05": date(2026, 3, 5),
            "2026.3.5": date(2026, 3, 5),
            "20260305": date(2026, 3, 5),
            "２０２６年３月５日": date(2026, 3, 5),
            " 2026 年 3 月 5 日 ": date(2026, 3, 5),
            46086: date(2026, 3, 5),
            46086.5: date(2026, 3, 5),
            "46086": date(2026, 3, 5),
            datetime(2026, 3, 5, 14, 30): date(2026, 3, 5),
            date(2026, 3, 5): date(2026, 3, 5),
        }
        for raw, expected in cases.items():
            with self.subTest(raw=raw):
                self.assertEqual(parse_date(raw), expected)

    def test_blank_is_none(self):
        for raw in (None, "", "   ", "\u3000"):
            with self.subTest(raw=raw):
                self.assertIsNone(parse_date(raw))

    def test_impossible_or_unreadable_dates_are_refused_in_chinese(self):
        cases = {
            "2026年13月5日": "不存在",
            "2026年2月30日": "不存在",
            "下周三": "无法识别",
            True: "无法识别",
            12: "无法识别",
            3000000: "无法识别",
        }
        for raw, words in cases.items():
            with self.subTest(raw=raw), self.assertRaisesMessage(CellError, words):
                parse_date(raw)


class ParseAmountTests(SimpleTestCase):
    def test_accepts_units_separators_and_full_width_digits(self):
        cases = {
            "3000": Decimal("3000.00"),
            "3,000万": Decimal("3000.00"),
            "3,000万元": Decimal("3000.00"),
            "1.2亿": Decimal("12000.00"),
            "1.2亿元": Decimal("12000.00"),
            "３０００": Decimal("3000.00"),
            " 12.345 ": Decimal("12.35"),
            1500: Decimal("1500.00"),
            0.1 + 0.2: Decimal("0.30"),
        }
        for raw, expected in cases.items():
            with self.subTest(raw=raw):
                value = parse_amount(raw)
                self.assertEqual(value, expected)
                self.assertIsInstance(value, Decimal)

    def test_refuses_negative_yuan_and_text(self):
        cases = {
            "-5": "负数",
            "3000元": "万元或亿元",
            "三千万": "无法识别",
            True: "数字",
            date(2026, 1, 1): "数字",
            "1e20亿": "无法识别",
        }
        for raw, words in cases.items():
            with self.subTest(raw=raw), self.assertRaisesMessage(CellError, words):
                parse_amount(raw)

    def test_refuses_amounts_beyond_the_column(self):
        with self.assertRaisesMessage(CellError, "过大"):
            parse_amount("100000000000000")


class ParseYesNoTests(SimpleTestCase):
    def test_yes_and_no_as_clerks_type_them(self):
        for value in ("是", " 是 ", "Y", "y", "Yes", "TRUE", "true", "1", 1, 1.0, True, "ｙ", "１"):
            with self.subTest(value=value):
                self.assertIs(parse_yes_no(value), True)
        for value in ("否", "N", "no", "FALSE", "0", 0, 0.0, False):
            with self.subTest(value=value):
                self.assertIs(parse_yes_no(value), False)
        self.assertIsNone(parse_yes_no(None))
        self.assertIsNone(parse_yes_no("　"))

    def test_anything_else_is_refused_in_chinese(self):
        for value in ("也许", "2", 2, "是的吧"):
            with self.subTest(value=value), self.assertRaises(CellError) as caught:
                parse_yes_no(value)
            self.assertIn("请填写“是”或“否”", str(caught.exception))


class TextTests(SimpleTestCase):
    def test_clean_text_trims_and_undoes_export_escaping(self):
        self.assertEqual(clean_text("\u3000 名称 \xa0"), "名称")
        self.assertEqual(clean_text("'=SUM(A1)"), "=SUM(A1)")
        self.assertEqual(clean_text("'普通"), "'普通")
        self.assertEqual(clean_text(13800138000.0), "13800138000")
        self.assertEqual(clean_text(None), "")

    def test_escape_formula_prefixes_what_excel_would_run(self):
        for text in ("=1+1", "+86", "-3", "@SUM", "＝1"):
            with self.subTest(text=text):
                self.assertEqual(escape_formula(text), "'" + text)
                self.assertEqual(clean_text(escape_formula(text)), text)
        self.assertEqual(escape_formula("普通文本"), "普通文本")


class LookupTests(SimpleTestCase):
    def test_choice_by_label_or_code(self):
        parse = ChoiceParser([("signed", "签约"), ("landed", "落地")])
        self.assertEqual(parse("签约"), "signed")
        self.assertEqual(parse("LANDED"), "landed")
        self.assertEqual(parse(""), "")
        with self.assertRaisesMessage(CellError, "可选：签约、落地"):
            parse("已签")

    def test_name_lookup_names_what_is_missing(self):
        lookup = NameLookup({"信息技术": 7}, "产业")
        self.assertEqual(lookup(" 信息技术 "), 7)
        self.assertIsNone(lookup(""))
        with self.assertRaisesMessage(CellError, "系统中没有名为“软件”的产业"):
            lookup("软件")


class ExcelCountingTests(SimpleTestCase):
    def test_serial_numbers_are_excels_including_its_1900_leap_day(self):
        self.assertEqual(excel_serial(date(1900, 1, 1)), 1)
        self.assertEqual(excel_serial(date(1900, 2, 28)), 59)
        self.assertEqual(excel_serial(date(1900, 3, 1)), 61)
        self.assertEqual(excel_serial(date(2026, 3, 5)), 46086)
        self.assertEqual(excel_serial(datetime(2026, 3, 5, 18)), 46086.75)
        self.assertEqual(parse_date(excel_serial(date(2026, 3, 5))), date(2026, 3, 5))

    def test_cell_length_is_counted_as_excel_counts_it(self):
        self.assertEqual(excel_length("长" * 10), 10)
        self.assertEqual(excel_length("😀" * 10), 20)
        self.assertFalse(exceeds_cell("长" * EXCEL_CELL_LIMIT))
        self.assertTrue(exceeds_cell("长" * (EXCEL_CELL_LIMIT + 1)))
        self.assertFalse(exceeds_cell("😀" * (EXCEL_CELL_LIMIT // 2)))
        self.assertTrue(exceeds_cell("😀" * (EXCEL_CELL_LIMIT // 2 + 1)))
