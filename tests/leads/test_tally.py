"""The stage tally: equal to a count of the live leads after every kind of write, folded,
counted again, and kept by writers at the same time (real threads, both databases)."""

import importlib
import threading
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count
from django.http import QueryDict
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads import tally
from leads.choices import Channel, Source, Stage
from leads.excel.lead_importer import LeadImporter
from leads.filters import LeadFilter
from leads.models import Industry, Lead, StageTally, StageTransition, TaskTeam
from leads.pages.alerts import StageLimits
from leads.pages.board import board_columns
from leads.querysets import lead_amount_expression
from leads.reports.grouped import cents_sum, from_cents
from leads.services import lead_change_stage, lead_merge, lead_merge_undo, lead_update
from leads.services.lifecycle import lead_assign_team
from leads.tally import stage_totals, tally_compact, tally_rebuild, triggers_paused
from tests.factories import UserFactory, ensure_stage_owners, make_lead
from tests.leads.excel.test_concurrency import run_in_threads
from tests.workbooks import lead_workbook

IMPORTED = {"所属产业": "信息技术", "线索来源": "自主对接"}


KEPT_COLUMNS = {"team_ids": "team_id", "industry_ids": "industry_id", "sources": "source"}


def counted(**kept) -> dict:
    """Return {stage: (count, amount)} counted from the live leads themselves, of those
    `kept` (team_ids, industry_ids, sources) only."""
    leads = Lead.objects.all()
    for name, values in kept.items():
        leads = leads.filter(**{f"{KEPT_COLUMNS[name]}__in": values})
    rows = leads.values("stage").annotate(n=Count("pk"), c=cents_sum(lead_amount_expression()))
    return {row["stage"]: (row["n"], from_cents(row["c"])) for row in rows.order_by()}


def tallied(**kept) -> dict:
    return {
        stage: (total.kept_count, total.kept_amount)
        for stage, total in stage_totals(**kept).items()
        if total.kept_count or total.kept_amount
    }


class TallyAssertions:
    def assert_tally_right(self):
        self.assertEqual(tallied(), counted())
        teams = list(TaskTeam.objects.values_list("pk", flat=True))
        industries = list(Industry.objects.values_list("pk", flat=True))
        sources = list(Lead.all_objects.values_list("source", flat=True).distinct())
        cases = [
            *({"team_ids": [team]} for team in teams),
            *({"industry_ids": [industry]} for industry in industries),
            *({"sources": [source]} for source in sources),
            *(
                {"team_ids": [team], "industry_ids": industries[:2], "sources": sources[:1]}
                for team in teams
            ),
        ]
        for kept in cases:
            self.assertEqual(tallied(**kept), counted(**kept), kept)
        # The district-wide figures hold whatever is kept.
        for stage, total in stage_totals(team_ids=[-1], sources=["无"]).items():
            self.assertEqual((total.count, total.amount), counted().get(stage, (0, Decimal("0"))))


