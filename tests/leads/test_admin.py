"""The admin: Chinese, every model listed, stage changed only through the service."""

from decimal import Decimal

from django.contrib.auth.models import Permission, User
from django.test import TestCase
from django.urls import reverse

from chambers.models import Chamber, Entrepreneur
from leads.choices import Stage
from leads.models import (
    Activity,
    AnnualTarget,
    Industry,
    Lead,
    StageOwner,
    StageTransition,
    TaskTeam,
)
from leads.services import lead_update
from tests.factories import IndustryFactory, UserFactory, ensure_stage_owners, make_lead


class AdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owners = ensure_stage_owners()
        cls.industry = IndustryFactory(name="大健康")
        cls.admin = User.objects.create_superuser("root", "root@example.com", "pw-123456789")
        cls.lead = make_lead(industry=cls.industry, name="康养综合体")

    def setUp(self):
        self.client.force_login(self.admin)


class AdminPagesTests(AdminTestCase):
    def test_every_model_has_chinese_list_and_add_pages(self):
        for model in [Industry, TaskTeam, StageOwner, AnnualTarget, Lead, Activity, Chamber,
                      Entrepreneur, StageTransition]:  # fmt: skip
            opts = model._meta
            response = self.client.get(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            )
            self.assertContains(response, str(opts.verbose_name_plural))
            self.assertContains(response, "招商引资线索管理")
            self.assertContains(response, "首页")  # Django's own admin text, translated
        response = self.client.get(reverse("admin:leads_lead_add"))
        self.assertContains(response, "项目名称")

    def test_stage_is_shown_read_only_with_a_change_link(self):
        response = self.client.get(reverse("admin:leads_lead_change", args=[self.lead.pk]))
        self.assertNotIn("stage", response.context["adminform"].form.fields)
        self.assertNotIn("team", response.context["adminform"].form.fields)
        self.assertContains(response, reverse("admin:leads_lead_change_stage", args=[self.lead.pk]))

    def test_transitions_are_read_only_and_leads_cannot_be_deleted(self):
        self.assertEqual(
            self.client.get(reverse("admin:leads_stagetransition_add")).status_code, 403
        )
        row = self.lead.transitions.get()
        response = self.client.post(
            reverse("admin:leads_stagetransition_change", args=[row.pk]), {"note": "x"}
        )
        self.assertEqual(response.status_code, 403)
        response = self.client.post(reverse("admin:leads_lead_delete", args=[self.lead.pk]))
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Lead.objects.filter(pk=self.lead.pk).exists())

    def test_search_and_filters_work(self):
        response = self.client.get(reverse("admin:leads_lead_changelist"), {"q": "康养"})
        self.assertContains(response, self.lead.code)
        response = self.client.get(
            reverse("admin:leads_lead_changelist"), {"stage__exact": "signed"}
        )
        self.assertNotContains(response, self.lead.code)


class AdminStageChangeTests(AdminTestCase):
    def url(self):
        return reverse("admin:leads_lead_change_stage", args=[self.lead.pk])

    def test_stage_change_goes_through_the_service(self):
        response = self.client.post(self.url(), {
            "to_stage": "visit", "note": "现场考察", "expected_version": self.lead.version,
        })  # fmt: skip
        self.assertRedirects(response, reverse("admin:leads_lead_change", args=[self.lead.pk]))
        row = StageTransition.objects.filter(lead=self.lead).last()
        self.assertEqual(
            (row.to_stage, row.channel, row.actor, row.note),
            ("visit", "admin", self.admin, "现场考察"),
        )
        self.assertEqual(Lead.objects.get(pk=self.lead.pk).team, self.owners["visit"])

    def test_refused_move_shows_the_rule_on_the_field(self):
        response = self.client.post(self.url(), {
            "to_stage": "intent", "expected_version": self.lead.version,
        })  # fmt: skip
        self.assertEqual(response.status_code, 200)
        self.assertIn("计划投资额", str(response.context["form"].errors["planned_investment"]))
        self.assertEqual(Lead.objects.get(pk=self.lead.pk).stage, Stage.CONTACT)

    def test_stale_stage_form_is_refused(self):
        lead_update(lead=self.lead, notes="别人刚改过")
        response = self.client.post(self.url(), {
            "to_stage": "intent", "planned_investment": "100", "expected_version": 0,
        })  # fmt: skip
        self.assertEqual(response.status_code, 200)
        self.assertIn("已被他人修改", str(response.context["form"].errors))
        self.assertEqual(Lead.objects.get(pk=self.lead.pk).stage, Stage.CONTACT)

    def test_team_member_of_another_team_cannot_change_stage(self):
        member = UserFactory(is_staff=True)
        member.user_permissions.add(*Permission.objects.filter(
            codename__in=["view_lead", "change_lead", "change_stage_lead"]
        ))  # fmt: skip
        self.client.force_login(member)
        response = self.client.post(self.url(), {"to_stage": "visit", "expected_version": 0})
        self.assertEqual(response.status_code, 403)
        self.owners["contact"].members.add(member)
        response = self.client.post(self.url(), {"to_stage": "visit", "expected_version": 0})
        self.assertEqual(response.status_code, 302)


class AdminEditTests(AdminTestCase):
    def form_data(self, **overrides):
        data = {
            "name": self.lead.name, "investor": self.lead.investor, "origin": self.lead.origin,
            "origin_type": self.lead.origin_type, "industry": self.industry.pk,
            "source": self.lead.source, "leader": "", "notes": "", "expected_version": 0,
            "transitions-TOTAL_FORMS": 0, "transitions-INITIAL_FORMS": 1,
            "activities-TOTAL_FORMS": 0, "activities-INITIAL_FORMS": 0,
        }  # fmt: skip
        data.update(overrides)
        return data

    def test_edit_goes_through_the_service_and_records_the_user(self):
        response = self.client.post(
            reverse("admin:leads_lead_change", args=[self.lead.pk]),
            self.form_data(notes="后台备注", planned_investment="123.4"),
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        lead = Lead.objects.get(pk=self.lead.pk)
        self.assertEqual(
            (lead.notes, lead.planned_investment, lead.version), ("后台备注", Decimal("123.40"), 1)
        )
        self.assertEqual(lead.history.latest("history_date").history_user, self.admin)

    def test_stale_edit_is_refused_and_loses_nothing(self):
        lead_update(lead=self.lead, notes="甲先保存")
        response = self.client.post(
            reverse("admin:leads_lead_change", args=[self.lead.pk]),
            self.form_data(notes="乙的旧页面", expected_version=0),
            follow=True,
        )
        self.assertContains(response, "已被他人修改")
        self.assertEqual(Lead.objects.get(pk=self.lead.pk).notes, "甲先保存")

    def test_add_creates_through_the_service_with_history(self):
        response = self.client.post(reverse("admin:leads_lead_add"), self.form_data(
            name="新建项目", investor="杭州某集团", **{"transitions-INITIAL_FORMS": 0},
        ))  # fmt: skip
        self.assertEqual(response.status_code, 302)
        lead = Lead.objects.get(name="新建项目")
        self.assertTrue(lead.code.startswith("ZS-"))
        self.assertEqual(
            list(lead.transitions.values_list("to_stage", "channel")), [("contact", "admin")]
        )
