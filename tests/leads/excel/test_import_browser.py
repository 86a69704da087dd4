"""The import job page in a real headless Chromium: the progress bar follows the job."""

import os

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.management import call_command
from django.urls import reverse

from leads.models import ImportJob
from tests.factories import UserFactory

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
class ImportProgressBrowserTests(StaticLiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        from playwright.sync_api import sync_playwright

        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"]
        )

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def setUp(self):
        call_command("loaddata", "reference", verbosity=0)
        self.user = UserFactory(groups=["局领导"])
        self.client.force_login(self.user)
        # Playwright's wait_for_function evaluates a string in the page, which the
        # Content-Security-Policy forbids (no 'unsafe-eval'); tests/browser/test_csp.py
        # checks the policy.
        self.context = self.browser.new_context(bypass_csp=True)
        self.context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": self.client.cookies["sessionid"].value,
                    "url": self.live_server_url,
                }
            ]
        )
        self.page = self.context.new_page()

    def tearDown(self):
        self.context.close()

    def test_progress_bar_follows_the_job_then_shows_the_preview(self):
        job = ImportJob.objects.create(
            filename="台账.xlsx",
            data=b"",
            created_by=self.user,
            done=30,
            total=100,
            phase="正在校验",
        )
        self.page.goto(self.live_server_url + reverse("leads:import_job", args=[job.pk]))
        bar = self.page.locator("#job-bar")
        self.assertEqual(bar.get_attribute("value"), "30")

        ImportJob.objects.filter(pk=job.pk).update(done=60)
        self.page.wait_for_function("document.getElementById('job-bar').value === 60")
        self.assertEqual(self.page.locator("#job-count").inner_text(), "60 / 100")

        report = {
            "counts": {"new": 100, "update": 0, "unchanged": 0, "error": 0},
            "summary": "新建 100 条，更新 0 条，未变 0 条（预检，未写入）",
            "samples": {},
            "errors": [],
        }
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.PREVIEW, done=100, phase="待确认", report=report
        )
        self.page.get_by_role("button", name="确认导入").wait_for()
        self.assertEqual(self.page.locator("#job-status").inner_text(), "待确认")
