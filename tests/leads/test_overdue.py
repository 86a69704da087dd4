"""The 督办 rule: which nodes are late, days late, slips, the latest note, the 签约 time limit."""

from datetime import UTC, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.test import TestCase
from django.utils import timezone

from leads.choices import Milestone, Node, Stage
from leads.models import Lead, StageOwner
from leads.overdue import (
    SLA,
    SORTS,
    SortedByColumn,
    overdue_counts,
    overdue_first,
    overdue_nodes,
    overdue_sorted,
)
from leads.services import (
    lead_add_supervision,
    lead_change_stage,
    lead_plan_node,
    lead_record_milestone,
    lead_update,
)
from tests.factories import make_lead
from tests.roles import RolesMixin

TODAY = timezone.localdate


def days_ago(days: int):
    return TODAY() - timedelta(days=days)


def fresh(lead) -> Lead:
    return Lead.objects.get(pk=lead.pk)


class OverdueTestCase(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()

    def plan(self, lead, **nodes) -> Lead:
        for node, on in nodes.items():
            lead = lead_plan_node(
                lead=fresh(lead), node=node, on=on, reason="调整", actor=self.director
            )
        return fresh(lead)

    def kinds(self, lead, **kwargs) -> dict[str, int]:
        """Return {row kind: days late} of `lead`'s rows."""
        return {
            row.kind: row.days_late for row in overdue_nodes(**kwargs) if row.lead_id == lead.pk
        }


class OverdueRuleTests(OverdueTestCase):
    def test_every_node_past_its_plan_without_its_actual_is_late(self):
        lead = self.plan(
            make_lead(stage=Stage.INTENT),
            signed=days_ago(40),
            landed=days_ago(30),
            started=days_ago(20),
            in_production=days_ago(10),
        )
        self.assertEqual(
            self.kinds(lead),
            {"signed": 40, "landed": 30, "started": 20, "in_production": 10},
        )

    def test_a_plan_due_today_or_later_is_not_late(self):
        lead = self.plan(
            make_lead(stage=Stage.INTENT), signed=TODAY(), landed=TODAY() + timedelta(1)
        )
        self.assertEqual(self.kinds(lead), {})

    def test_nodes_done_are_not_late(self):
        lead = make_lead(stage=Stage.LANDED, signed_on=days_ago(60), landed_on=days_ago(50))
        lead = self.plan(
            lead,
            signed=days_ago(70),
            landed=days_ago(55),
            started=days_ago(40),
            in_production=days_ago(5),
        )
        self.assertEqual(set(self.kinds(lead)), {"started", "in_production"})
        lead = lead_record_milestone(
            lead=lead, milestone=Milestone.STARTED, on=days_ago(30), actor=self.director
        )
        self.assertEqual(set(self.kinds(lead)), {"in_production"})
        lead_record_milestone(
            lead=lead, milestone=Milestone.IN_PRODUCTION, on=TODAY(), actor=self.director
        )
        self.assertEqual(self.kinds(lead), {})

    def test_signed_and_landed_count_by_the_stage_reached(self):
        lead = make_lead(stage=Stage.SIGNED, signed_on=days_ago(20))
        lead = self.plan(lead, signed=days_ago(30), landed=days_ago(10))
        self.assertEqual(self.kinds(lead), {"landed": 10})
        # Moved back to 意向: its 签约日期 stays on the row, but 签约 is no longer reached.
        lead_change_stage(
            lead=fresh(lead),
            to_stage=Stage.INTENT,
            actor=self.director,
            channel="web",
            note="客户撤回签约",
        )
        self.assertEqual(self.kinds(fresh(lead)), {"signed": 30, "landed": 10})

    def test_the_signed_stage_limit_counts_from_the_local_day_entered(self):
        sla = StageOwner.objects.get(stage=Stage.SIGNED).sla_days
        lead = make_lead(stage=Stage.SIGNED, signed_on=TODAY())
        # 00:30 in Shanghai is still the day before in UTC.
        day = TODAY() - timedelta(days=sla + 5)
        entered = datetime.combine(day, time(0, 30), tzinfo=ZoneInfo("Asia/Shanghai"))
        Lead.objects.filter(pk=lead.pk).update(stage_entered_at=entered)
        self.assertEqual(entered.astimezone(UTC).date(), day - timedelta(days=1))
        row = next(row for row in overdue_nodes() if row.lead_id == lead.pk)
        self.assertEqual((row.planned_on, row.days_late), (day + timedelta(days=sla), 5))

    def test_a_dropped_project_is_not_supervised(self):
        lead = self.plan(make_lead(stage=Stage.INTENT), signed=days_ago(5))
        lead_change_stage(
            lead=lead,
            to_stage=Stage.DROPPED,
            actor=self.director,
            channel="web",
            drop_reason="资金不到位",
        )
        self.assertEqual(self.kinds(lead), {})

    def test_signed_project_past_the_signed_stage_limit_is_listed(self):
        sla = StageOwner.objects.get(stage=Stage.SIGNED).sla_days
        lead = make_lead(stage=Stage.SIGNED, signed_on=TODAY())
        entered = timezone.localdate(lead.stage_entered_at)
        self.assertEqual(self.kinds(lead), {})
        later = timezone.now() + timedelta(days=sla + 3)
        self.assertEqual(self.kinds(lead, now=later), {SLA: 3})
        row = next(row for row in overdue_nodes(now=later) if row.lead_id == lead.pk)
        self.assertEqual(row.planned_on, entered + timedelta(days=sla))
        self.assertEqual((row.kind_label, row.node), ("签约超时限未落地", Node.LANDED))
        # Landed: no longer waiting at 签约.
        lead_change_stage(
            lead=fresh(lead),
            to_stage=Stage.LANDED,
            channel="web",
            actor=self.director,
            landed_on=TODAY(),
            registered_name="测试（本区）有限公司",
            credit_code="91350100M000100Y43",
        )
        self.assertEqual(self.kinds(lead, now=later), {})

    def test_row_carries_team_leader_slips_and_the_latest_note_of_its_node(self):
        lead = make_lead(stage=Stage.INTENT)
        lead = lead_update(lead=lead, actor=self.director, leader="王副区长")
        lead = self.plan(lead, signed=days_ago(60))
        lead = self.plan(lead, signed=days_ago(40))
        lead = self.plan(lead, signed=days_ago(9))
        lead_add_supervision(
            lead=lead, note="旧意见", deadline=TODAY(), actor=self.director, node=Node.SIGNED
        )
        lead_add_supervision(
            lead=lead, note="开工另说", deadline=TODAY(), actor=self.director, node=Node.STARTED
        )
        lead_add_supervision(
            lead=lead,
            note="请本周内签约",
            deadline=TODAY() + timedelta(days=7),
            actor=self.director,
            node=Node.SIGNED,
        )
        (row,) = [row for row in overdue_nodes() if row.lead_id == lead.pk]
        self.assertEqual((row.kind, row.days_late, row.slips), ("signed", 9, 2))
        self.assertEqual((row.team, row.leader), (lead.team.name, "王副区长"))
        self.assertEqual((row.note, row.note_deadline), ("请本周内签约", TODAY() + timedelta(7)))

    def test_a_note_on_no_node_is_shown_when_newer(self):
        lead = self.plan(make_lead(stage=Stage.INTENT), signed=days_ago(3))
        lead_add_supervision(
            lead=lead, note="签约", deadline=TODAY(), actor=self.director, node="signed"
        )
        lead_add_supervision(lead=lead, note="统筹推进", deadline=TODAY(), actor=self.director)
        (row,) = [row for row in overdue_nodes() if row.lead_id == lead.pk]
        self.assertEqual((row.note, row.slips), ("统筹推进", 0))

    def test_counts_agree_with_the_rows(self):
        self.plan(make_lead(stage=Stage.INTENT), signed=days_ago(3), landed=days_ago(1))
        self.plan(make_lead(stage=Stage.INTENT), started=days_ago(2))
        make_lead(stage=Stage.SIGNED, signed_on=TODAY())
        later = timezone.now() + timedelta(days=400)
        for now in (timezone.now(), later):
            rows = overdue_nodes(now=now)
            counts = overdue_counts(now=now)
            with self.subTest(now=now):
                self.assertEqual(counts["total"], len(rows))
                for kind in ("signed", "landed", "started", "in_production", SLA):
                    self.assertEqual(counts[kind], sum(row.kind == kind for row in rows))
        self.assertEqual(overdue_counts()["total"], 3)

    def test_team_filter_keeps_one_responsible_team(self):
        mine = self.plan(make_lead(stage=Stage.INTENT), signed=days_ago(3))
        other = self.plan(make_lead(stage=Stage.LANDED), started=days_ago(3))
        self.assertNotEqual(mine.team_id, other.team_id)
        self.assertEqual({row.lead_id for row in overdue_nodes(team_id=mine.team_id)}, {mine.pk})


class OverdueSortTests(OverdueTestCase):
    def test_sorts_by_days_team_leader_and_node_both_ways(self):
        a = lead_update(lead=make_lead(stage=Stage.INTENT), actor=self.director, leader="李副区长")
        b = lead_update(lead=make_lead(stage=Stage.LANDED), actor=self.director, leader="王副区长")
        self.plan(a, signed=days_ago(5))
        self.plan(b, started=days_ago(50))
        rows = overdue_nodes()
        self.assertEqual([r.days_late for r in rows], [50, 5])  # most late first
        for value, expected in (
            ("days", [5, 50]),
            ("-days", [50, 5]),
            ("leader", [5, 50]),
            ("-leader", [50, 5]),
            ("node", [5, 50]),
            ("-node", [50, 5]),
        ):
            with self.subTest(sort=value):
                sort, ordered = overdue_sorted(rows, value)
                self.assertEqual((sort, [r.days_late for r in ordered]), (value, expected))
        by_team = [r.team for r in overdue_sorted(rows, "team")[1]]
        self.assertEqual(by_team, sorted(by_team))
        self.assertEqual(overdue_sorted(rows, "bogus")[0], "-days")


def plan_node(lead, node, on, actor) -> Lead:
    return lead_plan_node(lead=fresh(lead), node=node, on=on, reason="调整", actor=actor)


class OverdueFirstTests(OverdueTestCase):
    """`overdue_first(n)` is `overdue_nodes()[:n]` and its length, read without every late lead."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        sla = StageOwner.objects.get(stage=Stage.SIGNED).sla_days
        shanghai = ZoneInfo("Asia/Shanghai")
        # Ties on every due day, in codes not in the order the leads were made.
        for index, (stage, late_by) in enumerate(
            [
                *[(Stage.INTENT, 9), (Stage.INTENT, 9), (Stage.VISIT, 9), (Stage.INTENT, 4)],
                *[(Stage.SIGNED, 9), (Stage.SIGNED, 4), (Stage.INTENT, 2), (Stage.LANDED, 6)],
            ]
        ):
            lead = make_lead(stage=stage, code=f"ZS-2026-{90 - index:04d}")
            nodes = ["landed"] if stage == Stage.SIGNED else ["signed", "landed"]
            if stage == Stage.LANDED:
                nodes = ["started"]
            for node in nodes:
                if index % 2:  # planned later first: the plan slipped once
                    lead = plan_node(lead, node, TODAY() + timedelta(days=30), cls.director)
                lead = plan_node(lead, node, days_ago(late_by), cls.director)
        # Leads past the 签约 time limit, entered at both ends of two Shanghai days.
        for index, (days, hour) in enumerate([(30, 0), (30, 23), (30, 12), (50, 0), (50, 23)]):
            lead = make_lead(stage=Stage.SIGNED, code=f"ZS-2026-{50 - index:04d}")
            day = TODAY() - timedelta(days=sla + days)
            entered = datetime.combine(day, time(hour, 30), tzinfo=shanghai)
            Lead.objects.filter(pk=lead.pk).update(stage_entered_at=entered)
        lead = Lead.objects.get(code="ZS-2026-0090")
        lead_add_supervision(lead=lead, note="请加快", deadline=TODAY(), actor=cls.director)

    def test_every_cut_is_the_full_lists_first_rows_with_their_slips_and_notes(self):
        rows = overdue_nodes()
        self.assertGreater(len(rows), 15)
        self.assertEqual(len({row.days_late for row in rows}), 6)
        self.assertTrue(any(row.slips for row in rows) and any(row.note for row in rows))
        for limit in range(1, len(rows) + 2):
            with self.subTest(limit=limit):
                self.assertEqual(overdue_first(limit), (rows[:limit], len(rows)))

    def test_every_page_of_every_other_order_is_the_full_lists_with_their_slips_and_notes(self):
        # Leaders and teams tied and not, so that the most late first breaks the ties.
        leads = list(Lead.objects.order_by("code"))
        for index, lead in enumerate(leads):
            Lead.objects.filter(pk=lead.pk).update(leader=["李副区长", "王副区长", ""][index % 3])
        Lead.objects.filter(pk=leads[0].pk).update(team=None)
        for team_id in (None, leads[1].team_id):
            for sort in [*SORTS, *(f"-{key}" for key in SORTS)]:
                expected = overdue_sorted(overdue_nodes(team_id=team_id), sort)[1]
                sorted_by = SortedByColumn(team_id, sort)
                with self.subTest(team=team_id, sort=sort):
                    self.assertGreater(len(expected), 3)
                    self.assertEqual(sorted_by.count(), len(expected))
                    for size in (1, 4, len(expected)):
                        pages = [
                            sorted_by[start : start + size]
                            for start in range(0, len(expected), size)
                        ]
                        self.assertEqual([row for page in pages for row in page], expected)

    def test_only_the_leader_order_reads_every_late_row(self):
        """Orders an index gives (天数, 节点, 小分队, 编号) read a page at a time; 分包领导 reads
        every late row's sort columns (`SortedByColumn._keys`)."""
        expected_all = overdue_nodes()
        every_row = SortedByColumn._keys
        for sort in [*SORTS, *(f"-{key}" for key in SORTS)]:
            sorted_by = SortedByColumn(None, sort)
            with mock.patch.object(
                SortedByColumn, "_keys", autospec=True, side_effect=every_row
            ) as keys:
                first = sorted_by[0:3]
            with self.subTest(sort=sort):
                self.assertEqual(first, overdue_sorted(expected_all, sort)[1][:3])
                self.assertEqual(keys.called, sort.lstrip("-") == "leader")
