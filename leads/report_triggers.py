"""The report tally's database triggers (`leads.report_tally`): images of the leads and
instalments written, appended in the writer's own transaction, whatever writes.

A lead's image copies the columns the report's counted events are read from
(`LEAD_IMAGE`); an update that changes none of them writes nothing. An
instalment's image copies its date and amount with its lead's breakdown
columns (`COLUMNS`) and counted 签约日期 (`LEAD_OF_PAID`); a change of one of
those lead columns (or its id) moves its instalments from the old values to
the new. On PostgreSQL an instalment's
trigger reads its lead FOR SHARE, so a concurrent change of the lead's columns
waits for it, or it waits for the change and reads the lead as changed (a test
with real threads fails without). Every writer of instalments locks their lead
first (the service, the import, the merge), so the share lock adds no deadlock.

The triggers are created by migration 0024 from the definitions here; a change
to them comes with its own migration (a test compares the database's triggers
with these).
"""

from __future__ import annotations

import hashlib

from leads.models import Lead, PaidIn, ReportImage

# The breakdown columns the tally groups by (the lead's column names); the report asks for these.
COLUMNS = ("industry_id", "credit_team_id", "source", "origin_type", "credit_unit_id", "leader")

LEADS = Lead._meta.db_table
PAID_INS = PaidIn._meta.db_table
IMAGES = ReportImage._meta.db_table
# The lead columns a lead's image copies; a change to any other column moves no figure.
LEAD_DATES = ("first_signed_on", "first_landed_on", "started_on", "in_production_on")
LEAD_IMAGE = (*LEAD_DATES, "first_signed_amount", "paid_in", "merged_into_id", *COLUMNS)
# An instalment's image: its own columns, its lead's breakdown columns and its lead's
# counted 签约日期 (under the image's name `lead_signed_on`: the 资金到位率's numerator).
PAID_IMAGE = ("received_on", "amount")
LEAD_OF_PAID = {"first_signed_on": "lead_signed_on"}
# What each kind of trigger writes, and its PostgreSQL function.
FUNCTIONS = {"lead": "lead_report()", "move": "lead_report_move()", "paid": "paid_report()"}


def _columns(prefix: str, names) -> str:
    return ", ".join(f"{prefix}{name}" for name in names)


def _lead_image(row: str, count: int) -> str:
    return (
        f"INSERT INTO {IMAGES} (count, {_columns('', LEAD_IMAGE)}) "
        f"VALUES ({count}, {_columns(f'{row}.', LEAD_IMAGE)})"
    )


def _paid_columns(lead_of_paid: dict) -> tuple[str, tuple]:
    """Return an instalment image's columns (its own, then its lead's under the image's names)
    and the lead columns copied into them, in that order."""
    lead_columns = (*COLUMNS, *lead_of_paid)
    return _columns("", (*PAID_IMAGE, *COLUMNS, *lead_of_paid.values())), lead_columns


def _paid_of_lead(row: str, count: int, lead_of_paid: dict) -> str:
    """The images of lead `row`'s instalments, with `row`'s columns."""
    targets, lead_columns = _paid_columns(lead_of_paid)
    return (
        f"INSERT INTO {IMAGES} (count, {targets}) "
        f"SELECT {count}, {_columns('p.', PAID_IMAGE)}, {_columns(f'{row}.', lead_columns)} "
        f"FROM {PAID_INS} p WHERE p.lead_id = {row}.id"
    )


def _paid_image(row: str, count: int, lead_of_paid: dict, lock: str = "") -> str:
    """The image of instalment `row`, with its lead's columns."""
    targets, lead_columns = _paid_columns(lead_of_paid)
    return (
        f"INSERT INTO {IMAGES} (count, {targets}) "
        f"SELECT {count}, {_columns(f'{row}.', PAID_IMAGE)}, {_columns('l.', lead_columns)} "
        f"FROM {LEADS} l WHERE l.id = {row}.lead_id{lock}"
    )


def _changed(names, differs: str) -> str:
    return " OR ".join(f"OLD.{name} {differs} NEW.{name}" for name in names)


def _dated(row: str) -> str:
    return " OR ".join(f"{row}.{name} IS NOT NULL" for name in LEAD_DATES)


