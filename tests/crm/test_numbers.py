"""Numbers typed in a query or a form: only ASCII digits count, and no input gives a traceback."""

from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from crm.numbers import whole_number
from leads.models import Lead
from tests.factories import make_lead
from tests.roles import RolesMixin

# Digits str.isdigit() accepts and int() refuses or reads as another number, a number too
# big for any database integer, and the usual wrong inputs.
HOSTILE = ["²", "٣", "１２", "9" * 40, "-1", "1.0", " 1", "", "1e3"]


class WholeNumberTests(SimpleTestCase):
    def test_ascii_digits_only(self):
        self.assertEqual(
            [whole_number(text) for text in ("0", "7", "2026", "9" * 18)], [0, 7, 2026, 10**18 - 1]
        )
        for text in [*HOSTILE, None, 3]:
            with self.subTest(text=text):
                self.assertIsNone(whole_number(text))


class HostileNumberRequestTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        cls.lead = make_lead()

    def setUp(self):
        self.client.force_login(self.director)

    def test_pages_answer_without_a_traceback(self):
        for text in HOSTILE:
            with self.subTest(text=text):
                ranking = self.client.get(reverse("reports:ranking"), {"year": text, "month": "1"})
                self.assertContains(ranking, "不正确", status_code=400)
                for name, query in (
                    ("reports:monthly", {"version": text}),
                    ("reports:monthly_json", {"version": text}),
                    ("leads:key_projects", {"year": text}),
                    ("leads:overdue_nodes", {"team": text}),
                    ("leads:targets_export", {"year": text}),
                ):
                    self.assertEqual(self.client.get(reverse(name), query).status_code, 200, name)
                dismiss = self.client.post(reverse("leads:duplicates_dismiss"), {"lead": [text]})
                self.assertLess(dismiss.status_code, 500)
        for year in ("0", "1899", "10000", "99999"):
            with self.subTest(year=year):
                ranking = self.client.get(reverse("reports:ranking"), {"year": year, "month": "1"})
                self.assertContains(ranking, "不正确", status_code=400)
        self.assertEqual(Lead.objects.count(), 1)
