"""The lead list and detail pages: login required, filters applied."""

from django.contrib.auth.models import Permission
from django.test import TestCase
from django.urls import reverse

from leads.choices import Stage
from tests.factories import IndustryFactory, UserFactory, ensure_stage_owners, make_lead


class LeadPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        ensure_stage_owners()
        # Lead pages need the view permission (every role has it; a user with no role does not).
        cls.user = UserFactory()
        cls.user.user_permissions.add(Permission.objects.get(codename="view_lead"))
        industry = IndustryFactory(name="新材料")
        cls.contact = make_lead(industry=industry, name="石墨烯项目")
        cls.signed = make_lead(industry=industry, name="碳纤维项目", stage=Stage.SIGNED)

    def test_pages_require_login(self):
        response = self.client.get(reverse("leads:list"))
        self.assertRedirects(response, f"{reverse('login')}?next={reverse('leads:list')}")

    def test_list_applies_lead_filter(self):
        self.client.force_login(self.user)
        response = self.client.get(reverse("leads:list"), {"stage": "signed"})
        self.assertContains(response, "碳纤维项目")
        self.assertNotContains(response, "石墨烯项目")

    def test_detail_shows_stage_history(self):
        self.client.force_login(self.user)
        response = self.client.get(reverse("leads:detail", args=[self.signed.pk]))
        self.assertContains(response, "接洽 → 签约")
