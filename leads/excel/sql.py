"""Bulk INSERT (COPY on PostgreSQL) and UPDATE, for rows held as tuples rather than model instances.

Building 100,000 Lead instances (with their field tracker) costs more than
writing them; the importer validates plain rows and writes them here.
Values are adapted per column the way Django's fields would adapt them.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import connection

BATCH = 2000
# Keys per `IN (...)` of `select_in`.
IN_CHUNK = 5000


def _adapter(field):
    """Return how a value of `field` is adapted before it is bound, or None to bind it as it is.

    Dates and decimals need nothing: the database drivers adapt them as
    Django's fields would (on SQLite, Django registers `date.isoformat` and
    `str` for them with the sqlite3 module), so the per-row adapting is left
    to the few columns that do need it: aware datetimes and JSON.
    """
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        # A bulk write holds few distinct moments (mostly the import's own).
        return functools.lru_cache(maxsize=1024)(
            functools.partial(field.get_db_prep_save, connection=connection)
        )
    if internal == "JSONField":
        cache: dict = {}

        def adapt(value):
            key = repr(value)
            if key not in cache:
                if len(cache) > 1000:
                    cache.clear()
                cache[key] = field.get_db_prep_save(value, connection)
            return cache[key]

        return adapt
    return None


def _row_adapter(fields: Sequence):
    """Return the function adapting a row of values of `fields`, in order, before it is bound."""
    adapters = [_adapter(field) for field in fields]
    active = [(index, adapt) for index, adapt in enumerate(adapters) if adapt is not None]

    def adapt_row(row):
        if not active:
            return row
        row = list(row)
        for index, adapt in active:
            row[index] = adapt(row[index])
        return row

    return adapt_row


def _prepare(model, attnames: Sequence[str]):
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[name] for name in attnames]
    columns = [connection.ops.quote_name(field.column) for field in fields]
    return columns, _row_adapter(fields)


def bulk_insert(model, attnames: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert `rows` (values in `attnames` order) into `model`'s table; return the count.

    PostgreSQL takes them by COPY: at 100,000 leads, their history and
    transitions, the import went from 54 to 27 s there (executemany binds and
    plans each row; COPY streams them, and fires the same row triggers).
    """
    columns, adapt_row = _prepare(model, attnames)
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        return _copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN", map(adapt_row, rows))
    return _staged_insert(table, columns, map(adapt_row, rows))


def _staged_insert(table: str, columns: list[str], rows: Iterable) -> int:
    """Insert `rows` into `table` on SQLite: bound into a bare temporary table, then copied in one
    `INSERT … SELECT`.

    Binding each row straight into the lead table ran each row as its own
    statement through its 31 indexes and three triggers: 10 s for 100,000
    leads, against 4.9 s bound into a table with no index or trigger and then
    copied in one statement (the same rows, in the same order, the same
    triggers fired per row). The temporary table takes each column's affinity
    from `table`, so a value is stored as a direct INSERT would store it.
    """
    names = ", ".join(columns)
    stage = connection.ops.quote_name("crm_import_stage")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS temp.{stage}")
        cursor.execute(f"CREATE TEMP TABLE {stage} AS SELECT {names} FROM {table} WHERE 0")
        marks = ", ".join(["%s"] * len(columns))
        count = _execute(f"INSERT INTO temp.{stage} ({names}) VALUES ({marks})", rows)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM temp.{stage} ORDER BY rowid"
        )
        cursor.execute(f"DROP TABLE temp.{stage}")
    return count


# SQLite's page cache while an import writes, in KiB (the default is 2 MiB).
WRITE_CACHE_KIB = 64 * 1024


@contextmanager
def write_cache():
    """Give SQLite a larger page cache while the block writes, then the connection's own again.

    A 100,000-row import changes pages of the lead table's 31 indexes, its
    history and its transitions in turn; with the default 2 MiB cache SQLite
    spilled them to the WAL and read them back. With 64 MiB its write went
    from 13.2 to 11.1-11.3 s, and the import's peak memory from 478 to 483 MB
    (the peak is the plan's, before the write). PostgreSQL sizes its own.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _copy(sql: str, rows: Iterable) -> int:
    count = 0
    # The driver's own cursor: its errors are raised as Django's (IntegrityError, …), as
    # every other statement's are, so the importer's refusal of a write conflict sees them.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def bulk_update(model, attnames: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Update rows of `model` by primary key; each row is the `attnames` values, then the pk."""
    columns, adapt_row = _prepare(model, attnames)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    assignments = ", ".join(f"{column} = %s" for column in columns)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"
    return _execute(sql, ([*adapt_row(row[:-1]), row[-1]] for row in rows))


