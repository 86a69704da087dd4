"""The monthly report's figures against an independent computation over generated data."""

from datetime import date, timedelta
from decimal import Decimal

from django.test import TestCase
from django.utils import timezone

from leads.choices import Stage
from leads.models import AnnualTarget, Industry, Lead, StageOwner, TaskTeam
from leads.reports.monthly import MonthlyReportBuilder, monthly_report_build
from leads.reports.period import Period
from tests.leads.reports.expected import expected_report
from tests.leads.reports.scenario import LeadMaker, load_reference, moment

TODAY = date(2026, 11, 27)


def as_tuple(totals):
    return {
        "signed": (totals.signed.count, totals.signed.amount),
        "landed": (totals.landed.count, totals.landed.amount, totals.landed.paid_in),
    }


class ReportAgreesWithIndependentComputation:
    """Mixin: compare every figure of the built report with expected_report()."""

    def assert_report_matches(self, period, today=TODAY):
        report = monthly_report_build(period, today=today)
        expected = expected_report(period.start, period.end, today)
        label = period.key
        self.assertEqual(as_tuple(report.month_totals), expected["month"], label)
        self.assertEqual(as_tuple(report.ytd_totals), expected["ytd"], label)
        self.assertEqual(
            as_tuple(report.last_year_month_totals), expected["last_year_month"], label
        )
        self.assertEqual(as_tuple(report.last_year_ytd_totals), expected["last_year_ytd"], label)
        for name in ("by_industry", "by_team", "by_unit", "by_leader", "by_source", "by_origin"):
            self.assertEqual(
                [
                    (row.name, as_tuple(row.month), as_tuple(row.ytd))
                    for row in getattr(report, name)
                ],
                expected[name],
                f"{label} {name}",
            )
        self.assertEqual(
            (report.landing_rate.signed_count, report.landing_rate.landed_count),
            expected["landing_rate"],
            label,
        )
        self.assertEqual(
            [(row.code, row.signed_on, row.days_waiting, row.overdue) for row in report.backlog],
            expected["backlog"],
            label,
        )
        self.assertEqual([as_tuple(point) for point in report.trend], expected["trend"], label)
        dropped = report.signed_then_dropped
        self.assertEqual(
            [(row.code, row.dropped_on, row.amount) for row in dropped.leads],
            expected["signed_then_dropped"],
            label,
        )
        self.assertEqual(
            (dropped.month.count, dropped.month.amount),
            (len(dropped.leads), sum((r[2] for r in expected["signed_then_dropped"]), Decimal(0))),
        )
        self.assertEqual(
            (dropped.ytd.count, dropped.ytd.amount),
            (
                len(expected["signed_then_dropped_ytd"]),
                sum((r[2] for r in expected["signed_then_dropped_ytd"]), Decimal(0)),
            ),
            label,
        )
        self.assertEqual(
            [(r.kind, r.code, r.event, r.event_on, r.changed_on) for r in report.corrections],
            expected["corrections"],
            label,
        )
        return report


