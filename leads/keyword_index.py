"""The keyword search's index: the two-character pieces ("grams") of every lead's text.

The list's 关键词 keeps the leads whose 项目编号, 项目名称 or 投资方 holds the keyword
(`LeadFilter.filter_text`, the databases' case-insensitive `icontains`). Read lead by
lead, a keyword that few or no leads hold read the whole table: 427 ms on SQLite and
989 ms on PostgreSQL at 1,000,000 leads. A lead can hold a keyword only if its text
holds each of the keyword's grams, so the leads holding one of them are the only
candidates; the search still keeps, among those, the leads the `icontains` keeps.
The index narrows the leads read and never decides a match.

A lead's text is its three fields joined by a separator no field holds, upper-cased
as the database's `icontains` folds case (SQLite: ASCII letters only; PostgreSQL:
`upper()`); a gram across the separator is not kept. A keyword of one character has
no gram: it is read lead by lead, as before (and so is one holding the separator).

- PostgreSQL: a GIN index on `lead_keyword_grams(code, name, investor)`, an immutable
  PL/pgSQL function; the search asks for the leads whose grams contain the keyword's, and
  the planner weighs that against the other ways to read the list. The database keeps
  the index as it keeps any other.
- SQLite: a table of (gram, lead) pairs (`GRAMS`, WITHOUT ROWID), kept by triggers on
  the lead table in the writer's own transaction, whatever writes; the triggers cut the
  text with a table of the numbers 1 to TEXT_LIMIT (SQLite has no series function a
  trigger may use). The import writes its new leads' grams in a few ordered statements
  instead (`new_leads_deferred`). The search reads the leads holding the keyword's
  rarest gram and, by the table's key, keeps those holding each of its other grams.

Which way is cheaper depends on the keyword. Read from the index, a common one (鼎盛,
one lead in ten) gives all its holders to be read and sorted (PostgreSQL: 46 -> 480 ms
at 1,000,000 leads); read in the list's order, it finds the page's matches soon. So the
index is read only when some gram of the keyword is held by at most RARE leads: on
SQLite as counted from the table (one query, counting no further than RARE + 1), on
PostgreSQL as its statistics of the index's expression say (one query of `pg_stats`).
A keyword every gram of which is common, yet held by few leads, is read as before.

Installed by migration 0034 from the definitions here; a change to them comes with
its own migration (0035: the same grams, cut more cheaply).
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connections
from django.db.models import BooleanField, Func, Q, Value
from django.db.models.expressions import RawSQL
from django.db.transaction import TransactionManagementError

from leads.models import Lead

LEADS = Lead._meta.db_table
# The fields a keyword is looked for in (`LeadFilter.filter_text`).
FIELDS = ("code", "name", "investor")
# SQLite's tables: the (gram, lead) pairs and the numbers the triggers cut the text with.
GRAMS = "leads_keywordgram"
NUMBERS = "leads_keywordnumber"
# The longest field the numbers cut whole: the fields' limits are 32 and 200 characters,
# with room to spare (SQLite does not enforce a column's length).
TEXT_LIMIT = 2048
TRIGGERS = ("lead_keyword_insert", "lead_keyword_update", "lead_keyword_delete")
FUNCTION = "lead_keyword_grams"
SIGNATURE = f"{FUNCTION}({', '.join(['text'] * len(FIELDS))})"
INDEX = "lead_keyword_grams_idx"
# A gram held by at most this many leads is rare enough to read the keyword's leads from
# the index (about 50 ms of reading on SQLite at 1,000,000 leads, when no other gram of
# the keyword is rarer); a keyword every gram of which is commoner is read in the list's order.
RARE = 50_000
# The new leads `new_leads_deferred` cuts per statement: each statement sorts its pieces
# (about 25 a lead) in memory, up to SQLite's page cache (64 MiB while the import writes);
# all 100,000 of an import at once raised its peak memory from 487 to 562 MB.
DEFERRED_CHUNK = 10_000


def _sqlite_grams(fields, lead_id: str = "NULL", source: str = "", where: str = "") -> str:
    """A SELECT of the distinct (gram, lead_id) of the texts `fields` (SQL), from `source`
    (SQL of a table and a comma, or nothing) and numbers `n`, with condition `where`.

    Each field is cut on its own (a gram across two fields is no gram), each two-character
    piece upper-cased as SQLite's `upper()` folds it (ASCII letters only, one for one, so
    the piece of the upper-cased text is the upper-cased piece), a piece holding the
    separator left out as PostgreSQL's function leaves it out.
    """
    pieces = " UNION ALL ".join(
        f"SELECT upper(substr({field}, n, 2)) AS gram, {lead_id} AS lead_id "
        f"FROM {source}{NUMBERS} WHERE n < length({field}){where}"
        for field in fields
    )
    return f"SELECT DISTINCT gram, lead_id FROM ({pieces}) WHERE instr(gram, char(31)) = 0"


def _sqlite_triggers() -> list[str]:
    def grams(row: str) -> str:
        return _sqlite_grams([f"{row}.{field}" for field in FIELDS], f"{row}.id")

    insert = f"INSERT INTO {GRAMS} (gram, lead_id) {grams('NEW')}"
    delete = (
        f"DELETE FROM {GRAMS} WHERE lead_id = OLD.id "
        f"AND gram IN (SELECT gram FROM ({grams('OLD')}))"
    )
    changed = " OR ".join(f"OLD.{field} IS NOT NEW.{field}" for field in ("id", *FIELDS))
    on_insert, on_update, on_delete = TRIGGERS
    return [
        f"CREATE TRIGGER {on_insert} AFTER INSERT ON {LEADS} BEGIN {insert}; END",
        f"CREATE TRIGGER {on_update} AFTER UPDATE ON {LEADS} WHEN {changed} "
        f"BEGIN {delete}; {insert}; END",
        f"CREATE TRIGGER {on_delete} AFTER DELETE ON {LEADS} BEGIN {delete}; END",
    ]


def _postgresql_function() -> str:
    """The function PostgreSQL's index is on: the text of the three fields joined by the
    separator, upper-cased, cut at the separator into its parts, and each part into its
    two-character pieces (repeated pieces are kept: GIN stores each key of a row once).

    PL/pgSQL, not SQL: as a SQL function that PostgreSQL cannot inline (an aggregate over
    a series), each call ran the SQL function executor, and 100,000 leads written into a
    table with the index took 13.5 s, against 4.0 s with this function and 0.2 s without
    the index (docs/benchmarks.md).
    """
    joined = " || chr(31) || ".join(f"${number}" for number in range(1, len(FIELDS) + 1))
    return (
        f"CREATE OR REPLACE FUNCTION {SIGNATURE} RETURNS text[] "
        "LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$ "
        "DECLARE part text; grams text[] := '{}'; BEGIN "
        f"FOREACH part IN ARRAY coalesce(string_to_array(upper({joined}), chr(31)), '{{}}') LOOP "
        "FOR n IN 1 .. length(part) - 1 LOOP grams := grams || substr(part, n, 2); END LOOP; "
        "END LOOP; RETURN grams; END $$"
    )


def install(connection) -> None:
    """Create the index on `connection` and fill it from the leads there."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TABLE {GRAMS} (gram TEXT NOT NULL, lead_id INTEGER NOT NULL, "
                "PRIMARY KEY (gram, lead_id)) WITHOUT ROWID"
            )
            cursor.execute(f"CREATE TABLE {NUMBERS} (n INTEGER PRIMARY KEY)")
            cursor.execute(
                f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s "
                f"WHERE n < {TEXT_LIMIT}) INSERT INTO {NUMBERS} SELECT n FROM s"
            )
            install_triggers(connection)
            rebuild(connection)
        elif connection.vendor == "postgresql":
            cursor.execute(_postgresql_function())
            cursor.execute(
                f"CREATE INDEX {INDEX} ON {LEADS} USING gin ({FUNCTION}({', '.join(FIELDS)}))"
            )
        else:
            raise NotImplementedError(f"the keyword index has no form for {connection.vendor}")


