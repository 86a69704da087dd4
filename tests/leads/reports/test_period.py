"""Report periods: parsing, year to date, the same period last year, the trailing months."""

from datetime import date

from django.http import QueryDict
from django.test import SimpleTestCase

from leads.reports.period import Period, PeriodError, period_from_query


class PeriodTests(SimpleTestCase):
    def test_parse_month_gives_the_whole_month(self):
        self.assertEqual(Period.parse_month("2024-02"), Period(date(2024, 2, 1), date(2024, 2, 29)))
        self.assertEqual(
            Period.parse_month(" 2025-2 "), Period(date(2025, 2, 1), date(2025, 2, 28))
        )

    def test_parse_month_refuses_bad_text_in_chinese(self):
        for text in ["2025-13", "2025-00", "25-03", "2025/03", "", "三月"]:
            with self.subTest(text=text), self.assertRaisesMessage(PeriodError, "格式不正确"):
                Period.parse_month(text)

    def test_parse_range_checks_order_dates_and_length(self):
        self.assertEqual(
            Period.parse_range("2024-02-21", "2024-02-29"),
            Period(date(2024, 2, 21), date(2024, 2, 29)),
        )
        with self.assertRaisesMessage(PeriodError, "截止日期“2025-02-29”格式不正确"):
            Period.parse_range("2025-02-21", "2025-02-29")
        with self.assertRaisesMessage(PeriodError, "起始日期“0001-01-01”格式不正确"):
            Period.parse_range("0001-01-01", "0001-01-02")
        with self.assertRaisesMessage(PeriodError, "不能晚于截止日期"):
            Period.parse_range("2025-03-02", "2025-03-01")
        with self.assertRaisesMessage(PeriodError, "不能超过一年"):
            Period.parse_range("2024-01-01", "2025-06-30")

    def test_key_and_label(self):
        self.assertEqual(Period.parse_month("2026-03").key, "2026-03")
        self.assertEqual(Period.parse_month("2026-03").label, "2026年3月")
        week = Period(date(2026, 3, 2), date(2026, 3, 8))
        self.assertEqual(week.key, "2026-03-02/2026-03-08")
        self.assertEqual(week.label, "2026年3月2日至2026年3月8日")
        # A range that is exactly a calendar month is that month.
        self.assertEqual(Period.parse_range("2026-03-01", "2026-03-31").key, "2026-03")

    def test_query_asks_for_the_same_period(self):
        for period, query in (
            (Period.month(2026, 3), "month=2026-03"),
            (Period(date(2026, 3, 1), date(2026, 3, 10)), "from=2026-03-01&to=2026-03-10"),
        ):
            with self.subTest(query=query):
                self.assertEqual(period.query, query)
                self.assertEqual(period_from_query(QueryDict(period.query)), period)

    def test_year_to_date_runs_from_the_first_of_january_of_the_end_year(self):
        across = Period(date(2025, 12, 29), date(2026, 1, 4))
        self.assertEqual(across.year_to_date, Period(date(2026, 1, 1), date(2026, 1, 4)))

    def test_last_year_keeps_whole_months_whole_and_moves_leap_day(self):
        self.assertEqual(
            Period.parse_month("2025-02").last_year, Period(date(2024, 2, 1), date(2024, 2, 29))
        )
        self.assertEqual(
            Period.parse_month("2024-02").last_year, Period(date(2023, 2, 1), date(2023, 2, 28))
        )
        self.assertEqual(
            Period(date(2024, 2, 21), date(2024, 2, 29)).last_year,
            Period(date(2023, 2, 21), date(2023, 2, 28)),
        )

    def test_trailing_months_cross_the_year(self):
        months = Period.parse_month("2026-02").trailing_months(12)
        self.assertEqual(len(months), 12)
        self.assertEqual(months[0], Period(date(2025, 3, 1), date(2025, 3, 31)))
        self.assertEqual(months[-1], Period(date(2026, 2, 1), date(2026, 2, 28)))

    def test_period_from_query(self):
        self.assertEqual(period_from_query(QueryDict("month=2026-03")).key, "2026-03")
        self.assertEqual(
            period_from_query(QueryDict("from=2026-03-01&to=2026-03-10")).key,
            "2026-03-01/2026-03-10",
        )
        with self.assertRaisesMessage(PeriodError, "须同时填写起始日期和截止日期"):
            period_from_query(QueryDict("to=2026-03-10"))
