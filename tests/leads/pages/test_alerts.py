"""三色预警: red over the stage's limit, amber past 80 % of it, green before."""

from datetime import timedelta

from django.test import TestCase
from django.utils import timezone

from leads.choices import Channel, Stage
from leads.models import Lead, StageOwner
from leads.pages.alerts import StageLimits
from leads.services import lead_change_stage
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

    def test_annotate_sets_days_and_limit(self):
        (lead,) = self.limits.annotate([Lead.objects.get(name="超期")])
        self.assertEqual((lead.days, lead.sla_days, lead.warning_label), (11, 10, "超期"))


class StalledTests(TestCase):
    """Stalled: open, in a stage with a time limit, strictly longer than that limit."""

    @classmethod
    def setUpTestData(cls):
        ensure_stage_owners()
        StageOwner.objects.filter(stage=Stage.CONTACT).update(sla_days=10)
        cls.now = timezone.now()
        long_ago = cls.now - timedelta(days=900)
        make_lead(name="正好到期", at=cls.now - timedelta(days=10))
        make_lead(name="超期一分钟", at=cls.now - timedelta(days=10, minutes=1))
        make_lead(
            name="已落地", stage=Stage.LANDED, at=long_ago, signed_on=timezone.localdate(long_ago)
        )
        dropped = make_lead(name="已终止", at=long_ago)
        lead_change_stage(
            lead=dropped,
            to_stage=Stage.DROPPED,
            channel=Channel.SYSTEM,
            drop_reason="投资方放弃",
            at=long_ago + timedelta(days=1),
        )
        make_lead(name="无时限阶段", stage=Stage.VISIT, at=long_ago)
        # 考察 has no time limit configured.
        StageOwner.objects.filter(stage=Stage.VISIT).delete()

    def stalled_names(self, queryset):
        return set(queryset.values_list("name", flat=True))

    def test_only_a_lead_strictly_past_its_limit_is_stalled(self):
        self.assertEqual(self.stalled_names(Lead.objects.stalled(now=self.now)), {"超期一分钟"})

    def test_not_stalled_is_every_other_lead(self):
        self.assertEqual(
            self.stalled_names(Lead.objects.not_stalled(now=self.now)),
            {"正好到期", "已落地", "已终止", "无时限阶段"},
        )

    def test_red_on_the_board_is_stalled(self):
        limits = StageLimits.load(now=self.now)
        self.assertEqual(self.stalled_names(Lead.objects.filter(limits.red_q())), {"超期一分钟"})
        colours = {lead.name: limits.colour(lead) for lead in Lead.objects.all()}
        self.assertEqual(
            colours,
            {
                "正好到期": "amber",
                "超期一分钟": "red",
                "已落地": "",
                "已终止": "",
                "无时限阶段": "",
            },
        )
