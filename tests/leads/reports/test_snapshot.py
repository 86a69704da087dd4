"""The report reads one snapshot: a write committed while it is built shows in none of it.

Real threads and commits on the suite's database (SQLite file or PostgreSQL):
the writer's connection commits while the report's block is open.
"""

import io
import json
import threading
from datetime import date
from unittest import mock

from django.core.management import call_command
from django.db import connection, transaction
from django.test import TransactionTestCase
from django.utils import timezone

from crm.snapshot import read_snapshot
from leads.models import Lead, ReportSnapshot
from leads.reports import locks
from leads.reports.locks import LockError, report_lock
from leads.reports.monthly import monthly_report_build
from leads.reports.period import Period
from leads.reports.serialise import report_data
from tests.leads.excel.test_concurrency import run_in_threads
from tests.leads.reports.scenario import LeadMaker, load_reference, moment

MONTH = Period.month(2025, 3)


def committed_elsewhere(work) -> None:
    """Run `work()` in another thread, on its own connection, and wait for its commit."""
    failures = []

    def target():
        try:
            with transaction.atomic():
                work()
        except Exception as error:  # reported to the test below
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)
    if thread.is_alive() or failures:
        raise AssertionError(f"the concurrent write did not commit: {failures or 'still waiting'}")


class SnapshotTestBase(TransactionTestCase):
    def setUp(self):
        load_reference()
        self.maker = LeadMaker(seed=6)
        self.maker.random_leads(12, date(2025, 1, 1), date(2025, 6, 30))
        for day in (3, 10):
            self.maker.sign(
                self.maker.contact(moment(date(2025, 2, day))), moment(date(2025, 3, day))
            )
        self.director = self.maker.director

    def sign_in_march(self):
        """Sign one more lead in March: it joins the month's signings and the backlog."""
        self.maker.sign(self.maker.contact(moment(date(2025, 2, 20))), moment(date(2025, 3, 20)))


class ReadSnapshotTests(SnapshotTestBase):
    def test_a_write_committed_meanwhile_is_not_read_and_does_not_wait(self):
        before = Lead.objects.count()
        with read_snapshot():
            self.assertEqual(Lead.objects.count(), before)
            committed_elsewhere(self.sign_in_march)
            self.assertEqual(Lead.objects.count(), before)
        self.assertEqual(Lead.objects.count(), before + 1)

    def test_inside_a_transaction_the_block_runs_in_it(self):
        with transaction.atomic():
            count = Lead.objects.count()
            with read_snapshot():
                self.assertEqual(Lead.objects.count(), count)
            self.assertTrue(connection.in_atomic_block)

    def test_a_connection_not_yet_open_opens_for_the_snapshot(self):
        # The first query of a process (a command, a worker) may be the block's own.
        connection.close()
        with read_snapshot():
            before = Lead.objects.count()
            committed_elsewhere(self.sign_in_march)
            self.assertEqual(Lead.objects.count(), before)

    def test_the_live_report_command_from_a_fresh_connection(self):
        expected = report_data(monthly_report_build(MONTH))
        connection.close()
        out = io.StringIO()
        command = ["monthly_report", "2025-03", "--live", "--format", "json"]
        call_command(*command, stdout=out, stderr=io.StringIO())
        printed = json.loads(out.getvalue())
        expected = json.loads(json.dumps(expected, default=str))
        self.assertEqual(printed["backlog"], expected["backlog"])
        self.assertEqual(printed["month_totals"], expected["month_totals"])

    def test_the_backlog_listed_is_the_backlog_counted(self):
        with read_snapshot():
            report = monthly_report_build(MONTH, today=date(2025, 3, 31))
            counted, signed = len(report.backlog), report.month_totals.signed.count
            committed_elsewhere(self.sign_in_march)
            rows = list(report.backlog)
        self.assertEqual(len(rows), counted)
        # The write did land: the next report counts it.
        again = monthly_report_build(MONTH, today=date(2025, 3, 31))
        self.assertEqual(again.month_totals.signed.count, signed + 1)
        self.assertEqual(len(list(again.backlog)), counted + 1)


class LockSnapshotTests(SnapshotTestBase):
    def test_a_lock_stores_the_figures_of_one_moment(self):
        with read_snapshot():
            before = report_data(monthly_report_build(MONTH))
        real_report_data = locks.report_data

        def write_then_serialise(report):
            # The figures are built; a stage change commits before the rows are read.
            committed_elsewhere(self.sign_in_march)
            return real_report_data(report)

        with mock.patch.object(locks, "report_data", write_then_serialise):
            snapshot = report_lock(period=MONTH, actor=self.director, reason="")
        stored = json.loads(snapshot.json_text)
        self.assertEqual(stored["backlog"], before["backlog"])
        self.assertEqual(stored["month_totals"], before["month_totals"])
        live = report_data(monthly_report_build(MONTH))
        self.assertEqual(len(live["backlog"]), len(before["backlog"]) + 1)

    def test_two_directors_locking_at_once_get_two_versions(self):
        results = run_in_threads(
            2, lambda index: report_lock(period=MONTH, actor=self.director, reason=f"第{index}次")
        )
        self.assertEqual(sorted(each.version for each in results), [1, 2], results)
        self.assertEqual(sorted(ReportSnapshot.objects.values_list("version", flat=True)), [1, 2])

    def test_a_second_lock_without_reason_is_refused_even_at_the_same_moment(self):
        results = run_in_threads(
            2, lambda index: report_lock(period=MONTH, actor=self.director, reason="")
        )
        kinds = sorted(type(each).__name__ for each in results)
        self.assertEqual(kinds, ["LockError", "ReportSnapshot"], results)
        refused = next(each for each in results if isinstance(each, LockError))
        self.assertIn("重新封存须说明原因", str(refused))
        self.assertEqual(ReportSnapshot.objects.count(), 1)
        self.assertLessEqual(ReportSnapshot.objects.get().locked_at, timezone.now())
