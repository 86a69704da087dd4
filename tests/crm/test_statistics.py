"""analyze_if_analyzed: statistics for a migration's new index on an analyzed SQLite table."""

from django.db import connection
from django.test import TestCase

from crm.statistics import analyze_if_analyzed
from tests.factories import make_lead


def stat_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'leads_lead'")
        return {row[0] for row in cursor.fetchall()}


class AnalyzeTests(TestCase):
    fixtures = ["reference"]

    def test_a_new_index_of_an_analyzed_table_gets_statistics_on_sqlite_only(self):
        make_lead()
        editor = connection.schema_editor()
        if connection.vendor != "sqlite":
            self.assertFalse(analyze_if_analyzed(editor, "leads_lead"))
            return
        # A table never analyzed is left alone.
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
        self.assertFalse(analyze_if_analyzed(editor, "leads_lead"))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE leads_lead")
            cursor.execute("CREATE INDEX test_new_idx ON leads_lead (name, investor)")
        self.assertNotIn("test_new_idx", stat_indexes())
        self.assertTrue(analyze_if_analyzed(editor, "leads_lead"))
        self.assertIn("test_new_idx", stat_indexes())
