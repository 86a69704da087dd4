"""The board filtered by 滞留预警: each stage's stalled leads, read stage by stage."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Sum
from django.http import QueryDict
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.choices import PIPELINE, Channel, Source, Stage
from leads.filters import LeadFilter
from leads.models import Lead, StageOwner
from leads.pages.alerts import StageLimits
from leads.querysets import lead_amount_expression
from leads.services import lead_change_stage
from tests.factories import IndustryFactory, ensure_stage_owners, make_lead
from tests.plans import covering_indexes, query_plan
from tests.roles import RolesMixin

LIMITS = {Stage.CONTACT: 10, Stage.INTENT: 20, Stage.SIGNED: 30}


class StalledBoardTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        ensure_stage_owners()
        for stage, days in LIMITS.items():
            StageOwner.objects.filter(stage=stage).update(sla_days=days)
        # 考察 has no time limit: none of its leads is ever stalled.
        StageOwner.objects.filter(stage=Stage.VISIT).delete()
        cls.industry, cls.other_industry = IndustryFactory(), IndustryFactory()
        now = timezone.now()
        long_ago = now - timedelta(days=900)
        number = 0
        for stage, days in LIMITS.items():
            for industry in (cls.industry, cls.other_industry):
                for waited, amount in ((days - 1, "1.10"), (days + 1, "2.25"), (days + 5, "3.30")):
                    number += 1
                    make_lead(
                        name=f"{stage}-{number}",
                        stage=stage,
                        industry=industry,
                        source=Source.EVENT if number % 2 else Source.INDUSTRY_CHAIN,
                        at=now - timedelta(days=waited),
                        planned_investment=Decimal(amount),
                        contract_amount=Decimal(amount) if stage == Stage.SIGNED else None,
                        signed_on=timezone.localdate(now - timedelta(days=waited))
                        if stage == Stage.SIGNED
                        else None,
                    )
        make_lead(name="考察很久", stage=Stage.VISIT, at=long_ago)
        make_lead(
            name="落地很久",
            stage=Stage.LANDED,
            at=long_ago,
            signed_on=timezone.localdate(long_ago),
        )
        dropped = make_lead(name="终止很久", at=long_ago)
        lead_change_stage(
            lead=dropped,
            to_stage=Stage.DROPPED,
            channel=Channel.SYSTEM,
            drop_reason="投资方放弃",
            at=long_ago + timedelta(days=1),
        )

    def board(self, query):
        self.client.force_login(self.director)
        response = self.client.get("/leads/board/", query)
        self.assertEqual(response.status_code, 200)
        return response.context["columns"]

    def expected(self, query):
        """Each stage's stalled leads of the filter, read the way the list reads them."""
        data = QueryDict(mutable=True)
        data.update(query)
        kept = LeadFilter(data, queryset=Lead.objects.all()).qs
        columns = {}
        for stage in PIPELINE:
            leads = kept.filter(stage=stage)
            amount = leads.aggregate(total=Sum(lead_amount_expression()))["total"]
            order = (
                ("-stage_entered_at", "-id")
                if stage == Stage.LANDED
                else ("stage_entered_at", "id")
            )
            columns[stage.value] = (
                leads.count(),
                (amount or Decimal("0")).quantize(Decimal("0.01")),
                list(leads.order_by(*order).values_list("pk", flat=True)[:25]),
            )
        return columns

    def test_each_column_holds_the_filters_stalled_leads(self):
        industry = self.industry
        for query in (
            {"stalled": "true"},
            {"stalled": "true", "industry": str(industry.pk)},
            {"stalled": "true", "source": Source.EVENT, "stage": Stage.SIGNED},
            {"stalled": "false", "industry": str(self.other_industry.pk)},
            {"industry": str(industry.pk)},
        ):
            with self.subTest(query=query):
                shown = {
                    column["stage"].value: (
                        column["count"],
                        column["amount"],
                        [card.pk for card in column["leads"]],
                    )
                    for column in self.board(query)
                }
                self.assertEqual(shown, self.expected(query))

    def test_stalled_counts_and_amounts(self):
        columns = {column["stage"].value: column for column in self.board({"stalled": "true"})}
        # Two of the three leads of each timed stage and industry are past the limit.
        for stage in LIMITS:
            self.assertEqual(columns[stage.value]["count"], 4, stage)
            self.assertEqual(columns[stage.value]["amount"], Decimal("11.10"), stage)
            self.assertTrue(all(card.warning == "red" for card in columns[stage.value]["leads"]))
        for stage in (Stage.VISIT, Stage.LANDED):
            self.assertEqual(columns[stage.value]["count"], 0, stage)
            self.assertEqual(columns[stage.value]["leads"], [], stage)
        # One 产业's: half of them.
        query = {"stalled": "true", "industry": str(self.other_industry.pk)}
        columns = {column["stage"].value: column for column in self.board(query)}
        for stage in LIMITS:
            self.assertEqual(columns[stage.value]["count"], 2, stage)
            self.assertEqual(columns[stage.value]["amount"], Decimal("5.55"), stage)

    def test_the_totals_are_one_query_reading_the_stage_index_alone(self):
        industry = self.industry
        self.client.force_login(self.director)
        query = {"stalled": "true", "industry": str(industry.pk), "source": Source.EVENT}
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/leads/board/", query)
        totals = [q["sql"] for q in queries if "UNION ALL" in q["sql"]]
        self.assertEqual(len(totals), 1)
        self.assertEqual(totals[0].count("UNION ALL"), len(LIMITS) - 1)
        # Every column it reads is in the stage index (on PostgreSQL, a condition of an
        # index-only scan; it plans these few rows by their own statistics) ...
        self.assertEqual(covering_indexes(totals[0], ["lead_stage_idx"]), ["lead_stage_idx"])
        if connection.vendor == "sqlite":
            # ... and SQLite reads each stage's range of it alone.
            plan = query_plan(totals[0])
            self.assertEqual(plan.count("COVERING INDEX lead_stage_idx"), len(LIMITS))

    def test_the_rule_is_the_filters(self):
        """The board's stage-by-stage stalled leads are the filter's stalled leads."""
        limits = StageLimits.load()
        stalled = set(Lead.objects.stalled(now=limits.now).values_list("pk", flat=True))
        shown = {card.pk for column in self.board({"stalled": "true"}) for card in column["leads"]}
        self.assertEqual(shown, stalled)
        self.assertEqual(len(stalled), 4 * len(LIMITS))
