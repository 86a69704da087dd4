"""The import job page says plainly when no worker has picked the job up."""

from datetime import timedelta

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from crm.worker import DATABASE_BACKEND
from leads.excel.jobs import import_job_start
from tests.factories import UserFactory
from tests.workbooks import lead_workbook

ROW = {
    "项目名称": "智能装备产业园",
    "投资方": "深圳华创集团有限公司",
    "所属产业": "信息技术",
    "线索来源": "自主对接",
}


@override_settings(TASKS={"default": {"BACKEND": DATABASE_BACKEND}})
class WorkerNoticeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        cls.leader = UserFactory(groups=["局领导"])

    def setUp(self):
        self.client.force_login(self.leader)
        self.job = import_job_start(
            kind="leads", filename="台账.xlsx", data=lead_workbook(ROW), user=self.leader
        )
        self.url = reverse("leads:import_job", args=[self.job.pk]) + "?format=json"

    def age_queue(self, seconds):
        DBTaskResult.objects.update(
            enqueued_at=DBTaskResult.objects.get().enqueued_at - timedelta(seconds=seconds)
        )

    def test_job_just_queued_has_no_notice(self):
        state = self.client.get(self.url).json()
        self.assertEqual(state["status"], "validating")
        self.assertNotIn("notice", state)

    def test_job_waiting_for_a_worker_says_so_in_chinese(self):
        self.age_queue(12)
        notice = self.client.get(self.url).json()["notice"]
        self.assertIn("任务已排队 12 秒仍未开始", notice)
        self.assertIn("python manage.py db_worker", notice)
        self.assertIn("make run", notice)

    def test_no_notice_once_a_worker_has_claimed_the_job(self):
        self.age_queue(30)
        DBTaskResult.objects.get().claim("worker-1")
        self.assertNotIn("notice", self.client.get(self.url).json())

    def test_worker_runs_the_queued_job_to_the_preview(self):
        # What db_worker does with a queued task (the command itself closes the database
        # connection between tasks, which a TestCase's transaction cannot survive).
        queued = DBTaskResult.objects.get()
        queued.claim("worker-1")
        self.assertEqual(queued.task.func.__name__, "run_import_job")
        queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
        state = self.client.get(self.url).json()
        self.assertEqual(state["status"], "preview")
        self.assertNotIn("notice", state)

    def test_page_has_the_notice_box_the_script_fills(self):
        page = self.client.get(reverse("leads:import_job", args=[self.job.pk]))
        self.assertContains(page, 'id="job-notice"')
