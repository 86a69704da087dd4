"""Every import and export is logged, whatever the entry point: commands, admin, pages, jobs."""

import getpass
import io
import shutil
import tempfile
from datetime import date
from pathlib import Path
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from aftercare.excel.columns import LEDGER
from audit.models import AuditEvent
from chambers.models import Chamber
from leads.choices import Node, Stage
from leads.excel.jobs import import_job_confirm, import_job_start
from leads.excel.targets import TargetImporter
from leads.models import ImportJob, Lead
from leads.services import lead_plan_node, lead_set_key
from tests.aftercare.helpers import make_problem
from tests.audit.test_audit_log import ROW, AuditTestCase
from tests.factories import ChamberFactory, EntrepreneurFactory, make_lead
from tests.workbooks import lead_workbook, workbook_bytes

Kind = AuditEvent.Kind
OS_USER = f"命令行（{getpass.getuser()}）"
CHAMBER_HEADERS = ["商会名称", "类别", "所在地", "联系人", "联系电话"]
TARGET_HEADERS = [column.header for column in TargetImporter().columns()]


def event_of(kind) -> AuditEvent:
    """Return the only audit event of `kind` (fails when there is none or several)."""
    return AuditEvent.objects.get(kind=kind)


class CommandTestCase(AuditTestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dir)

    def file(self, name: str, data: bytes | None = None) -> Path:
        path = self.dir / name
        if data is not None:
            path.write_bytes(data)
        return path

    def call(self, *args, **options):
        call_command(*args, verbosity=0, stdout=io.StringIO(), stderr=io.StringIO(), **options)

    def round_trip(self, kind: str, rows: int):
        """Export `kind` by command, import the file back; check both events."""
        path = self.file(f"{kind}.xlsx")
        self.call(f"export_{kind}", "--out", str(path))
        self.call(f"import_{kind}", str(path))
        exported, imported = event_of(Kind.EXPORT), event_of(Kind.IMPORT)
        for event in (exported, imported):
            self.assertEqual(
                (event.subject, event.rows, event.channel, event.username, event.user),
                (kind, rows, "command", OS_USER, None),
            )
            self.assertEqual(event.filename, f"{kind}.xlsx")
        self.assertIn(f"未变 {rows} 条", imported.note)


class ImportCommandTests(CommandTestCase):
    def test_import_leads_logs_rows_file_and_the_os_user(self):
        path = self.file("三月台账.xlsx", lead_workbook(ROW, {**ROW, "项目名称": "二期"}))
        self.call("import_leads", str(path))
        event = event_of(Kind.IMPORT)
        self.assertEqual(
            (event.subject, event.rows, event.channel, event.filename, event.username),
            ("leads", 2, "command", "三月台账.xlsx", OS_USER),
        )
        self.assertIn("新建 2 条", event.note)

    def test_import_as_a_user_names_that_user(self):
        path = self.file("a.xlsx", lead_workbook(ROW))
        self.call("import_leads", str(path), "--user", "juzhang")
        event = event_of(Kind.IMPORT)
        self.assertEqual((event.user, event.username), (self.leader, "juzhang"))

    def test_refused_import_is_logged_with_no_rows_and_the_first_error(self):
        path = self.file("坏.xlsx", lead_workbook({**ROW, "所属产业": "造火箭"}))
        with self.assertRaises(CommandError):
            self.call("import_leads", str(path))
        event = event_of(Kind.IMPORT)
        self.assertEqual((event.rows, event.filename), (0, "坏.xlsx"))
        self.assertEqual(
            event.note, "导入失败：第2行 [所属产业] 系统中没有名为“造火箭”的产业（或产业别名）。"
        )

    def test_dry_run_is_not_an_import(self):
        path = self.file("a.xlsx", lead_workbook(ROW))
        self.call("import_leads", str(path), "--dry-run")
        self.assertFalse(AuditEvent.objects.exists())


