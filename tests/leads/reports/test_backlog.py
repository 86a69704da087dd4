"""The backlog as of a past day for leads now at 签约 that left it and came back in between."""

from datetime import date, timedelta

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.choices import Stage
from leads.reports.backlog import (
    Backlog,
    _backlog_parts,
    _fetched,
    _merged,
    _moved_since,
    backlog_rows,
)
from tests.leads.reports.scenario import LeadMaker, load_reference, moment
from tests.plans import covering_indexes, query_plan


class PastBacklogOfLeadsBackAtSignedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()
        maker = LeadMaker(seed=8)
        # Signed in February, dropped at 23:30 on 30 April, reopened to 签约 in June.
        cls.reopened = maker.sign(
            maker.contact(moment(date(2024, 1, 4))), moment(date(2024, 2, 10))
        )
        cls.reopened = maker.drop(cls.reopened, moment(date(2024, 4, 30), 23, 30))
        cls.reopened = maker.reopen(cls.reopened, moment(date(2024, 6, 3)))
        # Signed in February, moved back in March, signed again on 1 May at 00:30.
        cls.resigned = maker.sign(
            maker.contact(moment(date(2024, 1, 5))), moment(date(2024, 2, 12))
        )
        cls.resigned = maker.move_back(cls.resigned, moment(date(2024, 3, 5)))
        cls.resigned = maker.sign(cls.resigned, moment(date(2024, 5, 1), 0, 30))
        # Signed in February and never moved since.
        cls.waiting = maker.sign(maker.contact(moment(date(2024, 1, 6))), moment(date(2024, 2, 14)))

    def codes(self, day):
        return [row.code for row in backlog_rows(as_of=day, sla_days=None)]

    def test_leads_are_now_signed(self):
        for lead in (self.reopened, self.resigned, self.waiting):
            lead.refresh_from_db()
            self.assertEqual(lead.stage, Stage.SIGNED)

    def test_lead_dropped_and_reopened_waits_except_while_dropped(self):
        self.assertIn(self.reopened.code, self.codes(date(2024, 3, 31)))
        self.assertIn(self.reopened.code, self.codes(date(2024, 4, 29)))
        self.assertNotIn(self.reopened.code, self.codes(date(2024, 4, 30)))
        self.assertNotIn(self.reopened.code, self.codes(date(2024, 5, 31)))
        self.assertIn(self.reopened.code, self.codes(date(2024, 6, 30)))

    def test_lead_moved_back_and_signed_again_waits_except_in_between(self):
        self.assertIn(self.resigned.code, self.codes(date(2024, 2, 29)))
        self.assertNotIn(self.resigned.code, self.codes(date(2024, 3, 31)))
        self.assertNotIn(self.resigned.code, self.codes(date(2024, 4, 30)))
        self.assertIn(self.resigned.code, self.codes(date(2024, 5, 1)))

    def test_lead_never_moved_since_signing_waits_from_its_signing(self):
        self.assertNotIn(self.waiting.code, self.codes(date(2024, 2, 13)))
        for day in (date(2024, 2, 14), date(2024, 4, 30), date(2024, 12, 31)):
            self.assertIn(self.waiting.code, self.codes(day))
        row = next(
            r
            for r in backlog_rows(as_of=date(2024, 3, 15), sla_days=20)
            if r.code == self.waiting.code
        )
        self.assertEqual((row.days_waiting, row.overdue), (30, True))


