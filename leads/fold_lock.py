"""The lock a fold of a tally takes (`leads.tally`, `leads.report_tally`), and giving up on it."""

import logging
from contextlib import contextmanager

from django.core.cache import cache
from django.db import OperationalError, connections

logger = logging.getLogger(__name__)

# A reader asks the worker for a fold at most once a minute per process and database (the
# worker folds in milliseconds; the next reader past the mark asks again after that).
FOLD_ASK_EVERY = 60


def fold_asked(fold, *, rows: int, after: int, using: str) -> None:
    """Enqueue the task `fold` for database `using` when a reader found more than `after`
    rows to add up, unless this process asked within FOLD_ASK_EVERY seconds."""
    if rows > after and cache.add(f"{fold.name}.{using}", True, timeout=FOLD_ASK_EVERY):
        fold.enqueue(using=using)


# How long the worker's fold waits for writers still in a transaction (an import's,
# say) before it gives up: while it waits for its lock, every writer's trigger queues
# behind it, so a long wait would hold up every save.
FOLD_LOCK_TIMEOUT = "1s"
LOCK_NOT_AVAILABLE = "55P03"


def fold_lock(using: str, table: str, *, wait: bool = True, mode: str = "EXCLUSIVE") -> None:
    """Keep the triggers' writers out of `table` until the transaction ends.

    On PostgreSQL a writer's trigger waits for the lock (readers do not); a
    fold that must only keep other folds out takes a `mode` that conflicts
    with itself and not with inserts ("SHARE UPDATE EXCLUSIVE");
    `wait=False` gives up after FOLD_LOCK_TIMEOUT (`fold_lock_missed`). On
    SQLite the transaction is IMMEDIATE (settings), which already holds the
    database's one write lock.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if not wait:
                cursor.execute(f"SET LOCAL lock_timeout = '{FOLD_LOCK_TIMEOUT}'")
            cursor.execute(f"LOCK TABLE {table} IN {mode} MODE")


@contextmanager
def fold_lock_missed():
    """Swallow the error of a fold that gave up waiting for its lock (a reader asks again)."""
    try:
        yield
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        logger.info("tally fold skipped: writers held the lock past %s", FOLD_LOCK_TIMEOUT)
