"""三色预警: red over the stage's limit, amber past 80 % of it, green before."""

from datetime import timedelta

from django.test import TestCase
from django.utils import timezone

from leads.choices import Stage
from leads.models import Lead, StageOwner
from leads.pages.alerts import StageLimits
from tests.factories import ensure_stage_owners, make_lead


class StageLimitsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        ensure_stage_owners()
        StageOwner.objects.filter(stage=Stage.CONTACT).update(sla_days=10)
        now = timezone.now()
        cls.fresh = make_lead(name="新", at=now - timedelta(days=7))
        cls.close = make_lead(name="临期", at=now - timedelta(days=9))
        cls.late = make_lead(name="超期", at=now - timedelta(days=11))
        long_ago = now - timedelta(days=900)
        cls.landed = make_lead(
            name="已落地",
            stage=Stage.LANDED,
            at=long_ago,
            signed_on=timezone.localdate(long_ago),
        )

    def setUp(self):
        self.limits = StageLimits.load()

    def test_colour_follows_the_share_of_the_stage_limit(self):
        colours = {lead.name: self.limits.colour(lead) for lead in Lead.objects.all()}
        self.assertEqual(colours, {"新": "green", "临期": "amber", "超期": "red", "已落地": ""})

    def test_database_conditions_agree_with_the_colour(self):
        for colour, condition in (
            ("red", self.limits.red_q()),
            ("amber", self.limits.amber_q()),
            ("green", self.limits.green_q()),
        ):
            with self.subTest(colour=colour):
                names = set(Lead.objects.filter(condition).values_list("name", flat=True))
                expected = {
                    lead.name for lead in Lead.objects.all() if self.limits.colour(lead) == colour
                }
                self.assertEqual(names, expected)

    def test_red_matches_the_stalled_queryset(self):
        self.assertEqual(set(Lead.objects.filter(self.limits.red_q())), set(Lead.objects.stalled()))

    def test_annotate_sets_days_and_limit(self):
        (lead,) = self.limits.annotate([Lead.objects.get(name="超期")])
        self.assertEqual((lead.days, lead.sla_days, lead.warning_label), (11, 10, "超期"))