class MonthlyReportFiguresTests(ReportAgreesWithIndependentComputation, TestCase):
    """Random paths from late 2023 to spring 2025, plus the boundary cases by hand."""

    @classmethod
    def setUpTestData(cls):
        load_reference()
        maker = LeadMaker(seed=2024)
        maker.random_leads(120, date(2023, 9, 1), date(2025, 6, 30))
        # Year boundary: signed on 31 December at 23:30, landed on 1 January.
        cls.new_year = maker.sign(
            maker.contact(moment(date(2023, 12, 1))), moment(date(2023, 12, 31), 23, 30)
        )
        maker.land(cls.new_year, moment(date(2024, 1, 1), 0, 30), paid_in=Decimal("12.34"))
        # Leap day.
        cls.leap = maker.sign(
            maker.contact(moment(date(2024, 2, 1))), moment(date(2024, 2, 29), 16)
        )
        # Signed on 31 January at 23:30 Shanghai (15:30 UTC): January's.
        cls.late_evening = maker.sign(
            maker.contact(moment(date(2024, 1, 2))), moment(date(2024, 1, 31), 23, 30)
        )
        # Signed at 00:30 on 1 February (16:30 UTC on 31 January): February's.
        cls.past_midnight = maker.sign(
            maker.contact(moment(date(2024, 1, 3))), moment(date(2024, 2, 1), 0, 30)
        )
        # Dropped at 23:30 on 31 March: not in March's backlog, in February's.
        cls.dropped = maker.sign(maker.contact(moment(date(2024, 1, 4))), moment(date(2024, 2, 10)))
        maker.drop(cls.dropped, moment(date(2024, 3, 31), 23, 30))
        # Moved back from 签约 in April: not signed in February any more, but
        # still in February's and March's backlog.
        cls.moved_back = maker.sign(
            maker.contact(moment(date(2024, 1, 5))), moment(date(2024, 2, 12))
        )
        maker.move_back(cls.moved_back, moment(date(2024, 4, 2)))
        # Entered from a ledger in 2026 with a 2024 signing date.
        cls.imported = maker.contact(
            timezone.now() - timedelta(days=1), industry=Industry.objects.get(pk=3)
        )
        maker.sign(
            cls.imported,
            timezone.now() - timedelta(hours=1),
            signed_on=date(2024, 3, 15),
            contract_amount=Decimal("321.00"),
        )
        AnnualTarget.objects.create(
            year=2024, signed_count=20, signed_amount=Decimal("50000"), landed_count=10
        )
        AnnualTarget.objects.create(
            year=2024, industry=Industry.objects.get(pk=1), signed_count=3, landed_count=0
        )
        AnnualTarget.objects.create(
            year=2024, team=TaskTeam.objects.get(pk=4), signed_count=5, signed_amount=Decimal("900")
        )

    def test_every_month_matches_independent_computation(self):
        for year, month in (
            [(2023, m) for m in range(9, 13)]
            + [(2024, m) for m in range(1, 13)]
            + [(2025, m) for m in range(1, 8)]
        ):
            with self.subTest(month=f"{year}-{month:02d}"):
                self.assert_report_matches(Period.month(year, month))

    def test_date_ranges_match_independent_computation(self):
        for start, end in [
            (date(2024, 2, 20), date(2024, 3, 5)),  # across 29 February
            (date(2023, 12, 25), date(2024, 1, 7)),  # across the new year
            (date(2024, 2, 21), date(2024, 2, 29)),  # a 旬 ending on the leap day
            (date(2025, 2, 21), date(2025, 2, 28)),
            (date(2024, 6, 3), date(2024, 6, 9)),  # a week
        ]:
            with self.subTest(start=start, end=end):
                self.assert_report_matches(Period(start, end))

    def test_current_month_backlog_is_as_of_today(self):
        report = self.assert_report_matches(Period.month(2026, 11), today=TODAY)
        self.assertEqual(report.as_of, TODAY)
        self.assertIn(self.imported.code, [row.code for row in report.backlog])

    def test_transition_at_half_past_eleven_on_the_31st_belongs_to_that_month(self):
        january = monthly_report_build(Period.month(2024, 1), today=TODAY)
        february = monthly_report_build(Period.month(2024, 2), today=TODAY)
        self.assertEqual(Lead.objects.get(pk=self.late_evening.pk).signed_on, date(2024, 1, 31))
        self.assertEqual(Lead.objects.get(pk=self.past_midnight.pk).signed_on, date(2024, 2, 1))
        january_codes = [row.code for row in january.backlog]
        self.assertIn(self.late_evening.code, january_codes)
        self.assertNotIn(self.past_midnight.code, january_codes)
        self.assertIn(self.past_midnight.code, [row.code for row in february.backlog])

    def test_drop_at_half_past_eleven_leaves_that_months_backlog(self):
        february = monthly_report_build(Period.month(2024, 2), today=TODAY)
        march = monthly_report_build(Period.month(2024, 3), today=TODAY)
        self.assertIn(self.dropped.code, [row.code for row in february.backlog])
        self.assertNotIn(self.dropped.code, [row.code for row in march.backlog])

    def test_lead_moved_back_leaves_signed_figures_but_stays_in_past_backlog(self):
        february = monthly_report_build(Period.month(2024, 2), today=TODAY)
        april = monthly_report_build(Period.month(2024, 4), today=TODAY)
        self.assertIn(self.moved_back.code, [row.code for row in february.backlog])
        self.assertNotIn(self.moved_back.code, [row.code for row in april.backlog])

    def test_year_boundary_signing_and_landing_fall_in_their_own_years(self):
        december = monthly_report_build(Period.month(2023, 12), today=TODAY)
        january = monthly_report_build(Period.month(2024, 1), today=TODAY)
        self.assertIn(self.new_year.code, [row.code for row in december.backlog])
        self.assertNotIn(self.new_year.code, [row.code for row in january.backlog])
        # January's landing rate counts only leads signed in 2024.
        self.assertEqual(january.landing_rate.signed_count, january.ytd_totals.signed.count)

    def test_leap_day_signing_counts_in_february_and_compares_with_whole_february(self):
        february = self.assert_report_matches(Period.month(2024, 2))
        self.assertIn(self.leap.code, [row.code for row in february.backlog])
        next_year = monthly_report_build(Period.month(2025, 2), today=TODAY)
        self.assertEqual(next_year.last_year, Period(date(2024, 2, 1), date(2024, 2, 29)))
        self.assertEqual(next_year.last_year_month_totals.signed, february.month_totals.signed)

    def test_breakdown_rows_add_up_to_the_totals(self):
        report = monthly_report_build(Period.month(2024, 6), today=TODAY)
        self.assertEqual(len(report.by_industry), 10)
        for rows in (report.by_industry, report.by_team, report.by_source, report.by_origin):
            self.assertEqual(
                sum(row.ytd.signed.amount for row in rows), report.ytd_totals.signed.amount
            )
            self.assertEqual(
                sum(row.month.landed.count for row in rows), report.month_totals.landed.count
            )

    def test_targets_show_year_to_date_progress(self):
        report = monthly_report_build(Period.month(2024, 12), today=TODAY)
        by_name = {row.name: row for row in report.targets}
        self.assertEqual([row.scope for row in report.targets], ["district", "industry", "team"])
        district = by_name["全区"]
        self.assertEqual(district.actual, report.ytd_totals)
        expected = (Decimal(report.ytd_totals.signed.count) * 100 / 20).quantize(Decimal("0.01"))
        self.assertEqual(district.percent("signed", "count"), expected)
        self.assertIsNone(district.percent("landed", "amount"))  # target zero
        industry = by_name[Industry.objects.get(pk=1).name]
        self.assertEqual(industry.actual, report.by_industry[0].ytd)
        team = by_name[TaskTeam.objects.get(pk=4).name]
        self.assertEqual(
            team.actual, next(r.ytd for r in report.by_team if r.filters == {"credit_team": 4})
        )

    def test_past_backlog_does_not_change_when_leads_move_later(self):
        before = monthly_report_build(Period.month(2024, 5), today=TODAY)
        waiting = Lead.objects.filter(stage=Stage.SIGNED, signed_on__lte=date(2024, 5, 31))
        maker = LeadMaker(seed=1)
        for lead in waiting[:3]:
            maker.drop(lead, timezone.now())
        after = monthly_report_build(Period.month(2024, 5), today=TODAY)
        self.assertEqual(after.backlog, before.backlog)
        self.assertTrue(before.backlog)

    def test_overdue_follows_the_signed_stage_sla(self):
        StageOwner.objects.filter(stage=Stage.SIGNED).update(sla_days=10)
        report = self.assert_report_matches(Period.month(2024, 3))
        self.assertTrue(any(row.overdue for row in report.backlog))
        self.assertTrue(all(row.overdue == (row.days_waiting > 10) for row in report.backlog))


class EmptyMonthTests(ReportAgreesWithIndependentComputation, TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()
        maker = LeadMaker(seed=7)
        maker.random_leads(8, date(2024, 1, 1), date(2024, 9, 30))

    def test_month_with_no_data_has_zero_rows_and_blank_growth(self):
        report = self.assert_report_matches(Period.month(2019, 5))
        self.assertEqual(report.month_totals.signed.count, 0)
        self.assertEqual(report.month_totals.signed.amount, Decimal("0.00"))
        self.assertEqual(len(report.by_industry), 10)
        self.assertEqual(report.backlog, [])
        self.assertIsNone(report.landing_rate.percent)

    def test_future_month_with_no_data_builds_a_zero_report(self):
        report = monthly_report_build(Period.month(2031, 1), today=date(2031, 1, 15))
        self.assertEqual(report.as_of, date(2031, 1, 15))
        self.assertEqual(sum(p.signed.count for p in report.trend), 0)


class MonthlyReportQueryCountTests(TestCase):
    """The builder's queries do not grow with the number of leads."""

    @classmethod
    def setUpTestData(cls):
        load_reference()
        cls.maker = LeadMaker(seed=11)
        cls.maker.random_leads(5, date(2024, 1, 1), date(2024, 12, 31))
        AnnualTarget.objects.create(year=2024, signed_count=1)

    def test_query_count_is_the_same_at_two_data_sizes(self):
        period = Period.month(2024, 6)
        # The report tally: its images not yet folded counted, then every window's
        # sums in all and by every breakdown read, the 四率's numerators with them (two
        # queries); the trend the same of its twelve months (two queries); the
        # drops are summed, then the period's listed; the drops and the corrections
        # each read the transitions merges moved. The backlog is read where it is
        # listed (leads.reports.backlog.Backlog), not here.
        with self.assertNumQueries(16):
            small = MonthlyReportBuilder(period, today=TODAY).build()
        self.maker.random_leads(40, date(2024, 1, 1), date(2024, 12, 31))
        with self.assertNumQueries(16):
            large = MonthlyReportBuilder(period, today=TODAY).build()
        self.assertGreater(
            large.ytd_totals.signed.count + len(large.backlog),
            small.ytd_totals.signed.count + len(small.backlog),
        )
        self.assertGreater(
            large.after_landing.paid_in["ytd"] + large.after_landing.started["ytd"].count,
            small.after_landing.paid_in["ytd"] + small.after_landing.started["ytd"].count,
        )
