"""The lead page's 落地后 panel: 开工/投产 and instalments entered, refused, shown."""

from datetime import timedelta
from decimal import Decimal

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from leads.choices import Stage
from leads.models import Lead, PaidIn
from leads.services import lead_add_supervision, lead_plan_node
from tests.factories import make_lead
from tests.roles import RolesMixin


def fresh(lead) -> Lead:
    return Lead.objects.get(pk=lead.pk)


class AfterLandingPanelTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        day = timezone.localdate() - timedelta(days=20)
        cls.lead = make_lead(
            name="落地项目", stage=Stage.LANDED, signed_on=day - timedelta(days=5), landed_on=day
        )

    def detail(self, user):
        self.client.force_login(user)
        return self.client.get(reverse("leads:detail", args=[self.lead.pk]))

    def post_milestone(self, on, milestone="started", version=None):
        return self.client.post(
            reverse("leads:record_milestone", args=[self.lead.pk]),
            {
                "milestone-milestone": milestone,
                "milestone-on": on.isoformat(),
                "milestone-version": fresh(self.lead).version if version is None else version,
            },
        )

    def post_paid_in(self, **values):
        data = {
            "on": timezone.localdate().isoformat(),
            "amount": "120.50",
            "kind": "fixed_assets",
            "note": "第一笔",
            "version": fresh(self.lead).version,
        }
        data.update(values)
        data = {f"paid_in-{name}": value for name, value in data.items()}
        return self.client.post(reverse("leads:add_paid_in", args=[self.lead.pk]), data)

    def test_the_team_records_a_start_date_and_sees_it_in_the_timeline(self):
        self.detail(self.director)
        today = timezone.localdate()
        response = self.post_milestone(today)
        self.assertRedirects(response, reverse("leads:detail", args=[self.lead.pk]))
        self.assertEqual(fresh(self.lead).started_on, today)
        page = self.detail(self.director).content.decode()
        timeline = page[page.index('id="timeline"') :]
        self.assertIn(f"开工日期 {today:%Y-%m-%d}", timeline)
        self.assertIn(f"登记开工：{today:%Y-%m-%d}", timeline)

    def test_a_date_before_the_landing_is_refused_on_the_form_and_nothing_is_written(self):
        self.detail(self.director)
        response = self.post_milestone(self.lead.landed_on - timedelta(days=1))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "不能早于落地日期", status_code=400)
        self.assertIsNone(fresh(self.lead).started_on)

    def test_a_stale_form_is_refused(self):
        self.detail(self.director)
        response = self.post_milestone(timezone.localdate(), version=fresh(self.lead).version - 1)
        self.assertContains(response, "已被他人修改", status_code=400)
        self.assertIsNone(fresh(self.lead).started_on)

    def test_instalments_add_up_and_are_listed(self):
        self.detail(self.director)
        self.post_paid_in()
        self.post_paid_in(amount="79.50", kind="registered_capital", note="")
        self.assertEqual(fresh(self.lead).paid_in, Decimal("200.00"))
        page = self.detail(self.director)
        self.assertContains(page, "200.00 万元")
        self.assertContains(page, "注册资本实缴")
        self.assertContains(page, "第一笔")

    def test_a_bad_instalment_shows_the_reason_and_writes_nothing(self):
        self.detail(self.director)
        cases = [
            ({"amount": "0"}, "0.01"),
            ({"on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "不能晚于今天"),
            ({"on": "2019-01-01"}, "不能早于签约日期"),
            ({"amount": "abc"}, "输入一个数字"),
        ]
        for values, message in cases:
            with self.subTest(values=values):
                response = self.post_paid_in(**values)
                self.assertContains(response, message, status_code=400)
        self.assertFalse(PaidIn.objects.exists())
        self.assertIsNone(fresh(self.lead).paid_in)

    def test_who_may_not_edit_the_lead_gets_no_forms_and_a_403(self):
        for user in (self.reader, self.a_member):
            with self.subTest(user=user.username):
                page = self.detail(user)
                self.assertNotContains(page, 'id="milestone-form"')
                self.assertNotContains(page, 'id="paid-in-form"')
                self.assertContains(page, "到位资金明细")
                self.assertEqual(self.post_milestone(timezone.localdate()).status_code, 403)
                self.assertEqual(self.post_paid_in().status_code, 403)
        self.assertIsNone(fresh(self.lead).started_on)

    def test_a_lead_not_landed_offers_no_milestone_form(self):
        signed = make_lead(name="签约项目", stage=Stage.SIGNED)
        self.client.force_login(self.director)
        page = self.client.get(reverse("leads:detail", args=[signed.pk]))
        self.assertNotContains(page, 'id="milestone-form"')
        self.assertContains(page, 'id="paid-in-form"')

    def test_the_key_mark_and_supervision_notes_are_shown(self):
        lead = fresh(self.lead)
        Lead.objects.filter(pk=lead.pk).update(is_key=True)
        lead_add_supervision(
            lead=lead,
            note="请于月底前开工",
            deadline=timezone.localdate(),
            actor=self.director,
            node="started",
        )
        page = self.detail(self.reader)
        self.assertContains(page, 'id="key-project"')
        self.assertContains(page, "请于月底前开工")
        self.assertContains(page, "开工节点")


class NodePlanOnTheLeadPageTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        day = timezone.localdate() - timedelta(days=40)
        lead = make_lead(
            name="重点项目甲",
            stage=Stage.LANDED,
            signed_on=day - timedelta(days=5),
            landed_on=day,
            contract_amount=Decimal("12000"),
        )
        cls.lead = lead_plan_node(
            lead=lead, node="started", on=day + timedelta(days=10), actor=cls.director
        )

    def test_a_late_node_is_red_with_its_days_and_the_director_may_supervise_it(self):
        self.client.force_login(self.director)
        page = self.client.get(reverse("leads:detail", args=[self.lead.pk])).content.decode()
        table = page[
            page.index('id="node-plan"') : page.index("</table>", page.index('id="node-plan"'))
        ]
        self.assertIn('class="node-red"', table)
        self.assertIn("（30 天）", table)
        self.assertIn(
            reverse("leads:add_supervision", args=[self.lead.pk]) + "?node=started", table
        )
        self.assertIn(reverse("leads:plan_node", args=[self.lead.pk]) + "?node=started", table)
        # 1.2 亿元 and not yet a key project: proposed, for the director.
        self.assertIn('id="propose-key"', page)

    def test_a_reader_sees_the_plan_without_actions(self):
        self.client.force_login(self.reader)
        page = self.client.get(reverse("leads:detail", args=[self.lead.pk])).content.decode()
        self.assertIn('id="node-plan"', page)
        self.assertNotIn(reverse("leads:plan_node", args=[self.lead.pk]), page)
        self.assertNotIn(reverse("leads:add_supervision", args=[self.lead.pk]), page)
        self.assertNotIn('id="propose-key"', page)
