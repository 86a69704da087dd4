"""The keys likely duplicates may share, kept as leads are written, so the finder reads few leads.

The finder (`leads.dedup.finder`) pairs the live leads sharing a credit key, or
an investor key with similar names. Asked of every lead, that is a probe per
lead sharing its investor with another (nearly all of a city's: 3.6 s at
1,000,000 leads). Instead it reads only the leads of the keys in
`DuplicateKey`, which holds every key live leads share by the rule:

- triggers on the lead table (`install_triggers`, migration 0028) append the
  investor and credit keys of each live lead inserted, or updated in a key,
  its name or its liveness, whatever writes it (the services, the importer's
  bulk paths, merges and their undo, the admin), in the writer's own
  transaction; a key can come to be shared only by such a write;
- `buckets_fold` (the worker, asked by the finder) replaces the rows with
  one per key still shared, by the rule's SQL form (`similar_partner_q`); a
  key no longer shared (a lead renamed, merged, deleted) is dropped then,
  and until then only costs the finder a probe.

`buckets_rebuild` finds the keys again from every lead: after `migrate`, a
flush, and a bulk load that paused the triggers.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Length, StrIndex
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual
from django_tasks import task

from leads.fold_lock import fold_asked, fold_lock, fold_lock_missed
from leads.models import DuplicateKey, Lead

LEADS = Lead._meta.db_table
KEYS_TABLE = DuplicateKey._meta.db_table
TRIGGERS = ("lead_duplicate_key_insert", "lead_duplicate_key_update")
# The lead columns a likely pair depends on: a change to any other moves no key.
WATCHED = ("investor_key", "name_key", "credit_key", "merged_into_id")
# Unfolded rows past which the finder asks the worker to fold (each costs it a probe of
# the leads of one key; the worker folds a few hundred in milliseconds).
FOLD_AFTER = 200
# How many keys one query names (under SQLite's bound on a statement's variables).
CHUNK = 2000


def _trigger_sql(vendor: str) -> list[str]:
    live = "NEW.merged_into_id IS NULL AND (NEW.investor_key <> '' OR NEW.credit_key <> '')"
    insert = (
        f"INSERT INTO {KEYS_TABLE} (investor_key, credit_key, folded) "
        "VALUES (NEW.investor_key, NEW.credit_key, FALSE)"
    )
    if vendor == "sqlite":
        changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in WATCHED)
        return [
            f"CREATE TRIGGER lead_duplicate_key_insert AFTER INSERT ON {LEADS} "
            f"WHEN {live} BEGIN {insert}; END",
            f"CREATE TRIGGER lead_duplicate_key_update AFTER UPDATE ON {LEADS} "
            f"WHEN {live} AND ({changed}) BEGIN {insert}; END",
        ]
    if vendor == "postgresql":
        changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in WATCHED)
        return [
            "CREATE OR REPLACE FUNCTION lead_duplicate_key() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN {insert}; RETURN NULL; END $$",
            f"CREATE TRIGGER lead_duplicate_key_insert AFTER INSERT ON {LEADS} "
            f"FOR EACH ROW WHEN ({live}) EXECUTE FUNCTION lead_duplicate_key()",
            f"CREATE TRIGGER lead_duplicate_key_update AFTER UPDATE ON {LEADS} "
            f"FOR EACH ROW WHEN ({live} AND ({changed})) EXECUTE FUNCTION lead_duplicate_key()",
        ]
    raise NotImplementedError(f"the duplicate keys have no triggers for {vendor}")


def install_triggers(connection) -> None:
    """Create the lead table's duplicate-key triggers on `connection` (SQLite or PostgreSQL)."""
    with connection.cursor() as cursor:
        for sql in _trigger_sql(connection.vendor):
            cursor.execute(sql)


def drop_triggers(connection) -> None:
    """Drop the duplicate-key triggers; writes to leads then leave the keys behind."""
    on = f" ON {LEADS}" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS lead_duplicate_key()")


def repeated_keys(key: str, leads=None):
    """Return the values of `key` that two or more live leads (of `leads`) share (GROUP BY)."""
    leads = Lead.objects.all() if leads is None else leads
    return (
        leads.exclude(**{key: ""})
        .order_by()
        .values(key)
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
        .values(key)
    )


