"""Pages that show the first rows of a long ordering read them from an index, not a sort."""

from datetime import date

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from leads.choices import ActivityKind
from leads.services.activities import activity_create
from tests.factories import make_lead
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

    def plan(self, sql: str, *, index_only: bool = False) -> str:
        """Return the query plan of `sql`, with a sort step named "TEMP B-TREE" on both.

        PostgreSQL plans these few test rows with a scan and a sort whatever the indexes,
        so there scans and sorts are priced out (for this transaction only): the plan
        then shows whether an index gives the rows in order.
        """
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                return " ".join(str(step[-1]) for step in cursor.fetchall())
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            if index_only:
                # Left only index-only scans, the plan shows whether an index covers the read.
                cursor.execute("SET LOCAL enable_indexscan = off")
                cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + sql)
            plan = " ".join(row[0] for row in cursor.fetchall())
            # A sort left in the plan despite its price is a sort all the same.
            return plan.replace("Sort", "TEMP B-TREE")

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
            plan = self.plan(reads[0])
            self.assertIn("lead_amount_sort_idx", plan, sort)
            self.assertNotIn("TEMP B-TREE", plan, sort)

    def test_the_newest_ten_come_from_activity_recent_idx_without_a_sort(self):
        self.client.force_login(self.director)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/")
        self.assertContains(response, "电话")
        reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "leads_activity"')]
        self.assertEqual(len(reads), 1)
        plan = self.plan(reads[0])
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
            plan = self.plan(reads[0])
            self.assertIn(index, plan, url)
            self.assertNotIn("TEMP B-TREE", plan, url)

    def test_the_dashboards_counts_read_their_index_alone(self):
        self.client.force_login(self.director)
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/")
        counts = {
            "late on a node": [
                q["sql"] for q in queries if 'COUNT("leads_lead"."planned_' in q["sql"]
            ],
            "within a time limit": [
                q["sql"] for q in queries if 'COUNT("leads_lead"."stage") FILTER' in q["sql"]
            ],
            "referred": [],
        }
        self.assertEqual(len(counts["late on a node"]), 4)
        self.assertGreater(len(counts["within a time limit"]), 0)
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/chambers/")
        counts["referred"] = [q["sql"] for q in queries if "GROUP BY" in q["sql"]]
        for what, reads in counts.items():
            for sql in reads:
                plan = self.plan(sql, index_only=True)
                with self.subTest(what, plan=plan):
                    self.assertTrue("COVERING INDEX" in plan or "Index Only Scan" in plan, plan)


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
