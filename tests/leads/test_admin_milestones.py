"""The admin after 落地: instalments added only through the service, append-only; plans listed."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from leads.choices import Channel, Stage
from leads.models import Lead, NodePlan, PaidIn, SupervisionNote
from leads.services import lead_add_paid_in, lead_add_supervision, lead_plan_node
from tests.factories import ensure_stage_owners, make_lead

TODAY = timezone.localdate()
SIGNED_ON = TODAY - timedelta(days=10)


class PaidInAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        ensure_stage_owners()
        cls.admin = User.objects.create_superuser("root", "root@example.com", "pw-123456789")
        cls.lead = make_lead(stage=Stage.SIGNED, signed_on=SIGNED_ON, name="签约项目")

    def setUp(self):
        self.client.force_login(self.admin)

    def post(self, **overrides):
        data = {
            "lead": self.lead.pk,
            "received_on": TODAY.isoformat(),
            "amount": "250.50",
            "kind": "registered_capital",
            "note": "首笔",
            **overrides,
        }
        return self.client.post(reverse("admin:leads_paidin_add"), data)

    def test_add_goes_through_the_service(self):
        response = self.post()
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        instalment = PaidIn.objects.get()
        self.assertEqual(
            (instalment.amount, instalment.channel, instalment.actor, instalment.note),
            (Decimal("250.50"), Channel.ADMIN, self.admin, "首笔"),
        )
        lead = Lead.objects.get(pk=self.lead.pk)
        self.assertEqual((lead.paid_in, lead.version), (Decimal("250.50"), self.lead.version + 1))
        self.assertIn("登记到位资金", lead.history.first().history_change_reason)

    def test_a_refused_instalment_shows_the_rule_on_its_field(self):
        before = (SIGNED_ON - timedelta(days=1)).isoformat()
        response = self.post(received_on=before)
        self.assertEqual(response.status_code, 200)
        errors = response.context["adminform"].form.errors
        self.assertIn("不能早于签约日期", str(errors["received_on"]))
        contact = make_lead(name="接洽项目", investor="别的集团")
        response = self.post(lead=contact.pk)
        self.assertIn("项目签约后才能登记到位资金", str(response.context["adminform"].form.errors))
        self.assertFalse(PaidIn.objects.exists())
        self.assertIsNone(Lead.objects.get(pk=self.lead.pk).paid_in)

    def test_instalments_are_append_only_and_listed_on_the_lead(self):
        instalment = lead_add_paid_in(
            lead=self.lead, on=SIGNED_ON, amount="88", kind="other", actor=None, note="定金"
        )
        change = reverse("admin:leads_paidin_change", args=[instalment.pk])
        response = self.client.post(change, {"amount": "1", "note": "改"})
        self.assertEqual(response.status_code, 403)
        delete = reverse("admin:leads_paidin_delete", args=[instalment.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        self.assertEqual(PaidIn.objects.get().amount, Decimal("88.00"))
        response = self.client.get(reverse("admin:leads_lead_change", args=[self.lead.pk]))
        self.assertContains(response, "到位资金（逐笔，合计即线索的到位资金）")
        self.assertContains(response, "定金")


class NodePlanAndSupervisionAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        ensure_stage_owners()
        cls.admin = User.objects.create_superuser("root", "root@example.com", "pw-123456789")
        lead = make_lead(stage=Stage.SIGNED, signed_on=SIGNED_ON, name="签约项目")
        lead_plan_node(lead=lead, node="landed", on=TODAY + timedelta(days=30), actor=cls.admin)
        lead_add_supervision(
            lead=lead, note="加快落地", deadline=TODAY + timedelta(days=7), actor=cls.admin
        )

    def setUp(self):
        self.client.force_login(self.admin)

    def test_lists_are_read_only(self):
        for model, shown in ((NodePlan, "签约项目"), (SupervisionNote, "签约项目")):
            opts = model._meta
            listing = self.client.get(reverse(f"admin:leads_{opts.model_name}_changelist"))
            self.assertContains(listing, str(opts.verbose_name_plural))
            self.assertContains(listing, shown)
            add = self.client.get(reverse(f"admin:leads_{opts.model_name}_add"))
            self.assertEqual(add.status_code, 403)
            row = model.objects.get()
            change = reverse(f"admin:leads_{opts.model_name}_change", args=[row.pk])
            self.assertEqual(self.client.post(change, {"note": "x"}).status_code, 403)
            delete = reverse(f"admin:leads_{opts.model_name}_delete", args=[row.pk])
            self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        self.assertEqual(SupervisionNote.objects.get().note, "加快落地")
