"""The import_* and export_* management commands."""

import io
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from openpyxl import load_workbook

from chambers.models import Chamber, Entrepreneur
from leads.choices import Stage
from leads.models import Lead
from tests.factories import ChamberFactory, make_lead
from tests.workbooks import lead_workbook, workbook_bytes

ROW = {
    "项目名称": "智能装备产业园",
    "投资方": "深圳华创集团有限公司",
    "所属产业": "信息技术",
    "线索来源": "自主对接",
}


class CommandTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)

    def setUp(self):
        self.folder = TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)

    def file(self, name: str, data: bytes) -> str:
        path = Path(self.folder.name) / name
        path.write_bytes(data)
        return str(path)

    def call(self, *args):
        out, err = io.StringIO(), io.StringIO()
        call_command(*args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()


class ImportLeadsCommandTests(CommandTestCase):
    def test_prints_one_summary_line(self):
        path = self.file("台账.xlsx", lead_workbook(ROW, {**ROW, "项目名称": "二期"}))
        out, err = self.call("import_leads", path)
        self.assertEqual(out, "新建 2 条，更新 0 条，未变 0 条\n")
        self.assertIn("100%", err)  # the progress bar
        out, _err = self.call("import_leads", path, "--no-progress")
        self.assertEqual(out, "新建 0 条，更新 0 条，未变 2 条\n")

    def test_dry_run_writes_nothing(self):
        out, _err = self.call("import_leads", self.file("a.xlsx", lead_workbook(ROW)), "--dry-run")
        self.assertEqual(out, "新建 1 条，更新 0 条，未变 0 条（预检，未写入）\n")
        self.assertEqual(Lead.objects.count(), 0)

    def test_failure_exits_non_zero_with_every_error_line(self):
        data = lead_workbook(
            {**ROW, "项目名称": "一", "所属产业": "造火箭"},
            ROW,
            {**ROW, "项目名称": "三", "签约日期": "x"},
        )
        err = io.StringIO()
        with self.assertRaises(CommandError) as raised:
            call_command("import_leads", self.file("a.xlsx", data), "--no-progress", stderr=err)
        self.assertEqual(str(raised.exception), "导入失败：2 处错误，未写入任何数据。")
        self.assertEqual(
            err.getvalue().splitlines(),
            [
                "第2行 [所属产业] 系统中没有名为“造火箭”的产业（或产业别名）。",
                "第4行 [签约日期] 无法识别的日期“x”，请填写如 2026-03-05 或 2026年3月5日。",
            ],
        )
        self.assertEqual(Lead.objects.count(), 0)

    def test_missing_file_and_unknown_user(self):
        with self.assertRaisesMessage(CommandError, "找不到文件"):
            self.call("import_leads", "/nonexistent.xlsx")
        with self.assertRaisesMessage(CommandError, "没有用户名为“nobody”的用户"):
            self.call("import_leads", self.file("a.xlsx", lead_workbook(ROW)), "--user", "nobody")


class ExportLeadsCommandTests(CommandTestCase):
    def test_exports_with_filters(self):
        signed = make_lead(stage=Stage.SIGNED, name="签约项目")
        make_lead(name="接洽项目")
        path = str(Path(self.folder.name) / "out.xlsx")
        out, _err = self.call("export_leads", "--out", path, "--stage", "signed")
        self.assertEqual(out, f"已导出 1 条到 {path}\n")
        sheet = load_workbook(path).active
        self.assertEqual([r[0].value for r in sheet.iter_rows(min_row=2)], [signed.code])
        out, _err = self.call("export_leads", "--out", path, "--q", "接洽")
        self.assertIn("已导出 1 条", out)
        out, _err = self.call("export_leads", "--out", path)
        self.assertIn("已导出 2 条", out)

    def test_bad_filter_is_refused(self):
        with self.assertRaisesMessage(CommandError, "筛选条件有误"):
            self.call(
                "export_leads", "--out", str(Path(self.folder.name) / "x.xlsx"), "--stage", "x"
            )


class ChamberCommandTests(CommandTestCase):
    def test_chambers_and_entrepreneurs_round_trip(self):
        chambers = workbook_bytes(
            ["商会名称", "类别", "所在地", "联系人", "联系电话"],
            [["深圳湖南商会", "异地商会", "深圳", "张三", 13800138000]],
        )
        out, _err = self.call("import_chambers", self.file("c.xlsx", chambers), "--no-progress")
        self.assertEqual(out, "新建 1 条，更新 0 条，未变 0 条\n")
        people = workbook_bytes(
            ["姓名", "籍贯", "所在城市", "企业名称", "所属商会", "联系电话"],
            [["李四", "湖南长沙", "深圳", "深圳李氏科技有限公司", "深圳湖南商会", ""]],
        )
        out, _err = self.call("import_entrepreneurs", self.file("e.xlsx", people), "--no-progress")
        self.assertEqual(out, "新建 1 条，更新 0 条，未变 0 条\n")
        self.assertEqual(Entrepreneur.objects.get().chamber, Chamber.objects.get())
        self.assertEqual(Chamber.objects.get().phone, "13800138000")
        for kind in ("chambers", "entrepreneurs"):
            path = str(Path(self.folder.name) / f"{kind}.xlsx")
            self.call(f"export_{kind}", "--out", path)
            out, _err = self.call(f"import_{kind}", path, "--no-progress")
            self.assertEqual(out, "新建 0 条，更新 0 条，未变 1 条\n")

    def test_unknown_chamber_of_an_entrepreneur_is_an_error(self):
        ChamberFactory(name="深圳湖南商会")
        people = workbook_bytes(
            ["姓名", "籍贯", "所在城市", "企业名称", "所属商会", "联系电话"],
            [["李四", "", "", "", "火星商会", ""]],
        )
        err = io.StringIO()
        with self.assertRaises(CommandError):
            call_command("import_entrepreneurs", self.file("e.xlsx", people), stderr=err)
        self.assertIn("第2行 [所属商会] 系统中没有名为“火星商会”的商会。", err.getvalue())
        self.assertEqual(Entrepreneur.objects.count(), 0)