def similar_partner_q() -> Q:
    """Return the condition "another live lead has this investor key and a similar name".

    The SQL form of `names_similar` (equal, or the one of two or more
    characters contained in the other), used to read only the leads that
    may pair; the pairs are then decided by `keys_match` itself (tested equal
    on the finder's data). Probes the (investor_key, name_key) index once per
    lead read.
    """
    contains = GreaterThan(StrIndex(F("name_key"), OuterRef("name_key")), 0) & GreaterThanOrEqual(
        Length(OuterRef("name_key")), 2
    )
    contained = GreaterThan(StrIndex(OuterRef("name_key"), F("name_key")), 0) & GreaterThanOrEqual(
        Length("name_key"), 2
    )
    partners = (
        Lead.objects.filter(investor_key=OuterRef("investor_key"))
        .exclude(pk=OuterRef("pk"))
        .exclude(name_key="")
        .filter(Q(name_key=OuterRef("name_key")) | Q(contains) | Q(contained))
    )
    return Q(Exists(partners)) & ~Q(name_key="")


def _shared(using: str, investor_keys=None, credit_keys=None) -> tuple[set[str], set[str]]:
    """Return the investor keys and credit keys live leads share by the rule: of those given,
    in chunks, or (both None) of every lead."""
    leads = Lead.objects.using(using)
    if investor_keys is None and credit_keys is None:
        investor = leads.filter(investor_key__in=repeated_keys("investor_key", leads))
        return (
            set(investor.filter(similar_partner_q()).values_list("investor_key", flat=True)),
            set(repeated_keys("credit_key", leads).values_list("credit_key", flat=True)),
        )
    investors, credits = set(), set()
    investor_keys, credit_keys = sorted(investor_keys), sorted(credit_keys)
    for start in range(0, len(investor_keys), CHUNK):
        chunk = leads.filter(investor_key__in=investor_keys[start : start + CHUNK])
        investors.update(chunk.filter(similar_partner_q()).values_list("investor_key", flat=True))
    for start in range(0, len(credit_keys), CHUNK):
        chunk = leads.filter(credit_key__in=credit_keys[start : start + CHUNK])
        credits.update(repeated_keys("credit_key", chunk).values_list("credit_key", flat=True))
    return investors, credits


def _lock(using: str, *, wait: bool) -> None:
    """Keep other folds out until the transaction ends, not the triggers' writers (SQLite's
    IMMEDIATE transaction holds the one write lock already)."""
    fold_lock(using, KEYS_TABLE, wait=wait, mode="SHARE UPDATE EXCLUSIVE")


def _replace(using: str, ids, investors: set[str], credits: set[str]) -> int:
    keys = DuplicateKey.objects.using(using)
    if ids is None:
        keys.all().delete()
    else:
        for start in range(0, len(ids), CHUNK):
            keys.filter(pk__in=ids[start : start + CHUNK]).delete()
    rows = [DuplicateKey(investor_key=key, folded=True) for key in sorted(investors)]
    rows += [DuplicateKey(credit_key=key, folded=True) for key in sorted(credits)]
    keys.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


def buckets_fold(*, using: str = "default", wait: bool = True) -> int:
    """Replace the rows held with one per key live leads still share; return the rows kept.

    Only the rows read are replaced: a writer's row committed meanwhile stays
    for the next fold. `wait=False` (the worker's fold) gives up rather than
    wait long for another fold.
    """
    with transaction.atomic(using=using):
        _lock(using, wait=wait)
        held = list(
            DuplicateKey.objects.using(using).values_list("pk", "investor_key", "credit_key")
        )
        investors, credits = _shared(
            using, {row[1] for row in held} - {""}, {row[2] for row in held} - {""}
        )
        return _replace(using, [row[0] for row in held], investors, credits)


def buckets_rebuild(*, using: str = "default") -> int:
    """Find the shared keys again from every live lead; return the rows written."""
    with transaction.atomic(using=using):
        _lock(using, wait=True)
        return _replace(using, None, *_shared(using))


def held_keys(using: str = "default"):
    """Return the investor keys and the credit keys held (two subqueries): every key live
    leads may share by the rule is among them.

    Asks the worker to fold when writers have added more than FOLD_AFTER keys since
    the last fold.
    """
    keys = DuplicateKey.objects.using(using)
    unfolded = keys.filter(folded=False).count()
    fold_asked(fold_duplicate_keys, rows=unfolded, after=FOLD_AFTER, using=using)
    return (
        keys.exclude(investor_key="").values("investor_key"),
        keys.exclude(credit_key="").values("credit_key"),
    )


@task()
def fold_duplicate_keys(*, using: str = "default") -> int:
    """Fold the duplicate keys (the worker runs it when the finder finds keys unfolded);
    return the rows kept, or 0 when another fold held the lock too long."""
    with fold_lock_missed():
        return buckets_fold(using=using, wait=False)
    return 0
