"""Writers at the same time: real threads creating leads and importing overlapping ledgers."""

import threading
from unittest import mock

from django.db import connection
from django.test import TestCase, TransactionTestCase

from leads.excel.lead_importer import LeadImporter
from leads.models import Industry, Lead
from leads.services import lifecycle
from tests.factories import make_lead
from tests.workbooks import lead_workbook

ROW = {
    "所属产业": "信息技术",
    "线索来源": "自主对接",
}


def run_in_threads(count: int, work) -> list:
    """Run `work(index)` in `count` threads started together; return results or exceptions."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(index):
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as error:  # the test asserts there is none
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


class ConcurrentCreationTests(TransactionTestCase):
    fixtures = ["reference"]

    def test_eight_simultaneous_creations_all_get_their_own_code(self):
        industry = Industry.objects.first()

        def create(index):
            return make_lead(name=f"并发项目{index}", industry=industry).code

        results = run_in_threads(8, create)
        errors = [result for result in results if isinstance(result, Exception)]
        self.assertEqual(errors, [])
        self.assertEqual(len(set(results)), 8)
        self.assertEqual(Lead.objects.count(), 8)


class CodeRetryTests(TestCase):
    fixtures = ["reference"]

    def test_creation_takes_the_next_code_when_another_writer_took_its_code(self):
        first = make_lead(name="先建的")
        real = lifecycle.lead_code_next
        stale = iter([[first.code], [first.code], [first.code]])

        def next_code(*, year, count=1):
            # What a writer that read the last code before `first` was saved sees.
            return next(stale, None) or real(year=year, count=count)

        with mock.patch.object(lifecycle, "lead_code_next", side_effect=next_code):
            lead = make_lead(name="后建的")
        self.assertNotEqual(lead.code, first.code)
        self.assertEqual(Lead.objects.count(), 2)


class ConcurrentImportTests(TransactionTestCase):
    fixtures = ["reference"]

    def test_two_overlapping_imports_give_one_success_and_one_refusal(self):
        rows = [{**ROW, "项目名称": f"项目{i}", "投资方": f"投资方{i}"} for i in range(30)]
        files = [lead_workbook(*rows[:20]), lead_workbook(*rows[10:])]
        validated = threading.Barrier(2)
        plan = LeadImporter.plan

        def plan_then_wait(self, *args, **kwargs):
            # Both imports validate before either writes: the overlap the
            # checks inside the write transaction must catch.
            result = plan(self, *args, **kwargs)
            validated.wait(timeout=30)
            return result

        with mock.patch.object(LeadImporter, "plan", plan_then_wait):
            reports = run_in_threads(2, lambda i: LeadImporter().run(files[i]))

        self.assertFalse(any(isinstance(report, Exception) for report in reports), reports)
        self.assertEqual(sorted(report.ok for report in reports), [False, True])
        refused = next(report for report in reports if not report.ok)
        self.assertFalse(refused.written)
        lines = refused.error_lines()
        self.assertEqual(len(lines), 10, lines)
        self.assertTrue(all("已在您导入期间由他人（或另一次导入）新建" in line for line in lines))
        written = next(report for report in reports if report.ok)
        self.assertEqual(Lead.objects.count(), 20)
        self.assertEqual(written.counts["new"], 20)
        self.assertEqual(Lead.objects.values("code").distinct().count(), 20)
        self.assertEqual(Lead.objects.values("investor", "name").distinct().count(), 20)

    def test_an_import_renumbers_codes_a_web_creation_took_meanwhile(self):
        data = lead_workbook(
            *({**ROW, "项目名称": f"项目{i}", "投资方": "某集团"} for i in range(3))
        )
        plan = LeadImporter.plan

        def plan_then_create(self, *args, **kwargs):
            result = plan(self, *args, **kwargs)
            make_lead(name="网页上新建的")  # takes the first code the plan gave out
            return result

        with mock.patch.object(LeadImporter, "plan", plan_then_create):
            report = LeadImporter().run(data)
        self.assertTrue(report.ok, report.error_lines())
        self.assertEqual(Lead.objects.count(), 4)
        self.assertEqual(Lead.objects.values("code").distinct().count(), 4)