def _triggers(
    differs: str, lead_of_paid: dict = LEAD_OF_PAID
) -> list[tuple[str, str, str, str, str]]:
    """Return the triggers as (name, event, table, condition, kind of FUNCTIONS)."""
    moved = ("id", *_paid_columns(lead_of_paid)[1])
    return [
        ("lead_report_insert", "INSERT", LEADS, _dated("NEW"), "lead"),
        ("lead_report_update", "UPDATE", LEADS, _changed(LEAD_IMAGE, differs), "lead"),
        ("lead_report_delete", "DELETE", LEADS, _dated("OLD"), "lead"),
        # An insert counts the instalments written before their lead (a deferred key).
        ("lead_report_move_insert", "INSERT", LEADS, "", "move"),
        ("lead_report_move_update", "UPDATE", LEADS, _changed(moved, differs), "move"),
        ("lead_report_move_delete", "DELETE", LEADS, "", "move"),
        ("paid_report_insert", "INSERT", PAID_INS, "", "paid"),
        (
            "paid_report_update",
            "UPDATE",
            PAID_INS,
            _changed(("lead_id", *PAID_IMAGE), differs),
            "paid",
        ),
        ("paid_report_delete", "DELETE", PAID_INS, "", "paid"),
    ]


# (name, table) of every trigger, for dropping them.
TRIGGERS = [(name, table) for name, _, table, _, _ in _triggers("IS NOT", LEAD_OF_PAID)]


def trigger_sql(vendor: str, *, lead_of_paid: dict = LEAD_OF_PAID) -> list[str]:
    """Return the statements creating the triggers (and on PostgreSQL their functions).

    `lead_of_paid`: the lead columns an instalment's image copies besides the breakdown
    columns; migration 0024, which ran before the image had `lead_signed_on`, copies none.
    """
    if vendor == "sqlite":
        statements = {
            "lead": (_lead_image("OLD", -1), _lead_image("NEW", 1)),
            "move": (_paid_of_lead("OLD", -1, lead_of_paid), _paid_of_lead("NEW", 1, lead_of_paid)),
            "paid": (_paid_image("OLD", -1, lead_of_paid), _paid_image("NEW", 1, lead_of_paid)),
        }
        sql = []
        for name, event, table, condition, kind in _triggers("IS NOT", lead_of_paid):
            old, new = statements[kind]
            body = {"INSERT": [new], "UPDATE": [old, new], "DELETE": [old]}[event]
            when = f" WHEN {condition}" if condition else ""
            sql.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table}{when} BEGIN {'; '.join(body)}; END"
            )
        return sql
    if vendor == "postgresql":
        bodies = {
            "lead": (_lead_image("OLD", -1), _lead_image("NEW", 1)),
            "move": (_paid_of_lead("OLD", -1, lead_of_paid), _paid_of_lead("NEW", 1, lead_of_paid)),
            "paid": (
                _paid_image("OLD", -1, lead_of_paid, " FOR SHARE"),
                _paid_image("NEW", 1, lead_of_paid, " FOR SHARE"),
            ),
        }
        sql = [
            f"CREATE OR REPLACE FUNCTION {FUNCTIONS[kind]} RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF TG_OP <> 'INSERT' THEN {old}; END IF; "
            f"IF TG_OP <> 'DELETE' THEN {new}; END IF; RETURN NULL; END $$"
            for kind, (old, new) in bodies.items()
        ]
        for name, event, table, condition, kind in _triggers("IS DISTINCT FROM", lead_of_paid):
            when = f" WHEN ({condition})" if condition else ""
            sql.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                f"FOR EACH ROW{when} EXECUTE FUNCTION {FUNCTIONS[kind]}"
            )
        return sql
    raise NotImplementedError(f"the report tally has no triggers for {vendor}")


def trigger_fingerprint() -> str:
    """Return a digest of every trigger statement, on both databases: the latest migration
    installing the triggers records it (TRIGGER_FINGERPRINT), and a test compares them."""
    statements = [*trigger_sql("sqlite"), *trigger_sql("postgresql")]
    return hashlib.sha256("\n".join(statements).encode()).hexdigest()


def install_triggers(connection, *, lead_of_paid: dict = LEAD_OF_PAID) -> None:
    """Create the report tally's triggers on `connection` (SQLite or PostgreSQL)."""
    with connection.cursor() as cursor:
        for sql in trigger_sql(connection.vendor, lead_of_paid=lead_of_paid):
            cursor.execute(sql)


def drop_triggers(connection) -> None:
    """Drop the report tally's triggers; writes then leave the tally behind."""
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for name, table in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{f' ON {table}' if postgresql else ''}")
        if postgresql:
            for function in FUNCTIONS.values():
                cursor.execute(f"DROP FUNCTION IF EXISTS {function}")
