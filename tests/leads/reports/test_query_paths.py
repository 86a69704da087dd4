"""How the report reads the database: the local day of a moment, and the covering indexes.

The figures themselves are tested elsewhere; these tests hold the paths that
keep the report fast at 100,000 leads from changing what it counts.
"""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models.functions import TruncDate
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.choices import Channel, Stage
from leads.models import StageTransition
from leads.reports.events import adjustments, signed_then_dropped
from leads.reports.monthly import MonthlyReportBuilder
from leads.reports.period import LocalDate, Period
from leads.services import lead_change_stage
from tests.factories import make_lead
from tests.leads.reports.scenario import load_reference
from tests.plans import query_plan

UTC = ZoneInfo("UTC")


class LocalDateTests(TestCase):
    """LocalDate gives the day TruncDate gives, on both sides of local midnight."""

    @classmethod
    def setUpTestData(cls):
        load_reference()
        cls.lead = make_lead()
        # Moments around midnight in Shanghai (16:00 UTC) and in Berlin, summer and winter.
        moments = []
        for day in (date(2026, 1, 31), date(2026, 3, 28), date(2026, 7, 15), date(2026, 10, 25)):
            for hour, minute, second in (
                (15, 59, 59),
                (16, 0, 0),
                (21, 59, 59),
                (22, 0, 0),
                (22, 59, 59),
                (23, 0, 0),
                (0, 0, 0),
            ):
                moments.append(
                    datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)
                )
        StageTransition.objects.bulk_create(
            StageTransition(
                lead=cls.lead, from_stage="", to_stage=Stage.CONTACT, at=at, channel="system"
            )
            for at in moments
        )
        cls.count = len(moments)

    def days(self, expression):
        return list(
            StageTransition.objects.filter(lead=self.lead)
            .order_by("at")
            .annotate(day=expression)
            .values_list("at", "day")
        )

    def test_same_days_as_trunc_date_in_shanghai(self):
        span = Period(date(2026, 1, 1), date(2026, 12, 31))
        got = self.days(LocalDate("at", span))
        self.assertEqual(got, self.days(TruncDate("at", tzinfo=timezone.get_current_timezone())))
        self.assertEqual(len(got), self.count + 1)  # and the creation make_lead records
        # 15:59:59 UTC is 23:59:59 in Shanghai, 16:00 UTC the next day.
        by_moment = dict(got)
        self.assertEqual(
            by_moment[datetime(2026, 1, 31, 15, 59, 59, tzinfo=UTC)], date(2026, 1, 31)
        )
        self.assertEqual(by_moment[datetime(2026, 1, 31, 16, 0, tzinfo=UTC)], date(2026, 2, 1))

    @override_settings(TIME_ZONE="Europe/Berlin")
    def test_a_zone_with_summer_time_falls_back_to_trunc_date(self):
        # The offset changes on 29 March and 25 October 2026: no fixed offset.
        span = Period(date(2026, 1, 1), date(2026, 12, 31))
        self.assertIsNone(LocalDate("at", span).offset)
        got = self.days(LocalDate("at", span))
        self.assertEqual(got, self.days(TruncDate("at", tzinfo=timezone.get_current_timezone())))
        by_moment = dict(got)
        # 22:00 UTC is midnight in summer (UTC+2), 23:00 in winter (UTC+1).
        self.assertEqual(by_moment[datetime(2026, 7, 15, 22, 0, tzinfo=UTC)], date(2026, 7, 16))
        self.assertEqual(by_moment[datetime(2026, 1, 31, 22, 0, tzinfo=UTC)], date(2026, 1, 31))
        self.assertEqual(by_moment[datetime(2026, 1, 31, 23, 0, tzinfo=UTC)], date(2026, 2, 1))

    @override_settings(TIME_ZONE="Europe/Berlin")
    def test_a_winter_span_of_a_zone_with_summer_time_has_a_fixed_offset(self):
        span = Period(date(2026, 1, 1), date(2026, 2, 28))
        self.assertEqual(LocalDate("at", span).offset, timedelta(hours=1))


class TrendTests(TestCase):
    """The trend's twelve months come from the report tally, as the report's other figures:
    no lead row is read (a city signs tens of thousands a year)."""

    @classmethod
    def setUpTestData(cls):
        load_reference()
        make_lead(stage=Stage.SIGNED, signed_on=date(2026, 3, 2), contract_amount=100)
        make_lead(stage=Stage.LANDED, signed_on=date(2025, 4, 30), landed_on=date(2026, 3, 31))

    def test_the_trend_reads_the_tally_not_the_leads(self):
        builder = MonthlyReportBuilder(Period.month(2026, 3), today=date(2026, 4, 1))
        with CaptureQueriesContext(connection) as queries:
            trend = builder._trend()
        self.assertEqual(len(queries.captured_queries), 2)
        for query in queries.captured_queries:
            self.assertNotIn('"leads_lead"', query["sql"])
        self.assertEqual([point.period.key for point in trend][::11], ["2025-04", "2026-03"])
        self.assertEqual(
            [(point.signed.count, point.landed.count) for point in trend][::11], [(1, 0), (1, 1)]
        )
        self.assertEqual(trend[-1].signed.amount, Decimal("100.00"))


