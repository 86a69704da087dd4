"""LeadFilter built from a dict, asserted on .qs."""

from datetime import timedelta

from django.test import TestCase
from django.utils import timezone

from leads.choices import Channel, Stage
from leads.filters import LeadFilter
from leads.models import Lead
from leads.services import lead_change_stage
from tests.factories import IndustryFactory, ensure_stage_owners, make_lead


class LeadFilterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owners = ensure_stage_owners()
        cls.it = IndustryFactory(name="信息技术")
        cls.logistics = IndustryFactory(name="现代物流")
        cls.old = make_lead(
            industry=cls.it,
            name="云计算中心",
            investor="华为",
            at=timezone.now() - timedelta(days=100),
        )
        cls.signed = make_lead(
            industry=cls.logistics,
            stage=Stage.SIGNED,
            name="物流园",
            investor="顺丰",
            signed_on=timezone.localdate() - timedelta(days=3),
        )

    def qs(self, data):
        return set(LeadFilter(data, queryset=Lead.objects.all()).qs)

    def test_several_values_select_each_lead_once_without_distinct(self):
        data = {
            "stage": [Stage.CONTACT, Stage.SIGNED],
            "industry": [self.it.pk, self.logistics.pk],
            "source": [self.old.source, self.signed.source],
            "q": "",
        }
        queryset = LeadFilter(data, queryset=Lead.objects.all()).qs
        self.assertEqual(
            sorted(lead.pk for lead in queryset), sorted([self.old.pk, self.signed.pk])
        )
        self.assertNotIn("DISTINCT", str(queryset.query))

    def test_text_matches_code_name_and_investor(self):
        self.assertEqual(self.qs({"q": "华为"}), {self.old})
        self.assertEqual(self.qs({"q": "物流园"}), {self.signed})
        self.assertEqual(self.qs({"q": self.signed.code}), {self.signed})

    def test_stage_and_industry(self):
        self.assertEqual(self.qs({"stage": ["signed"]}), {self.signed})
        self.assertEqual(self.qs({"industry": [self.it.pk]}), {self.old})
        self.assertEqual(self.qs({"team": self.owners["signed"].pk}), {self.signed})

    def test_signing_date_range(self):
        day = timezone.localdate() - timedelta(days=3)
        self.assertEqual(self.qs({"signed_on_after": day.isoformat()}), {self.signed})
        self.assertEqual(
            self.qs({"signed_on_before": (day - timedelta(days=1)).isoformat()}), set()
        )

    def test_stalled_uses_stage_sla(self):
        # The contact stage SLA is 30 days; the old lead has waited 100.
        self.assertEqual(self.qs({"stalled": "true"}), {self.old})
        self.assertEqual(self.qs({"stalled": "false"}), {self.signed})
        moved = lead_change_stage(lead=self.old, to_stage=Stage.VISIT, channel=Channel.SYSTEM)
        self.assertEqual(self.qs({"stalled": "true"}), set())
        self.assertEqual(moved.days_in_stage, 0)