class RoundTripCommandTests(CommandTestCase):
    def test_chambers(self):
        ChamberFactory(name="深圳湖南商会")
        ChamberFactory(name="广东湖南商会")
        self.round_trip("chambers", 2)

    def test_entrepreneurs(self):
        EntrepreneurFactory(name="张三")
        self.round_trip("entrepreneurs", 1)

    def test_targets(self):
        # The importer called directly (no entry point) announces nothing.
        TargetImporter().run(
            workbook_bytes(TARGET_HEADERS, [[2026, None, None, None, None, 40, 12000, 25, 80000]])
        )
        self.assertFalse(AuditEvent.objects.exists())
        self.round_trip("targets", 1)

    def test_problems(self):
        make_problem()
        make_problem(description="厂房供电容量不足")
        self.round_trip("problems", 2)


class ExportCommandTests(CommandTestCase):
    def test_export_leads_records_its_options_as_the_filter(self):
        make_lead(name="甲项目", stage=Stage.SIGNED)
        make_lead(name="乙项目")
        path = self.file("签约.xlsx")
        self.call("export_leads", "--out", str(path), "--stage", "signed", "--q", "项目")
        event = event_of(Kind.EXPORT)
        self.assertEqual(
            (event.subject, event.rows, event.channel, event.query),
            ("leads", 1, "command", "--stage signed --q 项目"),
        )

    def test_export_problems_ledger_is_the_monthly_ledger(self):
        make_problem(raised_on=date(2026, 3, 5))
        path = self.file("台账.xlsx")
        self.call("export_problems", "--out", str(path), "--ledger", "--month", "2026-03")
        event = event_of(Kind.EXPORT)
        self.assertEqual(
            (event.subject, event.rows, event.query),
            ("problem_ledger", 1, "--month 2026-03 --ledger"),
        )

    def test_monthly_report_workbook_and_json(self):
        make_lead(stage=Stage.SIGNED, signed_on=date(2026, 3, 5), contract_amount=5000)
        path = self.file("月报.xlsx")
        self.call("monthly_report", "2026-03", "--format", "xlsx", "--out", str(path))
        self.call("monthly_report", "2026-03")
        workbook, json = AuditEvent.objects.filter(kind=Kind.EXPORT).order_by("id")
        self.assertEqual(
            (workbook.subject, workbook.rows, workbook.query, workbook.filename),
            ("monthly_report", 1, "2026-03 --format xlsx", "月报.xlsx"),
        )
        self.assertEqual((json.query, json.filename), ("2026-03", ""))
        self.assertIn("输出到标准输出", json.note)
        self.assertEqual(json.channel, "command")


class AdminTests(AuditTestCase):
    def test_admin_export_logs_user_address_filter_and_rows(self):
        make_lead(name="甲", stage=Stage.SIGNED)
        make_lead(name="乙")
        self.force_login_quietly(self.leader)
        url = reverse("admin:leads_lead_export") + "?stage__exact=signed"
        form = self.client.get(url).context["form"]
        data = {name: "on" for name in form.fields if name != "export_items"}
        data.update({"format": "0", "resource": "0"})
        self.client.post(url, data, REMOTE_ADDR="10.2.3.4")
        event = event_of(Kind.EXPORT)
        self.assertEqual(
            (event.user, event.ip_address, event.channel, event.subject, event.rows),
            (self.leader, "10.2.3.4", "admin", "leads", 1),
        )
        self.assertEqual(event.query, "stage__exact=signed")

    def preview(self, data: bytes):
        return self.client.post(
            reverse("admin:chambers_chamber_import"),
            {"format": "0", "import_file": SimpleUploadedFile("商会.xlsx", data)},
        )

    def test_admin_confirmed_import_is_logged_and_the_preview_is_not(self):
        self.force_login_quietly(self.leader)
        preview = self.preview(workbook_bytes(CHAMBER_HEADERS, [["深圳湖南商会", "异地商会"]]))
        self.assertFalse(AuditEvent.objects.exists())
        self.client.post(
            reverse("admin:chambers_chamber_process_import"),
            preview.context["confirm_form"].initial,
            REMOTE_ADDR="10.2.3.5",
        )
        self.assertTrue(Chamber.objects.exists())
        event = event_of(Kind.IMPORT)
        self.assertEqual(
            (event.user, event.ip_address, event.channel, event.subject, event.rows),
            (self.leader, "10.2.3.5", "admin", "chambers", 1),
        )
        self.assertEqual(event.filename, "商会.xlsx")

    def test_admin_confirm_refused_after_the_preview_is_logged_with_no_rows(self):
        chamber = ChamberFactory(name="深圳湖南商会")
        self.force_login_quietly(self.leader)
        data = lead_workbook({**ROW, "线索来源": "商会推介", "推介商会": "深圳湖南商会"})
        preview = self.client.post(
            reverse("admin:leads_lead_import"),
            {"format": "0", "import_file": SimpleUploadedFile("台账.xlsx", data)},
        )
        chamber.name = "深圳湖南商会（已更名）"
        chamber.save()
        self.client.post(
            reverse("admin:leads_lead_process_import"), preview.context["confirm_form"].initial
        )
        event = event_of(Kind.IMPORT)
        self.assertEqual((event.rows, event.channel, event.user), (0, "admin", self.leader))
        self.assertTrue(event.note.startswith("导入失败：第2行 [推介商会]"), event.note)


