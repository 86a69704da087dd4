"""Locked reports (封存): served byte for byte after later changes; re-locking keeps versions."""

import io
import json
from datetime import date
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from leads.models import Lead, ReportSnapshot
from leads.reports.locks import LockError, report_lock
from leads.reports.period import Period
from tests.factories import UserFactory
from tests.leads.reports.scenario import LeadMaker, load_reference, moment

MONTH = Period.month(2025, 3)


class ReportLockTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()
        cls.maker = maker = LeadMaker(seed=5)
        maker.random_leads(20, date(2025, 1, 1), date(2025, 6, 30))
        cls.signed = maker.sign(maker.contact(moment(date(2025, 3, 1))), moment(date(2025, 3, 5)))
        cls.director = maker.director

    def setUp(self):
        self.client.force_login(self.director)

    def fetch(self, name, **extra):
        return self.client.get(reverse(f"reports:{name}"), {"month": "2025-03", **extra})

    def test_locked_json_and_workbook_stay_byte_identical_after_lead_changes(self):
        self.client.post(reverse("reports:monthly_lock") + "?month=2025-03", {"reason": "上报市局"})
        json_before, xlsx_before = (
            self.fetch("monthly_json").content,
            self.fetch("monthly_xlsx").content,
        )
        data = json.loads(json_before)
        self.assertTrue(data["locked"])
        self.assertEqual(data["version"], 1)
        self.assertTrue(data["locked_at"])
        # A correction removes the March signing: the live figures move, the locked ones do not.
        self.maker.correct(Lead.objects.get(pk=self.signed.pk), timezone.now())
        self.maker.drop(Lead.objects.filter(stage="signed").first(), timezone.now())
        self.assertEqual(self.fetch("monthly_json").content, json_before)
        self.assertEqual(self.fetch("monthly_xlsx").content, xlsx_before)
        live = json.loads(self.fetch("monthly_json", live="1").content)
        self.assertFalse(live["locked"])
        self.assertEqual(
            live["month_totals"]["signed"]["count"], data["month_totals"]["signed"]["count"] - 1
        )
        page = self.fetch("monthly")
        self.assertContains(page, "已封存")
        self.assertContains(page, "第 1 版")

    def test_relocking_needs_a_reason_and_keeps_both_versions(self):
        first = report_lock(period=MONTH, actor=self.director)
        with self.assertRaises(LockError):
            report_lock(period=MONTH, actor=self.director, reason=" ")
        self.maker.correct(Lead.objects.get(pk=self.signed.pk), timezone.now())
        second = report_lock(period=MONTH, actor=self.director, reason="更正误录后重报")
        self.assertEqual([s.version for s in ReportSnapshot.objects.all()], [2, 1])
        old = self.fetch("monthly_json", version="1").content
        self.assertEqual(old.decode(), first.json_text)
        self.assertEqual(self.fetch("monthly_xlsx", version="1").content, bytes(first.workbook))
        self.assertEqual(self.fetch("monthly_json").content.decode(), second.json_text)
        self.assertContains(self.fetch("monthly"), "更正误录后重报")

    def test_a_locked_version_keeps_the_whole_backlog_and_its_list_is_that_workbook(self):
        codes = [row["code"] for row in json.loads(self.fetch("monthly_json").content)["backlog"]]
        self.assertGreater(len(codes), 1)
        with (
            mock.patch("leads.reports.workbook.LISTED_ROWS", 1),
            mock.patch("leads.reports.page.BACKLOG_ROWS_SHOWN", 1),
        ):
            self.assertIn('id="backlog-list"', self.fetch("monthly").content.decode())
            report_lock(period=MONTH, actor=self.director)
            page = self.fetch("monthly").content.decode()
            listed = self.fetch("monthly_backlog_xlsx")
        self.assertIn("完整清单见本版本的Excel通报", page)
        self.assertNotIn('id="backlog-list"', page)
        self.assertRedirects(
            listed,
            f"{reverse('reports:monthly_xlsx')}?month=2025-03",
            fetch_redirect_response=False,
        )
        sheet = load_workbook(io.BytesIO(self.fetch("monthly_xlsx").content))["签约未落地"]
        self.assertEqual([sheet.cell(r, 2).value for r in range(4, 4 + len(codes))], codes)
        self.assertEqual(sheet.cell(4 + len(codes), 1).value, "合计")
        live = load_workbook(io.BytesIO(self.fetch("monthly_backlog_xlsx", live="1").content))
        self.assertEqual(live.sheetnames, ["签约未落地"])

    def test_a_version_that_is_no_number_serves_the_newest(self):
        report_lock(period=MONTH, actor=self.director)
        for version in ("²", "٣", "9" * 30, "-1", "1.0"):
            with self.subTest(version=version):
                response = self.fetch("monthly_json", version=version)
                self.assertEqual(json.loads(response.content)["version"], 1)

    def test_date_ranges_lock_too(self):
        report_lock(period=Period(date(2025, 3, 1), date(2025, 3, 10)), actor=self.director)
        response = self.client.get(
            reverse("reports:monthly_json"), {"from": "2025-03-01", "to": "2025-03-10"}
        )
        self.assertTrue(json.loads(response.content)["locked"])
        self.assertFalse(json.loads(self.fetch("monthly_json").content)["locked"])

    def test_only_directors_lock(self):
        self.client.force_login(UserFactory(groups=["小分队组长"]))
        response = self.client.post(reverse("reports:monthly_lock") + "?month=2025-03")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(ReportSnapshot.objects.exists())

    def test_command_locks_serves_locked_and_live(self):
        call_command(
            "monthly_report", "2025-03", "--lock", "--reason", "上报", stderr=io.StringIO()
        )
        with self.assertRaisesMessage(CommandError, "须说明原因"):
            call_command("monthly_report", "2025-03", "--lock", stderr=io.StringIO())
        out = io.StringIO()
        call_command("monthly_report", "2025-03", stdout=out)
        self.assertTrue(json.loads(out.getvalue())["locked"])
        out = io.StringIO()
        call_command("monthly_report", "2025-03", "--live", stdout=out)
        self.assertFalse(json.loads(out.getvalue())["locked"])