class CorrectionIndexTests(TestCase):
    """调整说明 reads a period's 更正误录 moves from their partial index, not every move of
    the period (about 18,000 a month at 1,000,000 leads, of which a handful are corrections)."""

    @classmethod
    def setUpTestData(cls):
        load_reference()
        make_lead(stage=Stage.SIGNED, signed_on=date(2026, 3, 2), contract_amount=100)

    def test_the_corrections_of_a_period_come_from_their_index(self):
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(adjustments(Period.month(2026, 3)), [])
        (sql,) = [q["sql"] for q in queries.captured_queries if '."correction"' in q["sql"]]
        plan = query_plan(sql)
        self.assertIn("transition_correction_idx", plan)
        if connection.vendor == "sqlite":
            self.assertNotIn("SCAN leads_stagetransition", plan)


class DropIndexTests(TestCase):
    """签约后终止 sums a year's drops (about 11,700 at 1,000,000 leads, most of leads never
    signed) from the drops' index and each lead's counted signing from its index by id: no
    wide transition or lead row is read."""

    @classmethod
    def setUpTestData(cls):
        load_reference()
        signed = make_lead(stage=Stage.SIGNED, signed_on=date(2026, 3, 2), contract_amount=100)
        never = make_lead()
        for lead in (signed, never):
            lead_change_stage(
                lead=lead, to_stage=Stage.DROPPED, channel=Channel.WEB, drop_reason="投资方撤回"
            )
        with connection.cursor() as cursor:
            # Statistics of these rows (a city's database has them: crm.statistics).
            for table in ("leads_lead", "leads_stagetransition"):
                cursor.execute(f"ANALYZE {table}")

    def test_the_drops_are_summed_from_two_indexes(self):
        today = timezone.localdate()
        with CaptureQueriesContext(connection) as queries:
            dropped = signed_then_dropped(Period.month(today.year, today.month))
        self.assertEqual(dropped.ytd.count, 1)
        (sql,) = [q["sql"] for q in queries.captured_queries if "month_count" in q["sql"]]
        # Each index holds every column the sum reads of its table, on both databases.
        with connection.cursor() as cursor:
            for table, index in (
                ("leads_stagetransition", "transition_stage_at_idx"),
                ("leads_lead", "lead_signing_by_id_idx"),
            ):
                read = set(re.findall(rf'"{table}"\."(\w+)"', sql))
                held = connection.introspection.get_constraints(cursor, table)[index]["columns"]
                with self.subTest(index=index):
                    self.assertTrue(read)
                    self.assertLessEqual(read, set(held))
        if connection.vendor == "sqlite":
            # And SQLite reads them alone (PostgreSQL's plan for a test's few rows is its own:
            # at 1,000,000 leads it reads both indexes alone too, docs/benchmarks.md).
            plan = query_plan(sql)
            self.assertIn("COVERING INDEX transition_stage_at_idx", plan)
            self.assertIn("COVERING INDEX lead_signing_by_id_idx", plan)


class LateEntryIndexTests(TestCase):
    """调整说明's late entries: a city's month records thousands of signings, few dated
    before it. Each event's index holds its date, so the others are passed over in the index
    and only the late ones are read from the table."""

    @classmethod
    def setUpTestData(cls):
        load_reference()
        today = timezone.localdate()
        cls.month = Period.month(today.year, today.month)
        before = cls.month.start - timedelta(days=3)
        make_lead(stage=Stage.SIGNED, signed_on=today, contract_amount=100)
        cls.late = make_lead(stage=Stage.SIGNED, signed_on=before, contract_amount=200)
        # Landed in the month; its signing, dated before it, was recorded in it too.
        cls.landed = make_lead(stage=Stage.LANDED, signed_on=before, landed_on=today)

    def test_late_entries_are_found_by_the_entered_indexes_with_their_dates(self):
        with CaptureQueriesContext(connection) as queries:
            rows = adjustments(self.month)
        # The late signing is listed; a signing and a landing dated in the month are not.
        self.assertEqual(
            [(row.code, row.event) for row in rows if row.kind == "late_entry"],
            sorted([(self.late.code, "signed"), (self.landed.code, "signed")]),
        )
        with connection.cursor() as cursor:
            held = connection.introspection.get_constraints(cursor, "leads_lead")
        for event in ("signed", "landed"):
            with self.subTest(event=event):
                self.assertEqual(
                    held[f"lead_{event}_entered_idx"]["columns"],
                    [f"first_{event}_entered", f"first_{event}_on"],
                )
        if connection.vendor == "sqlite":
            (sql,) = [
                q["sql"]
                for q in queries.captured_queries
                if '"first_landed_entered" >=' in q["sql"] and "ORDER BY" in q["sql"]
            ]
            plan = query_plan(sql)
            self.assertIn("USING INDEX lead_signed_entered_idx", plan)
            self.assertIn("USING INDEX lead_landed_entered_idx", plan)
