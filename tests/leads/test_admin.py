"""The admin: Chinese, every model listed, stage changed only through the service."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Permission, User
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from chambers.models import Chamber, Entrepreneur
from leads.choices import ActivityKind, Stage
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
from leads.services.activities import activity_create
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
            # The read-only inline of instalments sends its management form too.
            "paid_ins-TOTAL_FORMS": 0, "paid_ins-INITIAL_FORMS": 0,
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


class AdminActivityTests(AdminTestCase):
    """Activities saved in the admin go through the activity services and their rules."""

    def activity_data(self, **overrides):
        return {
            "lead": self.lead.pk,
            "occurred_on": timezone.localdate().isoformat(),
            "kind": ActivityKind.CALL,
            "participants": "",
            "summary": "电话沟通用地需求",
            "next_step": "",
            "next_follow_up": "",
            **overrides,
        }

    def inline_data(self, **activity):
        return {
            **AdminEditTests.form_data(self, notes="随记录修改"),
            "activities-TOTAL_FORMS": 1,
            "activities-0-occurred_on": timezone.localdate().isoformat(),
            "activities-0-kind": ActivityKind.CALL,
            "activities-0-summary": "后台补录",
            **{f"activities-0-{name}": value for name, value in activity.items()},
        }

    def test_admin_refuses_an_activity_dated_tomorrow_and_writes_nothing(self):
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        response = self.client.post(
            reverse("admin:leads_activity_add"), self.activity_data(occurred_on=tomorrow)
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["adminform"].form.errors["occurred_on"], ["对接日期不能晚于今天。"]
        )
        self.assertFalse(Activity.objects.exists())

    def test_admin_add_records_the_user_and_sets_the_next_follow_up_with_history(self):
        follow_up = timezone.localdate() + timedelta(days=7)
        response = self.client.post(
            reverse("admin:leads_activity_add"),
            self.activity_data(next_follow_up=follow_up.isoformat()),
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Activity.objects.get().created_by, self.admin)
        lead = Lead.objects.get(pk=self.lead.pk)
        self.assertEqual(lead.next_follow_up, follow_up)
        self.assertEqual(lead.history.latest("history_date").history_user, self.admin)

    def test_admin_refuses_moving_an_activity_to_tomorrow(self):
        activity = activity_create(lead=self.lead, actor=None, kind=ActivityKind.CALL, summary="甲")
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        data = self.activity_data(occurred_on=tomorrow, summary="改过")
        response = self.client.post(
            reverse("admin:leads_activity_change", args=[activity.pk]), data
        )
        self.assertContains(response, "对接日期不能晚于今天。")
        activity.refresh_from_db()
        self.assertEqual((activity.occurred_on, activity.summary), (timezone.localdate(), "甲"))

    def test_lead_inline_refuses_an_activity_dated_tomorrow_and_writes_nothing(self):
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        response = self.client.post(
            reverse("admin:leads_lead_change", args=[self.lead.pk]),
            self.inline_data(occurred_on=tomorrow),
        )
        self.assertContains(response, "对接日期不能晚于今天。")
        self.assertFalse(Activity.objects.exists())
        self.assertEqual(Lead.objects.get(pk=self.lead.pk).notes, "")

    def test_lead_inline_saves_a_new_activity_by_the_user(self):
        response = self.client.post(
            reverse("admin:leads_lead_change", args=[self.lead.pk]), self.inline_data()
        )
        self.assertEqual(response.status_code, 302)
        activity = Activity.objects.get()
        self.assertEqual((activity.summary, activity.created_by), ("后台补录", self.admin))
