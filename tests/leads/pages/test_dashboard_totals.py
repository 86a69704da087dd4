"""The dashboard's stage tiles, 三色预警 and 签约超时限 counts, read from the stage tally and
the leads within a stage's limit, equal the same counts taken over every lead."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.test import TestCase
from django.utils import timezone

from leads.choices import PIPELINE, Channel, Stage
from leads.models import Lead, StageOwner, TaskTeam
from leads.nodes import SLA, sla_late_q
from leads.pages.alerts import StageLimits
from leads.pages.dashboard import dashboard_get
from leads.querysets import lead_amount_expression
from leads.reports.grouped import cents_sum, from_cents
from leads.services import lead_change_stage, lead_merge
from tests.factories import UserFactory, ensure_stage_owners, make_lead

# Days in stage of the leads made per stage and team: well within, close to and past
# every limit set below (10, 30 and 90 days; none for 意向).
AGES = (1, 9, 26, 45, 300, 2000)


class DashboardTotalsTests(TestCase):
    fixtures = ["reference"]

    @classmethod
    def setUpTestData(cls):
        owners = ensure_stage_owners()
        StageOwner.objects.filter(stage=Stage.CONTACT).update(sla_days=10)
        StageOwner.objects.filter(stage=Stage.VISIT).update(sla_days=30)
        StageOwner.objects.filter(stage=Stage.SIGNED).update(sla_days=90)
        StageOwner.objects.filter(stage=Stage.INTENT).delete()
        cls.director = UserFactory(groups=["局领导"])
        cls.team = owners[Stage.CONTACT.value]
        cls.member = UserFactory(groups=["小分队队员"])
        cls.team.members.add(cls.member)
        other = TaskTeam.objects.exclude(pk=cls.team.pk).first()
        now = timezone.now()
        made = []
        for stage in (Stage.CONTACT, Stage.VISIT, Stage.INTENT, Stage.SIGNED, Stage.LANDED):
            for age in AGES:
                for team in (cls.team, other):
                    at = now - timedelta(days=age, hours=3)
                    lead = make_lead(
                        stage=stage,
                        at=at,
                        team=team,
                        name=f"{stage.label}{age}",
                        signed_on=timezone.localdate(at) if stage == Stage.LANDED else None,
                        planned_investment=Decimal(age),
                    )
                    made.append(lead)
        # A dropped lead, and a merged one, which counts nowhere.
        lead_change_stage(
            lead=made[0], to_stage=Stage.DROPPED, channel=Channel.SYSTEM, drop_reason="投资方放弃"
        )
        lead_merge(keep=made[2], merged=made[4], actor=cls.director)

    def expected(self, limits, team_ids=None):
        scope = Q() if team_ids is None else Q(team_id__in=team_ids)
        warnings = {
            colour: Lead.objects.filter(condition & scope).count()
            for colour, condition in (
                ("red", limits.red_q()),
                ("amber", limits.amber_q()),
                ("green", limits.green_q()),
            )
        }
        sla = Lead.objects.filter(sla_late_q(sla_days=limits.sla_days, now=limits.now)).count()
        rows = Lead.objects.values("stage").annotate(
            n=Count("pk"), c=cents_sum(lead_amount_expression())
        )
        stages = {row["stage"]: (row["n"], from_cents(row["c"])) for row in rows.order_by()}
        return warnings, sla, stages

    def check(self, user, team_ids=None):
        data = dashboard_get(user)
        warnings, sla, stages = self.expected(StageLimits.load(), team_ids)
        self.assertEqual(data["warnings"], warnings)
        self.assertEqual(data["overdue"][SLA], sla)
        shown = {row["stage"].value: (row["count"], row["amount"]) for row in data["stages"]}
        for stage in [*PIPELINE, Stage.DROPPED]:
            self.assertEqual(shown[stage.value], stages.get(stage.value, (0, Decimal("0.00"))))
        return data

    def test_district_wide_for_the_director(self):
        data = self.check(self.director)
        # Every colour occurs, so the test tells the three apart.
        self.assertTrue(all(data["warnings"].values()), data["warnings"])
        self.assertGreater(data["overdue"][SLA], 0)

    def test_a_member_sees_the_warnings_of_the_team_and_the_district_stages(self):
        data = self.check(self.member, team_ids=[self.team.pk])
        self.assertLess(data["warnings"]["red"], self.check(self.director)["warnings"]["red"])

    def test_without_a_limit_on_signed_nothing_is_past_it(self):
        StageOwner.objects.filter(stage=Stage.SIGNED).delete()
        data = self.check(self.director)
        self.assertEqual(data["overdue"][SLA], 0)
