"""开工, 投产, 到位资金 by instalment date and the 四率, against an independent computation."""

from datetime import date
from decimal import Decimal

from django.test import TestCase

from leads.choices import Milestone
from leads.models import Lead
from leads.reports.monthly import monthly_report_build
from leads.reports.period import Period
from tests.leads.reports.expected_after import expected_after_landing
from tests.leads.reports.scenario import LeadMaker, load_reference, moment

TODAY = date(2026, 11, 27)
GROUPED = ("by_industry", "by_team", "by_source")


class AfterLandingAgreesWithIndependentComputation:
    """Mixin: compare the built report's after-landing figures with expected_after_landing()."""

    def assert_after_landing_matches(self, period):
        report = monthly_report_build(period, today=TODAY)
        expected = expected_after_landing(period.start, period.end)
        figures, label = report.after_landing, period.key
        for name in ("started", "in_production"):
            tallies = getattr(figures, name)
            self.assertEqual(
                {window: (t.count, t.amount) for window, t in tallies.items()},
                expected[name],
                f"{label} {name}",
            )
        self.assertEqual(figures.paid_in, expected["paid_in"], label)
        self.assertEqual(
            {key: (r.numerator, r.denominator, r.percent) for key, r in figures.rates.items()},
            expected["rates"],
            label,
        )
        for name in GROUPED:
            rows = getattr(report, name)
            self.assertEqual(
                {
                    row.name: (row.paid_in_month, row.paid_in_ytd)
                    for row in rows
                    if row.paid_in_month or row.paid_in_ytd
                },
                expected[name],
                f"{label} {name}",
            )
            self.assertEqual(sum(row.paid_in_ytd for row in rows), figures.paid_in["ytd"], name)
        return report


class AfterLandingFiguresTests(AfterLandingAgreesWithIndependentComputation, TestCase):
    """Random paths from late 2023 to spring 2025 with milestones and instalments, plus edges."""

    @classmethod
    def setUpTestData(cls):
        load_reference()
        cls.maker = maker = LeadMaker(seed=909)
        maker.random_leads(90, date(2023, 9, 1), date(2025, 6, 30))
        # Year end: paid on 31 December and 1 January, started 31 December, in production 1 January.
        cls.year_end = maker.sign(
            maker.contact(moment(date(2024, 11, 1))), moment(date(2024, 12, 10))
        )
        cls.year_end = maker.land(cls.year_end, moment(date(2024, 12, 20)), paid_in=Decimal("1"))
        maker.pay(cls.year_end, date(2024, 12, 31), Decimal("11.11"))
        maker.pay(cls.year_end, date(2025, 1, 1), Decimal("22.22"))
        maker.record(cls.year_end, Milestone.STARTED, date(2024, 12, 31))
        maker.record(cls.year_end, Milestone.IN_PRODUCTION, date(2025, 1, 1))
        # Paid on 31 January before landing on 1 February: January's 到位资金.
        cls.early = maker.sign(
            maker.contact(moment(date(2025, 1, 2))), moment(date(2025, 1, 20), 23, 30)
        )
        maker.pay(cls.early, date(2025, 1, 31), Decimal("33.33"))
        cls.early = maker.land(
            Lead.objects.get(pk=cls.early.pk), moment(date(2025, 2, 1), 0, 30), paid_in=None
        )
        maker.record(cls.early, Milestone.STARTED, date(2025, 2, 28))
        # An undated carried-over amount on a lead signed in March 2025.
        cls.carried = maker.sign(maker.contact(moment(date(2025, 3, 1))), moment(date(2025, 3, 5)))
        maker.carried_over(cls.carried, Decimal("44.44"))

    def test_every_month_matches_independent_computation(self):
        months = [(2023, m) for m in range(9, 13)]
        months += [(2024, m) for m in range(1, 13)] + [(2025, m) for m in range(1, 8)]
        seen = {"started": 0, "in_production": 0, "paid_in": Decimal(0)}
        for year, month in months:
            with self.subTest(month=f"{year}-{month:02d}"):
                figures = self.assert_after_landing_matches(Period.month(year, month)).after_landing
                seen["started"] += figures.started["month"].count
                seen["in_production"] += figures.in_production["month"].count
                seen["paid_in"] += figures.paid_in["month"]
        # The generated data reach every figure (the comparison is not over zeros).
        self.assertGreater(seen["started"], 10)
        self.assertGreater(seen["in_production"], 5)
        self.assertGreater(seen["paid_in"], 0)

    def test_date_ranges_match_independent_computation(self):
        for start, end in [
            (date(2024, 12, 25), date(2025, 1, 7)),  # across the new year
            (date(2025, 1, 31), date(2025, 2, 1)),
            (date(2024, 2, 21), date(2024, 2, 29)),
        ]:
            with self.subTest(start=start, end=end):
                self.assert_after_landing_matches(Period(start, end))

    def test_instalment_counts_by_its_date_not_the_landing_month(self):
        january = monthly_report_build(Period.month(2025, 1), today=TODAY)
        february = monthly_report_build(Period.month(2025, 2), today=TODAY)
        without = expected_after_landing(date(2025, 1, 1), date(2025, 1, 31))["paid_in"]["month"]
        self.assertEqual(january.after_landing.paid_in["month"], without)
        self.assertGreaterEqual(january.after_landing.paid_in["month"], Decimal("55.55"))
        # The landing month's 落地项目的累计到位资金 holds the lead's paid_in now (its sum).
        early = Lead.objects.get(pk=self.early.pk)
        self.assertGreaterEqual(early.paid_in, Decimal("33.33"))
        self.assertEqual(early.first_landed_on, date(2025, 2, 1))
        self.assertGreaterEqual(february.month_totals.landed.paid_in, Decimal("33.33"))

    def test_year_end_milestones_fall_in_their_own_years(self):
        december = monthly_report_build(Period.month(2024, 12), today=TODAY)
        january = monthly_report_build(Period.month(2025, 1), today=TODAY)
        self.assertGreaterEqual(december.after_landing.started["month"].count, 1)
        self.assertGreaterEqual(january.after_landing.in_production["month"].count, 1)
        # The lead started in 2024 is not in 2025's 投产率, though in production in January.
        started_2025 = Lead.objects.filter(
            started_on__gte=date(2025, 1, 1), started_on__lte=date(2025, 1, 31)
        )
        self.assertEqual(
            january.after_landing.rates["production"].denominator, started_2025.count()
        )
        # 履约率 is the landing rate.
        rate = january.after_landing.rates["performance"]
        self.assertEqual(
            (rate.numerator, rate.denominator),
            (january.landing_rate.landed_count, january.landing_rate.signed_count),
        )

    def test_undated_carried_over_amount_counts_in_the_rate_only(self):
        march = self.assert_after_landing_matches(Period.month(2025, 3))
        self.maker.carried_over(Lead.objects.get(pk=self.carried.pk), Decimal("100.00"))
        again = monthly_report_build(Period.month(2025, 3), today=TODAY)
        self.assertEqual(again.after_landing.paid_in, march.after_landing.paid_in)
        self.assertEqual(
            again.after_landing.rates["paid_in"].numerator,
            march.after_landing.rates["paid_in"].numerator + Decimal("100.00"),
        )

    def test_rates_without_a_base_are_none(self):
        report = monthly_report_build(Period.month(2019, 5), today=TODAY)
        for key, rate in report.after_landing.rates.items():
            self.assertEqual(rate.denominator, 0, key)
            self.assertIsNone(rate.percent, key)
        self.assertEqual(report.after_landing.paid_in["month"], Decimal("0.00"))