def reinstall(connection) -> None:
    """Install the definitions here over an index installed by an earlier form that holds
    the same grams: SQLite's triggers, PostgreSQL's function (its index stays as it is)."""
    if connection.vendor == "sqlite":
        drop_triggers(connection)
        install_triggers(connection)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_postgresql_function())


def uninstall(connection) -> None:
    """Drop the index (migrating back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            drop_triggers(connection)
            cursor.execute(f"DROP TABLE IF EXISTS {GRAMS}")
            cursor.execute(f"DROP TABLE IF EXISTS {NUMBERS}")
        else:
            cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")


def install_triggers(connection) -> None:
    """Create the triggers keeping SQLite's table in step (PostgreSQL's index needs none)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for sql in _sqlite_triggers():
            cursor.execute(sql)


def drop_triggers(connection) -> None:
    """Drop SQLite's triggers: writes to leads then leave the table behind (a bulk load,
    which fills it again after by `rebuild`)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild(connection) -> None:
    """Fill SQLite's table again from every lead, in the table's order (one statement)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {GRAMS}")
        _fill(cursor)


def _fill(cursor, leads: str = "") -> None:
    """Write the grams of the leads kept by condition `leads` (SQL on lead `l`; default:
    every lead) in one statement, in the table's order (SQLite)."""
    grams = _sqlite_grams([f"l.{field}" for field in FIELDS], "l.id", f"{LEADS} l, ", leads)
    cursor.execute(f"INSERT OR IGNORE INTO {GRAMS} (gram, lead_id) {grams} ORDER BY 1, 2")


