"""A move made by the import writes, field by field, what the same move made by the services writes.

Each case runs the services inside a savepoint, reads every row they wrote
(the lead, its transitions, its field history, the signals sent after
commit), rolls back, then imports the same change and reads again. Only
who wrote, when, through which channel and with what note may differ.
"""

from datetime import date
from decimal import Decimal

from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.choices import Channel, Source, Stage
from leads.excel.lead_importer import LeadImporter
from leads.models import Industry, Lead
from leads.services import InvalidTransition, lead_change_stage, lead_create, lead_update
from leads.signals import lead_stage_changed
from tests.factories import make_lead
from tests.workbooks import lead_workbook

NOTE = "Excel导入：台账.xlsx"
# Written at a different moment or by a different hand: compared apart.
MOMENT = {"id", "created", "modified", "stage_entered_at"}
HISTORY_ASIDE = MOMENT | {"history_id", "history_date", "history_user_id", "history_change_reason"}
TRANSITION_FIELDS = ("from_stage", "to_stage", "from_team_id", "to_team_id", "data")


class ImportEqualsServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        cls.industry = Industry.objects.get(name="工业机器人及智能装备制造")
        cls.fields = {
            "name": "智能装备产业园",
            "investor": "深圳华创集团有限公司",
            "industry": cls.industry,
            "source": Source.INDUSTRY_CHAIN,
        }
        cls.cells = {
            "项目名称": "智能装备产业园",
            "投资方": "深圳华创集团有限公司",
            "所属产业": "工业机器人及智能装备制造",
            "线索来源": "产业链招商",
        }

    def setUp(self):
        self.signals = []

        def receiver(sender, lead, transition, **kwargs):
            self.signals.append(
                (lead.pk, lead.stage, *(getattr(transition, n) for n in TRANSITION_FIELDS))
            )

        lead_stage_changed.connect(receiver)
        self.addCleanup(lead_stage_changed.disconnect, receiver)

    def written(self, code: str, since: int) -> dict:
        """Return the rows written for the lead `code`, without who/when/how.

        Of its history, only the rows after the first `since` (those the case wrote).
        """
        lead = Lead.objects.get(code=code)
        row = {f.attname: getattr(lead, f.attname) for f in Lead._meta.concrete_fields}
        transitions = list(lead.transitions.order_by("pk"))
        self.assertEqual(lead.stage_entered_at, transitions[-1].at)
        history = list(Lead.history.filter(id=lead.pk).order_by("history_id").values())
        return {
            "lead": {k: v for k, v in row.items() if k not in MOMENT},
            "transitions": [tuple(getattr(t, n) for n in TRANSITION_FIELDS) for t in transitions],
            "history": [{k: v for k, v in h.items() if k not in HISTORY_ASIDE} for h in history],
            "reasons": [h["history_change_reason"] for h in history[since:]],
            "signals": [signal[1:] for signal in self.signals],
        }

    @staticmethod
    def history_count(code) -> int:
        return Lead.history.filter(code=code).count() if code else 0

    def by_service(self, write, code: str | None = None) -> dict:
        self.signals.clear()
        since = self.history_count(code)
        with transaction.atomic():
            with self.captureOnCommitCallbacks(execute=True):
                code = write().code
            rows = self.written(code, since)
            transaction.set_rollback(True)
        return rows

    def by_import(self, cells: dict, code: str | None = None) -> dict:
        self.signals.clear()
        since = self.history_count(code)
        with self.captureOnCommitCallbacks(execute=True):
            report = LeadImporter().run(lead_workbook(cells), filename="台账.xlsx")
        self.assertTrue(report.ok, report.error_lines())
        return self.written(code or report.outcomes[0].key, since)

    def assert_same(self, service: dict, imported: dict) -> None:
        for part in ("lead", "transitions", "history", "signals"):
            self.assertEqual(imported[part], service[part], part)
        # The import names its file before the service's reason.
        self.assertEqual(imported["reasons"], [f"{NOTE}（{r}）" for r in service["reasons"]])

    def test_creation_at_contact(self):
        service = self.by_service(lambda: lead_create(channel=Channel.IMPORT, **self.fields))
        imported = self.by_import(self.cells)
        self.assert_same(service, imported)
        self.assertEqual(imported["reasons"], [f"{NOTE}（新建线索）"])
        self.assertEqual(imported["signals"], [])

    def test_creation_straight_at_signed_with_its_dates(self):
        data = {
            "planned_investment": Decimal("15000.00"),
            "contract_amount": Decimal("12000.00"),
            "signed_on": date(2025, 3, 5),
        }
        service = self.by_service(
            lambda: lead_create(channel=Channel.IMPORT, stage=Stage.SIGNED, **self.fields, **data)
        )
        imported = self.by_import(
            {
                **self.cells,
                "当前阶段": "签约",
                "计划投资额(万元)": "1.5亿",
                "签约投资额(万元)": "1.2亿",
                "签约日期": "2025年3月5日",
            }
        )
        self.assert_same(service, imported)
        self.assertEqual(imported["lead"]["visited_on"], None)
        self.assertEqual([h["stage"] for h in imported["history"]], ["contact", "signed"])
        self.assertEqual(len(imported["signals"]), 1)

    def test_update_moving_intent_to_signed_with_its_data(self):
        lead = make_lead(stage=Stage.INTENT, **self.fields)
        # Its intent date is today's (the day of the move): signed the same day.
        today = timezone.localdate()
        data = {"contract_amount": Decimal("800.00"), "signed_on": today}

        def service_writes():
            # The import's two steps: the changed cells, then the move carrying them.
            updated = lead_update(lead=lead, **data)
            return lead_change_stage(
                lead=updated, to_stage=Stage.SIGNED, channel=Channel.IMPORT, **data
            )

        service = self.by_service(service_writes, code=lead.code)
        imported = self.by_import(
            {
                **self.cells,
                "项目编号": lead.code,
                "当前阶段": "签约",
                "签约投资额(万元)": "800",
                "签约日期": today.isoformat(),
            },
            code=lead.code,
        )
        self.assert_same(service, imported)
        self.assertEqual(
            imported["transitions"][-1][-1],
            {"contract_amount": "800.00", "signed_on": today.isoformat()},
        )

    def test_drop_with_a_reason(self):
        lead = make_lead(stage=Stage.VISIT, **self.fields)

        def service_writes():
            updated = lead_update(lead=lead, drop_reason="投资方撤资")
            return lead_change_stage(
                lead=updated,
                to_stage=Stage.DROPPED,
                channel=Channel.IMPORT,
                drop_reason="投资方撤资",
            )

        service = self.by_service(service_writes, code=lead.code)
        imported = self.by_import(
            {**self.cells, "项目编号": lead.code, "当前阶段": "终止", "终止原因": "投资方撤资"},
            code=lead.code,
        )
        self.assert_same(service, imported)
        self.assertEqual(imported["lead"]["dropped_from"], Stage.VISIT)

    def test_drop_to_another_place_needs_the_place_in_both(self):
        # The workbook has no 落户地 column: a 落户他地 drop is refused alike.
        lead = make_lead(stage=Stage.VISIT, **self.fields)
        with self.assertRaises(InvalidTransition) as refused:
            lead_change_stage(
                lead=lead, to_stage=Stage.DROPPED, channel=Channel.WEB, drop_reason="落户他地"
            )
        report = LeadImporter().run(
            lead_workbook(
                {**self.cells, "项目编号": lead.code, "当前阶段": "终止", "终止原因": "落户他地"}
            ),
            filename="台账.xlsx",
        )
        message = refused.exception.message_dict["lost_to"][0]
        self.assertEqual(report.error_lines(), [f"第2行 [终止原因] {message}"])
        lead.refresh_from_db()
        self.assertEqual(lead.stage, Stage.VISIT)

    def test_the_import_signals_each_moved_lead_once_after_commit(self):
        moved = make_lead(stage=Stage.CONTACT, **{**self.fields, "name": "已有项目"})
        rows = [
            {**self.cells, "项目名称": "只新建"},
            {**self.cells, "项目名称": "新建即考察", "当前阶段": "考察"},
            {**self.cells, "项目名称": "已有项目", "项目编号": moved.code, "当前阶段": "考察"},
        ]
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            report = LeadImporter().run(lead_workbook(*rows), filename="台账.xlsx")
        self.assertTrue(report.ok, report.error_lines())
        self.assertEqual(self.signals, [])
        for callback in callbacks:
            callback()
        names = dict(Lead.objects.values_list("pk", "name"))
        self.assertEqual(
            sorted((names[pk], stage, f, t) for pk, stage, f, t, *_ in self.signals),
            [
                ("已有项目", "visit", "contact", "visit"),
                ("新建即考察", "visit", "contact", "visit"),
            ],
        )


