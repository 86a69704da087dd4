"""What the report page shows besides the report: summary rows with links, charts, navigation."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from crm.numbers import whole_number
from leads.reports.chart import trend_svg
from leads.reports.definitions import DEFINITIONS
from leads.reports.figures import MonthlyReport, growth
from leads.reports.links import current_backlog_url, figure_url, landing_rate_landed_url
from leads.reports.period import Period, PeriodError, current_month
from leads.reports.ranking import RANKED_SCOPES, SCOPE_LABELS
from leads.reports.sections import report_sections_build

SUMMARY_MEASURES = [
    ("签约项目数（个）", "signed", "count"),
    ("签约金额（万元）", "signed", "amount"),
    ("落地项目数（个）", "landed", "count"),
    ("落地金额（万元，签约投资额）", "landed", "amount"),
    ("落地项目的累计到位资金（万元，不按到位日期）", "landed", "paid_in"),
]
# 到位资金 by the instalments' dates, 开工 and 投产: (label, figure of AfterLanding, measure).
AFTER_LANDING_MEASURES = [
    ("到位资金（万元，按到位日期）", "paid_in", None),
    ("开工项目数（个）", "started", "count"),
    ("开工项目签约投资额（万元）", "started", "amount"),
    ("投产项目数（个）", "in_production", "count"),
    ("投产项目签约投资额（万元）", "in_production", "amount"),
]
# The 四率: (key in AfterLanding.rates, name = its DEFINITIONS term, numerator, denominator).
RATE_ROWS = [
    ("performance", "履约率", "其中已落地（个）", "本年累计签约项目（个）"),
    ("start", "开工率", "其中已开工（个）", "本年累计落地项目（个）"),
    ("paid_in", "资金到位率", "已到位资金（万元）", "本年累计签约项目签约投资额（万元）"),
    ("production", "投产率", "其中已投产（个）", "本年累计开工项目（个）"),
]


@dataclass
class Cell:
    value: object
    url: str = ""
    kind: str = "number"  # "number", "money" or "percent"


def window_period(report: MonthlyReport, window: str) -> Period:
    return {
        "month": report.period,
        "ytd": report.ytd,
        "last_year_month": report.last_year,
        "last_year_ytd": report.last_year_ytd,
    }[window]


def window_totals(report: MonthlyReport, window: str):
    return getattr(report, f"{window}_totals")


def summary_rows(report: MonthlyReport) -> list[tuple[str, list[Cell]]]:
    """Return the 汇总 table: per measure, this period, last year, 同比, YTD, last YTD, 同比."""
    rows = []
    for label, kind, measure in SUMMARY_MEASURES:
        cell_kind = "number" if measure == "count" else "money"

        def cell(window, kind=kind, measure=measure, cell_kind=cell_kind):
            value = getattr(getattr(window_totals(report, window), kind), measure)
            return Cell(value, figure_url(kind, window_period(report, window)), cell_kind)

        rows.append(_growth_row(label, *(cell(w) for w in GROWTH_WINDOWS)))
    return rows


GROWTH_WINDOWS = ("month", "last_year_month", "ytd", "last_year_ytd")


def _growth_row(label: str, month: Cell, last: Cell, ytd: Cell, last_ytd: Cell) -> tuple:
    """Return (label, cells): this period, last year, 同比, YTD, last YTD, 同比."""
    return (
        label,
        [
            month,
            last,
            Cell(growth(month.value, last.value), kind="percent"),
            ytd,
            last_ytd,
            Cell(growth(ytd.value, last_ytd.value), kind="percent"),
        ],
    )


def after_landing_value(report: MonthlyReport, figure: str, measure: str | None, window: str):
    """Return one of AFTER_LANDING_MEASURES in `window` ("month", "ytd", "last_year_…")."""
    value = getattr(report.after_landing, figure)[window]
    return value if measure is None else getattr(value, measure)


def after_landing_summary_rows(report: MonthlyReport) -> list[tuple[str, list[Cell]]]:
    """Return the 汇总 rows of dated 到位资金, 开工 and 投产, shaped like `summary_rows`."""
    rows = []
    for label, figure, measure in AFTER_LANDING_MEASURES:
        kind = "number" if measure == "count" else "money"
        cells = (
            Cell(after_landing_value(report, figure, measure, w), kind=kind) for w in GROWTH_WINDOWS
        )
        rows.append(_growth_row(label, *cells))
    return rows


def rate_rows(report: MonthlyReport) -> list[tuple]:
    """Return the 四率 as (name, definition, numerator label, numerator, denominator label,
    denominator, percent, kind of the two numbers)."""
    rows = []
    for key, name, numerator, denominator in RATE_ROWS:
        rate = report.after_landing.rates[key]
        kind = "money" if key == "paid_in" else "number"
        rows.append(
            (
                name,
                dict(DEFINITIONS)[name],
                numerator,
                rate.numerator,
                denominator,
                rate.denominator,
                rate.percent,
                kind,
            )
        )
    return rows


def trend_charts(report: MonthlyReport) -> list:
    """Return the two SVG charts of the 12-month trend, counts and amounts."""

    def url(kind, point):
        return figure_url(kind, point.period)

    return [
        trend_svg(report.trend, measure="count", title="近12个月签约、落地项目数", url=url),
        trend_svg(report.trend, measure="amount", title="近12个月签约、落地金额（万元）", url=url),
    ]


def neighbour_months(period: Period) -> tuple[str, str]:
    """Return YYYY-MM of the months before and after the period's end month."""
    year, month = period.end.year, period.end.month
    before = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
    after = f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}"
    return before, after


