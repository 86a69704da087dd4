"""Credit (引进单位): the team at capture, changed only by 局领导 with a reason, kept in history."""

from datetime import date

from django.test import TestCase

from leads.choices import Stage
from leads.models import Lead, TaskTeam, Unit
from leads.reports.monthly import monthly_report_build
from leads.reports.period import Period
from leads.services import LeadServiceError, lead_set_credit
from tests.factories import UserFactory
from tests.leads.reports.scenario import LeadMaker, load_reference, moment


class CreditTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()
        cls.maker = maker = LeadMaker(seed=3)
        cls.lead = maker.land(
            maker.sign(maker.contact(moment(date(2025, 3, 1))), moment(date(2025, 3, 5))),
            moment(date(2025, 3, 20)),
        )
        cls.capture_team = TaskTeam.objects.get(stages__stage=Stage.CONTACT)

    def test_credit_stays_with_the_capturing_team_when_stage_owners_take_over(self):
        lead = Lead.objects.get(pk=self.lead.pk)
        self.assertEqual(lead.credit_team, self.capture_team)
        self.assertNotEqual(lead.team, self.capture_team)
        report = monthly_report_build(Period.month(2025, 3), today=date(2026, 1, 1))
        row = next(r for r in report.by_team if r.name == self.capture_team.name)
        self.assertEqual(row.month.signed.count, 1)

    def test_only_a_director_changes_the_credit_with_a_reason(self):
        unit = Unit.objects.create(name="东城街道", kind=Unit.Kind.TOWN)
        other = TaskTeam.objects.exclude(pk=self.capture_team.pk).first()
        with self.assertRaises(LeadServiceError):
            lead_set_credit(
                lead=self.lead,
                credit_team=other,
                credit_unit=unit,
                actor=UserFactory(groups=["小分队组长"]),
                reason="x",
            )
        with self.assertRaises(LeadServiceError):
            lead_set_credit(
                lead=self.lead,
                credit_team=other,
                credit_unit=unit,
                actor=self.maker.director,
                reason="",
            )
        lead = lead_set_credit(
            lead=Lead.objects.get(pk=self.lead.pk),
            credit_team=other,
            credit_unit=unit,
            actor=self.maker.director,
            reason="实为该小分队首谈",
        )
        self.assertEqual((lead.credit_team, lead.credit_unit), (other, unit))
        latest = lead.history.first()
        self.assertIn("实为该小分队首谈", latest.history_change_reason)
        self.assertEqual(latest.credit_team_id, other.pk)

    def test_the_same_credit_writes_nothing_and_one_column_changes_alone(self):
        lead = Lead.objects.get(pk=self.lead.pk)
        version, rows = lead.version, lead.history.count()
        same = lead_set_credit(
            lead=lead,
            credit_team=lead.credit_team,
            credit_unit=lead.credit_unit,
            actor=self.maker.director,
            reason="核对",
        )
        self.assertEqual((same.version, same.history.count()), (version, rows))
        unit = Unit.objects.create(name="西城街道", kind=Unit.Kind.TOWN)
        moved = lead_set_credit(
            lead=Lead.objects.get(pk=self.lead.pk),
            credit_team=lead.credit_team,
            credit_unit=unit,
            actor=self.maker.director,
            reason="实为西城街道引进",
        )
        stored = Lead.objects.get(pk=self.lead.pk)
        self.assertEqual(
            (stored.version, stored.credit_unit, stored.credit_team),
            (version + 1, unit, lead.credit_team),
        )
        self.assertEqual(moved.history.count(), rows + 1)
        self.assertEqual(moved.history.first().credit_unit_id, unit.pk)
