"""Importing and exporting the chamber and entrepreneur workbooks."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from chambers.excel import ChamberImporter, EntrepreneurImporter, export_chambers
from chambers.models import Chamber, ChamberKind, Entrepreneur
from tests.factories import ChamberFactory, EntrepreneurFactory, UserFactory
from tests.workbooks import workbook_bytes

CHAMBER_HEADERS = ["商会名称", "类别", "所在地", "联系人", "联系电话"]
PEOPLE_HEADERS = ["姓名", "籍贯", "所在城市", "企业名称", "所属商会", "联系电话"]


class ChamberImportTests(TestCase):
    def test_creates_and_updates_by_name_with_history(self):
        existing = ChamberFactory(name="深圳湖南商会", location="深圳", kind=ChamberKind.HOMETOWN)
        data = workbook_bytes(
            CHAMBER_HEADERS,
            [
                ["深圳湖南商会", "异地商会", "深圳福田", "张三", "0755-1234567"],
                ["　广东湖南商会 ", "hometown", "广州", "", ""],
            ],
        )
        report = ChamberImporter().run(data)
        self.assertEqual(report.counts, {"new": 1, "update": 1, "unchanged": 0, "error": 0})
        existing.refresh_from_db()
        self.assertEqual((existing.location, existing.contact_person), ("深圳福田", "张三"))
        self.assertEqual(existing.history.count(), 2)
        created = Chamber.objects.get(name="广东湖南商会")
        self.assertEqual(created.history.get().history_type, "+")
        report = ChamberImporter().run(data)
        self.assertEqual(report.counts["unchanged"], 2)
        self.assertEqual(existing.history.count(), 2)

    def test_kind_must_be_a_known_label_and_nothing_is_written_on_error(self):
        data = workbook_bytes(
            CHAMBER_HEADERS, [["甲商会", "异地商会"], ["乙商会", "俱乐部"], ["", "异地商会"]]
        )
        report = ChamberImporter().run(data)
        self.assertEqual(
            report.error_lines(),
            [
                "第3行 [类别] “俱乐部”不是可选值，"
                "可选：驻区商会、异地商会、行业协会、外商投资协会。",
                "第4行 [商会名称] 商会名称不能为空。",
            ],
        )
        self.assertEqual(Chamber.objects.count(), 0)

    def test_import_needs_the_permission(self):
        data = workbook_bytes(CHAMBER_HEADERS, [["甲商会", "异地商会"]])
        report = ChamberImporter().run(data, actor=UserFactory())
        self.assertEqual(report.error_lines(), ["您没有导入该工作簿的权限。"])

    def test_export_escapes_formulas_and_imports_back(self):
        ChamberFactory(name="=危险商会", phone="+86 755 1234567")
        buffer = io.BytesIO()
        export_chambers(buffer)
        sheet = load_workbook(buffer).active
        self.assertEqual([c.value for c in sheet[2]][:1], ["'=危险商会"])
        self.assertEqual(sheet[2][4].value, "'+86 755 1234567")
        report = ChamberImporter().run(buffer.getvalue())
        self.assertEqual(report.counts["unchanged"], 1, report.error_lines())


class EntrepreneurImportTests(TestCase):
    def test_matches_on_name_and_company(self):
        chamber = ChamberFactory(name="深圳湖南商会")
        same_name = EntrepreneurFactory(name="李四", company="长沙李氏实业有限公司")
        data = workbook_bytes(
            PEOPLE_HEADERS,
            [
                ["李四", "湖南长沙", "深圳", "深圳李氏科技有限公司", "深圳湖南商会", ""],
                ["李四", "湖南长沙", "", "长沙李氏实业有限公司", "", 13900000000],
            ],
        )
        report = EntrepreneurImporter().run(data)
        self.assertEqual(report.counts, {"new": 1, "update": 1, "unchanged": 0, "error": 0})
        self.assertEqual(Entrepreneur.objects.get(company="深圳李氏科技有限公司").chamber, chamber)
        same_name.refresh_from_db()
        self.assertEqual((same_name.hometown, same_name.phone), ("湖南长沙", "13900000000"))

    def test_same_person_twice_in_a_file_is_an_error(self):
        data = workbook_bytes(
            PEOPLE_HEADERS, [["李四", "", "", "甲公司"], ["李四", "", "", "甲公司"]]
        )
        report = EntrepreneurImporter().run(data)
        self.assertEqual(report.error_lines(), ["第3行 [姓名] 与第2行是同一条记录。"])


class ChamberAdminImportTests(TestCase):
    def test_admin_import_previews_then_confirms(self):
        admin = UserFactory(is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        data = workbook_bytes(CHAMBER_HEADERS, [["深圳湖南商会", "异地商会", "深圳"]])
        preview = self.client.post(
            reverse("admin:chambers_chamber_import"),
            {"format": "0", "import_file": SimpleUploadedFile("c.xlsx", data)},
        )
        self.assertEqual(preview.context["result"].totals["new"], 1)
        self.assertEqual(Chamber.objects.count(), 0)
        done = self.client.post(
            reverse("admin:chambers_chamber_process_import"),
            preview.context["confirm_form"].initial,
            follow=True,
        )
        self.assertContains(done, "导入完成：新建 1 条")
        self.assertEqual(Chamber.objects.get().history.get().history_user, admin)
