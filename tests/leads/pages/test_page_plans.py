"""Pages that show the first rows of a long ordering read them from an index, not a sort."""

from contextlib import contextmanager
from datetime import date

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.choices import ActivityKind
from leads.models import TaskTeam
from leads.reports.backlog import Backlog
from leads.services.activities import activity_create
from tests.factories import make_lead
from tests.plans import covering_indexes, query_plan
from tests.roles import RolesMixin


class PagePlanTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        lead = make_lead()
        make_lead(stage="signed", signed_on=date(2026, 3, 2), contract_amount=100)
        for number in range(3):
            activity_create(
                lead=lead, actor=cls.director, kind=ActivityKind.CALL, summary=f"{number}"
            )

    def test_the_list_sorted_by_amount_either_way_reads_lead_amount_sort_idx(self):
        self.client.force_login(self.director)
        for sort in ("amount", "-amount"):
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get("/leads/", {"o": sort})
            self.assertEqual(response.status_code, 200)
            reads = [
                q["sql"] for q in queries if "ORDER BY" in q["sql"] and "leads_lead" in q["sql"]
            ]
            self.assertEqual(len(reads), 1, reads)
            plan = query_plan(reads[0])
            self.assertIn("lead_amount_sort_idx", plan, sort)
            self.assertNotIn("TEMP B-TREE", plan, sort)

    def test_one_stage_sorted_by_amount_reads_lead_stage_amount_idx(self):
        # Leads of another stage, and statistics that say so: otherwise, on a few rows,
        # PostgreSQL is as happy to walk all leads by amount, keeping the signed one.
        for number in range(40):
            make_lead(name=f"接洽{number}", planned_investment=number)
        if connection.vendor == "postgresql":
            # (SQLite plans these without statistics; gathered in a test's transaction,
            # they could outlive its rollback in the connection's planner.)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE leads_lead")
        self.client.force_login(self.director)
        for sort in ("amount", "-amount"):
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get("/leads/", {"stage": "signed", "o": sort, "page": 1})
            self.assertEqual(len(response.context["page"].object_list), 1)
            reads = [
                q["sql"] for q in queries if "ORDER BY" in q["sql"] and "leads_lead" in q["sql"]
            ]
            plan = query_plan(reads[0])
            self.assertIn("lead_stage_amount_idx", plan, sort)
            self.assertNotIn("TEMP B-TREE", plan, sort)

    def test_the_newest_ten_come_from_activity_recent_idx_without_a_sort(self):
        self.client.force_login(self.director)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/")
        self.assertContains(response, "电话")
        reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "leads_activity"')]
        self.assertEqual(len(reads), 1)
        plan = query_plan(reads[0])
        self.assertIn("activity_recent_idx", plan)
        self.assertNotIn("TEMP B-TREE", plan)

    def test_the_scoreboards_group_the_referred_leads_in_their_index_without_a_sort(self):
        self.client.force_login(self.director)
        for url, index in (
            ("/chambers/", "lead_chamber_score_idx"),
            ("/entrepreneurs/", "lead_entrepreneur_score_idx"),
        ):
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            reads = [
                q["sql"] for q in queries if "GROUP BY" in q["sql"] and "leads_lead" in q["sql"]
            ]
            self.assertEqual(len(reads), 1, reads)
            plan = query_plan(reads[0])
            self.assertIn(index, plan, url)
            self.assertNotIn("TEMP B-TREE", plan, url)

    def test_the_dashboards_counts_read_their_index_alone(self):
        """The counts name only columns of an index (on PostgreSQL a condition of reading
        the index alone) and, on SQLite, the plan reads that index alone."""
        self.client.force_login(self.director)
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/")
        sqls = [q["sql"] for q in queries]
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/chambers/")
        plans = {
            "late on a node": (
                [q for q in sqls if 'COUNT("leads_lead"."planned_' in q],
                [
                    f"lead_plan_{node}_idx"
                    for node in ("signed", "landed", "started", "in_production")
                ],
            ),
            "within a time limit": (
                [q for q in sqls if 'COUNT("leads_lead"."stage") FILTER' in q],
                ["lead_stage_idx"],
            ),
            "referred": (
                [q["sql"] for q in queries if "GROUP BY" in q["sql"]],
                ["lead_chamber_score_idx"],
            ),
        }
        self.assertEqual(len(plans["late on a node"][0]), 4)
        for what, (reads, indexes) in plans.items():
            self.assertTrue(reads, what)
            for sql in reads:
                with self.subTest(what, sql=sql):
                    self.assertEqual(len(covering_indexes(sql, indexes)), 1)
                    if connection.vendor == "sqlite":
                        self.assertIn("COVERING INDEX", query_plan(sql))


class EmptyBoardColumnTests(RolesMixin, TestCase):
    """A board column its totals found empty reads no cards."""

    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        make_lead()
        make_lead(stage="landed")

    def test_stalled_leaves_landed_empty_and_unread(self):
        self.client.force_login(self.director)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/leads/board/", {"stalled": "true"})
        self.assertEqual(response.status_code, 200)
        reads = [q["sql"] for q in queries if "LIMIT 25" in q["sql"]]
        self.assertFalse([sql for sql in reads if "'landed'" in sql])
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/leads/board/")
        reads = [q["sql"] for q in queries if "LIMIT 25" in q["sql"]]
        self.assertEqual(len([sql for sql in reads if "'landed'" in sql]), 1)
        self.assertEqual(len(response.context["columns"][-1]["leads"]), 1)


