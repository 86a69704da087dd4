"""Counting by event: drops, moves back, edits and corrections across month and year ends."""

from datetime import date
from decimal import Decimal

from django.test import TestCase

from leads.choices import Stage
from leads.models import Lead
from leads.reports.monthly import monthly_report_build
from leads.reports.period import Period
from leads.services import InvalidTransition, lead_change_stage
from tests.factories import UserFactory
from tests.leads.reports.scenario import LeadMaker, load_reference, moment

TODAY = date(2026, 11, 27)


def report(year, month):
    return monthly_report_build(Period.month(year, month), today=TODAY)


class CountingByEventTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()
        cls.maker = maker = LeadMaker(seed=8)
        cls.dropped = maker.sign(
            maker.contact(moment(date(2025, 2, 1))),
            moment(date(2025, 3, 10)),
            contract_amount=Decimal("100.00"),
        )
        maker.drop(cls.dropped, moment(date(2025, 4, 2)))
        cls.back = maker.sign(
            maker.contact(moment(date(2025, 2, 1))),
            moment(date(2025, 3, 11)),
            contract_amount=Decimal("20.00"),
        )
        maker.move_back(cls.back, moment(date(2025, 5, 2)))
        cls.edited = maker.sign(
            maker.contact(moment(date(2025, 2, 1))),
            moment(date(2025, 3, 12)),
            contract_amount=Decimal("3.00"),
        )
        maker.edit_signing(cls.edited)
        # Signed in December 2024, corrected in January 2025: across the year end.
        cls.corrected = maker.sign(
            maker.contact(moment(date(2024, 11, 1))),
            moment(date(2024, 12, 30)),
            contract_amount=Decimal("7.00"),
        )
        cls.corrected = maker.land(cls.corrected, moment(date(2024, 12, 31), 23, 30))
        maker.correct(cls.corrected, moment(date(2025, 1, 3)))

    def test_drop_move_back_and_edit_leave_the_signing_month(self):
        march = report(2025, 3)
        self.assertEqual(march.month_totals.signed.count, 3)
        self.assertEqual(march.month_totals.signed.amount, Decimal("123.00"))

    def test_drop_shows_as_signed_then_dropped_in_the_month_of_the_drop(self):
        april = report(2025, 4)
        self.assertEqual(april.signed_then_dropped.month.count, 1)
        self.assertEqual(april.signed_then_dropped.month.amount, Decimal("100.00"))
        self.assertEqual([row.code for row in april.signed_then_dropped.leads], [self.dropped.code])
        self.assertEqual(report(2025, 3).signed_then_dropped.month.count, 0)

    def test_correction_removes_the_signing_and_landing_and_is_listed_next_month(self):
        december = report(2024, 12)
        self.assertEqual(december.month_totals.signed.count, 0)
        self.assertEqual(december.month_totals.landed.count, 0)
        january = report(2025, 1)
        listed = [(r.kind, r.code, r.event, r.event_on) for r in january.corrections]
        self.assertEqual(
            listed,
            [
                ("correction", self.corrected.code, "landed", date(2024, 12, 31)),
                ("correction", self.corrected.code, "signed", date(2024, 12, 30)),
            ],
        )
        self.assertEqual(january.corrections[0].reason, "误录签约，更正")
        self.assertTrue(Lead.objects.get(pk=self.corrected.pk).transitions.last().correction)

    def test_only_a_director_may_mark_a_move_back_as_correction(self):
        member = UserFactory(groups=["小分队队员"])
        lead = Lead.objects.get(pk=self.edited.pk)
        with self.assertRaises(InvalidTransition) as caught:
            lead_change_stage(
                lead=lead,
                to_stage=Stage.INTENT,
                channel="web",
                actor=member,
                correction=True,
                note="误录",
            )
        self.assertIn("correction", caught.exception.message_dict)
        self.assertEqual(report(2025, 3).month_totals.signed.count, 3)

    def test_correction_needs_a_backward_move(self):
        lead = Lead.objects.get(pk=self.back.pk)
        with self.assertRaises(InvalidTransition):
            lead_change_stage(
                lead=lead,
                to_stage=Stage.DROPPED,
                channel="web",
                actor=self.maker.director,
                correction=True,
                drop_reason="x",
                note="x",
            )
