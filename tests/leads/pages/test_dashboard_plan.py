"""The dashboard's latest activities are read from the end of an index, not sorted."""

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from leads.choices import ActivityKind
from leads.services.activities import activity_create
from tests.factories import make_lead
from tests.roles import RolesMixin


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan is checked")
class LatestActivitiesPlanTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        lead = make_lead()
        for number in range(3):
            activity_create(
                lead=lead, actor=cls.director, kind=ActivityKind.CALL, summary=f"{number}"
            )

    def test_the_newest_ten_come_from_activity_recent_idx_without_a_sort(self):
        self.client.force_login(self.director)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/")
        self.assertContains(response, "电话")
        reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "leads_activity"')]
        self.assertEqual(len(reads), 1)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + reads[0])
            plan = " ".join(str(step[-1]) for step in cursor.fetchall())
        self.assertIn("activity_recent_idx", plan)
        self.assertNotIn("TEMP B-TREE", plan)
