"""The stage tally: each stage's live leads, counted and summed without reading the lead table.

The dashboard's pipeline and the board's column totals need, per stage, the
number of live leads and their amount (`lead_amount_expression`), of all
leads or of those of some teams, 产业 and 来源 (the board and the list filtered
by them). Read from the lead table, that cost grows with the city (0.37 s of
the dashboard's 0.52 s at 1,000,000 leads on SQLite); read from the tally, it
costs the number of (stage, team, 产业, 来源) groups (1,040 at 1,000,000 leads)
plus the writes since the last fold.

Kept in step by the database: triggers on the lead table (`install_triggers`,
migration 0016) append an image of each lead written, whatever writes it (the
services, the importer's executemany, merges, the admin, raw SQL), in the
writer's own transaction. The triggers apply no rule: liveness (`live_q`) and
the amount are applied when the tally is read or folded, by the expressions
the lead queries use. Appending rather than updating one counter row per
stage means concurrent writers never queue on a hot row, nor deadlock on two.

`tally_compact` folds the images into one row per group (KEYS); a reader
enqueues it (`compact_stage_tally`) once the images pass COMPACT_AFTER.
`tally_rebuild` counts the tally again from the leads: after `migrate` (and
a test's flush) and after a bulk load that paused the triggers (`triggers_paused`).
"""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal
from typing import NamedTuple

from django.db import connections, transaction
from django.db.models import BigIntegerField, Count, F, Q, Sum
from django.db.models.functions import Cast, Coalesce
from django_tasks import task

from leads.fold_lock import fold_asked, fold_lock, fold_lock_missed
from leads.models import Lead, StageTally
from leads.querysets import lead_amount_expression, live_q
from leads.reports.grouped import cents, cents_sum, from_cents

# Images past which a reader asks the worker to fold the tally; reading a few
# thousand rows costs about a millisecond.
COMPACT_AFTER = 2000

LEADS = Lead._meta.db_table
TALLY = StageTally._meta.db_table
# What the tally counts by: a folded row per group of live leads.
KEYS = ("stage", "team_id", "industry_id", "source")
# The lead columns an image copies: a change to any other column moves no total.
# The migration that installs the triggers names the columns as they were then
# (0016, 0027); a change here comes with a migration that installs them again.
COLUMNS = (*KEYS, "contract_amount", "planned_investment", "merged_into_id")
TRIGGERS = ("lead_tally_insert", "lead_tally_update", "lead_tally_delete")


def _insert(columns, *images: tuple[str, int]) -> str:
    values = ", ".join(
        f"({', '.join(f'{row}.{column}' for column in columns)}, {count})" for row, count in images
    )
    return f"INSERT INTO {TALLY} ({', '.join(columns)}, count) VALUES {values}"


def _trigger_sql(vendor: str, columns) -> list[str]:
    if vendor == "sqlite":
        changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)
        return [
            f"CREATE TRIGGER lead_tally_insert AFTER INSERT ON {LEADS} "
            f"BEGIN {_insert(columns, ('NEW', 1))}; END",
            f"CREATE TRIGGER lead_tally_update AFTER UPDATE ON {LEADS} WHEN {changed} "
            f"BEGIN {_insert(columns, ('OLD', -1), ('NEW', 1))}; END",
            f"CREATE TRIGGER lead_tally_delete AFTER DELETE ON {LEADS} "
            f"BEGIN {_insert(columns, ('OLD', -1))}; END",
        ]
    if vendor == "postgresql":
        changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in columns)
        return [
            "CREATE OR REPLACE FUNCTION lead_tally() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF TG_OP <> 'INSERT' THEN {_insert(columns, ('OLD', -1))}; END IF; "
            f"IF TG_OP <> 'DELETE' THEN {_insert(columns, ('NEW', 1))}; END IF; "
            "RETURN NULL; END $$",
            f"CREATE TRIGGER lead_tally_insert AFTER INSERT ON {LEADS} "
            "FOR EACH ROW EXECUTE FUNCTION lead_tally()",
            f"CREATE TRIGGER lead_tally_update AFTER UPDATE ON {LEADS} "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION lead_tally()",
            f"CREATE TRIGGER lead_tally_delete AFTER DELETE ON {LEADS} "
            "FOR EACH ROW EXECUTE FUNCTION lead_tally()",
        ]
    raise NotImplementedError(f"the stage tally has no triggers for {vendor}")


def install_triggers(connection, columns=COLUMNS) -> None:
    """Create the lead table's tally triggers on `connection` (SQLite or PostgreSQL), copying
    `columns` of the lead into each image (a migration names those of its time)."""
    with connection.cursor() as cursor:
        for sql in _trigger_sql(connection.vendor, columns):
            cursor.execute(sql)


def drop_triggers(connection) -> None:
    """Drop the lead table's tally triggers; writes to leads then leave the tally behind."""
    on = f" ON {LEADS}" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS lead_tally()")


