"""The backlog as of a past day for leads now at 签约 that left it and came back in between."""

from datetime import date

from django.test import TestCase

from leads.choices import Stage
from leads.reports.backlog import backlog_rows
from tests.leads.reports.scenario import LeadMaker, load_reference, moment


class PastBacklogOfLeadsBackAtSignedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()
        maker = LeadMaker(seed=8)
        # Signed in February, dropped at 23:30 on 30 April, reopened to 签约 in June.
        cls.reopened = maker.sign(
            maker.contact(moment(date(2024, 1, 4))), moment(date(2024, 2, 10))
        )
        cls.reopened = maker.drop(cls.reopened, moment(date(2024, 4, 30), 23, 30))
        cls.reopened = maker.reopen(cls.reopened, moment(date(2024, 6, 3)))
        # Signed in February, moved back in March, signed again on 1 May at 00:30.
        cls.resigned = maker.sign(
            maker.contact(moment(date(2024, 1, 5))), moment(date(2024, 2, 12))
        )
        cls.resigned = maker.move_back(cls.resigned, moment(date(2024, 3, 5)))
        cls.resigned = maker.sign(cls.resigned, moment(date(2024, 5, 1), 0, 30))
        # Signed in February and never moved since.
        cls.waiting = maker.sign(maker.contact(moment(date(2024, 1, 6))), moment(date(2024, 2, 14)))

    def codes(self, day):
        return [row.code for row in backlog_rows(as_of=day, sla_days=None)]

    def test_leads_are_now_signed(self):
        for lead in (self.reopened, self.resigned, self.waiting):
            lead.refresh_from_db()
            self.assertEqual(lead.stage, Stage.SIGNED)

    def test_lead_dropped_and_reopened_waits_except_while_dropped(self):
        self.assertIn(self.reopened.code, self.codes(date(2024, 3, 31)))
        self.assertIn(self.reopened.code, self.codes(date(2024, 4, 29)))
        self.assertNotIn(self.reopened.code, self.codes(date(2024, 4, 30)))
        self.assertNotIn(self.reopened.code, self.codes(date(2024, 5, 31)))
        self.assertIn(self.reopened.code, self.codes(date(2024, 6, 30)))

    def test_lead_moved_back_and_signed_again_waits_except_in_between(self):
        self.assertIn(self.resigned.code, self.codes(date(2024, 2, 29)))
        self.assertNotIn(self.resigned.code, self.codes(date(2024, 3, 31)))
        self.assertNotIn(self.resigned.code, self.codes(date(2024, 4, 30)))
        self.assertIn(self.resigned.code, self.codes(date(2024, 5, 1)))

    def test_lead_never_moved_since_signing_waits_from_its_signing(self):
        self.assertNotIn(self.waiting.code, self.codes(date(2024, 2, 13)))
        for day in (date(2024, 2, 14), date(2024, 4, 30), date(2024, 12, 31)):
            self.assertIn(self.waiting.code, self.codes(day))
        row = next(
            r
            for r in backlog_rows(as_of=date(2024, 3, 15), sla_days=20)
            if r.code == self.waiting.code
        )
        self.assertEqual((row.days_waiting, row.overdue), (30, True))
