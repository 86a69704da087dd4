"""Reference data and demo data: what `loaddata reference` and `seed_demo` give."""

import itertools
from io import StringIO

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Sum
from django.test import TestCase
from django.utils import timezone

from chambers.models import Chamber, Entrepreneur
from leads.choices import PIPELINE, Stage
from leads.models import (
    Activity,
    AnnualTarget,
    Industry,
    Lead,
    NodePlan,
    PaidIn,
    StageOwner,
    StageTransition,
    TaskTeam,
    Unit,
)
from leads.reports.monthly import monthly_report_build
from leads.reports.period import Period

TEN_INDUSTRIES = [
    "工业机器人及智能装备制造",
    "信息技术",
    "现代物流",
    "文化创意",
    "新材料",
    "节能环保",
    "电子商务",
    "大健康",
    "现代商贸及楼宇经济",
    "科技服务",
]


class ReferenceDataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)

    def test_ten_key_industries_in_order(self):
        self.assertEqual(list(Industry.objects.values_list("name", flat=True)), TEN_INDUSTRIES)
        self.assertFalse(Industry.objects.filter(lead_unit="").exists())

    def test_every_pipeline_stage_has_one_owner_team_with_sla(self):
        owners = {owner.stage: owner for owner in StageOwner.objects.select_related("team")}
        self.assertEqual(set(owners), {stage.value for stage in PIPELINE})
        self.assertEqual(len({owner.team_id for owner in owners.values()}), 5)
        self.assertTrue(all(owner.sla_days > 0 for owner in owners.values()))

    def test_groups_have_the_intended_permissions(self):
        def perms(name):
            group = Group.objects.get(name=name)
            return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}

        bureau, leader, member, readonly = (
            perms(n) for n in ["局领导", "小分队组长", "小分队队员", "只读"]
        )
        self.assertIn("leads.manage_all_lead", bureau)
        self.assertIn("leads.assign_team_lead", bureau)
        self.assertNotIn("leads.manage_all_lead", leader)
        self.assertIn("leads.import_lead", leader)
        self.assertNotIn("leads.import_lead", member)
        self.assertIn("leads.change_stage_lead", member)
        self.assertTrue(all(code.split(".")[1].startswith("view_") for code in readonly))
        self.assertIn("leads.view_lead", readonly)

    def test_loading_twice_changes_nothing(self):
        before = (Industry.objects.count(), StageOwner.objects.count(), Group.objects.count())
        call_command("loaddata", "reference", verbosity=0)
        after = (Industry.objects.count(), StageOwner.objects.count(), Group.objects.count())
        self.assertEqual(before, after)


class SeedDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        cls.output = StringIO()
        call_command("seed_demo", stdout=cls.output)

    def test_at_least_200_leads_in_every_stage(self):
        counts = dict(Lead.objects.values_list("stage").annotate(n=Count("id")))
        self.assertGreaterEqual(sum(counts.values()), 200)
        self.assertEqual(set(counts), set(Stage.values))

    def test_leads_span_the_past_24_months(self):
        today = timezone.localdate()
        first = timezone.localdate(StageTransition.objects.order_by("at").first().at)
        self.assertGreater((today - first).days, 365)
        self.assertLessEqual((today - first).days, 800)

    def test_one_transition_row_per_stage_change(self):
        for lead in Lead.objects.prefetch_related("transitions"):
            rows = list(lead.transitions.all())
            self.assertEqual(rows[0].from_stage, "", lead.code)
            self.assertEqual(rows[0].to_stage, Stage.CONTACT, lead.code)
            for previous, current in itertools.pairwise(rows):
                self.assertEqual(current.from_stage, previous.to_stage, lead.code)
                self.assertGreaterEqual(current.at, previous.at, lead.code)
            self.assertEqual(rows[-1].to_stage, lead.stage, lead.code)
        # Each row matches a recorded change of the stage field in the history.
        stage_changes = 0
        for lead_id in Lead.objects.values_list("id", flat=True):
            stages = list(
                Lead.history.filter(id=lead_id)
                .order_by("history_date", "history_id")
                .values_list("stage", flat=True)
            )
            stage_changes += 1 + sum(a != b for a, b in itertools.pairwise(stages))
        self.assertEqual(StageTransition.objects.count(), stage_changes)

    def test_current_month_has_signed_and_landed_projects(self):
        today = timezone.localdate()
        start = today.replace(day=1)
        self.assertGreater(Lead.objects.signed_between(start, today).count(), 0)
        self.assertGreater(Lead.objects.landed_between(start, today).count(), 0)

    def test_landed_projects_have_milestones_instalments_and_some_late_nodes(self):
        today = timezone.localdate()
        start = today.replace(day=1)
        landed = Lead.objects.filter(stage=Stage.LANDED)
        self.assertGreater(landed.exclude(started_on=None).count(), 0)
        self.assertGreater(landed.exclude(in_production_on=None).count(), 0)
        self.assertTrue(PaidIn.objects.filter(received_on__range=(start, today)).exists())
        self.assertTrue(landed.filter(started_on__range=(start, today)).exists())
        # Late: a planned node passed with no actual date, and a plan that slipped.
        self.assertTrue(
            Lead.objects.filter(is_key=True, planned_started_on__lt=today, started_on=None).exists()
        )
        self.assertTrue(NodePlan.objects.exclude(previous_on=None).exists())
        # Lead.paid_in is the sum of each lead's instalments.
        for lead in Lead.objects.exclude(paid_in=None).annotate(total=Sum("paid_ins__amount")):
            self.assertEqual(lead.paid_in, lead.total, lead.code)

    def test_stage_data_is_complete(self):
        self.assertFalse(Lead.objects.filter(stage=Stage.LANDED, credit_code="").exists())
        self.assertFalse(Lead.objects.filter(stage=Stage.SIGNED, signed_on=None).exists())
        self.assertFalse(Lead.objects.filter(stage=Stage.DROPPED, drop_reason="").exists())

    def test_people_organisations_activities_and_targets(self):
        self.assertTrue(User.objects.filter(username="demo", groups__name="局领导").exists())
        self.assertTrue(User.objects.get(username="demo").check_password("zhaoshang2026"))
        self.assertGreater(Chamber.objects.count(), 5)
        self.assertGreater(Entrepreneur.objects.count(), 10)
        self.assertGreater(Activity.objects.count(), 200)
        self.assertTrue(AnnualTarget.objects.filter(year=timezone.localdate().year).exists())
        self.assertIn("demo", self.output.getvalue())

    def test_second_run_adds_nothing(self):
        before = Lead.objects.count()
        call_command("seed_demo", stdout=StringIO())
        self.assertEqual(Lead.objects.count(), before)


class SeedDemoNeedsReferenceTests(TestCase):
    def test_refuses_without_reference_data(self):
        with self.assertRaisesMessage(CommandError, "loaddata reference"):
            call_command("seed_demo", stdout=StringIO())


class SeedDemoCountingTests(TestCase):
    """On the demo data the report credits the teams that capture leads (issue 8)."""

    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        call_command("seed_demo", stdout=StringIO())
        today = timezone.localdate()
        cls.report = monthly_report_build(Period.month(today.year, today.month))

    def test_every_team_that_captures_leads_shows_its_own_signings(self):
        capturing = set(
            StageTransition.objects.filter(from_stage="").values_list("to_team__name", flat=True)
        )
        self.assertEqual(capturing, set(TaskTeam.objects.values_list("name", flat=True)))
        signed = {row.name: row.ytd.signed.count for row in self.report.by_team}
        for team in capturing:
            with self.subTest(team=team):
                self.assertGreater(signed[team], 0)

    def test_breakdowns_by_team_unit_and_leader_add_up_to_the_totals(self):
        for name, rows in (
            ("team", self.report.by_team),
            ("unit", self.report.by_unit),
            ("leader", self.report.by_leader),
        ):
            for window, totals in (
                ("month", self.report.month_totals),
                ("ytd", self.report.ytd_totals),
            ):
                with self.subTest(breakdown=name, window=window):
                    parts = [getattr(row, window) for row in rows]
                    self.assertEqual(sum(p.signed.count for p in parts), totals.signed.count)
                    self.assertEqual(sum(p.signed.amount for p in parts), totals.signed.amount)
                    self.assertEqual(sum(p.landed.count for p in parts), totals.landed.count)
                    self.assertEqual(sum(p.landed.amount for p in parts), totals.landed.amount)
        self.assertGreater(self.report.ytd_totals.signed.count, 0)
        self.assertTrue(any(row.ytd.signed.count for row in self.report.by_unit if row.linkable))

    def test_the_ranking_ranks_teams_units_and_leaders(self):
        scopes = {row.scope for row in self.report.ranking}
        self.assertEqual(scopes, {"team", "unit", "leader"})
        ranked_units = [row for row in self.report.ranking if row.scope == "unit"]
        self.assertEqual(len(ranked_units), Unit.objects.count())