class TallyWritePathTests(TallyAssertions, TestCase):
    fixtures = ["reference"]

    @classmethod
    def setUpTestData(cls):
        cls.owners = ensure_stage_owners()
        cls.director = UserFactory(groups=["局领导"])

    def test_an_empty_database_has_an_empty_tally(self):
        self.assertEqual(stage_totals(), {})

    def test_creation_and_every_kind_of_stage_change(self):
        contact = make_lead(name="接洽项目", planned_investment=Decimal("123.45"))
        signed = make_lead(stage=Stage.SIGNED, name="签约项目")
        self.assert_tally_right()
        self.assertEqual(stage_totals()[Stage.CONTACT].amount, Decimal("123.45"))
        lead_change_stage(lead=contact, to_stage=Stage.VISIT, channel=Channel.WEB)
        self.assert_tally_right()
        lead_change_stage(
            lead=signed,
            to_stage=Stage.DROPPED,
            channel=Channel.WEB,
            drop_reason="投资方战略调整",
        )
        self.assert_tally_right()
        self.assertEqual(stage_totals()[Stage.DROPPED].count, 1)
        self.assertNotIn(Stage.SIGNED, tallied())

    def test_an_amount_or_team_edit_moves_the_amount_and_the_team(self):
        lead = make_lead(stage=Stage.SIGNED)
        lead_update(lead=lead, contract_amount=Decimal("999.99"))
        self.assert_tally_right()
        self.assertEqual(stage_totals()[Stage.SIGNED].amount, Decimal("999.99"))
        other = TaskTeam.objects.exclude(pk=lead.team_id).first()
        lead_assign_team(lead=Lead.objects.get(pk=lead.pk), team=other, actor=self.director)
        self.assert_tally_right()
        self.assertEqual(tallied(team_ids=[other.pk]), {Stage.SIGNED: (1, Decimal("999.99"))})

    def test_an_industry_or_source_edit_moves_the_lead(self):
        lead = make_lead(stage=Stage.SIGNED, source=Source.OWN)
        other = Industry.objects.exclude(pk=lead.industry_id).first()
        lead_update(lead=lead, industry=other)
        self.assert_tally_right()
        self.assertEqual(tallied(industry_ids=[other.pk]), {Stage.SIGNED: (1, Decimal("800.50"))})
        lead_update(lead=Lead.objects.get(pk=lead.pk), source=Source.EVENT)
        self.assert_tally_right()
        self.assertEqual(tallied(sources=[Source.OWN]), {})
        self.assertEqual(tallied(sources=[Source.EVENT]), {Stage.SIGNED: (1, Decimal("800.50"))})

    def test_a_change_to_another_column_writes_no_row(self):
        lead = make_lead()
        rows = StageTally.objects.count()
        lead_update(lead=lead, notes="补充说明")
        self.assertEqual(StageTally.objects.count(), rows)

    def test_a_merged_lead_counts_nowhere_and_undo_counts_it_again(self):
        keep = make_lead(stage=Stage.SIGNED, name="保留项目", investor="甲集团")
        merged = make_lead(stage=Stage.SIGNED, name="重复项目", investor="乙集团")
        merge = lead_merge(keep=keep, merged=merged, actor=self.director)
        self.assert_tally_right()
        self.assertEqual(stage_totals()[Stage.SIGNED].count, 1)
        lead_merge_undo(merge=merge, actor=self.director)
        self.assert_tally_right()
        self.assertEqual(stage_totals()[Stage.SIGNED].count, 2)

    def test_an_import_and_raw_sql_writes_are_counted(self):
        rows = [
            {"项目名称": f"导入项目{i}", "投资方": f"导入投资方{i}", **IMPORTED} for i in range(12)
        ]
        report = LeadImporter().run(lead_workbook(*rows))
        self.assertTrue(report.ok, report.error_lines())
        self.assert_tally_right()
        self.assertEqual(stage_totals()[Stage.CONTACT].count, 12)
        # Writes outside the services (a bulk UPDATE, a DELETE) are seen by the triggers too.
        Lead.objects.filter(name__startswith="导入项目").update(planned_investment=Decimal("7"))
        gone = Lead.objects.filter(name="导入项目0")
        StageTransition.objects.filter(lead__in=gone)._raw_delete(connection.alias)
        gone._raw_delete(connection.alias)
        self.assert_tally_right()
        self.assertEqual(stage_totals()[Stage.CONTACT].amount, Decimal("77.00"))

    def test_folding_keeps_the_totals_and_leaves_one_row_per_group(self):
        leads = [make_lead(name=f"项目{i}") for i in range(6)]
        for lead in leads[:4]:
            lead_change_stage(lead=lead, to_stage=Stage.VISIT, channel=Channel.WEB)
        lead_merge(keep=leads[4], merged=leads[5], actor=self.director)
        before = tallied()
        kept = tally_compact()
        self.assertEqual(tallied(), before)
        self.assert_tally_right()
        groups = Lead.objects.values_list(*tally.KEYS).distinct().count()
        self.assertEqual(kept, groups)
        self.assertEqual(StageTally.objects.count(), groups)
        # No image is left: the merged lead's went with the fold.
        self.assertFalse(StageTally.objects.filter(cents__isnull=True).exists())

    def test_a_reader_asks_for_a_fold_once_the_tally_is_long(self):
        cache.clear()
        for i in range(4):
            make_lead(name=f"项目{i}")
        with mock.patch.object(tally, "COMPACT_AFTER", 3):
            # The test settings run tasks at once: the fold happens within the read.
            totals = stage_totals()
        self.assertEqual(totals[Stage.CONTACT].count, 4)
        self.assertEqual(StageTally.objects.count(), 1)
        self.assert_tally_right()
        # Asked once: within the next minute this process does not ask again.
        for i in range(4):
            make_lead(name=f"又一个{i}")
        with mock.patch.object(tally, "COMPACT_AFTER", 3):
            self.assertEqual(stage_totals()[Stage.CONTACT].count, 8)
            self.assertEqual(StageTally.objects.count(), 5)

    def test_writes_with_the_triggers_paused_are_counted_after(self):
        make_lead(name="之前")
        with triggers_paused():
            make_lead(name="暂停时创建的")
            self.assertEqual(stage_totals()[Stage.CONTACT].count, 1)
        self.assert_tally_right()
        self.assertEqual(stage_totals()[Stage.CONTACT].count, 2)

    def test_counting_again_mends_a_wrong_tally(self):
        make_lead()
        StageTally.objects.create(stage=Stage.LANDED, count=5, cents=100)
        self.assertNotEqual(tallied(), counted())
        tally_rebuild()
        self.assert_tally_right()


