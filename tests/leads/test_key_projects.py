"""The 重点项目推进表 rows: which key projects a year shows, plan vs actual, days late, colours."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.choices import Milestone, Stage
from leads.key_projects import (
    AMBER,
    CANDIDATE_INDEX,
    GREEN,
    RED,
    KeyProjectPages,
    key_candidates,
    key_project_rows,
)
from leads.models import Lead
from leads.services import (
    lead_change_stage,
    lead_plan_node,
    lead_record_milestone,
    lead_set_key,
    lead_update,
)
from tests.factories import make_lead
from tests.plans import covering_indexes, query_plan
from tests.roles import RolesMixin

TODAY = timezone.localdate


def days_ago(days: int):
    return TODAY() - timedelta(days=days)


class KeyProjectRowsTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()

    def key(self, lead, **nodes) -> Lead:
        lead = lead_set_key(lead=lead, is_key=True, actor=self.director)
        for node, on in nodes.items():
            lead = lead_plan_node(lead=lead, node=node, on=on, actor=self.director)
        return Lead.objects.get(pk=lead.pk)

    def cells(self, lead, year=None):
        (row,) = [r for r in key_project_rows(year=year or TODAY().year) if r.lead_id == lead.pk]
        return {
            cell.node: (cell.planned, cell.actual, cell.days_late, cell.colour)
            for cell in row.nodes
        }

    def test_plan_against_actual_per_node_with_days_late_and_colour(self):
        lead = make_lead(stage=Stage.LANDED, signed_on=days_ago(100), landed_on=days_ago(60))
        lead = self.key(
            lead,
            signed=days_ago(100),  # on time
            landed=days_ago(70),  # 10 days late, done
            started=days_ago(30),  # not done: 30 days late to today
            in_production=TODAY() + timedelta(days=30),  # not due
        )
        cells = self.cells(lead)
        self.assertEqual(cells["signed"], (days_ago(100), days_ago(100), 0, GREEN))
        self.assertEqual(cells["landed"], (days_ago(70), days_ago(60), 10, AMBER))
        self.assertEqual(cells["started"], (days_ago(30), None, 30, RED))
        self.assertEqual(cells["in_production"], (TODAY() + timedelta(30), None, None, ""))
        lead = lead_record_milestone(
            lead=lead, milestone=Milestone.STARTED, on=days_ago(10), actor=self.director
        )
        self.assertEqual(self.cells(lead)["started"], (days_ago(30), days_ago(10), 20, AMBER))

    def test_a_signing_undone_by_a_move_back_shows_no_actual(self):
        lead = make_lead(stage=Stage.SIGNED, signed_on=TODAY())
        lead = lead_change_stage(
            lead=lead, to_stage=Stage.INTENT, actor=self.director, channel="web", note="撤回"
        )
        self.assertEqual(lead.signed_on, TODAY())
        lead = self.key(lead, signed=days_ago(8))
        self.assertEqual(self.cells(lead)["signed"], (days_ago(8), None, 8, RED))

    def test_a_year_shows_key_projects_planned_in_it_or_carried_over(self):
        year = TODAY().year
        planned = self.key(make_lead(stage=Stage.INTENT), signed=date(year + 1, 3, 1))
        carried = self.key(make_lead(stage=Stage.INTENT), signed=date(year - 1, 6, 1))
        done_last_year = make_lead(stage=Stage.SIGNED, signed_on=date(year - 1, 6, 1))
        done_last_year = self.key(done_last_year, signed=date(year - 1, 6, 1))
        unplanned = self.key(make_lead(stage=Stage.INTENT))
        not_key = make_lead(stage=Stage.INTENT)
        lead_plan_node(lead=not_key, node="signed", on=date(year + 1, 3, 1), actor=self.director)

        def shown(y):
            return {row.lead_id for row in key_project_rows(year=y)}

        self.assertEqual(shown(year + 1), {planned.pk, carried.pk})
        self.assertEqual(shown(year), {carried.pk, unplanned.pk})
        self.assertEqual(shown(year - 1), {carried.pk, done_last_year.pk})

    def test_row_has_team_leader_and_amounts(self):
        lead = make_lead(stage=Stage.SIGNED, signed_on=days_ago(3))
        lead = lead_update(lead=lead, actor=self.director, leader="王副区长")
        lead = self.key(lead, landed=TODAY())
        (row,) = key_project_rows(year=TODAY().year)
        self.assertEqual((row.team, row.leader), (lead.team.name, "王副区长"))
        self.assertEqual(
            (row.contract_amount, row.planned_investment),
            (lead.contract_amount, lead.planned_investment),
        )


class KeyCandidatesTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()

    def test_candidates_are_large_projects_not_yet_key(self):
        big = make_lead(stage=Stage.INTENT, planned_investment=Decimal("10000"))
        signed_big = make_lead(
            stage=Stage.SIGNED, signed_on=TODAY(), contract_amount=Decimal("25000")
        )
        make_lead(stage=Stage.INTENT, planned_investment=Decimal("9999.99"))
        already = make_lead(stage=Stage.INTENT, planned_investment=Decimal("50000"))
        lead_set_key(lead=already, is_key=True, actor=self.director)
        shown, total = key_candidates()
        self.assertEqual(([c.lead_id for c in shown], total), ([signed_big.pk, big.pk], 2))
        shown, total = key_candidates(limit=1)
        self.assertEqual(([c.lead_id for c in shown], total), ([signed_big.pk], 2))


class KeyProjectPlanTests(RolesMixin, TestCase):
    """The page's candidates and its year's count read their indexes, in order: a city's
    300,000 large projects are not sorted for the first 100 (1.6 -> 0.15 s at 1,000,000)."""

    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        # Candidates with a blank 签约投资额 (not signed), ties on it, a dropped and a
        # key project left out.
        amounts = [(None, "10000"), (None, "20000"), ("30000", "100"), ("20000", "50000"),
                   ("20000", "60000")]  # fmt: skip
        for contract, planned in amounts * 3:
            make_lead(
                stage=Stage.SIGNED if contract else Stage.INTENT,
                signed_on=TODAY() if contract else None,
                contract_amount=Decimal(contract) if contract else None,
                planned_investment=Decimal(planned),
            )
        make_lead(stage=Stage.DROPPED, planned_investment=Decimal("90000"), drop_reason="外迁")
        key = make_lead(stage=Stage.INTENT, planned_investment=Decimal("90000"))
        lead_set_key(lead=key, is_key=True, actor=cls.director)

    def test_candidates_come_largest_first_blank_amounts_last_from_their_index(self):
        shown, total = key_candidates()
        self.assertEqual(total, 15)
        order = [(c.contract_amount, c.planned_investment, c.code) for c in shown]
        expected = sorted(
            order,
            key=lambda row: (
                row[0] is None, -(row[0] or 0), row[1] is None, -(row[1] or 0), row[2]
            ),
        )  # fmt: skip
        self.assertEqual(order, expected)
        self.assertEqual(order[-1][0], None)
        with CaptureQueriesContext(connection) as queries:
            key_candidates()
        first, count = (query["sql"] for query in queries)
        # The only index that gives the order (on PostgreSQL it must say NULLS LAST).
        plan = query_plan(first, partial_sort=False)
        self.assertIn(CANDIDATE_INDEX, plan)
        self.assertNotIn("TEMP B-TREE", plan)
        # The count reads it alone: the columns its condition reads are in it. (PostgreSQL
        # counts these few rows through whichever index; at a city's size, through this
        # one: docs/benchmarks.md.)
        self.assertEqual(covering_indexes(count, [CANDIDATE_INDEX]), [CANDIDATE_INDEX])
        if connection.vendor == "sqlite":
            self.assertIn(f"COVERING INDEX {CANDIDATE_INDEX}", query_plan(count))

    def test_the_year_count_reads_the_key_project_index(self):
        with CaptureQueriesContext(connection) as queries:
            KeyProjectPages(TODAY().year).count()
        (sql,) = (query["sql"] for query in queries)
        self.assertEqual(covering_indexes(sql, ["lead_key_year_idx"]), ["lead_key_year_idx"])
        if connection.vendor == "sqlite":
            self.assertIn("COVERING INDEX lead_key_year_idx", query_plan(sql))
