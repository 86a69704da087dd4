"""The 以商招商 scoreboard: chambers and entrepreneurs with the leads they referred."""

from decimal import Decimal

from django.test import TestCase
from django.urls import reverse

from leads.choices import Source, Stage
from leads.models import Industry, Lead
from leads.services import lead_change_stage, lead_update
from tests.factories import ChamberFactory, EntrepreneurFactory, make_lead
from tests.roles import RolesMixin


class ScoreboardTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        industry = Industry.objects.first()
        cls.shenzhen = ChamberFactory(name="深圳本市商会")
        cls.quiet = ChamberFactory(name="无推介商会")
        cls.boss = EntrepreneurFactory(name="陈总", chamber=cls.shenzhen)
        chamber_lead = {"source": Source.CHAMBER, "chamber": cls.shenzhen, "industry": industry}
        make_lead(name="商会接洽", **chamber_lead)
        make_lead(
            name="商会签约", stage=Stage.SIGNED, contract_amount=Decimal("1000"), **chamber_lead
        )
        make_lead(
            name="商会落地", stage=Stage.LANDED, contract_amount=Decimal("500.50"), **chamber_lead
        )
        dropped = make_lead(name="商会终止", **chamber_lead)
        lead_change_stage(lead=dropped, to_stage=Stage.DROPPED, channel="web", drop_reason="撤资")
        make_lead(
            name="回乡签约",
            stage=Stage.SIGNED,
            contract_amount=Decimal("300"),
            source=Source.RETURNEE,
            entrepreneur=cls.boss,
            industry=industry,
        )

    def setUp(self):
        self.client.force_login(self.reader)

    def test_chamber_list_counts_referred_signed_landed_and_amount(self):
        response = self.client.get(reverse("chambers:chamber_list"))
        rows = {c.name: c for c in response.context["page"]}
        shenzhen = rows["深圳本市商会"]
        self.assertEqual(
            (shenzhen.referred, shenzhen.signed, shenzhen.landed, shenzhen.dropped),
            (4, 2, 1, 1),
        )
        self.assertEqual(shenzhen.amount, Decimal("1500.50"))
        self.assertEqual((rows["无推介商会"].referred, rows["无推介商会"].amount), (0, 0))
        self.assertEqual(next(iter(rows)), "深圳本市商会")  # most signed first

    def test_chamber_detail_lists_its_leads_members_and_conversion(self):
        response = self.client.get(reverse("chambers:chamber_detail", args=[self.shenzhen.pk]))
        totals = response.context["totals"]
        self.assertEqual((totals["referred"], totals["signed"], totals["landed"]), (4, 2, 1))
        self.assertEqual(totals["amount"], Decimal("1500.50"))
        self.assertContains(response, "商会落地")
        self.assertNotContains(response, "回乡签约")
        self.assertContains(response, "陈总")
        self.assertContains(response, "转化率 50%")

    def test_entrepreneur_pages_show_their_referred_leads(self):
        listing = self.client.get(reverse("chambers:entrepreneur_list"))
        boss = next(e for e in listing.context["page"] if e.name == "陈总")
        self.assertEqual((boss.referred, boss.signed, boss.amount), (1, 1, Decimal("300")))
        detail = self.client.get(reverse("chambers:entrepreneur_detail", args=[self.boss.pk]))
        self.assertContains(detail, "回乡签约")
        self.assertContains(detail, "深圳本市商会")

    def test_the_amount_is_the_counted_signing_exact_to_the_cent(self):
        signed = Lead.objects.get(name="商会签约")
        # An edit after signing moves the contract amount, not the counted 签约投资额.
        lead_update(lead=signed, contract_amount=Decimal("9999"))
        for cents in ("0.10", "0.20", "0.01"):
            make_lead(
                name=f"小额{cents}",
                stage=Stage.SIGNED,
                contract_amount=Decimal(cents),
                source=Source.CHAMBER,
                chamber=self.quiet,
                industry=Industry.objects.first(),
            )
        response = self.client.get(reverse("chambers:chamber_list"))
        rows = {c.name: c for c in response.context["page"]}
        self.assertEqual(rows["深圳本市商会"].amount, Decimal("1500.50"))
        self.assertEqual(rows["无推介商会"].amount, Decimal("0.31"))

    def test_unknown_chamber_is_404(self):
        self.assertEqual(
            self.client.get(reverse("chambers:chamber_detail", args=[999999])).status_code, 404
        )
