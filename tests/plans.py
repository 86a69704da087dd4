"""Query plans in tests: which index a query reads, and whether one holds every column it reads."""

import re

from django.db import connection


def query_plan(sql: str, *, partial_sort: bool = True) -> str:
    """Return the query plan of `sql`, with a sort step named "TEMP B-TREE" on both databases.

    PostgreSQL plans a test's few rows with a scan and a sort whatever the indexes,
    so there scans and sorts are priced out (for this transaction only): the plan
    then shows whether an index gives the rows, and in order. `partial_sort=False`
    prices out an incremental sort too, for a query whose index gives the whole
    order: else another index giving the rows only partly in order can win by a
    few pages (as one did once earlier tests had left the backlog index bloated
    with dead entries: CI on 7 December).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return " ".join(str(step[-1]) for step in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        if not partial_sort:
            cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute("EXPLAIN " + sql)
        plan = " ".join(row[0] for row in cursor.fetchall())
        # A sort left in the plan despite its price is a sort all the same.
        return plan.replace("Sort", "TEMP B-TREE")


def covering_indexes(sql: str, indexes) -> list[str]:
    """Return those of `indexes` (on the lead table) that hold every lead column `sql` reads."""
    read = set(re.findall(r'"leads_lead"\."(\w+)"', sql))
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "leads_lead")
    return [name for name in indexes if read <= set(found[name]["columns"])]
