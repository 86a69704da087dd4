"""seed_aftercare_demo gives the landed projects' enterprises a realistic ledger."""

import io

from django.core.management import call_command
from django.test import TestCase

from aftercare.models import Enterprise, Problem
from leads.choices import Stage
from tests.aftercare.helpers import load_reference
from tests.factories import credit_code, make_lead


class SeedAftercareDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()
        for number in range(25):
            make_lead(
                stage=Stage.LANDED,
                name=f"项目{number}",
                registered_name=f"本区企业{number}有限公司",
                credit_code=credit_code(f"91410300MA{number:07d}"),
            )

    def test_a_year_of_problems_in_every_state_for_the_landed_enterprises(self):
        call_command("seed_aftercare_demo", stdout=io.StringIO())
        self.assertEqual(Enterprise.objects.filter(lead__isnull=False).count(), 25)
        statuses = set(Problem.objects.values_list("status", flat=True))
        self.assertLessEqual({"closed", "escalated", "in_progress", "on_record"}, statuses)
        self.assertTrue(Problem.objects.overdue().exists())
        self.assertTrue(Problem.objects.filter(enterprise__lead__isnull=False).exists())
        for problem in Problem.objects.closed():
            self.assertIsNotNone(problem.feedback_on)
        count = Problem.objects.count()
        call_command("seed_aftercare_demo", stdout=io.StringIO())
        self.assertEqual(Problem.objects.count(), count)