class TallyFlushTests(TallyAssertions, TransactionTestCase):
    """A flush between tests empties the tables in any order; the tally is counted again."""

    fixtures = ["reference"]

    def test_a_flushed_database_starts_with_an_empty_tally(self):
        ensure_stage_owners()
        make_lead()
        self._fixture_teardown()
        self.assertEqual(StageTally.objects.count(), 0)
        self._fixture_setup()
        self.assert_tally_right()


class ConcurrentTallyTests(TallyAssertions, TransactionTestCase):
    """Writers moving leads of one team and stage at once, and a fold among them."""

    fixtures = ["reference"]

    def test_simultaneous_moves_and_folds_keep_the_tally_right(self):
        ensure_stage_owners()
        leads = [make_lead(name=f"并发项目{i}") for i in range(24)]
        stop = threading.Event()
        folds = []

        def fold_until_stopped():
            # Folds while the writers move leads, and at least three times in all.
            while not stop.wait(0.005) or len(folds) < 3:
                folds.append(tally_compact())
            connection.close()

        folder = threading.Thread(target=fold_until_stopped)
        folder.start()

        def move(index):
            for lead in leads[index::4]:
                lead_change_stage(lead=lead, to_stage=Stage.VISIT, channel=Channel.WEB)
                lead_update(
                    lead=Lead.objects.get(pk=lead.pk), planned_investment=Decimal(index + 1)
                )
            return index

        results = run_in_threads(4, move)
        stop.set()
        folder.join(timeout=60)
        self.assertEqual(results, [0, 1, 2, 3])
        self.assertGreaterEqual(len(folds), 3)
        self.assert_tally_right()
        self.assertEqual(stage_totals()[Stage.VISIT].count, 24)
        self.assertEqual(stage_totals()[Stage.VISIT].amount, Decimal(6 * (1 + 2 + 3 + 4)))


