"""One snapshot of the database for a document built from many queries (the 通报, the 台账).

The monthly report runs about twenty queries and, at a city's scale, takes
seconds; its backlog's totals and its rows are read by separate queries. Each
query in autocommit (or at PostgreSQL's READ COMMITTED) sees the database as
it is when that query starts, so a stage change committed between two of them
made a report whose figures disagree: a backlog of N projects listing N + 1,
a locked version sent upward that contradicts itself.

`read_snapshot()` runs its block in one transaction that reads a single
snapshot and takes no write lock:

- PostgreSQL: REPEATABLE READ, whose snapshot is taken at the block's first
  query and kept to its end;
- SQLite: a DEFERRED transaction (the project's transactions are IMMEDIATE,
  which would hold the one write lock for the whole build); in WAL mode its
  first read fixes the snapshot and writers go on committing meanwhile.

The block must only read: on SQLite a write inside it could fail at once
with "database is locked" (its snapshot is older than the writer's), so a
caller writes after the block (as `report_lock` does).

Inside a transaction already (a caller's atomic block, a TestCase) the
block runs in it as it is: PostgreSQL allows no change of isolation after
the first query, and that transaction is the caller's to choose.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connections, transaction


@contextmanager
def read_snapshot(using: str = "default"):
    """Run the block's queries against one snapshot of the database (read only, no write lock)."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "sqlite":
        # The mode is the open connection's (read from the settings when it opens):
        # open it first, or Atomic would open it and begin in the settings' mode.
        connection.ensure_connection()
        mode = connection.transaction_mode
        # Read when Atomic starts the transaction (BEGIN <mode>), then put back.
        connection.transaction_mode = "DEFERRED"
        try:
            with transaction.atomic(using=using):
                connection.transaction_mode = mode
                yield
        finally:
            connection.transaction_mode = mode
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield
