"""The report tally: after every kind of write its sums equal those counted again from the
leads and instalments and those counted from them directly; folded, counted again, and kept
by writers at the same time (real threads, both databases)."""

import io
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from importlib import import_module
from pathlib import Path
from unittest import mock

from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.test import SimpleTestCase, TestCase, TransactionTestCase
from django.utils import timezone

from leads import report_tally, report_triggers
from leads.apps import count_tallies
from leads.choices import Channel, PaidInKind, Stage
from leads.models import Industry, Lead, PaidIn, ReportImage, ReportTally, TaskTeam, Unit
from leads.querysets import landed_in_q, signed_in_q
from leads.report_tally import (
    COLUMNS,
    fold_report_tally,
    report_sums,
    report_tally_rebuild,
    tally_fold,
)
from leads.reports.grouped import from_cents, window_totals
from leads.reports.period import Period
from leads.services import lead_change_stage, lead_merge, lead_merge_undo, lead_update
from leads.services.lifecycle import lead_set_credit
from leads.services.milestones import lead_add_paid_in, lead_record_milestone
from leads.tally import triggers_paused
from tests.factories import UserFactory, ensure_stage_owners, make_lead


def ranges() -> dict[str, Period]:
    today = timezone.localdate()
    return {
        "month": Period.month(today.year, today.month),
        "ever": Period(date(2000, 1, 1), today + timedelta(days=3650)),
        # Days around whole months, and days within one month or across two.
        "odd": Period(date(2025, 12, 15), today + timedelta(days=20)),
        "week": Period(today - timedelta(days=3), today + timedelta(days=3)),
        "days": Period(today, today),
    }


class Rollback(Exception):
    pass


def sums_after(change=None) -> dict:
    """Return the tally's sums (as {column: {value: sums}} and the total), after `change`
    when given, which is then undone."""
    if change is None:
        found = report_sums(ranges(), list(COLUMNS))
        return {"total": found.total, **found.by}
    result = {}
    try:
        with transaction.atomic():
            change()
            result = sums_after()
            raise Rollback
    except Rollback:
        pass
    return result


def nonzero(sums: dict) -> dict:
    """Drop the values whose sums are all zero (images that cancel out)."""
    return {
        column: (
            values
            if column == "total"
            else {key: each for key, each in values.items() if any(each.values())}
        )
        for column, values in sums.items()
    }


def years_to_date() -> dict[str, Period]:
    """Years to date (1 January to a day of the same year) around today, ending on several
    days: the windows over which the 四率's numerators mean what they say."""
    today = timezone.localdate()
    windows = {}
    for year in (today.year - 1, today.year, today.year + 1):
        for month, day in ((1, 1), (3, 31), (today.month, today.day), (12, 31)):
            end = date(year, month, min(day, 28) if month == 2 else day)
            windows[f"ytd_{year}_{month:02d}_{day:02d}"] = Period(date(year, 1, 1), end)
    return windows


def numerators_counted(period: Period) -> dict[str, int]:
    """The 四率's numerators over the year to date `period`, counted from the leads and
    instalments by their definitions (the queries the report made before the tally held them)."""
    start, end = period.start, period.end
    paid = PaidIn.objects.filter(
        signed_in_q(start, end, prefix="lead__"),
        Q(received_on__lte=end) | Q(received_on__isnull=True),
    ).aggregate(s=Sum("amount"))["s"]
    return {
        "signed_landed_count": Lead.objects.filter(
            signed_in_q(start, end) & landed_in_q(end=end)
        ).count(),
        "landed_started_count": Lead.objects.filter(
            landed_in_q(start, end), started_on__lte=end
        ).count(),
        "started_produced_count": Lead.objects.filter(
            started_on__gte=start, started_on__lte=end, in_production_on__lte=end
        ).count(),
        "signed_paid": amount(paid),
    }


def numerators_read(sums: dict, window: str) -> dict:
    names = ("signed_landed_count", "landed_started_count", "started_produced_count")
    return {
        **{name: sums[f"{window}_{name}"] for name in names},
        "signed_paid": from_cents(sums[f"{window}_signed_paid"]),
    }


class ReportTallyAssertions:
    def assert_numerators_right(self, windows: dict[str, Period]) -> dict:
        """The 四率's numerators read from the tally over each year to date of `windows` equal
        those counted from the leads and instalments, as read, folded and counted again."""
        read = {}
        for change in (None, tally_fold, report_tally_rebuild):
            with transaction.atomic():
                sid = transaction.savepoint()
                if change:
                    change()
                sums = report_sums(windows, list(COLUMNS)).total
                transaction.savepoint_rollback(sid)
            for window, period in windows.items():
                with self.subTest(window=window, change=change and change.__name__):
                    self.assertEqual(numerators_read(sums, window), numerators_counted(period))
            read = read or {window: numerators_read(sums, window) for window in windows}
        return read

    def assert_tally_right(self):
        """The sums as read equal those counted again and those folded, and the totals equal
        a count of the leads and instalments themselves."""
        read = sums_after()
        self.assertEqual(nonzero(read), nonzero(sums_after(report_tally_rebuild)))
        self.assertEqual(nonzero(read), nonzero(sums_after(tally_fold)))
        for window, period in ranges().items():
            totals = window_totals(read["total"], window)
            signed = Lead.objects.filter(signed_in_q(period.start, period.end))
            landed = Lead.objects.filter(landed_in_q(period.start, period.end))
            self.assertEqual(totals.signed.count, signed.count(), window)
            self.assertEqual(
                totals.signed.amount, amount(signed.aggregate(s=Sum("first_signed_amount"))["s"])
            )
            self.assertEqual(totals.landed.count, landed.count(), window)
            self.assertEqual(totals.landed.paid_in, amount(landed.aggregate(s=Sum("paid_in"))["s"]))
            paid = PaidIn.objects.filter(
                received_on__gte=period.start, received_on__lte=period.end
            ).aggregate(s=Sum("amount"))["s"]
            self.assertEqual(from_cents(read["total"][f"{window}_paid"]), amount(paid))
            for milestone in ("started", "in_production"):
                dated = Lead.objects.filter(
                    **{f"{milestone}_on__gte": period.start, f"{milestone}_on__lte": period.end}
                )
                self.assertEqual(read["total"][f"{window}_{milestone}_count"], dated.count())
        self.assert_numerators_right(years_to_date())
        return read


def amount(value) -> Decimal:
    return (value or Decimal(0)).quantize(Decimal("0.01"))


class ReportTallyWritePathTests(ReportTallyAssertions, TestCase):
    fixtures = ["reference"]

    @classmethod
    def setUpTestData(cls):
        ensure_stage_owners()
        cls.director = UserFactory(groups=["局领导"])
        cls.industries = list(Industry.objects.order_by("pk")[:2])
        cls.today = timezone.localdate()

    def landed(self, **fields) -> Lead:
        return make_lead(
            stage=Stage.LANDED,
            contract_amount=Decimal("1200.55"),
            signed_on=self.today,
            landed_on=self.today,
            industry=self.industries[0],
            **fields,
        )

    def industry_sums(self, industry, name="month_paid"):
        return sums_after()["industry_id"].get(industry.pk, {}).get(name, 0)

    def test_an_empty_database_has_empty_sums(self):
        read = self.assert_tally_right()
        self.assertFalse(any(read["total"].values()))
        self.assertFalse(ReportImage.objects.exists())

    def test_signings_landings_milestones_and_instalments_are_counted(self):
        make_lead(name="接洽")
        signed = make_lead(stage=Stage.SIGNED, signed_on=self.today, name="签约")
        lead = self.landed(name="落地")
        lead_add_paid_in(
            lead=lead, on=self.today, amount=Decimal("300.10"), kind=PaidInKind.OTHER, actor=None
        )
        lead_record_milestone(
            lead=Lead.objects.get(pk=lead.pk), milestone="started", on=self.today, actor=None
        )
        read = self.assert_tally_right()
        month = window_totals(read["total"], "month")
        self.assertEqual(month.signed.count, 2)
        self.assertEqual(month.landed.paid_in, Decimal("300.10"))
        self.assertEqual(read["total"]["month_started_count"], 1)
        self.assertEqual(self.industry_sums(self.industries[0]), 30010)
        lead_change_stage(
            lead=signed, to_stage=Stage.DROPPED, channel=Channel.WEB, drop_reason="投资方撤回"
        )
        # A drop leaves the signing counted in its month.
        self.assertEqual(window_totals(self.assert_tally_right()["total"], "month").signed.count, 2)

    def test_a_change_of_column_moves_the_lead_and_its_instalments(self):
        lead = self.landed()
        lead_add_paid_in(
            lead=lead, on=self.today, amount=Decimal("50"), kind=PaidInKind.OTHER, actor=None
        )
        first, second = self.industries
        self.assertEqual(self.industry_sums(first), 5000)
        lead_update(lead=Lead.objects.get(pk=lead.pk), industry=second)
        self.assert_tally_right()
        self.assertEqual(self.industry_sums(first), 0)
        self.assertEqual(self.industry_sums(second), 5000)
        self.assertEqual(self.industry_sums(second, "month_l_count"), 1)
        team = TaskTeam.objects.exclude(pk=lead.credit_team_id).first()
        unit = Unit.objects.create(name="区发改局")
        lead_set_credit(
            lead=Lead.objects.get(pk=lead.pk),
            credit_team=team,
            credit_unit=unit,
            actor=self.director,
            reason="核实引进单位",
        )
        read = self.assert_tally_right()
        self.assertEqual(read["credit_team_id"][team.pk]["month_paid"], 5000)
        self.assertEqual(read["credit_unit_id"][unit.pk]["month_l_count"], 1)

    def test_a_correction_takes_the_signing_out(self):
        lead = make_lead(stage=Stage.SIGNED, signed_on=self.today)
        self.assertEqual(window_totals(self.assert_tally_right()["total"], "month").signed.count, 1)
        lead_change_stage(
            lead=lead,
            to_stage=Stage.INTENT,
            channel=Channel.WEB,
            actor=self.director,
            correction=True,
            note="误录签约",
        )
        self.assertEqual(window_totals(self.assert_tally_right()["total"], "month").signed.count, 0)

    def test_a_merged_lead_counts_nowhere_and_undo_counts_it_again(self):
        keep = self.landed(name="保留项目", investor="甲集团")
        merged = self.landed(name="重复项目", investor="乙集团")
        merge = lead_merge(keep=keep, merged=merged, actor=self.director)
        self.assertEqual(window_totals(self.assert_tally_right()["total"], "month").landed.count, 1)
        lead_merge_undo(merge=merge, actor=self.director)
        self.assertEqual(window_totals(self.assert_tally_right()["total"], "month").landed.count, 2)

    def test_the_rates_numerators_count_the_year_to_date_by_both_dates(self):
        # Each numerator pairs two dates: one in the year to date, the other by its end.
        # Dates across a year's end, a landing recorded before its signing, instalments
        # before the signing, in a later year and undated; then the signing date moved.
        crossing = self.landed(name="跨年落地")
        early = self.landed(name="先落地后签约")
        started = self.landed(name="开工投产")
        Lead.objects.filter(pk=crossing.pk).update(
            first_signed_on=date(2025, 12, 20),
            first_landed_on=date(2026, 1, 10),
            started_on=date(2026, 2, 1),
            in_production_on=date(2027, 1, 2),
        )
        Lead.objects.filter(pk=early.pk).update(
            first_signed_on=date(2026, 3, 1), first_landed_on=date(2026, 2, 15)
        )
        Lead.objects.filter(pk=started.pk).update(
            first_landed_on=date(2025, 6, 1),
            started_on=date(2025, 12, 31),
            in_production_on=date(2025, 11, 30),
        )
        for on, value in (
            (date(2026, 1, 5), "1.01"),
            (date(2026, 6, 1), "20.00"),
            (date(2027, 1, 5), "300.00"),
            (None, "4000.00"),
        ):
            PaidIn.objects.create(
                lead=early, received_on=on, amount=Decimal(value), kind=PaidInKind.OTHER
            )
        windows = {
            "y2025": Period(date(2025, 1, 1), date(2025, 12, 31)),
            "y2026_feb": Period(date(2026, 1, 1), date(2026, 2, 28)),
            "y2026_mar": Period(date(2026, 1, 1), date(2026, 3, 31)),
            "y2026": Period(date(2026, 1, 1), date(2026, 12, 31)),
            "y2027": Period(date(2027, 1, 1), date(2027, 12, 31)),
        }
        read = self.assert_numerators_right(windows)
        # Signed 2025-12-20, landed 2026: no year counts the landing against the signing.
        self.assertEqual(read["y2025"]["landed_started_count"], 1)  # landed 2025-06, started
        self.assertEqual(read["y2025"]["started_produced_count"], 1)
        self.assertEqual(read["y2026_feb"]["landed_started_count"], 1)  # landed 01-10, started
        self.assertEqual(read["y2026_mar"]["signed_landed_count"], 1)  # signed 03-01, landed
        self.assertEqual(read["y2026_feb"]["signed_paid"], Decimal("0.00"))
        self.assertEqual(read["y2026_mar"]["signed_paid"], Decimal("4001.01"))
        self.assertEqual(read["y2026"]["signed_paid"], Decimal("4021.01"))
        self.assertEqual(read["y2027"]["started_produced_count"], 0)
        # The signing date moved to 2025 (a write outside the services): its instalments
        # move with it.
        Lead.objects.filter(pk=early.pk).update(first_signed_on=date(2025, 12, 1))
        read = self.assert_numerators_right(windows)
        self.assertEqual(read["y2025"]["signed_paid"], Decimal("4000.00"))
        self.assertEqual(read["y2026"]["signed_paid"], Decimal("0.00"))
        Lead.objects.filter(pk=early.pk).update(first_signed_on=None)
        self.assertEqual(self.assert_numerators_right(windows)["y2025"]["signed_paid"], 0)

    def test_writes_outside_the_services_are_counted(self):
        lead = self.landed()
        other = self.landed(name="另一个")
        instalment = lead_add_paid_in(
            lead=lead, on=self.today, amount=Decimal("10"), kind=PaidInKind.OTHER, actor=None
        )
        Lead.objects.filter(pk=lead.pk).update(leader="赵副区长", industry=self.industries[1])
        self.assert_tally_right()
        PaidIn.objects.filter(pk=instalment.pk).update(amount=Decimal("12.34"), lead=other)
        read = self.assert_tally_right()
        self.assertEqual(read["industry_id"][self.industries[0].pk]["month_paid"], 1234)
        PaidIn.objects.filter(pk=instalment.pk)._raw_delete(connection.alias)
        self.assertEqual(self.assert_tally_right()["total"]["month_paid"], 0)
        gone = Lead.objects.filter(pk=lead.pk)
        for relation in Lead._meta.related_objects:
            rows = relation.related_model._base_manager.filter(**{relation.field.name: lead.pk})
            rows._raw_delete(connection.alias)
        gone._raw_delete(connection.alias)
        self.assertEqual(window_totals(self.assert_tally_right()["total"], "month").landed.count, 1)

    def test_folding_leaves_no_image_and_one_row_per_kind_day_and_value(self):
        for i in range(3):
            self.landed(name=f"项目{i}", leader="钱副区长")
        read = sums_after()
        self.assertTrue(ReportImage.objects.exists())
        tally_fold()
        self.assertFalse(ReportImage.objects.exists())
        self.assertEqual(sums_after(), read)
        leaders = ReportTally.objects.filter(column="leader", kind="landed")
        self.assertEqual(
            list(
                leaders.order_by("whole_month").values_list("whole_month", "day", "value", "count")
            ),
            [
                (False, self.today, "钱副区长", 3),
                (True, self.today.replace(day=1), "钱副区长", 3),
            ],
        )

    def test_a_reader_asks_for_a_fold_once_the_images_are_many(self):
        cache.clear()
        for i in range(2):
            self.landed(name=f"项目{i}")
        with mock.patch.object(report_tally, "FOLD_AFTER", 1):
            # The test settings run tasks at once: the fold happens within the read.
            read = sums_after()
        self.assertEqual(window_totals(read["total"], "month").landed.count, 2)
        self.assertFalse(ReportImage.objects.exists())

    def test_writes_with_the_triggers_paused_are_counted_after(self):
        self.landed(name="之前")
        with triggers_paused():
            self.landed(name="暂停时创建的")
            self.assertEqual(window_totals(sums_after()["total"], "month").landed.count, 1)
        self.assertEqual(window_totals(self.assert_tally_right()["total"], "month").landed.count, 2)

    def test_counting_again_mends_a_wrong_tally(self):
        self.landed()
        ReportTally.objects.create(
            kind="signed",
            day=self.today,
            column="leader",
            value=None,
            count=5,
            cents=1,
            paid_cents=0,
        )
        self.assertNotEqual(nonzero(sums_after()), nonzero(sums_after(report_tally_rebuild)))
        report_tally_rebuild()
        self.assert_tally_right()

    def test_a_migrate_with_nothing_to_apply_counts_nothing_and_the_command_counts_again(self):
        self.landed()
        wrong = dict(count=5, cents=1, paid_cents=0, kind="signed", day=self.today, column="leader")
        ReportTally.objects.create(**wrong)
        count_tallies(sender=None, using="default", plan=[])
        self.assertTrue(ReportTally.objects.filter(**wrong).exists())
        out = io.StringIO()
        call_command("tally_rebuild", stdout=out)
        self.assertIn("报表汇总", out.getvalue())
        self.assertFalse(ReportTally.objects.filter(**wrong).exists())
        self.assert_tally_right()
        ReportTally.objects.create(**wrong)
        # A flush (no plan) or a migrate that applied migrations counts again.
        count_tallies(sender=None, using="default")
        self.assertFalse(ReportTally.objects.filter(**wrong).exists())

    def test_the_command_refuses_an_unknown_database_in_chinese(self):
        with self.assertRaisesMessage(CommandError, "数据库“别处”未在设置中配置"):
            call_command("tally_rebuild", database="别处")

    def test_an_unknown_column_is_refused(self):
        with self.assertRaises(ValueError):
            report_sums(ranges(), ["name"])