class HistoryStatementTests(TestCase):
    """How the import writes field history: the values are the same either way (above)."""

    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)

    def test_postgresql_copies_history_rows_without_reading_the_lead_table(self):
        """On PostgreSQL a copy joining the lead table could take a plan the table's stale
        statistics chose (a scan per row, minutes at 100,000 rows): every row goes by COPY.
        SQLite copies each lead's last row from the lead row, by primary key."""
        cells = {
            "项目名称": "智能装备产业园",
            "投资方": "深圳华创集团有限公司",
            "所属产业": "工业机器人及智能装备制造",
            "线索来源": "产业链招商",
            "当前阶段": "考察",
        }
        with CaptureQueriesContext(connection) as queries:
            report = LeadImporter().run(lead_workbook(cells), filename="台账.xlsx")
        self.assertTrue(report.ok, report.error_lines())
        copies = [
            query["sql"]
            for query in queries.captured_queries
            if query["sql"].startswith('INSERT INTO "leads_historicallead"')
            and "JOIN (VALUES" in query["sql"]
        ]
        self.assertEqual(len(copies), 0 if connection.vendor == "postgresql" else 1)
        # Created at 接洽, then moved to 考察: one history row each.
        lead = Lead.objects.get(code=report.outcomes[0].key)
        self.assertEqual(
            list(
                Lead.history.filter(id=lead.pk)
                .order_by("history_id")
                .values_list("stage", flat=True)
            ),
            ["contact", "visit"],
        )
