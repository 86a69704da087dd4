"""Migration 0010 carries each typed 到位资金 over to one instalment, inventing no date."""

import importlib
from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.test import TestCase
from django.utils import timezone

from leads.choices import Stage
from leads.models import Lead, PaidIn
from tests.factories import make_lead

migration = importlib.import_module("leads.migrations.0010_paid_in_instalments")


class PaidInCarryOverTests(TestCase):
    def test_landed_amounts_are_dated_on_the_landing_and_others_left_undated(self):
        day = timezone.localdate() - timedelta(days=3)
        landed = make_lead(stage=Stage.LANDED, signed_on=day, landed_on=day)
        signed = make_lead(stage=Stage.SIGNED, name="已签约")
        empty = make_lead(stage=Stage.SIGNED, name="无到位资金")
        # As typed before instalments existed.
        Lead.objects.filter(pk=landed.pk).update(paid_in=Decimal("300.25"))
        Lead.objects.filter(pk=signed.pk).update(paid_in=Decimal("12"))

        migration.carry_over(apps, None)

        rows = {
            p.lead_id: (p.received_on, p.amount, p.kind, p.channel) for p in PaidIn.objects.all()
        }
        self.assertEqual(
            rows,
            {
                landed.pk: (day, Decimal("300.25"), "other", "system"),
                signed.pk: (None, Decimal("12"), "other", "system"),
            },
        )
        self.assertNotIn(empty.pk, rows)
        migration.remove_carried(apps, None)
        self.assertFalse(PaidIn.objects.exists())