class BacklogTotalsAndRowsTests(TestCase):
    """The backlog's totals (one aggregate) agree with its rows, read only where listed."""

    @classmethod
    def setUpTestData(cls):
        load_reference()
        LeadMaker(seed=21).random_leads(40, date(2024, 1, 1), date(2024, 12, 31))

    def test_totals_equal_the_rows_for_past_and_current_days(self):
        for day in (date(2024, 6, 30), date(2024, 12, 31)):
            for sla_days in (None, 0, 30):
                with self.subTest(day=day, sla_days=sla_days):
                    backlog = Backlog(as_of=day, sla_days=sla_days)
                    rows = list(backlog)
                    self.assertTrue(rows)
                    self.assertEqual(len(backlog), len(rows))
                    self.assertEqual(backlog.overdue_count, sum(row.overdue for row in rows))
                    self.assertEqual(backlog.amount, sum(row.contract_amount for row in rows))
                    self.assertEqual(
                        [row.overdue for row in rows],
                        [sla_days is not None and row.days_waiting > sla_days for row in rows],
                    )
                    self.assertEqual(rows, backlog_rows(as_of=day, sla_days=sla_days))

    def test_some_are_overdue_and_some_not(self):
        waited = sorted(row.days_waiting for row in Backlog(as_of=date(2024, 12, 31), sla_days=0))
        sla_days = waited[len(waited) // 2]
        self.assertLess(waited[0], sla_days)
        rows = list(Backlog(as_of=date(2024, 12, 31), sla_days=sla_days))
        self.assertTrue(any(row.overdue for row in rows))
        self.assertFalse(all(row.overdue for row in rows))

    def test_a_slice_reads_only_its_rows_and_is_read_once(self):
        everything = list(Backlog(as_of=date(2024, 12, 31), sla_days=30))
        backlog = Backlog(as_of=date(2024, 12, 31), sla_days=30)
        self.assertGreater(len(everything), 3)
        # A past day: the first rows of the leads still at 签约, and the leads moved since
        # (each looked up in its history) read whole, once: the totals sum them again.
        self.assertEqual(len(backlog._parts), 2)
        with self.assertNumQueries(2) as queries:
            shown = backlog[:3]
            self.assertEqual(backlog[:3], shown)
        limited = ["LIMIT 3" in query["sql"] for query in queries.captured_queries]
        self.assertEqual(sorted(limited), [False, True])
        with self.assertNumQueries(1) as queries:
            self.assertEqual(len(backlog), len(everything))
        self.assertNotIn("stagetransition", queries.captured_queries[0]["sql"])
        self.assertEqual(shown, everything[:3])
        self.assertEqual(backlog[1], everything[1])
        self.assertEqual(backlog[-1], everything[-1])
        with self.assertRaises(IndexError):
            backlog[len(everything)]

    def test_every_slice_of_both_parts_is_the_slice_of_the_whole_list(self):
        # A day with rows in both parts (at 签约 since, moved since): the merge of each
        # part's first rows is what is tested.
        days = [date(2024, month, 1) - timedelta(days=1) for month in range(2, 13)]
        day = next(
            day
            for day in days
            if all(part.exists() for part in Backlog(as_of=day, sla_days=30)._parts)
        )
        everything = list(Backlog(as_of=day, sla_days=30))
        for start in range(len(everything) + 2):
            for stop in range(start, len(everything) + 2):
                with self.subTest(start=start, stop=stop):
                    backlog = Backlog(as_of=day, sla_days=30)
                    self.assertEqual(backlog[start:stop], everything[start:stop])

    def test_rows_read_once_serve_the_totals_and_slices(self):
        for sla_days in (None, 30):
            with self.subTest(sla_days=sla_days):
                counted = Backlog(as_of=date(2024, 6, 30), sla_days=sla_days)
                totals = (len(counted), counted.overdue_count, counted.amount)
                backlog = Backlog(as_of=date(2024, 6, 30), sla_days=sla_days)
                # A past day: one query per part (at 签约 since, moved since), merged.
                with self.assertNumQueries(2):
                    rows = list(backlog)
                with self.assertNumQueries(0):
                    self.assertEqual(list(backlog), rows)
                    self.assertEqual(backlog[:3], rows[:3])
                    self.assertEqual((len(backlog), backlog.overdue_count, backlog.amount), totals)

    def test_rows_read_past_django_are_the_rows_django_gives(self):
        # Every listed column comes from the driver as Django would convert it: dates
        # as dates, the amount as integer cents, a missing team as None.
        for day in (date(2024, 6, 30), timezone.localdate()):
            backlog = Backlog(as_of=day, sla_days=30)
            for number, part in enumerate(backlog._parts):
                with self.subTest(day=day, part=number):
                    listed = backlog._listed([part])
                    expected = list(listed)
                    self.assertEqual(_fetched(listed), expected)
                    self.assertEqual(
                        {tuple(type(value) for value in row) for row in _fetched(listed)},
                        {tuple(type(value) for value in row) for row in expected},
                    )
            self.assertTrue(list(backlog))

    def test_the_parts_are_listed_in_one_order_whatever_order_each_came_in(self):
        # A database collation other than C may order one day's codes otherwise
        # ("b" before "B"); the list is in one order: by day, then code by code point.
        def row(code, day=date(2024, 5, 1)):
            return (1, code, "", "", "", None, day, 0)

        parts = [[row("b"), row("B"), row("A", date(2024, 5, 2))], [row("a")]]
        self.assertEqual([r[1] for r in _merged(parts)], ["B", "a", "b", "A"])

    def test_totals_are_read_once_and_kept(self):
        # A past day: the leads still at 签约 summed by the database, the leads moved since
        # read (and kept for the rows) and summed here.
        backlog = Backlog(as_of=date(2024, 12, 31), sla_days=30)
        with self.assertNumQueries(2):
            self.assertEqual((len(backlog), bool(backlog)), (len(backlog), True))
            self.assertLessEqual(backlog.overdue_count, len(backlog))
            self.assertGreater(backlog.amount, 0)

    def test_a_day_before_any_signing_has_an_empty_backlog(self):
        backlog = Backlog(as_of=date(2023, 6, 30), sla_days=30)
        self.assertEqual((len(backlog), backlog.overdue_count), (0, 0))
        self.assertEqual(backlog.amount, 0)
        self.assertEqual(backlog, [])
        self.assertEqual(backlog[:300], [])


class BacklogPlanTests(TestCase):
    """The backlog reads the leads at 签约 from its own index, and the history only of the
    leads moved since the day: its cost is the backlog's, not the city's ten years."""

    @classmethod
    def setUpTestData(cls):
        load_reference()
        LeadMaker(seed=33).random_leads(40, date(2024, 1, 1), date(2024, 12, 31))
        if connection.vendor == "postgresql":
            # Statistics of these rows, as the other plan tests do (tests.plans).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE leads_lead")

    def reads(self, backlog, read) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            read(backlog)
        return [q["sql"] for q in queries]

    def test_totals_as_of_today_read_the_backlog_index_alone(self):
        backlog = Backlog(as_of=timezone.localdate(), sla_days=30)
        (sql,) = self.reads(backlog, len)
        self.assertTrue(len(backlog))
        # Every column it reads is in the index: on PostgreSQL the condition of an
        # index-only scan, which it plans for a city's rows (docs/benchmarks.md) but,
        # by the statistics earlier tests left, not always for these few.
        self.assertEqual(covering_indexes(sql, ["lead_backlog_idx"]), ["lead_backlog_idx"])
        if connection.vendor == "sqlite":
            self.assertIn("COVERING INDEX lead_backlog_idx", query_plan(sql))

    def test_first_rows_as_of_today_come_in_the_index_order(self):
        backlog = Backlog(as_of=timezone.localdate(), sla_days=30)
        (sql,) = self.reads(backlog, lambda b: b[:300])
        plan = query_plan(sql, partial_sort=False)
        self.assertIn("lead_backlog_idx", plan)
        self.assertNotIn("TEMP B-TREE", plan)

    def test_every_row_of_the_leads_still_at_signed_comes_from_the_index_alone(self):
        # The JSON and the workbook list every waiting lead: those not moved since
        # the day are read from the backlog index alone, in its order (no sort).
        for day in (date(2024, 6, 30), timezone.localdate()):
            with self.subTest(day=day):
                backlog = Backlog(as_of=day, sla_days=30)
                still, *moved = self.reads(backlog, list)
                self.assertEqual(len(moved), 0 if day == timezone.localdate() else 1)
                self.assertTrue(list(backlog))
                self.assertEqual(
                    covering_indexes(still, ["lead_backlog_idx"]), ["lead_backlog_idx"]
                )
                if connection.vendor == "sqlite":
                    # PostgreSQL plans these few rows by their statistics; at a city's
                    # scale it reads the index alone, in order (docs/benchmarks.md).
                    plan = query_plan(still)
                    self.assertIn("COVERING INDEX lead_backlog_idx", plan)
                    self.assertNotIn("TEMP B-TREE", plan)

    def test_a_past_day_reads_history_only_for_leads_moved_since(self):
        day = date(2024, 6, 30)
        still, moved = _backlog_parts(day)
        # Not moved since: what the totals read of those leads is in the backlog index.
        read = still.values("first_signed_on", "first_signed_amount").query
        self.assertEqual(covering_indexes(str(read), ["lead_backlog_idx"]), ["lead_backlog_idx"])
        self.assertIn("stage_entered_at", str(moved.query))
        # Moved since: the leads signed by then are picked in the stage index alone.
        picked = str(_moved_since(day).query)
        self.assertEqual(covering_indexes(picked, ["lead_stage_idx"]), ["lead_stage_idx"])
        backlog = Backlog(as_of=day, sla_days=30)
        still_sql, moved_sql = self.reads(backlog, len)
        self.assertTrue(len(backlog))
        self.assertNotIn("stagetransition", still_sql)
        self.assertIn("stagetransition", moved_sql)
        if connection.vendor == "sqlite":
            # SQLite plans without statistics as it does at 1,000,000 leads; PostgreSQL
            # plans these few rows by their statistics (its plan at a city's scale:
            # docs/benchmarks.md).
            # Not moved since: the backlog index; moved since: a range of the stage index.
            self.assertIn("COVERING INDEX lead_backlog_idx", query_plan(still_sql))
            self.assertIn("lead_stage_idx", query_plan(moved_sql))
            # Never every lead signed by then, the range of the counted-signing index.
            for sql in (still_sql, moved_sql):
                self.assertNotIn("lead_signed_event_idx", query_plan(sql))