def _execute(sql: str, rows: Iterable) -> int:
    count = 0
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, BATCH)):
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def select_in(model, attnames: Sequence[str], key: str, keys: Iterable) -> list[tuple]:
    """Return the `attnames` values of the rows of `model` whose `key` is one of `keys`.

    Plain SQL, `IN` chunks of 5,000 keys: a queryset's `__in` prepares each
    key through its field, which for the 20,000 codes of a ledger costs more
    than the query. For text and id columns: values come back as the driver
    reads them, without the fields' conversions.
    """
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(by_attname[name].column) for name in attnames)
    table, column = quote(model._meta.db_table), quote(by_attname[key].column)
    keys = list(keys)
    found: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(keys), IN_CHUNK):
            chunk = keys[start : start + IN_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {columns} FROM {table} WHERE {column} IN ({marks})", chunk)
            found.extend(cursor.fetchall())
    return found


def insert_copies(
    model, attnames: Sequence[str], source, rows: Sequence, varying: Sequence[str] = (), **fixed
) -> int:
    """Insert into `model`, per (id, *values) of `rows`, the `attnames` of the row of
    `source` with that id, the row's `values` (by attname of `model`, named by `varying`)
    and `fixed` (the same for every row).

    `attnames` name the same columns in both tables (a field-history table and
    its model's). The database copies the values (INSERT … SELECT), instead of
    the driver binding each of them again: for a lead row just written, a
    quarter of the cost. The ids and varying values of a chunk are joined as a
    VALUES list, so rows that differ (each 到位资金 instalment's change reason
    names its amount and date) still go in one statement per chunk, not one
    each (7,000 statements for a 100,000-row ledger). Returns the count.
    """
    target = {field.attname: field for field in model._meta.concrete_fields}
    copied = {field.attname: field for field in source._meta.concrete_fields}
    quote = connection.ops.quote_name
    names = [*attnames, *varying, *fixed]
    columns = ", ".join(quote(target[name].column) for name in names)
    from_table = quote(source._meta.db_table)
    pk = quote(source._meta.pk.column)
    selected = [f"{from_table}.{quote(copied[name].column)}" for name in attnames]
    # A VALUES list's columns are column1, column2, … on both databases.
    selected += [f"v.column{index}" for index in range(2, len(varying) + 2)]
    values, marks = [], []
    for name, value in fixed.items():
        values.append(target[name].get_db_prep_save(value, connection))
        marks.append(_typed_mark(target[name]))
    varying_fields = [target[name] for name in varying]
    # Each row's id and values adapted as bulk_insert adapts its rows.
    adapt_row = _row_adapter([source._meta.pk, *varying_fields])
    row_marks = f"({', '.join(map(_typed_mark, [source._meta.pk, *varying_fields]))})"
    table = quote(model._meta.db_table)
    chunk_size = IN_CHUNK // (1 + len(varying))
    count = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk_size):
            chunk = rows[start : start + chunk_size]
            bound = [value for row in chunk for value in adapt_row(row)]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {', '.join([*selected, *marks])} "
                f"FROM {from_table} JOIN (VALUES {', '.join([row_marks] * len(chunk))}) AS v "
                f"ON {from_table}.{pk} = v.column1",
                [*values, *bound],
            )
            count += len(chunk)
    return count


def _typed_mark(field) -> str:
    """Return the placeholder of a value selected as a constant, typed where the database needs it.

    PostgreSQL reads an untyped parameter in a SELECT list as text; SQLite
    must not cast (a CAST to its datetime type would make a number of a date).
    """
    if connection.vendor == "sqlite":
        return "%s"
    return f"CAST(%s AS {field.cast_db_type(connection)})"
