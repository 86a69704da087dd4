"""The ledger admin: Chinese pages, the status read-only, saves through the services."""

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from aftercare.excel.columns import LEDGER
from aftercare.models import CategoryDeadline, Enterprise, Problem
from tests.aftercare.helpers import load_reference, make_problem
from tests.factories import UserFactory
from tests.workbooks import read_back, workbook_bytes


class AdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()
        cls.admin = User.objects.create_superuser("root", "root@example.com", "pw-123456789")

    def setUp(self):
        self.client.force_login(self.admin)

    def test_list_pages_are_chinese(self):
        make_problem()
        for model in (Enterprise, Problem, CategoryDeadline):
            opts = model._meta
            page = self.client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
            self.assertContains(page, str(opts.verbose_name_plural))

    def test_editing_a_problem_bumps_its_version_and_cannot_touch_the_status(self):
        problem = make_problem()
        url = reverse("admin:aftercare_problem_change", args=[problem.pk])
        form = self.client.get(url).context["adminform"].form
        self.assertNotIn("status", form.fields)
        data = {name: form.initial.get(name) or "" for name in form.fields}
        data.update(
            description="改过的诉求内容",
            raised_on=problem.raised_on.isoformat(),
            deadline=problem.deadline.isoformat(),
            enterprise=problem.enterprise_id,
            responsible_team=problem.responsible_team_id,
        )
        data.update({"changes-TOTAL_FORMS": 0, "changes-INITIAL_FORMS": 0})
        response = self.client.post(url, data)
        self.assertEqual(
            response.status_code,
            302,
            getattr(response, "context", None) and response.context["adminform"].form.errors,
        )
        stored = Problem.objects.get()
        self.assertEqual((stored.description, stored.version), ("改过的诉求内容", 1))
        self.assertEqual(stored.status, "open")


class ImportPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()
        cls.leader = UserFactory(groups=["小分队组长"])

    def test_a_refused_upload_offers_the_error_workbook_then_imports_when_fixed(self):
        self.client.force_login(self.leader)
        headers = [column.header for column in LEDGER]
        good = {
            "企业名称": "本区甲公司",
            "反映日期": "2026-03-05",
            "反映渠道": "电话",
            "诉求类别": "用工",
            "诉求内容": "招工难",
            "责任单位": "信息研判组",
        }
        bad = workbook_bytes(headers, [good | {"反映日期": "昨天"}], title="企业诉求")
        upload = SimpleUploadedFile("台账.xlsx", bad)
        page = self.client.post(reverse("aftercare:import"), {"file": upload, "action": "import"})
        self.assertContains(page, "第2行 [反映日期]")
        self.assertContains(page, reverse("aftercare:import_errors"))
        errors = self.client.get(reverse("aftercare:import_errors"))
        rows = read_back(b"".join(errors.streaming_content))
        self.assertIn("错误说明", rows[0])
        self.assertFalse(Problem.objects.exists())
        fixed = SimpleUploadedFile("台账.xlsx", workbook_bytes(headers, [good], title="企业诉求"))
        page = self.client.post(reverse("aftercare:import"), {"file": fixed, "action": "import"})
        self.assertContains(page, "新建 1 条")
        self.assertEqual(Problem.objects.count(), 1)
