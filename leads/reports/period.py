"""Report periods: a calendar month or any date range, with its year to date and last year."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models.functions import TruncDate
from django.utils import timezone

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")
DATE_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class PeriodError(ValueError):
    """A report period was given in a form we cannot read; the message is Chinese."""


def month_end(year: int, month: int) -> date:
    """Return the last day of `month` in `year`."""
    return date(year, month, calendar.monthrange(year, month)[1])


def year_earlier(day: date) -> date:
    """Return the same day one year earlier; 29 February becomes 28 February."""
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def day_start(day: date) -> datetime:
    """Return the aware moment the local (Asia/Shanghai) day begins."""
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Period:
    """An inclusive range of days [start, end]."""

    start: date
    end: date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), month_end(year, month))

    @classmethod
    def parse_month(cls, text: str) -> Period:
        """Return the month written as YYYY-MM; raise PeriodError otherwise."""
        match = MONTH_PATTERN.match((text or "").strip())
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
            raise PeriodError(f"月份“{text}”格式不正确，应为 YYYY-MM，例如 2026-03。")
        return cls.month(int(match[1]), int(match[2]))

    @classmethod
    def parse_range(cls, start_text: str, end_text: str) -> Period:
        """Return the range between two YYYY-MM-DD dates; raise PeriodError otherwise."""
        start = parse_day(start_text, "起始日期")
        end = parse_day(end_text, "截止日期")
        if start > end:
            raise PeriodError(
                f"起始日期（{start.isoformat()}）不能晚于截止日期（{end.isoformat()}）。"
            )
        if (end - start).days > 366:
            raise PeriodError("报表期间不能超过一年（366天）。")
        return cls(start, end)

    @property
    def is_month(self) -> bool:
        return self.start.day == 1 and self.end == month_end(self.start.year, self.start.month)

    @property
    def key(self) -> str:
        """Return YYYY-MM for a calendar month, else the ISO 8601 interval start/end."""
        if self.is_month:
            return f"{self.start.year:04d}-{self.start.month:02d}"
        return f"{self.start.isoformat()}/{self.end.isoformat()}"

    @property
    def query(self) -> str:
        """Return the page query asking for this period (`period_from_query` reads it back)."""
        if self.is_month:
            return f"month={self.key}"
        return f"from={self.start.isoformat()}&to={self.end.isoformat()}"

    @property
    def label(self) -> str:
        if self.is_month:
            return f"{self.start.year}年{self.start.month}月"
        return f"{_day_label(self.start)}至{_day_label(self.end)}"

    @property
    def short_label(self) -> str:
        if self.is_month:
            return f"{self.start.year % 100:02d}年{self.start.month}月"
        return self.label

    @property
    def year_to_date(self) -> Period:
        """Return 1 January of the end's year through the end."""
        return Period(date(self.end.year, 1, 1), self.end)

    @property
    def last_year(self) -> Period:
        """Return the same period one year earlier (a whole month stays a whole month)."""
        if self.is_month:
            return Period.month(self.start.year - 1, self.start.month)
        return Period(year_earlier(self.start), year_earlier(self.end))

    def trailing_months(self, count: int = 12) -> list[Period]:
        """Return the `count` calendar months ending with the month of the end, oldest first."""
        months = []
        year, month = self.end.year, self.end.month
        for _ in range(count):
            months.append(Period.month(year, month))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return months[::-1]

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def __str__(self):
        return self.label


def parse_day(text: str, label: str) -> date:
    match = DATE_PATTERN.match((text or "").strip())
    try:
        if not match or int(match[1]) < 1900:
            raise ValueError
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise PeriodError(
            f"{label}“{text}”格式不正确，应为 YYYY-MM-DD，例如 2026-03-10。"
        ) from None


def current_month(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period.month(today.year, today.month)


def next_day_start(day: date) -> datetime:
    return day_start(day + timedelta(days=1))


def _day_label(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def period_from_query(query) -> Period:
    """Return the period a page query asks for: ?month=YYYY-MM, ?from=&to=, else this month."""
    start, end = (query.get("from") or "").strip(), (query.get("to") or "").strip()
    if start or end:
        if not (start and end):
            raise PeriodError("日期范围须同时填写起始日期和截止日期。")
        return Period.parse_range(start, end)
    month = (query.get("month") or "").strip()
    return Period.parse_month(month) if month else current_month()


class LocalDate(TruncDate):
    """The local (Asia/Shanghai) calendar day of a timestamp column, for the days `span`.

    Django's TruncDate, except on SQLite: there Django works the day out in a
    Python function called once per row (0.1 s for 6,000 drops); when the
    zone keeps one UTC offset through `span`, as Asia/Shanghai has since 1991,
    SQLite's own date() with that offset gives the same day.
    """

    def __init__(self, expression, span: Period, **extra):
        super().__init__(expression, tzinfo=timezone.get_current_timezone(), **extra)
        self.offset = _fixed_offset(span)

    def as_sqlite(self, compiler, connection, **extra_context):
        if self.offset is None:
            return self.as_sql(compiler, connection, **extra_context)
        sql, params = compiler.compile(self.lhs)
        minutes = int(self.offset.total_seconds() // 60)
        return f"date({sql}, %s)", (*params, f"{minutes:+d} minutes")


def _fixed_offset(span: Period) -> timedelta | None:
    """Return the zone's UTC offset if it is the same all through `span` (checked on the
    first and fifteenth of every month, which a seasonal change cannot slip between)."""
    offsets = set()
    year, month = span.start.year, span.start.month
    while (year, month) <= (span.end.year, span.end.month):
        for day in (1, 15):
            offsets.add(day_start(date(year, month, day)).utcoffset())
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    offsets.add(next_day_start(span.end).utcoffset())
    return offsets.pop() if len(offsets) == 1 else None
