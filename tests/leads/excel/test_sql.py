"""The bulk SQL helpers: lookups by plain IN chunks, and history rows copied from the lead rows."""

from datetime import date
from decimal import Decimal
from unittest import mock

from django.db import IntegrityError, connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.choices import Stage
from leads.excel import sql
from leads.models import Lead, PaidIn
from tests.factories import UserFactory, make_lead

HISTORY = Lead.history.model
TRACKED = ["id", *(field.attname for field in HISTORY.tracked_fields if field.attname != "id")]


class SelectInTests(TestCase):
    def test_finds_every_key_across_chunks_and_nothing_else(self):
        leads = [make_lead(name=f"项目{index}", investor="甲公司") for index in range(5)]
        make_lead(name="别的项目", investor="乙公司")
        codes = [lead.code for lead in leads] + ["ZS-1999-99999"]
        with mock.patch.object(sql, "IN_CHUNK", 2):
            found = sql.select_in(Lead, ["code", "id"], "code", codes)
        self.assertEqual(sorted(found), sorted((lead.code, lead.pk) for lead in leads))
        self.assertEqual(sql.select_in(Lead, ["id"], "code", []), [])


class InsertCopiesTests(TestCase):
    def test_copies_the_lead_rows_with_the_fixed_values(self):
        actor = UserFactory()
        signed = make_lead(
            stage=Stage.SIGNED,
            signed_on=date(2026, 3, 5),
            contract_amount=Decimal("1234.50"),
            planned_investment=Decimal("3000"),
        )
        other = make_lead(name="不复制的项目")
        at = timezone.now()
        before = HISTORY.objects.count()
        with mock.patch.object(sql, "IN_CHUNK", 1):
            count = sql.insert_copies(
                HISTORY,
                TRACKED,
                Lead,
                [(signed.pk,)],
                history_date=at,
                history_change_reason="Excel导入：台账.xlsx（阶段变更：意向 → 签约）",
                history_type="~",
                history_user_id=actor.pk,
            )
        self.assertEqual((count, HISTORY.objects.count()), (1, before + 1))
        copy = HISTORY.objects.latest("history_id")
        lead = Lead.objects.values(*TRACKED).get(pk=signed.pk)
        self.assertEqual({name: getattr(copy, name) for name in TRACKED}, lead)
        self.assertEqual(
            (copy.history_date, copy.history_change_reason, copy.history_type, copy.history_user),
            (at, "Excel导入：台账.xlsx（阶段变更：意向 → 签约）", "~", actor),
        )
        self.assertEqual(
            (copy.contract_amount, copy.signed_on), (Decimal("1234.50"), date(2026, 3, 5))
        )
        self.assertFalse(HISTORY.objects.filter(id=other.pk, history_date=at).exists())

    def test_each_row_gets_its_own_values_across_chunks(self):
        """Rows whose change reasons differ go in together, each with its own reason."""
        leads = [make_lead(name=f"项目{number}") for number in range(5)]
        at = timezone.now()
        rows = [
            (
                lead.pk,
                f"Excel导入：到位资金 {number}.00 万元（2026-03-0{number + 1}）",
                "~+"[number % 2],
            )
            for number, lead in enumerate(leads)
        ]
        with mock.patch.object(sql, "IN_CHUNK", 6), CaptureQueriesContext(connection) as queries:
            count = sql.insert_copies(
                HISTORY,
                TRACKED,
                Lead,
                rows,
                ["history_change_reason", "history_type"],
                history_date=at,
                history_user_id=None,
            )
        # Two rows a statement (three values each, six at most): three statements.
        self.assertEqual((count, len(queries)), (5, 3))
        copies = HISTORY.objects.filter(history_date=at)
        self.assertEqual(
            sorted(copies.values_list("id", "history_change_reason", "history_type")), sorted(rows)
        )
        for lead in leads:
            copy = copies.values(*TRACKED).get(id=lead.pk)
            self.assertEqual(copy, Lead.objects.values(*TRACKED).get(pk=lead.pk))