BACKLOG_ROWS_SHOWN = 300
# The period's drops (签约后终止) the page lists, in the order they happened; the workbook
# lists every one. A city's month holds hundreds (758 in the first week of a month at
# 1,000,000 leads in the benchmark's seed), which made most of the page's time.
DROPPED_ROWS_SHOWN = 300


def _live_download(name: str, report: MonthlyReport, locked: bool) -> str:
    """Return the URL of download `name` with the report's live figures, or "" in a locked
    version's body, which shows that version's figures (its list is in its own workbook)."""
    return "" if locked else f"{reverse(name)}?{report.period.query}&live=1"


def body_context(report: MonthlyReport, *, locked: bool = False) -> dict:
    """Return what the report body (`reports/_report_body.html`) shows, live or `locked`
    (a locked version's workbook lists the whole backlog; a live one its first rows, the
    rest in the backlog's own download). The drops: the first DROPPED_ROWS_SHOWN, every one
    in the workbook."""
    return {
        "report": report,
        "summary": summary_rows(report) + after_landing_summary_rows(report),
        "rates": rate_rows(report),
        "charts": trend_charts(report),
        "landing_rate_url": landing_rate_landed_url(report.ytd),
        "backlog_url": current_backlog_url(report.as_of)
        if report.as_of == timezone.localdate()
        else "",
        "backlog_shown": report.backlog[:BACKLOG_ROWS_SHOWN],
        "backlog_list_url": _live_download("reports:monthly_backlog_xlsx", report, locked),
        "dropped_shown": report.signed_then_dropped.leads[:DROPPED_ROWS_SHOWN],
        "report_xlsx_url": _live_download("reports:monthly_xlsx", report, locked),
        "sections": report_sections_build(report),
    }


def ranking_period(query) -> Period:
    """Return the month the ranking page asks for: ?year=&month=, else the current month."""
    year, month = (query.get("year") or "").strip(), (query.get("month") or "").strip()
    if not year and not month:
        return current_month()
    year_number, month_number = whole_number(year), whole_number(month)
    if (
        year_number is None
        or month_number is None
        or not 1900 <= year_number <= 9999
        or not 1 <= month_number <= 12
    ):
        raise PeriodError(f"年份“{year}”或月份“{month}”不正确，例如 ?year=2026&month=3。")
    return Period.month(year_number, month_number)


def ranking_by_scope(report: MonthlyReport) -> list[tuple[str, list]]:
    """Return (label, rows with their links) per ranked scope, for the ranking page."""
    ytd = report.ytd
    scopes = []
    for scope in RANKED_SCOPES:
        rows = [
            (
                row,
                figure_url("signed", ytd, row.filters),
                figure_url("landed", ytd, row.filters),
            )
            for row in report.ranking
            if row.scope == scope
        ]
        scopes.append((SCOPE_LABELS[scope], rows))
    return scopes
