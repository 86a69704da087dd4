"""The report page in a real headless Chromium: the chart renders, a bar leads to its leads."""

import os
from datetime import date
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from openpyxl import load_workbook

from leads.models import Lead
from leads.reports.monthly import monthly_report_build
from leads.reports.period import Period
from tests.factories import UserFactory
from tests.leads.reports.scenario import LeadMaker, load_reference

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
class MonthlyReportBrowserTests(StaticLiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        # Playwright's sync API runs an event loop in this thread; the ORM calls
        # made by the test itself happen outside it.
        cls.async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        if cls.async_unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = cls.async_unsafe

    def setUp(self):
        load_reference()
        LeadMaker(seed=31).random_leads(30, date(2025, 1, 1), date(2025, 12, 31))
        self.open_as(UserFactory(groups=["只读"]))

    def open_as(self, user):
        self.client.force_login(user)
        self.context = self.browser.new_context()
        self.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": self.client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": self.live_server_url,
                }
            ]
        )
        self.page = self.context.new_page()

    def tearDown(self):
        self.context.close()

    def test_chart_bar_opens_the_leads_signed_that_month(self):
        report = monthly_report_build(Period.month(2025, 8))
        month = max(report.trend, key=lambda point: point.signed.count)
        self.assertGreater(month.signed.count, 0)
        self.page.goto(f"{self.live_server_url}/reports/monthly/?month=2025-08")
        chart = self.page.locator("svg.trend-chart").first
        self.assertTrue(chart.is_visible())
        self.assertGreater(chart.bounding_box()["width"], 600)
        start, end = month.period.start, month.period.end
        bar = chart.locator(
            f'a[href*="signed_on_after={start}"][href*="signed_on_before={end}"] rect'
        )
        bar.click()
        self.page.wait_for_url("**/leads/?*")
        self.assertIn(f"signed_on_after={month.period.start}", self.page.url)
        text = self.page.content()
        expected = Lead.objects.signed_between(month.period.start, month.period.end).values_list(
            "code", flat=True
        )
        self.assertEqual(len(expected), month.signed.count)
        for code in expected:
            self.assertIn(code, text)

    def test_director_locks_a_month_and_sees_the_locked_mark(self):
        self.context.close()
        self.open_as(UserFactory(groups=["局领导"]))
        self.page.goto(f"{self.live_server_url}/reports/monthly/?month=2025-08")
        self.assertEqual(self.page.locator(".locked-mark").count(), 0)
        self.page.fill(".lock-form input[name=reason]", "上报市局")
        self.page.click(".lock-form button")
        self.page.wait_for_selector(".locked-mark")
        mark = self.page.locator(".locked-mark").inner_text()
        self.assertIn("已封存", mark)
        self.assertIn("第 1 版", mark)
        self.assertIn("上报市局", self.page.locator("#versions").inner_text())

    def test_past_the_rows_shown_the_backlog_list_downloads_every_waiting_project(self):
        codes = [row.code for row in monthly_report_build(Period.month(2025, 12)).backlog]
        self.assertGreater(len(codes), 1)
        with mock.patch("leads.reports.page.BACKLOG_ROWS_SHOWN", 1):
            self.page.goto(f"{self.live_server_url}/reports/monthly/?month=2025-12")
        self.assertEqual(self.page.locator("#backlog tbody tr").count(), 1)
        with self.page.expect_download() as download:
            self.page.click("#backlog-list")
        self.assertEqual(download.value.suggested_filename, "签约未落地清单_2025-12.xlsx")
        with open(download.value.path(), "rb") as file:
            sheet = load_workbook(file)["签约未落地"]
        self.assertEqual([sheet.cell(r, 2).value for r in range(4, 4 + len(codes))], codes)