class BoardTallyTests(TestCase):
    """The board's column totals come from the tally for all leads or those of a team, 产业
    and 来源, and from the leads for any other filter; the figures are the same either way."""

    fixtures = ["reference"]

    @classmethod
    def setUpTestData(cls):
        owners = ensure_stage_owners()
        cls.director = UserFactory(groups=["局领导"])
        cls.team = owners[Stage.CONTACT.value]
        for i in range(3):
            make_lead(name=f"接洽{i}", planned_investment=Decimal("10.10"))
        make_lead(stage=Stage.SIGNED, name="签约", team=cls.team)
        make_lead(stage=Stage.SIGNED, name="他队签约")
        cls.industry = Industry.objects.order_by("pk").last()
        make_lead(
            stage=Stage.SIGNED,
            name="另一产业",
            industry=cls.industry,
            source=Source.EVENT,
            team=cls.team,
        )
        make_lead(name="另一产业接洽", industry=cls.industry, planned_investment=Decimal("1.25"))

    def columns(self, query):
        self.client.force_login(self.director)
        response = self.client.get("/leads/board/", query)
        self.assertEqual(response.status_code, 200)
        return {c["stage"].value: (c["count"], c["amount"]) for c in response.context["columns"]}

    def test_which_filters_the_tally_counts(self):
        industry = Industry.objects.order_by("pk").first()
        cases = (
            ({}, {}),
            ({"team": str(self.team.pk)}, {"team_ids": [self.team.pk]}),
            ({"team": ""}, {}),
            ({"industry": str(industry.pk)}, {"industry_ids": [industry.pk]}),
            ({"source": ["own", "event"]}, {"sources": ["own", "event"]}),
            (
                {"team": str(self.team.pk), "industry": str(industry.pk), "source": "own"},
                {"team_ids": [self.team.pk], "industry_ids": [industry.pk], "sources": ["own"]},
            ),
            ({"team": "abc"}, None),
            ({"industry": "0"}, None),
            ({"source": "没有"}, None),
            (
                {"team": str(self.team.pk), "stage": "signed"},
                {"stages": ["signed"], "team_ids": [self.team.pk]},
            ),
            ({"stage": ["visit", "dropped"]}, {"stages": ["visit", "dropped"]}),
            ({"stage": "没有"}, None),
            ({"industry": str(industry.pk), "stalled": "true"}, None),
            ({"q": "签约"}, None),
            # A date range comes as <name>_after / <name>_before (the report's figure links).
            ({"first_signed_on_after": "2026-11-01", "industry": str(industry.pk)}, None),
            ({"first_signed_on_before": "2026-11-30"}, None),
            ({"next_follow_up_after": "2026-11-01", "team": str(self.team.pk)}, None),
        )
        for data, expected in cases:
            with self.subTest(data=data):
                query = QueryDict(mutable=True)
                for name, value in data.items():
                    query.setlist(name, value if isinstance(value, list) else [value])
                self.assertEqual(LeadFilter(query or None).tally_keys(), expected)

    def counted(self, query):
        """The board's columns for `query` through the lead query (the tally not asked)."""
        data = QueryDict(mutable=True)
        for name, value in query.items():
            data.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
        lead_filter = LeadFilter(data)
        self.assertIsNotNone(lead_filter.tally_keys(), query)  # the view asks the tally
        columns = board_columns(
            lead_filter.qs, limits=StageLimits.load(), user=self.director, tally_keys=None
        )
        return {c["stage"].value: (c["count"], c["amount"]) for c in columns}

    def test_tallied_and_counted_columns_agree(self):
        everything = self.columns({})
        self.assertEqual(everything[Stage.CONTACT.value], (4, Decimal("31.55")))
        self.assertEqual(everything[Stage.SIGNED.value][0], 3)
        team = self.columns({"team": self.team.pk})
        self.assertEqual(team[Stage.SIGNED.value][0], 2)
        for query in (
            {},
            {"team": self.team.pk},
            {"industry": self.industry.pk},
            {"source": Source.EVENT},
            {"team": self.team.pk, "industry": self.industry.pk, "source": Source.EVENT},
            {"stage": Stage.SIGNED.value},
            {"stage": [Stage.CONTACT.value, Stage.SIGNED.value], "team": self.team.pk},
            {"stage": [s.value for s in Stage], "industry": self.industry.pk},
        ):
            with self.subTest(query=query):
                self.assertEqual(self.columns(query), self.counted(query))
        signed = self.columns({"stage": Stage.SIGNED.value})
        self.assertEqual(signed[Stage.SIGNED.value][0], 3)
        self.assertEqual(signed[Stage.CONTACT.value], (0, Decimal("0")))
        industry = self.columns({"industry": self.industry.pk})
        self.assertEqual(industry[Stage.CONTACT.value], (1, Decimal("1.25")))
        self.assertEqual(industry[Stage.SIGNED.value], (1, Decimal("800.50")))