class ReportTallyFlushTests(ReportTallyAssertions, TransactionTestCase):
    """A flush between tests empties the tables in any order; the tally is counted again."""

    fixtures = ["reference"]

    def test_a_flushed_database_starts_with_an_empty_tally(self):
        ensure_stage_owners()
        make_lead(stage=Stage.LANDED, contract_amount=Decimal("9"), signed_on=date(2026, 1, 5))
        self._fixture_teardown()
        self.assertFalse(ReportTally.objects.exists() or ReportImage.objects.exists())
        self._fixture_setup()
        self.assert_tally_right()


class ConcurrentReportTallyTests(ReportTallyAssertions, TransactionTestCase):
    """An instalment written while its lead changes industry, in either order, each writer
    holding its transaction open while the other starts: the instalment ends up under the
    lead's new industry. (On PostgreSQL the instalment's trigger reads its lead FOR SHARE;
    without that the later writer does not wait and the tally keeps the old industry.)"""

    fixtures = ["reference"]

    def setUp(self):
        ensure_stage_owners()
        self.first, self.second = Industry.objects.order_by("pk")[:2]
        self.lead = make_lead(
            stage=Stage.LANDED,
            contract_amount=Decimal("100"),
            signed_on=timezone.localdate(),
            industry=self.first,
        )

    def add_instalment(self):
        PaidIn.objects.create(
            lead_id=self.lead.pk,
            received_on=timezone.localdate(),
            amount=Decimal("7.00"),
            kind=PaidInKind.OTHER,
            channel=Channel.WEB,
        )

    def move_lead(self):
        Lead.objects.filter(pk=self.lead.pk).update(industry=self.second)

    def run_overlapping(self, first, then):
        started, errors = threading.Event(), []

        def holder():
            try:
                with transaction.atomic():
                    first()
                    started.set()
                    time.sleep(0.5)  # the other writer starts and waits meanwhile
            except Exception as error:  # the test asserts there is none
                errors.append(error)
            finally:
                started.set()
                connection.close()

        def follower():
            try:
                started.wait(timeout=30)
                with transaction.atomic():
                    then()
            except Exception as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=holder), threading.Thread(target=follower)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(errors, [])
        read = self.assert_tally_right()
        self.assertEqual(read["industry_id"][self.second.pk]["month_paid"], 700)
        self.assertEqual(read["industry_id"].get(self.first.pk, {}).get("month_paid", 0), 0)

    def test_the_workers_fold_does_not_wait_long_for_a_writer(self):
        """While a writer (an import, say) holds its transaction, the worker's fold: on
        PostgreSQL, gives up after FOLD_LOCK_TIMEOUT, as every later writer would queue
        behind its lock, and leaves the images to a later fold; on SQLite it waits for the
        database's one write lock (the writers queue there anyway), then folds."""
        holding, errors = threading.Event(), []

        def writer():
            try:
                with transaction.atomic():
                    self.move_lead()
                    holding.set()
                    time.sleep(3)
            except Exception as error:  # the test asserts there is none
                errors.append(error)
            finally:
                holding.set()
                connection.close()

        thread = threading.Thread(target=writer)
        thread.start()
        holding.wait(timeout=30)
        folded = fold_report_tally.call()
        thread.join(timeout=60)
        self.assertEqual(errors, [])
        if connection.vendor == "postgresql":
            self.assertEqual(folded, 0)
            self.assertTrue(ReportImage.objects.exists())
        else:
            self.assertGreater(folded, 0)
            self.assertFalse(ReportImage.objects.exists())
        self.assertEqual(window_totals(self.assert_tally_right()["total"], "month").landed.count, 1)

    def test_an_instalment_then_a_change_of_industry(self):
        self.run_overlapping(self.add_instalment, self.move_lead)

    def test_a_change_of_industry_then_an_instalment(self):
        self.run_overlapping(self.move_lead, self.add_instalment)


class SegmentTests(SimpleTestCase):
    """A window is read as its whole months (the month rows) and the days around them."""

    def test_whole_months_and_the_days_around_them(self):
        d = date
        cases = [
            (Period(d(2026, 11, 1), d(2026, 11, 30)), [(True, d(2026, 11, 1), d(2026, 11, 30))]),
            (Period(d(2026, 1, 1), d(2026, 11, 30)), [(True, d(2026, 1, 1), d(2026, 11, 30))]),
            (Period(d(2025, 12, 1), d(2026, 1, 31)), [(True, d(2025, 12, 1), d(2026, 1, 31))]),
            (Period(d(2026, 11, 2), d(2026, 11, 29)), [(False, d(2026, 11, 2), d(2026, 11, 29))]),
            (Period(d(2026, 12, 7), d(2026, 12, 7)), [(False, d(2026, 12, 7), d(2026, 12, 7))]),
            (Period(d(2026, 11, 23), d(2026, 12, 6)), [(False, d(2026, 11, 23), d(2026, 12, 6))]),
            (
                Period(d(2025, 12, 15), d(2026, 3, 10)),
                [
                    (False, d(2025, 12, 15), d(2025, 12, 31)),
                    (True, d(2026, 1, 1), d(2026, 2, 28)),
                    (False, d(2026, 3, 1), d(2026, 3, 10)),
                ],
            ),
            (
                Period(d(2024, 2, 1), d(2024, 3, 30)),
                [(True, d(2024, 2, 1), d(2024, 2, 29)), (False, d(2024, 3, 1), d(2024, 3, 30))],
            ),
            (
                Period(d(2026, 1, 2), d(2026, 12, 31)),
                [(False, d(2026, 1, 2), d(2026, 1, 31)), (True, d(2026, 2, 1), d(2026, 12, 31))],
            ),
        ]
        for period, segments in cases:
            with self.subTest(period=period):
                self.assertEqual(report_tally._segments(period), segments)
                # The segments cover the period's days once each.
                days = [
                    first + timedelta(days=n)
                    for _, first, last in segments
                    for n in range((last - first).days + 1)
                ]
                self.assertEqual(days, [period.start + timedelta(days=n) for n in range(len(days))])
                self.assertEqual(days[-1], period.end)


