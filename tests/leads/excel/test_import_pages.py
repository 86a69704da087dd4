"""The staff import pages, the background job, and the admin's import with preview and confirm."""

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from chambers.models import Chamber
from leads.excel.jobs import import_job_confirm, import_job_run, import_job_start
from leads.models import ImportJob, Lead, StageTransition
from tests.factories import ChamberFactory, UserFactory, make_lead
from tests.workbooks import lead_workbook, workbook_bytes

ROW = {
    "项目名称": "智能装备产业园",
    "投资方": "深圳华创集团有限公司",
    "所属产业": "信息技术",
    "线索来源": "自主对接",
}


def upload(data: bytes, name="台账.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


class PageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        cls.leader = UserFactory(groups=["局领导"], is_staff=True)
        cls.member = UserFactory(groups=["小分队队员"])


class ImportJobTests(PageTestCase):
    def test_job_validates_then_imports_on_confirm(self):
        data = lead_workbook(ROW, {**ROW, "项目名称": "二期"})
        job = import_job_start(kind="leads", filename="台账.xlsx", data=data, user=self.leader)
        self.assertEqual(job.status, ImportJob.Status.PREVIEW)
        self.assertEqual((job.done, job.total), (2, 2))
        self.assertEqual(job.report["counts"]["new"], 2)
        self.assertEqual(Lead.objects.count(), 0)
        job = import_job_confirm(job)
        self.assertEqual(job.status, ImportJob.Status.DONE)
        self.assertEqual(job.report["summary"], "新建 2 条，更新 0 条，未变 0 条")
        self.assertEqual(Lead.objects.count(), 2)
        self.assertTrue(
            StageTransition.objects.filter(
                channel="import", actor=self.leader, note__contains="台账.xlsx"
            ).exists()
        )

    def test_confirm_twice_imports_once(self):
        job = import_job_start(
            kind="leads", filename="a.xlsx", data=lead_workbook(ROW), user=self.leader
        )
        import_job_confirm(job)
        self.assertEqual(import_job_confirm(job).status, ImportJob.Status.DONE)
        self.assertEqual(Lead.objects.count(), 1)

    def test_job_with_errors_stores_them_and_writes_nothing(self):
        data = lead_workbook({**ROW, "所属产业": "造火箭"})
        job = import_job_start(kind="leads", filename="a.xlsx", data=data, user=self.leader)
        self.assertEqual(job.status, ImportJob.Status.INVALID)
        self.assertEqual(
            job.report["errors"], ["第2行 [所属产业] 系统中没有名为“造火箭”的产业（或产业别名）。"]
        )
        self.assertEqual(import_job_confirm(job).status, ImportJob.Status.INVALID)
        self.assertEqual(Lead.objects.count(), 0)

    def test_job_that_crashes_is_marked_failed(self):
        job = ImportJob.objects.create(
            kind="nonsense", filename="a.xlsx", data=b"", created_by=self.leader
        )
        with self.assertRaises(KeyError):
            import_job_run(job.pk, confirm=False)
        job.refresh_from_db()
        self.assertEqual(job.status, ImportJob.Status.FAILED)
        self.assertIn("系统错误，未写入任何数据", job.report["file_error"])


class ImportPageTests(PageTestCase):
    def test_upload_preview_confirm(self):
        self.client.force_login(self.leader)
        page = self.client.get(reverse("leads:import"))
        self.assertContains(page, "上传并校验")
        response = self.client.post(
            reverse("leads:import"), {"kind": "leads", "file": upload(lead_workbook(ROW))}
        )
        job = ImportJob.objects.get()
        self.assertRedirects(response, reverse("leads:import_job", args=[job.pk]))
        preview = self.client.get(reverse("leads:import_job", args=[job.pk]))
        self.assertContains(preview, "确认导入")
        self.assertContains(preview, "智能装备产业园")
        self.assertEqual(Lead.objects.count(), 0)
        self.client.post(reverse("leads:import_job", args=[job.pk]))
        done = self.client.get(reverse("leads:import_job", args=[job.pk]))
        self.assertContains(done, "导入完成：新建 1 条，更新 0 条，未变 0 条")
        self.assertEqual(Lead.objects.get().name, "智能装备产业园")

    def test_preview_lists_new_updated_and_unchanged_rows(self):
        self.client.force_login(self.leader)
        self.client.post(
            reverse("leads:import"), {"kind": "leads", "file": upload(lead_workbook(ROW))}
        )
        self.client.post(reverse("leads:import_job", args=[ImportJob.objects.get().pk]))
        data = lead_workbook(ROW, {**ROW, "项目名称": "二期"})
        changed = lead_workbook({**ROW, "备注": "新备注"}, {**ROW, "项目名称": "二期"})
        self.client.post(reverse("leads:import"), {"kind": "leads", "file": upload(data)})
        self.client.post(reverse("leads:import_job", args=[ImportJob.objects.first().pk]))
        self.client.post(reverse("leads:import"), {"kind": "leads", "file": upload(changed)})
        preview = self.client.get(reverse("leads:import_job", args=[ImportJob.objects.first().pk]))
        self.assertEqual(
            preview.context["report"]["counts"], {"new": 0, "update": 1, "unchanged": 1, "error": 0}
        )
        self.assertContains(preview, "更新的行")
        self.assertContains(preview, "未变的行")
        self.assertContains(preview, "备注")

    def test_errors_are_listed_and_the_marked_workbook_downloads(self):
        self.client.force_login(self.leader)
        bad = lead_workbook(ROW, {**ROW, "项目名称": "二期", "签约日期": "昨天"})
        self.client.post(
            reverse("leads:import"), {"kind": "leads", "file": upload(bad, "台账.xlsx")}
        )
        job = ImportJob.objects.get()
        page = self.client.get(reverse("leads:import_job", args=[job.pk]))
        self.assertContains(page, "第3行 [签约日期] 无法识别的日期“昨天”")
        self.assertNotContains(page, "确认导入")
        response = self.client.get(reverse("leads:import_job_errors", args=[job.pk]))
        self.assertIn("%E9%94%99%E8%AF%AF%E8%AF%B4%E6%98%8E", response["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        self.assertEqual(sheet.cell(row=1, column=sheet.max_column).value, "错误说明")
        self.assertIn("无法识别的日期", sheet.cell(row=3, column=sheet.max_column).value)

    def test_preview_warns_once_about_ignored_columns(self):
        self.client.force_login(self.leader)
        headers = ["项目名称", "投资方", "所属产业", "线索来源", "当前阶段", "联系电话"]
        data = workbook_bytes(headers, [{**ROW, "联系电话": "138"}, {**ROW, "项目名称": "二期"}])
        self.client.post(reverse("leads:import"), {"kind": "leads", "file": upload(data)})
        page = self.client.get(reverse("leads:import_job", args=[ImportJob.objects.get().pk]))
        self.assertContains(page, "确认导入")
        self.assertContains(
            page, "注意：以下列不是本工作簿的列，已忽略，未导入：“联系电话”。", count=1
        )

    def test_page_lists_the_first_200_errors_and_counts_the_rest(self):
        self.client.force_login(self.leader)
        rows = [{**ROW, "项目名称": f"项目{i}", "签约日期": "昨天"} for i in range(230)]
        self.client.post(
            reverse("leads:import"), {"kind": "leads", "file": upload(lead_workbook(*rows))}
        )
        page = self.client.get(reverse("leads:import_job", args=[ImportJob.objects.get().pk]))
        self.assertContains(page, "错误（共 230 处）")
        self.assertContains(page, "无法识别的日期“昨天”", count=200)
        self.assertContains(page, "另有 30 处错误未列出")

    def test_confirming_a_finished_job_again_is_refused(self):
        self.client.force_login(self.leader)
        self.client.post(
            reverse("leads:import"), {"kind": "leads", "file": upload(lead_workbook(ROW))}
        )
        url = reverse("leads:import_job", args=[ImportJob.objects.get().pk])
        self.client.post(url)
        page = self.client.post(url, follow=True)
        self.assertContains(page, "该导入已确认过或未通过校验，不能再次确认。")
        self.assertEqual(Lead.objects.count(), 1)

    def test_chamber_workbook_through_the_same_pages(self):
        self.client.force_login(self.leader)
        data = workbook_bytes(
            ["商会名称", "类别", "所在地", "联系人", "联系电话"], [["深圳湖南商会", "异地商会"]]
        )
        self.client.post(reverse("leads:import"), {"kind": "chambers", "file": upload(data)})
        url = reverse("leads:import_job", args=[ImportJob.objects.get().pk])
        self.assertContains(self.client.get(url), "深圳湖南商会")
        self.client.post(url)
        self.assertEqual(Chamber.objects.get().kind, "hometown")

    def test_bad_file_gets_one_message(self):
        self.client.force_login(self.leader)
        self.client.post(
            reverse("leads:import"), {"kind": "leads", "file": upload(b"a,b\n1,2\n", "x.xlsx")}
        )
        page = self.client.get(reverse("leads:import_job", args=[ImportJob.objects.get().pk]))
        self.assertContains(page, "这是文本或 CSV 文件")

    def test_progress_is_served_as_json(self):
        self.client.force_login(self.leader)
        self.client.post(
            reverse("leads:import"), {"kind": "leads", "file": upload(lead_workbook(ROW))}
        )
        job = ImportJob.objects.get()
        data = self.client.get(
            reverse("leads:import_job", args=[job.pk]), {"format": "json"}
        ).json()
        self.assertEqual(
            data,
            {
                "status": "preview",
                "phase": "待确认",
                "done": 1,
                "total": 1,
                "percent": 100,
                "running": False,
            },
        )

    def test_running_job_shows_a_progress_bar(self):
        self.client.force_login(self.leader)
        job = ImportJob.objects.create(
            filename="a.xlsx",
            data=b"",
            created_by=self.leader,
            done=30,
            total=100,
            phase="正在校验",
        )
        page = self.client.get(reverse("leads:import_job", args=[job.pk]))
        self.assertContains(page, '<progress id="job-bar" max="100" value="30">')
        self.assertContains(page, "leads/import_job.js")

    def test_import_needs_its_permission_and_jobs_are_private(self):
        self.client.force_login(self.member)
        self.assertEqual(self.client.get(reverse("leads:import")).status_code, 403)
        job = ImportJob.objects.create(filename="a.xlsx", data=b"", created_by=self.leader)
        self.client.force_login(UserFactory(groups=["小分队组长"]))
        self.assertEqual(
            self.client.get(reverse("leads:import_job", args=[job.pk])).status_code, 403
        )

    def test_job_page_query_count_does_not_grow_with_rows(self):
        self.client.force_login(self.leader)
        for rows in (1, 30):
            data = lead_workbook(*[{**ROW, "项目名称": f"项目{i}"} for i in range(rows)])
            job = import_job_start(kind="leads", filename="a.xlsx", data=data, user=self.leader)
            # Session, user, job, and the user's and groups' permissions for the menu.
            with self.assertNumQueries(5):
                self.client.get(reverse("leads:import_job", args=[job.pk]))


class AdminImportTests(PageTestCase):
    def preview(self, data: bytes):
        self.client.force_login(self.leader)
        return self.client.post(
            reverse("admin:leads_lead_import"), {"format": "0", "import_file": upload(data)}
        )

    def confirm(self, preview):
        form = preview.context["confirm_form"]
        return self.client.post(
            reverse("admin:leads_lead_process_import"), form.initial, follow=True
        )

    def test_admin_import_previews_then_confirms(self):
        ChamberFactory(name="深圳湖南商会")
        preview = self.preview(
            lead_workbook({**ROW, "线索来源": "商会推介", "推介商会": "深圳湖南商会"})
        )
        self.assertEqual(preview.status_code, 200)
        self.assertEqual(preview.context["result"].totals["new"], 1)
        self.assertEqual(Lead.objects.count(), 0)
        done = self.confirm(preview)
        self.assertContains(done, "导入完成：新建 1 条")
        lead = Lead.objects.get()
        self.assertEqual(lead.chamber.name, "深圳湖南商会")
        self.assertEqual(lead.transitions.get().channel, "import")

    def test_admin_preview_shows_row_errors_and_offers_no_confirm(self):
        preview = self.preview(
            lead_workbook(ROW, {**ROW, "项目名称": "二期", "所属产业": "造火箭"})
        )
        result = preview.context["result"]
        self.assertTrue(result.has_validation_errors())
        self.assertNotIn("confirm_form", preview.context)
        self.assertContains(preview, "第3行：系统中没有名为“造火箭”的产业")

    def test_admin_preview_names_error_values_and_accepts_fewer_columns(self):
        headers = ["项目名称", "投资方", "所属产业", "线索来源", "当前阶段", "签约日期"]
        row = {**ROW, "当前阶段": "签约", "签约日期": "#VALUE!"}
        preview = self.preview(workbook_bytes(headers, [row]))
        self.assertTrue(preview.context["result"].has_validation_errors())
        self.assertContains(preview, "第2行：单元格是 Excel 错误值 #VALUE!")
        self.assertEqual(Lead.objects.count(), 0)

    def test_admin_confirm_rolls_back_when_a_row_fails_after_the_preview(self):
        chamber = ChamberFactory(name="深圳湖南商会")
        preview = self.preview(
            lead_workbook(
                ROW, {**ROW, "项目名称": "二期", "线索来源": "商会推介", "推介商会": "深圳湖南商会"}
            )
        )
        chamber.name = "深圳湖南商会（已更名）"
        chamber.save()
        done = self.confirm(preview)
        self.assertContains(done, "导入失败，未写入任何数据")
        self.assertEqual(Lead.objects.count(), 0)

    def test_admin_export_writes_the_workbook_with_escaping_and_date_cells(self):
        make_lead(stage="signed", name="=1+1", signed_on=date(2026, 3, 5))
        self.client.force_login(self.leader)
        form = self.client.get(reverse("admin:leads_lead_export")).context["form"]
        data = {name: "on" for name in form.fields if name not in ("export_items",)}
        data.update({"format": "0", "resource": "0"})
        response = self.client.post(reverse("admin:leads_lead_export"), data)
        sheet = load_workbook(io.BytesIO(response.content)).active
        self.assertEqual(sheet["A1"].value, "项目编号")
        self.assertEqual(sheet["B2"].value, "'=1+1")
        signed_on = [cell.value for cell in sheet[1]].index("签约日期")
        self.assertTrue(sheet.cell(row=2, column=signed_on + 1).is_date)

    def test_admin_import_needs_the_import_permission(self):
        staff = UserFactory(groups=["小分队队员"], is_staff=True)
        self.client.force_login(staff)
        self.assertEqual(self.client.get(reverse("admin:leads_lead_import")).status_code, 403)