# What ANALYZE wrote for these lead indexes at 1,000,000 leads (bench/seed.py): the
# stage index says one lead in six per stage on average, the backlog index holds the
# 72,023 leads at 签约 (sqlite_stat1 has no per-value figures without STAT4). Any
# other index is planted as if its columns told no lead apart, so it is not chosen.
CITY_STATISTICS = {
    "sqlite_autoindex_leads_lead_1": "1000000 1",
    "lead_stage_idx": "1000000 166667 2 2 1 1 1 1 1 1 1",
    "lead_stage_amount_idx": "1000000 166667 2 1 1",
    "lead_amount_sort_idx": "1000000 2 1",
    "lead_backlog_idx": "72023 72023 21 1 1 1 1 1 1 1 1 1 1",
}


class CityStatisticsPlanTests(RolesMixin, TestCase):
    """On a city's statistics the 签约 column of the board and the 签约 list read their
    order from an index; the backlog index, which holds the leads at 签约 in another
    order, is left to the backlog (at 1,000,000 leads on SQLite, taking it sorted
    72,000 leads: the board 49 -> 199 ms, the list 68 -> 224 ms)."""

    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        for number in range(30):
            make_lead(name=f"接洽{number}")
        for number in range(6):
            make_lead(stage="signed", signed_on=date(2026, 3, 2 + number), contract_amount=100)

    @contextmanager
    def city_statistics(self):
        """Plan with CITY_STATISTICS (SQLite), or with these rows' own (PostgreSQL)."""
        with connection.cursor() as cursor:
            if connection.vendor != "sqlite":
                cursor.execute("ANALYZE leads_lead")
                yield
                return
            try:
                cursor.execute("ANALYZE leads_lead")
                cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'leads_lead'")
                for index, stat in cursor.fetchall():
                    planted = CITY_STATISTICS.get(index) or " ".join(
                        ["1000000"] * len(stat.split())
                    )
                    cursor.execute(
                        "UPDATE sqlite_stat1 SET stat = %s WHERE idx = %s", [planted, index]
                    )
                cursor.execute("ANALYZE sqlite_schema")  # the planner reads them again
                yield
            finally:
                # Unanalyzed again for the connection's next tests, whatever the
                # rollback then leaves of sqlite_stat1.
                cursor.execute("DELETE FROM sqlite_stat1")
                cursor.execute("ANALYZE sqlite_schema")

    def plans(self, path, params, marker):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(path, params)
        self.assertEqual(response.status_code, 200)
        reads = [q["sql"] for q in queries if marker in q["sql"] and "'signed'" in q["sql"]]
        self.assertTrue(reads)
        return [query_plan(sql) for sql in reads]

    def test_the_signed_column_and_list_read_their_order_not_the_backlog_index(self):
        self.client.force_login(self.director)
        with self.city_statistics():
            board = self.plans("/leads/board/", {}, "LIMIT 25")
            listed = self.plans("/leads/", {"stage": "signed", "o": "-amount"}, "ORDER BY")
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(len(Backlog(as_of=timezone.localdate(), sla_days=30)), 6)
            backlog = queries[0]["sql"]
            backlog_plan = query_plan(backlog)
        for plan in board + listed:
            self.assertNotIn("lead_backlog_idx", plan)
            # At most the ties of one stage_entered_at by id (SQLite's "RIGHT PART").
            self.assertNotIn("TEMP B-TREE FOR ORDER BY", plan)
        self.assertIn("lead_stage_idx", board[0])
        self.assertIn("lead_stage_amount_idx", listed[0])
        # The backlog's totals still read the backlog index alone (PostgreSQL plans
        # these few rows by their statistics: there, what it reads is in the index).
        self.assertEqual(covering_indexes(backlog, ["lead_backlog_idx"]), ["lead_backlog_idx"])
        if connection.vendor == "sqlite":
            self.assertIn("COVERING INDEX lead_backlog_idx", backlog_plan)

    def test_one_teams_late_counts_read_their_index_alone(self):
        """The 督办 page for one team counts each node's late leads from the node's plan
        index alone: the index holds the team (at 1,000,000 leads on SQLite each late
        lead's row was read to check it)."""
        self.client.force_login(self.director)
        team = TaskTeam.objects.order_by("pk").first()
        nodes = ("signed", "landed", "started", "in_production")
        with self.city_statistics():
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get("/leads/overdue-nodes/", {"team": team.pk})
            self.assertEqual(response.status_code, 200)
            reads = [q["sql"] for q in queries if 'COUNT("leads_lead"."planned_' in q["sql"]]
            plans = [query_plan(sql) for sql in reads]
        self.assertEqual(len(reads), 4)
        for sql, plan in zip(reads, plans, strict=True):
            with self.subTest(sql=sql):
                self.assertIn('"leads_lead"."team_id" =', sql)
                indexes = [f"lead_plan_{node}_idx" for node in nodes]
                self.assertEqual(len(covering_indexes(sql, indexes)), 1)
                if connection.vendor == "sqlite":
                    self.assertIn("COVERING INDEX lead_plan_", plan)