class BulkInsertTests(TestCase):
    """Rows go in as the ORM would store them, in order, firing the tables' row triggers."""

    COLUMNS = ["lead_id", "received_on", "amount", "kind", "note", "actor_id", "channel", "created"]

    def stored(self, ids):
        """Each row's columns as stored, with SQLite's storage class (or the type on PostgreSQL)."""
        quoted = ", ".join(f"{name}, {self.type_of(name)}" for name in self.COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quoted} FROM leads_paidin WHERE id IN ({', '.join(['%s'] * len(ids))}) "
                "ORDER BY id",
                ids,
            )
            return cursor.fetchall()

    def type_of(self, column):
        return f"typeof({column})" if connection.vendor == "sqlite" else f"pg_typeof({column})"

    def test_rows_are_stored_as_the_orm_stores_them(self):
        actor = UserFactory()
        lead = make_lead(stage=Stage.SIGNED, signed_on=date(2026, 3, 5))
        at = timezone.now()
        rows = [
            (
                lead.pk,
                date(2026, 4, number + 1),
                Decimal(f"{number}00.10"),
                "equity",
                f"第{number}笔",
                actor.pk if number % 2 else None,
                "import",
                at,
            )
            for number in range(1, 6)
        ]
        images = lead_images()
        with mock.patch.object(sql, "BATCH", 2):
            count = sql.bulk_insert(PaidIn, self.COLUMNS, rows)
        self.assertEqual(count, 5)
        inserted = list(PaidIn.objects.filter(lead=lead).order_by("pk"))
        # In the order given, each with its own values.
        self.assertEqual(
            [(p.received_on, p.amount, p.note, p.actor_id, p.created) for p in inserted],
            [(row[1], row[2], row[4], row[5], row[7]) for row in rows],
        )
        by_orm = PaidIn.objects.create(
            lead=lead,
            received_on=date(2026, 4, 2),
            amount=Decimal("100.10"),
            kind="equity",
            note="第1笔",
            actor=actor,
            channel="import",
            created=at,
        )
        first, orm = self.stored([inserted[0].pk, by_orm.pk])[0], self.stored([by_orm.pk])[0]
        self.assertEqual(first, orm)
        # The table's row trigger (the report's 到位资金 image) fired once per row.
        self.assertEqual(lead_images() - images, 6)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM sqlite_temp_master WHERE type = 'table'")
                self.assertEqual(cursor.fetchone(), (0,))

    def test_a_failing_row_writes_none_of_the_call(self):
        lead = make_lead()
        at = timezone.now()
        rows = [
            (lead.pk, date(2026, 4, 1), Decimal("1.00"), "equity", "", None, "import", at),
            # 类别 may not be blank in the database.
            (lead.pk, date(2026, 4, 2), Decimal("2.00"), None, "", None, "import", at),
        ]
        with self.assertRaises(IntegrityError), transaction.atomic():
            sql.bulk_insert(PaidIn, self.COLUMNS, rows)
        self.assertFalse(PaidIn.objects.filter(lead=lead).exists())


def lead_images() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(count), 0) FROM leads_reportimage")
        return cursor.fetchone()[0]


class WriteCacheTests(TestCase):
    def cache_size(self):
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    def test_sqlite_writes_with_a_larger_cache_then_gets_its_own_back(self):
        if connection.vendor != "sqlite":
            # PostgreSQL sizes its own buffers: nothing is asked of it.
            with CaptureQueriesContext(connection) as queries, sql.write_cache():
                pass
            self.assertEqual(len(queries), 0)
            return
        before = self.cache_size()
        with sql.write_cache():
            self.assertEqual(self.cache_size(), -sql.WRITE_CACHE_KIB)
        self.assertEqual(self.cache_size(), before)
        with self.assertRaises(RuntimeError), sql.write_cache():
            raise RuntimeError("an import failing while it writes")
        self.assertEqual(self.cache_size(), before)
