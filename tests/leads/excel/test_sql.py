"""The bulk SQL helpers: lookups by plain IN chunks, and history rows copied from the lead rows."""

from datetime import date
from decimal import Decimal
from unittest import mock

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.choices import Stage
from leads.excel import sql
from leads.models import Lead
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
