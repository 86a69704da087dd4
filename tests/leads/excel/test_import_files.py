"""Files that cannot be imported at all get one clear Chinese message, and nothing is written."""

import io
import zipfile

import xlwt
from defusedxml import EntitiesForbidden
from django.core.management import call_command
from django.test import TestCase, override_settings
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import Workbook, load_workbook

from crm.spreadsheets.reader import ERROR_COLUMN
from leads.excel.lead_importer import LeadImporter
from leads.models import Lead
from tests.workbooks import LEAD_HEADERS, lead_workbook, workbook_bytes

ROW = {
    "项目名称": "智能装备产业园",
    "投资方": "深圳华创集团有限公司",
    "所属产业": "信息技术",
    "线索来源": "自主对接",
}
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)


def rezip(data: bytes, *, extra: dict | None = None, change=None) -> bytes:
    """Return the .xlsx `data` rewritten, with members changed or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if change:
                content = change(item.filename, content)
            target.writestr(item, content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


class BadFileTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)

    def assert_refused(self, data: bytes, message: str):
        report = LeadImporter().run(data)
        self.assertIsNotNone(report.file_error)
        self.assertIn(message, report.file_error)
        self.assertEqual(report.error_lines(), [report.file_error])
        self.assertEqual(Lead.objects.count(), 0)
        return report.file_error

    def test_old_xls_workbook(self):
        book = xlwt.Workbook()
        sheet = book.add_sheet("台账")
        for column, header in enumerate(LEAD_HEADERS):
            sheet.write(0, column, header)
        buffer = io.BytesIO()
        book.save(buffer)
        self.assert_refused(buffer.getvalue(), "旧版 Excel 97-2003 工作簿（.xls）")

    def test_encrypted_workbook(self):
        encrypted = io.BytesIO()
        OOXMLFile(io.BytesIO(lead_workbook(ROW))).encrypt("mima123", encrypted)
        self.assert_refused(encrypted.getvalue(), "设置了打开密码（已加密）")

    def test_csv_file(self):
        csv = ",".join(LEAD_HEADERS) + "\n,智能装备产业园,深圳华创集团有限公司\n"
        self.assert_refused(csv.encode("utf-8-sig"), "这是文本或 CSV 文件")
        self.assert_refused(csv.encode("gb18030"), "这是文本或 CSV 文件")

    def test_word_document_renamed(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as docx:
            docx.writestr("[Content_Types].xml", "<Types/>")
            docx.writestr("word/document.xml", "<w:document/>")
        self.assert_refused(buffer.getvalue(), "这是 Word 文档（.docx）")

    def test_corrupt_zip(self):
        self.assert_refused(b"PK\x03\x04" + b"\x00" * 200, "文件已损坏")

    def test_empty_file_and_empty_sheet(self):
        self.assert_refused(b"", "上传的文件是空的")
        self.assert_refused(workbook_bytes([], []), "是空的：第1行应为表头")

    def test_header_without_rows(self):
        self.assert_refused(lead_workbook(), "只有表头，没有数据行")

    def test_missing_duplicated_and_misspelled_headers_are_named(self):
        headers = [h for h in LEAD_HEADERS if h != "所属产业"]
        self.assert_refused(workbook_bytes(headers, [ROW]), "缺少表头：“所属产业”")
        headers = [*LEAD_HEADERS, "项目名称"]
        self.assert_refused(workbook_bytes(headers, [ROW]), "表头重复：“项目名称”")
        headers = ["项目明称" if h == "项目名称" else h for h in LEAD_HEADERS]
        message = self.assert_refused(workbook_bytes(headers, [ROW]), "无法识别的表头“项目明称”")
        self.assertIn("是否应为“项目名称”", message)

    def test_wrong_workbook_says_so(self):
        data = workbook_bytes(["商会名称", "类别"], [["深圳湖南商会", "异地商会"]])
        self.assert_refused(data, "第1行没有找到本工作簿应有的表头")

    @override_settings(CRM_IMPORT_MAX_BYTES=2000)
    def test_file_over_the_size_limit(self):
        self.assert_refused(lead_workbook(ROW), "超过上限 0.0 MB")

    @override_settings(CRM_IMPORT_MAX_ROWS=2)
    def test_rows_over_the_limit(self):
        rows = [{**ROW, "项目名称": f"项目{i}"} for i in range(3)]
        self.assert_refused(lead_workbook(*rows), "超过单次导入上限 2 行")

    def test_zip_bomb(self):
        bomb = rezip(lead_workbook(ROW), extra={"xl/media/padding.bin": b"\x00" * 30_000_000})
        self.assertLess(len(bomb), 100_000)
        self.assert_refused(bomb, "疑似“压缩炸弹”")

    def test_error_column_of_a_corrected_workbook_is_ignored(self):
        data = workbook_bytes([*LEAD_HEADERS, ERROR_COLUMN], [{**ROW, ERROR_COLUMN: "旧错误"}])
        report = LeadImporter().run(data)
        self.assertTrue(report.ok, report.error_lines())


class SafeXmlTests(TestCase):
    def test_openpyxl_parses_with_defusedxml(self):
        from openpyxl.xml import DEFUSEDXML
        from openpyxl.xml.functions import fromstring

        self.assertTrue(DEFUSEDXML)
        with self.assertRaises(EntitiesForbidden):
            fromstring(BILLION_LAUGHS + b"<lolz>&lol2;</lolz>")

    def test_workbook_with_xml_entities_is_refused_by_openpyxl_and_not_expanded_by_our_reader(self):
        def add_entities(name, content):
            if name == "xl/worksheets/sheet1.xml":
                return BILLION_LAUGHS + content.split(b"?>", 1)[-1]
            return content

        data = rezip(lead_workbook(ROW), change=add_entities)
        with self.assertRaises(ValueError) as raised:
            load_workbook(io.BytesIO(data))
        self.assertIsInstance(raised.exception.__context__, EntitiesForbidden)
        sheet = LeadImporter().read(data)
        self.assertEqual(len(sheet.rows), 1)
        self.assertNotIn("lol", str(sheet.rows))

    def test_template_workbook_round_trips_through_openpyxl(self):
        buffer = io.BytesIO()
        LeadImporter().write_template(buffer)
        self.assertIsInstance(load_workbook(buffer), Workbook)