class TriggerDefinitionTests(TestCase):
    """The database's triggers are those `leads.report_triggers` defines (a change to them
    needs its own migration), and the images can hold every value a lead or instalment holds."""

    def test_the_installed_triggers_are_the_defined_ones(self):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN "
                    f"({', '.join(repr(name) for name, _ in report_triggers.TRIGGERS)})"
                )
                installed = sorted(sql for (sql,) in cursor.fetchall())
                self.assertEqual(installed, sorted(report_triggers.trigger_sql("sqlite")))
                return
            cursor.execute(
                "SELECT tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                "WHERE NOT tgisinternal AND tgname LIKE %s",
                ["%report%"],
            )
            installed = dict(cursor.fetchall())
            self.assertEqual(set(installed), {name for name, _ in report_triggers.TRIGGERS})
            # PostgreSQL prints a trigger's condition its own way: its event, table and
            # function are compared, and each function's body as it was written.
            for name, event, table, condition, kind in report_triggers._triggers(
                "IS DISTINCT FROM"
            ):
                with self.subTest(trigger=name):
                    definition = installed[name]
                    self.assertIn(f"AFTER {event} ON public.{table} FOR EACH ROW", definition)
                    self.assertEqual(" WHEN (" in definition, bool(condition))
                    self.assertTrue(
                        definition.endswith(f"EXECUTE FUNCTION {report_triggers.FUNCTIONS[kind]}")
                    )
            cursor.execute(
                "SELECT proname, prosrc FROM pg_proc WHERE proname = ANY(%s)",
                [[function[:-2] for function in report_triggers.FUNCTIONS.values()]],
            )
            sources = dict(cursor.fetchall())
            for sql in report_triggers.trigger_sql("postgresql"):
                if sql.startswith("CREATE OR REPLACE FUNCTION"):
                    name = sql.split()[4][:-2]
                    self.assertEqual(sources[name].strip(), sql.split("$$")[1].strip())

    def test_a_change_to_the_triggers_comes_with_a_migration(self):
        # Migrations install the triggers as the code defines them when they run: a
        # database migrated before a change keeps the old ones until a migration
        # installs them again, recording the new fingerprint.
        migrations = Path(import_module("leads.migrations").__file__).parent
        recorded = [
            module.TRIGGER_FINGERPRINT
            for module in (
                import_module(f"leads.migrations.{path.stem}")
                for path in sorted(migrations.glob("0*.py"))
            )
            if hasattr(module, "TRIGGER_FINGERPRINT")
        ]
        self.assertEqual(recorded[-1], report_triggers.trigger_fingerprint())

    def test_an_image_holds_what_a_lead_and_an_instalment_hold(self):
        for model, names in (
            (Lead, report_triggers.LEAD_IMAGE),
            (PaidIn, report_triggers.PAID_IMAGE),
        ):
            for name in names:
                source = model._meta.get_field(name.removesuffix("_id"))
                image = ReportImage._meta.get_field(name.removesuffix("_id"))
                with self.subTest(name=name):
                    self.assertEqual(image.db_type(connection), source.db_type(connection))