@contextmanager
def triggers_paused(using: str = "default"):
    """Drop the triggers of the stage and report tallies, of the duplicate keys and of the
    keyword index for a bulk load of leads and instalments, then install them, count both
    tallies again, find the shared keys again and fill the keyword index again."""
    from leads import keyword_index, report_triggers
    from leads.dedup import buckets
    from leads.report_tally import report_tally_rebuild

    connection = connections[using]
    drop_triggers(connection)
    report_triggers.drop_triggers(connection)
    buckets.drop_triggers(connection)
    keyword_index.drop_triggers(connection)
    try:
        yield
    finally:
        install_triggers(connection)
        report_triggers.install_triggers(connection)
        buckets.install_triggers(connection)
        keyword_index.install_triggers(connection)
        tally_rebuild(using=using)
        report_tally_rebuild(using=using)
        buckets.buckets_rebuild(using=using)
        keyword_index.rebuild(connection)


class StageTotal(NamedTuple):
    """A stage's live leads (count, amount), and those the reader kept (all if it kept all)."""

    count: int
    amount: Decimal
    kept_count: int
    kept_amount: Decimal


def _cents_sum(condition: Q | None = None) -> Cast:
    """Sum the tally's rows as whole cents: a folded row's cents, an image's ±amount."""
    amount = Coalesce("cents", F("count") * cents(lead_amount_expression()))
    return Cast(Sum(amount, filter=condition), output_field=BigIntegerField())


def stage_totals(
    *, stages=None, team_ids=None, industry_ids=None, sources=None, using: str = "default"
) -> dict[str, StageTotal]:
    """Return {stage: StageTotal} of the live leads; `kept_*` of those in `stages`, of
    `team_ids`, `industry_ids` and `sources` only (each None: any).

    One query over the tally. A stage with no live lead may be missing.
    """
    kept = Q()
    for column, values in (
        ("stage", stages),
        ("team_id", team_ids),
        ("industry_id", industry_ids),
        ("source", sources),
    ):
        if values is not None:
            kept &= Q(**{f"{column}__in": values})
    grouped = list(
        StageTally.objects.using(using)
        .filter(live_q())
        .values("stage")
        .annotate(
            total=Sum("count"),
            total_cents=_cents_sum(),
            kept_total=Sum("count", filter=kept),
            kept_cents=_cents_sum(kept),
            images=Count("pk", filter=Q(cents__isnull=True)),
        )
        .order_by()
    )
    images = sum(row["images"] for row in grouped)
    fold_asked(compact_stage_tally, rows=images, after=COMPACT_AFTER, using=using)
    return {
        row["stage"]: StageTotal(
            row["total"],
            from_cents(row["total_cents"]),
            row["kept_total"] or 0,
            from_cents(row["kept_cents"]),
        )
        for row in grouped
    }


def live_lead_count(*, using: str = "default", **kept) -> int:
    """Return the number of live leads, of those `kept` (`stage_totals`' stages, team_ids,
    industry_ids, sources) only (one tally query)."""
    return sum(total.kept_count for total in stage_totals(using=using, **kept).values())


def _replace(using: str, grouped) -> int:
    folded = [
        StageTally(
            **{key: row[key] for key in KEYS},
            count=row["total"],
            cents=row["total_cents"] or 0,
        )
        for row in grouped
        if row["total"] or row["total_cents"]
    ]
    StageTally.objects.using(using).all().delete()
    StageTally.objects.using(using).bulk_create(folded)
    return len(folded)


def tally_compact(*, using: str = "default", wait: bool = True) -> int:
    """Fold the tally into one row per group (KEYS) with live leads; return the rows kept.

    The images of merged leads count for nothing (`live_q`) and are dropped.
    `wait=False` (the worker's fold) gives up rather than wait long for writers.
    """
    with transaction.atomic(using=using):
        fold_lock(using, TALLY, wait=wait)
        grouped = list(
            StageTally.objects.using(using)
            .filter(live_q())
            .values(*KEYS)
            .annotate(total=Sum("count"), total_cents=_cents_sum())
            .order_by()
        )
        return _replace(using, grouped)


def tally_rebuild(*, using: str = "default") -> int:
    """Count the tally again from the live leads; return the rows written."""
    with transaction.atomic(using=using):
        fold_lock(using, TALLY)
        grouped = list(
            Lead.objects.using(using)
            .values(*KEYS)
            .annotate(total=Count("pk"), total_cents=cents_sum(lead_amount_expression()))
            .order_by()
        )
        return _replace(using, grouped)


@task()
def compact_stage_tally(*, using: str = "default") -> int:
    """Fold the stage tally (the worker runs it when a reader finds it long); return the rows
    kept, or 0 when writers held the lock too long (a reader asks again)."""
    with fold_lock_missed():
        return tally_compact(using=using, wait=False)
    return 0
