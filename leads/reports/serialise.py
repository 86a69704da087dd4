"""The report as plain JSON data for other systems: amounts as strings with two decimals."""

from __future__ import annotations

from decimal import Decimal

from leads.reports.figures import (
    WINDOWS,
    AdjustmentRow,
    AfterLanding,
    BreakdownRow,
    MonthlyReport,
    RankingRow,
    SignedThenDropped,
    Tally,
    TargetRow,
    Totals,
)
from leads.reports.sections import report_sections_data


def decimal_text(value: Decimal | None) -> str | None:
    """Return a Decimal as text with two places, or None."""
    return None if value is None else f"{value:.2f}"


def tally_data(tally: Tally, *, paid_in: bool = False) -> dict:
    data = {"count": tally.count, "amount": decimal_text(tally.amount)}
    if paid_in:
        data["paid_in"] = decimal_text(tally.paid_in)
    return data


def totals_data(totals: Totals) -> dict:
    """Return {"signed": {count, amount}, "landed": {count, amount, paid_in}}."""
    return {
        "signed": tally_data(totals.signed),
        "landed": tally_data(totals.landed, paid_in=True),
    }


def _row_data(row: BreakdownRow) -> dict:
    return {
        "name": row.name,
        "month": totals_data(row.month),
        "ytd": totals_data(row.ytd),
        "paid_in_totals": {
            "month": decimal_text(row.paid_in_month),
            "ytd": decimal_text(row.paid_in_ytd),
        },
    }


def _rate_number(value) -> int | str:
    return value if isinstance(value, int) else decimal_text(value)


def after_landing_data(figures: AfterLanding) -> dict:
    """Return the keys `milestones`, `paid_in_totals` and `rates` (issue #9).

    milestones: {"started" | "in_production": {window: {count, amount}}};
    paid_in_totals: {window: amount}; rates: {"performance" | "start" |
    "paid_in" | "production": {numerator, denominator, percent}} — counts
    as integers, the 资金到位率's amounts as strings, percent with one place
    or null when the denominator is zero.
    """
    return {
        "milestones": {
            name: {window: tally_data(tallies[window]) for window in WINDOWS}
            for name, tallies in (
                ("started", figures.started),
                ("in_production", figures.in_production),
            )
        },
        "paid_in_totals": {window: decimal_text(figures.paid_in[window]) for window in WINDOWS},
        "rates": {
            name: {
                "numerator": _rate_number(rate.numerator),
                "denominator": _rate_number(rate.denominator),
                "percent": None if rate.percent is None else f"{rate.percent:.1f}",
            }
            for name, rate in figures.rates.items()
        },
    }


def _target_data(row: TargetRow) -> dict:
    return {
        "scope": row.scope,
        "name": row.name,
        "target": {
            "signed": tally_data(row.target.signed),
            "landed": tally_data(row.target.landed),
        },
        "actual": {
            "signed": tally_data(row.actual.signed),
            "landed": tally_data(row.actual.landed),
        },
        "percent": {
            kind: {
                measure: decimal_text(row.percent(kind, measure)) for measure in ("count", "amount")
            }
            for kind in ("signed", "landed")
        },
    }


def _dropped_data(figures: SignedThenDropped) -> dict:
    return {
        "month": tally_data(figures.month),
        "ytd": tally_data(figures.ytd),
        "leads": [
            {
                "code": row.code,
                "name": row.name,
                "team": row.team,
                "signed_on": row.signed_on.isoformat(),
                "dropped_on": row.dropped_on.isoformat(),
                "amount": decimal_text(row.amount),
                "reason": row.reason,
            }
            for row in figures.leads
        ],
    }


def _adjustment_data(row: AdjustmentRow) -> dict:
    return {
        "kind": row.kind,
        "code": row.code,
        "name": row.name,
        "event": row.event,
        "event_on": row.event_on.isoformat(),
        "amount": decimal_text(row.amount),
        "changed_on": row.changed_on.isoformat(),
        "by": row.by,
        "reason": row.reason,
        "locked": row.locked,
    }


def _ranking_data(row: RankingRow) -> dict:
    return {
        "scope": row.scope,
        "name": row.name,
        "rank": row.rank,
        "previous_rank": row.previous_rank,
        "rank_change": row.rank_change,
        "mark": row.mark,
        "target": {"signed": tally_data(row.target.signed)},
        "actual": totals_data(row.actual),
        "percent": decimal_text(row.percent),
    }


def report_data(report: MonthlyReport) -> dict:
    """Return the report with the keys issue #4 lists and those issue #8 adds.

    `month` is YYYY-MM for a calendar month, else the ISO 8601 interval
    YYYY-MM-DD/YYYY-MM-DD. Percentages are strings with two places, or null
    when the base is zero. Issue #8 adds `by_unit`, `by_leader`,
    `signed_then_dropped` ({month, ytd: {count, amount}, leads}),
    `corrections` (调整说明), `ranking` and `locked` (false for a report
    computed now; a locked version carries `locked_at`, `locked_by`).
    Issue #9 adds `milestones`, `paid_in_totals` and `rates`
    (`after_landing_data`) and, on every breakdown row, `paid_in_totals`
    ({month, ytd}: 到位资金 by the instalments' dates).
    """
    rate = report.landing_rate
    return {
        "month": report.period.key,
        "month_totals": totals_data(report.month_totals),
        "ytd_totals": totals_data(report.ytd_totals),
        "last_year_month_totals": totals_data(report.last_year_month_totals),
        "last_year_ytd_totals": totals_data(report.last_year_ytd_totals),
        "by_industry": [_row_data(row) for row in report.by_industry],
        "by_team": [_row_data(row) for row in report.by_team],
        "by_source": [_row_data(row) for row in report.by_source],
        "by_origin": [_row_data(row) for row in report.by_origin],
        "landing_rate": {
            "signed_count": rate.signed_count,
            "landed_count": rate.landed_count,
            "percent": decimal_text(rate.percent),
        },
        "targets": [_target_data(row) for row in report.targets],
        "backlog": [
            {
                "code": row.code,
                "name": row.name,
                "investor": row.investor,
                "industry": row.industry,
                "team": row.team,
                "signed_on": row.signed_on.isoformat(),
                "days_waiting": row.days_waiting,
                "overdue": row.overdue,
            }
            for row in report.backlog
        ],
        "by_unit": [_row_data(row) for row in report.by_unit],
        "by_leader": [_row_data(row) for row in report.by_leader],
        "signed_then_dropped": _dropped_data(report.signed_then_dropped),
        "corrections": [_adjustment_data(row) for row in report.corrections],
        "ranking": [_ranking_data(row) for row in report.ranking],
        "locked": False,
        **after_landing_data(report.after_landing),
        **report_sections_data(report),
    }