class ReportDownloadTests(AuditTestCase):
    def test_workbook_and_json_downloads_are_logged_with_the_period(self):
        make_lead(stage=Stage.SIGNED, signed_on=date(2026, 3, 5), contract_amount=5000)
        self.force_login_quietly(self.leader)
        self.client.get(reverse("reports:monthly_xlsx"), {"month": "2026-03"})
        self.client.get(reverse("reports:monthly_json"), {"month": "2026-03"})
        workbook, json = AuditEvent.objects.filter(kind=Kind.EXPORT).order_by("id")
        for event in (workbook, json):
            self.assertEqual(
                (event.user, event.channel, event.subject, event.rows, event.query),
                (self.leader, "web", "monthly_report", 1, "month=2026-03"),
            )
        self.assertEqual(workbook.filename, "签约落地通报_2026-03.xlsx")
        self.assertEqual(json.note, "JSON")

    def test_a_workbook_cut_short_counts_the_rows_it_holds(self):
        for day in (5, 6, 7):
            make_lead(stage=Stage.SIGNED, signed_on=date(2026, 3, day), contract_amount=5000)
        self.force_login_quietly(self.leader)
        with mock.patch("leads.reports.workbook.LISTED_ROWS", 2):
            self.client.get(reverse("reports:monthly_xlsx"), {"month": "2026-03"})
            self.client.get(reverse("reports:monthly_backlog_xlsx"), {"month": "2026-03"})
        workbook, listed = AuditEvent.objects.filter(kind=Kind.EXPORT).order_by("id")
        self.assertEqual((workbook.rows, workbook.note), (2, ""))
        self.assertEqual((listed.rows, listed.note), (3, "签约未落地清单"))
        self.assertEqual(listed.filename, "签约未落地清单_2026-03.xlsx")

    def test_the_supervision_and_key_project_downloads_are_logged(self):
        lead = make_lead(stage=Stage.INTENT)
        lead_plan_node(lead=lead, node=Node.SIGNED, on=date(2026, 1, 5), actor=self.leader)
        lead_set_key(lead=Lead.objects.get(pk=lead.pk), is_key=True, actor=self.leader)
        self.force_login_quietly(self.leader)
        self.client.get(reverse("leads:overdue_nodes_export"))
        self.client.get(reverse("leads:key_projects_export"), {"year": "2026"})
        overdue, key = AuditEvent.objects.filter(kind=Kind.EXPORT).order_by("id")
        self.assertEqual(
            (overdue.subject, overdue.rows, overdue.user), ("overdue_nodes", 1, self.leader)
        )
        self.assertEqual(overdue.subject_label, "督办清单")
        self.assertEqual(
            (key.subject, key.rows, key.filename), ("key_projects", 1, "重点项目推进表_2026.xlsx")
        )
        self.assertEqual(key.subject_label, "重点项目推进表")

    def test_a_refused_period_is_not_an_export(self):
        self.force_login_quietly(self.leader)
        response = self.client.get(reverse("reports:monthly_xlsx"), {"month": "2026-13"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(AuditEvent.objects.exists())


class ImportJobTests(AuditTestCase):
    def test_refused_confirm_is_logged_and_the_error_workbook_download_too(self):
        chamber = ChamberFactory(name="深圳湖南商会")
        data = lead_workbook({**ROW, "线索来源": "商会推介", "推介商会": "深圳湖南商会"})
        job = import_job_start(kind="leads", filename="台账.xlsx", data=data, user=self.leader)
        chamber.name = "深圳湖南商会（已更名）"
        chamber.save()
        self.assertEqual(import_job_confirm(job).status, ImportJob.Status.INVALID)
        event = event_of(Kind.IMPORT)
        self.assertEqual((event.rows, event.user, event.channel), (0, self.leader, "web"))
        self.assertIn("推介商会", event.note)
        self.force_login_quietly(self.leader)
        self.client.get(reverse("leads:import_job_errors", args=[job.pk]))
        download = event_of(Kind.EXPORT)
        self.assertEqual(
            (download.subject, download.rows, download.filename),
            ("leads", 1, "台账-错误说明.xlsx"),
        )


class AftercarePageTests(AuditTestCase):
    def ledger(self, *rows) -> bytes:
        headers = [column.header for column in LEDGER]
        return workbook_bytes(headers, rows, title="企业诉求")

    def post(self, data: bytes, action: str):
        return self.client.post(
            reverse("aftercare:import"),
            {"file": SimpleUploadedFile("诉求.xlsx", data), "action": action},
        )

    def test_export_and_monthly_ledger_are_logged(self):
        make_problem(raised_on=date(2026, 3, 5))
        self.force_login_quietly(self.leader)
        self.client.get(reverse("aftercare:export"), {"status": "open"})
        self.client.get(reverse("aftercare:ledger"), {"month": "2026-03"})
        export, ledger = AuditEvent.objects.filter(kind=Kind.EXPORT).order_by("id")
        self.assertEqual(
            (export.subject, export.rows, export.query, export.channel),
            ("problems", 1, "status=open", "web"),
        )
        self.assertEqual(
            (ledger.subject, ledger.rows, ledger.query), ("problem_ledger", 1, "month=2026-03")
        )
        self.assertEqual(ledger.filename, "企业诉求台账_2026-03.xlsx")

    def test_import_is_logged_the_check_is_not_and_a_refusal_is(self):
        row = {
            "企业名称": "洛阳华创智能装备有限公司",
            "反映日期": "2026-03-05",
            "反映渠道": "走访",
            "诉求类别": "用地",
            "诉求内容": "新增用地指标尚未落实",
            "责任单位": "信息研判组",
        }
        self.force_login_quietly(self.leader)
        self.post(self.ledger(row), "check")
        self.assertFalse(AuditEvent.objects.exists())
        self.post(self.ledger(row), "import")
        self.post(self.ledger({**row, "反映日期": "3月5号"}), "import")
        done, refused = AuditEvent.objects.filter(kind=Kind.IMPORT).order_by("id")
        self.assertEqual(
            (done.subject, done.rows, done.user, done.filename, done.channel),
            ("problems", 1, self.leader, "诉求.xlsx", "web"),
        )
        self.assertEqual(refused.rows, 0)
        self.assertTrue(refused.note.startswith("导入失败：第2行 [反映日期]"), refused.note)
        self.client.get(reverse("aftercare:import_errors"))
        self.assertEqual(event_of(Kind.EXPORT).filename, "错误说明_诉求.xlsx")