class ListCountTests(TestCase):
    """The list's count of all leads or one team's comes from the tally, and equals the
    count of the rows it pages through."""

    fixtures = ["reference"]

    @classmethod
    def setUpTestData(cls):
        owners = ensure_stage_owners()
        cls.director = UserFactory(groups=["局领导"])
        cls.team = owners[Stage.CONTACT.value]
        for i in range(7):
            make_lead(name=f"接洽{i}")
        make_lead(stage=Stage.SIGNED, name="签约", source=Source.EVENT)
        keep, merged = make_lead(name="保留"), make_lead(name="重复")
        lead_merge(keep=keep, merged=merged, actor=cls.director)

    def test_the_count_is_the_number_of_leads_listed(self):
        self.client.force_login(self.director)
        for query, expected in (
            ({}, Lead.objects.count()),
            ({"team": self.team.pk}, Lead.objects.filter(team=self.team).count()),
            ({"source": Source.EVENT}, 1),
            ({"stage": "signed"}, 1),
            (
                {
                    "first_signed_on_after": timezone.localdate().isoformat(),
                    "first_signed_on_before": timezone.localdate().isoformat(),
                },
                1,
            ),
        ):
            with self.subTest(query=query):
                with CaptureQueriesContext(connection) as queries:
                    response = self.client.get("/leads/", {**query, "page": 1})
                page = response.context["page"]
                self.assertEqual(page.paginator.count, expected)
                self.assertEqual(len(page.object_list), expected)
                counted = any(
                    "COUNT(" in q["sql"] and 'FROM "leads_lead"' in q["sql"] for q in queries
                )
                # Counted from the leads exactly when a filter the tally does not keep is given.
                self.assertEqual(counted, not set(query) <= {"stage", "team", "industry", "source"})
        self.assertEqual(Lead.objects.count(), 9)


class TallyMigrationTests(TallyAssertions, TransactionTestCase):
    """Migration 0027 (产业 and 来源) taken back and again on a database with leads: the
    triggers of each side write the columns their tally has, and the tally adds up after."""

    fixtures = ["reference"]

    def test_back_to_0026_and_forward_again(self):
        ensure_stage_owners()
        make_lead(name="之前", source=Source.EVENT)
        call_command("migrate", "leads", "0026", verbosity=0)
        try:
            # Written under 0016's triggers, which copy no 产业 or 来源.
            make_lead(name="退回后", stage=Stage.SIGNED)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT SUM(count) FROM {tally.TALLY} WHERE merged_into_id IS NULL")
                self.assertEqual(cursor.fetchone()[0], 2)
        finally:
            call_command("migrate", "leads", verbosity=0)
        self.assert_tally_right()
        make_lead(name="之后", industry=Industry.objects.order_by("pk").last())
        self.assert_tally_right()
        self.assertEqual(sum(count for count, _ in tallied(sources=[Source.EVENT]).values()), 1)


class RegroupMigrationTests(TallyAssertions, TestCase):
    """Migration 0027 counts the tally by the new groups itself, in its own transaction."""

    fixtures = ["reference"]

    def test_the_migrations_count_leaves_no_row_without_industry_or_source(self):
        ensure_stage_owners()
        make_lead(name="接洽", source=Source.EVENT)
        make_lead(name="签约", stage=Stage.SIGNED, industry=Industry.objects.last())
        tally_rebuild()
        # As a tally folded before 0027 is: rows by stage and team only.
        StageTally.objects.update(industry=None, source=None)
        self.assertNotEqual(tallied(sources=[Source.EVENT]), counted(sources=[Source.EVENT]))
        state = MigrationExecutor(connection).loader.project_state(
            ("leads", "0027_stage_tally_industry_source")
        )
        migration = importlib.import_module("leads.migrations.0027_stage_tally_industry_source")
        migration.regroup(state.apps, SimpleNamespace(connection=connection))
        self.assert_tally_right()
        self.assertFalse(StageTally.objects.filter(source__isnull=True).exists())


class TriggerColumnsTests(TestCase):
    """The triggers copy the columns the tally counts by, as the last migration that
    installs them names them."""

    def test_the_last_migration_installs_the_columns_the_code_reads(self):
        migration = importlib.import_module("leads.migrations.0027_stage_tally_industry_source")
        self.assertEqual(migration.COLUMNS, tally.COLUMNS)
        self.assertLessEqual(set(tally.KEYS), set(tally.COLUMNS))
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'lead_tally_insert'")
            else:
                cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'lead_tally'")
            (source,) = cursor.fetchone()
        self.assertIn("NEW.industry_id, NEW.source", source)
