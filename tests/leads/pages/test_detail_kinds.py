"""The detail page renders every lead that can exist, history or not."""

from django.test import TestCase
from django.urls import reverse

from leads.choices import Stage
from leads.models import StageTransition
from tests.factories import make_lead
from tests.roles import RolesMixin


class DetailOfEveryKindTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        cls.worked = make_lead(name="完整线索", stage=Stage.SIGNED)
        # Rows that predate the history tables (a restored or migrated ledger):
        # no stage-change row, no field-history row, or neither.
        cls.no_transitions = make_lead(name="无阶段记录")
        cls.no_history = make_lead(name="无修改记录", stage=Stage.VISIT)
        cls.bare = make_lead(name="空白线索")
        for lead in (cls.no_history, cls.bare):
            lead.history.all().delete()
        for lead in (cls.no_transitions, cls.bare):
            # Append-only through the ORM; a legacy database simply has none.
            StageTransition.objects.filter(lead=lead)._raw_delete(StageTransition.objects.db)

    def setUp(self):
        self.client.force_login(self.director)

    def test_every_kind_renders(self):
        for lead in (self.worked, self.no_transitions, self.no_history, self.bare):
            with self.subTest(lead=lead.name):
                response = self.client.get(reverse("leads:detail", args=[lead.pk]))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, lead.name)
        self.assertFalse(StageTransition.objects.filter(lead=self.bare).exists())
        self.assertFalse(self.bare.history.exists())

    def test_a_refused_activity_on_a_bare_lead_shows_the_form_again(self):
        url = reverse("leads:add_activity", args=[self.bare.pk])
        response = self.client.post(url, {"kind": "", "summary": ""})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "空白线索", status_code=400)