@contextmanager
def new_leads_deferred(connection):
    """Write the grams of the leads inserted in the block at its end, a statement per
    DEFERRED_CHUNK leads in the table's order, not lead by lead by the insert trigger
    (SQLite; PostgreSQL's index needs nothing). For a bulk insert inside the writer's
    transaction (the import): the trigger is dropped and created again in that
    transaction, so no other writer sees the table without it, and a rollback restores it.

    Lead by lead, each lead's pieces went into the table's B-tree in no order: for an
    import of 100,000 leads that was several seconds more (docs/benchmarks.md). The leads
    of the block are those past the highest id before it, cut DEFERRED_CHUNK ids a
    statement (SQLite gives a new lead an id past every id used, and no other writer can
    insert while this one holds the write lock). Edits and deletes in the block still go
    through their triggers; a lead both inserted and renamed in the block gets its pieces
    once.
    """
    if connection.vendor != "sqlite":
        yield
        return
    if not connection.in_atomic_block:
        raise TransactionManagementError("new_leads_deferred needs the writer's transaction")
    # (The insert trigger: the first of TRIGGERS, as _sqlite_triggers creates them.)
    name, insert = TRIGGERS[0], _sqlite_triggers()[0]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {name}")
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {LEADS}")
        (before,) = cursor.fetchone()
    try:
        yield
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {LEADS}")
            (last,) = cursor.fetchone()
            for low in range(int(before), int(last), DEFERRED_CHUNK):
                _fill(cursor, f" AND l.id > {low} AND l.id <= {low + DEFERRED_CHUNK}")
    finally:
        # (After an error that marked the transaction for rollback, the rollback restores it.)
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(insert)


def keyword_narrowing(value: str, using: str = "default") -> Q | None:
    """Return a condition keeping every lead whose text may hold `value` and few others, or
    None when the index should not narrow the search: one character, or every gram of the
    keyword held by more than RARE leads (then reading the list in its order finds the
    first matches soon; read from the index, all their holders would be read). Only
    narrows: the caller keeps the matches by `icontains`."""
    if len(value) < 2 or "\x1f" in value:
        # (A keyword holding the separator has pieces no lead's text is cut into.)
        return None
    connection = connections[using]
    if connection.vendor == "postgresql":
        if _fewest_holders_postgresql(connection, value) > RARE:
            return None
        grams = Func(*FIELDS, function=FUNCTION)
        # The keyword's grams: its text with two empty fields.
        wanted = Func(Value(value), Value(""), Value(""), function=FUNCTION)
        contains = Func(
            grams,
            wanted,
            template="%(expressions)s",
            arg_joiner=" @> ",
            output_field=BooleanField(),
        )
        return Q(contains)
    held = _held_grams(connection, value)
    if not held or held[0][1] > RARE:
        return None
    # The rarest gram's leads that hold every other gram too (each a look-up of the
    # table's key): all the keyword's grams, the database's GIN intersection by hand.
    (rarest, _), others = held[0], [gram for gram, _ in held[1:]]
    also = "".join(
        f" AND EXISTS (SELECT 1 FROM {GRAMS} o WHERE o.gram = %s AND o.lead_id = g.lead_id)"
        for _ in others
    )
    sql = f"SELECT g.lead_id FROM {GRAMS} g WHERE g.gram = %s{also}"
    return Q(pk__in=RawSQL(sql, [rarest, *others]))


def _held_grams(connection, value: str) -> list[tuple[str, int]]:
    """Return `value`'s grams with how many leads hold each, counted no further than
    RARE + 1, the rarest first (SQLite)."""
    grams = _sqlite_grams(["%s"])
    counts = (
        f"SELECT gram, (SELECT count(*) FROM (SELECT 1 FROM {GRAMS} g WHERE g.gram = k.gram "
        f"LIMIT {RARE + 1})) AS held FROM ({grams}) k ORDER BY held, gram"
    )
    with connection.cursor() as cursor:
        cursor.execute(counts, [value] * grams.count("%s"))
        return cursor.fetchall()


def _fewest_holders_postgresql(connection, value: str) -> float:
    """Return how many leads PostgreSQL's statistics say hold `value`'s rarest gram.

    ANALYZE keeps the most common grams of the index's expression with their share of
    the leads; a gram not among them is rarer than all of them (taken as none). With no
    statistics yet (a new database), the keyword is taken as rare.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {FUNCTION}(%s, '', ''), "
            "(SELECT reltuples FROM pg_class WHERE oid = %s::regclass), "
            "(SELECT most_common_elems::text::text[] FROM pg_stats "
            " WHERE tablename = %s AND attname = %s), "
            "(SELECT most_common_elem_freqs FROM pg_stats WHERE tablename = %s AND attname = %s)",
            [value, LEADS, INDEX, FUNCTION, INDEX, FUNCTION],
        )
        grams, leads, common, shares = cursor.fetchone()
    if not common or not shares or leads is None or leads < 0:
        return 0
    share = dict(zip(common, shares, strict=False))
    return min(share.get(gram, 0) for gram in grams) * leads if grams else 0
