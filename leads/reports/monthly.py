"""The monthly signed-versus-landed report (月通报), built with database aggregation.

Definitions, for a period P (a month, or any date range for 周报/旬报):

- Signed in P: counted by event. A lead is signed in P when its first entry
  into 签约 (or through it, straight to 落地), with the 签约日期 it had then,
  falls in P, whatever happened afterwards: a later drop, move back or edit
  does not take it out of P. Only a move back marked as a correction
  (更正误录, 局领导) removes it; that is listed in the report of the period
  the correction was made in. Amount = the 签约投资额 it was signed for.
  The definition lives in `leads.querysets.signed_in_q` (stored on the lead as
  `first_signed_on` / `first_signed_amount` by the pipeline rules).
- Landed in P: likewise, first entry into 落地 with its 落地日期
  (`landed_in_q`); amount = the counted signing amount, plus the 到位资金
  these leads hold now (`Lead.paid_in`, whatever the instalments' dates).
- 签约后终止 in P: leads dropped in P after their signing was counted
  (count and counted amount), listed; the signing stays in its month.
- 调整说明: corrections made in P and signings/landings first recorded in P
  with a date before P; each says whether the month it changes is locked.
- Year to date: 1 January of P's end year through P's end. Same period last
  year: P and its year to date one year earlier (a whole month stays whole).
- Landing rate (履约率): of the leads signed in the year to date, the share
  landed (counted landing on or before P's end).
- 开工, 投产, 到位资金 by the instalments' dates and the 四率 (履约率, 开工率,
  资金到位率, 投产率): see `leads.reports.after_landing`; the breakdowns carry
  the dated 到位资金 too.
- Backlog as of D = min(P's end, today): see `leads.reports.backlog`.
- Breakdowns by industry, credited team (引进小分队), credited unit (引进单位),
  分包领导, lead source and capital origin; every lead falls in exactly one
  row of each. The current owner team is what queues and the board use.
- Ranking (红黑榜): see `leads.reports.ranking`.

The number of queries is fixed, whatever the number of leads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from leads.choices import OriginType, Source, Stage
from leads.models import AnnualTarget, Industry, StageOwner, TaskTeam, Unit
from leads.report_tally import report_sums
from leads.reports.after_landing import after_landing_build, rate_counts
from leads.reports.backlog import Backlog, BacklogReport
from leads.reports.events import adjustments, signed_then_dropped
from leads.reports.figures import (
    BreakdownRow,
    LandingRate,
    MonthlyReport,
    Tally,
    TargetRow,
    Totals,
    TrendPoint,
    money,
)
from leads.reports.grouped import Rollup, from_cents, window_totals
from leads.reports.period import Period
from leads.reports.ranking import ranking_rows


@dataclass(frozen=True)
class Dimension:
    """A breakdown: the lead column it groups by and how its rows are listed."""

    name: str
    column: str
    # The rows listed, given the set of the column's values that have figures.
    rows: Callable[[set], list[tuple[object, str, dict]]]
    # Label of the row for leads with no value; shown only when it has figures.
    blank_label: str | None = None


def _industry_rows(values):
    return [(i.pk, i.name, {"industry": i.pk}) for i in Industry.objects.order_by("order", "name")]


def _team_rows(values):
    return [(t.pk, t.name, {"credit_team": t.pk}) for t in TaskTeam.objects.order_by("pk")]


def _unit_rows(values):
    return [
        (u.pk, u.name, {"credit_unit": u.pk})
        for u in Unit.objects.filter(Q(active=True) | Q(pk__in=values - {None}))
    ]


def _leader_rows(values):
    names = sorted(values - {"", None})
    return [(name, name, {"leader_is": name}) for name in names]


def _source_rows(values):
    return [(value, str(label), {"source": value}) for value, label in Source.choices]


def _origin_rows(values):
    return [(value, str(label), {"origin_type": value}) for value, label in OriginType.choices]


class MonthlyReportBuilder:
    """Build the signed-versus-landed report for one period.

    Declared like a report generator: the windows it counts in and the
    dimensions it breaks down by. The figures come from the report tally
    (`leads.report_tally`): the counted events of each day (and each whole
    month) per value of every dimension's column, kept by the database as the
    leads and instalments are written, so the report reads the rows of its
    windows' months and days, not the leads (at 1,000,000 leads, 0.01 s
    against 1.1 s for the grouped reads of the leads and instalments).
    """

    windows = ("month", "ytd", "last_year_month", "last_year_ytd", "previous_ytd")
    dimensions = (
        Dimension("industry", "industry_id", _industry_rows),
        Dimension("team", "credit_team_id", _team_rows, blank_label="未填写引进小分队"),
        Dimension("source", "source", _source_rows, blank_label="未填写"),
        Dimension("origin", "origin_type", _origin_rows, blank_label="未填写"),
        Dimension("unit", "credit_unit_id", _unit_rows, blank_label="未填写引进单位"),
        Dimension("leader", "leader", _leader_rows, blank_label="未填写分包领导"),
    )

    def __init__(self, period: Period, *, today: date | None = None):
        self.period = period
        self.today = today or timezone.localdate()
        self.as_of = min(period.end, self.today)
        self.ranges = {
            "month": period,
            "ytd": period.year_to_date,
            "last_year_month": period.last_year,
            "last_year_ytd": period.last_year.year_to_date,
        }
        # The year to date at the end of the previous month, for the ranking's
        # change of rank; none in January (a new year, new targets).
        end_month_start = period.end.replace(day=1)
        if end_month_start.month > 1:
            self.ranges["previous_ytd"] = Period(
                date(period.end.year, 1, 1), end_month_start - timedelta(days=1)
            )

    def build(self) -> MonthlyReport:
        """Return the report; runs a fixed number of queries."""
        columns = [dim.column for dim in self.dimensions]
        # The counted events and the dated 到位资金 of every window, in all and per
        # value of every breakdown column, from the report tally (its days, not the leads).
        sums = report_sums(self.ranges, columns)
        totals = {window: window_totals(sums.total, window) for window in self.ranges}
        breakdowns = {dim.name: self._breakdown(dim, sums) for dim in self.dimensions}
        counts = rate_counts(sums)
        sla_days = self.sla_days()
        targets = self._targets(totals["ytd"], breakdowns)
        return MonthlyReport(
            period=self.period,
            as_of=self.as_of,
            sla_days=sla_days,
            month_totals=totals["month"],
            ytd_totals=totals["ytd"],
            last_year_month_totals=totals["last_year_month"],
            last_year_ytd_totals=totals["last_year_ytd"],
            by_industry=breakdowns["industry"],
            by_team=breakdowns["team"],
            by_source=breakdowns["source"],
            by_origin=breakdowns["origin"],
            by_unit=breakdowns["unit"],
            by_leader=breakdowns["leader"],
            landing_rate=LandingRate(totals["ytd"].signed.count, counts["landed"]),
            targets=targets,
            backlog=Backlog(as_of=self.as_of, sla_days=sla_days),
            trend=self._trend(),
            signed_then_dropped=signed_then_dropped(self.period),
            corrections=adjustments(self.period),
            ranking=ranking_rows(breakdowns, targets, has_previous="previous_ytd" in self.ranges),
            after_landing=after_landing_build(sums, totals["ytd"], counts),
        )

    def _breakdown(self, dim: Dimension, sums: Rollup) -> list:
        # The values with figures: a counted signing or landing in the windows' span (a
        # row of zeros in the report's windows is listed too), or 到位资金 in the month
        # or the year to date.
        by_value = {
            key: values
            for key, values in sums.by[dim.column].items()
            if values["span_s_count"]
            or values["span_l_count"]
            or values["month_paid"]
            or values["ytd_paid"]
        }
        listed = dim.rows(set(by_value))
        rows = {key: BreakdownRow(name, filters) for key, name, filters in listed}
        blank = BreakdownRow(dim.blank_label or "未填写", {}, linkable=False)

        def row_of(key) -> BreakdownRow:
            # A value outside the listed rows: an empty one, or a stored
            # choice no longer offered; never lose its figures.
            if key in rows:
                return rows[key]
            if key in (None, ""):
                return blank
            return rows.setdefault(key, BreakdownRow(str(key), {dim.name: key}))

        for key, values in by_value.items():
            row = row_of(key)
            row.paid_in_month += from_cents(values["month_paid"])
            row.paid_in_ytd += from_cents(values["ytd_paid"])
            row.month.add(window_totals(values, "month"))
            row.ytd.add(window_totals(values, "ytd"))
            if "previous_ytd" in self.ranges:
                row.previous_ytd.add(window_totals(values, "previous_ytd"))
        result = list(rows.values())
        if (
            blank.paid_in_month
            or blank.paid_in_ytd
            or any(
                totals.signed.count or totals.landed.count for totals in (blank.month, blank.ytd)
            )
        ):
            result.append(blank)
        return result

    # --- trend, targets, backlog ----------------------------------------------

    def _trend(self) -> list[TrendPoint]:
        """Return signed and landed per month for the 12 months ending with the period, from
        the report tally's month rows (and the days of a month not yet whole), as the
        report's other figures: in all, so grouped by one column (the total adds up its
        values)."""
        months = self.period.trailing_months(12)
        sums = report_sums(
            {f"month{number}": month for number, month in enumerate(months)},
            [self.dimensions[0].column],
        )
        points = []
        for number, month in enumerate(months):
            totals = window_totals(sums.total, f"month{number}")
            points.append(TrendPoint(month, totals.signed, totals.landed))
        return points

    def _targets(self, ytd: Totals, breakdowns: dict) -> list[TargetRow]:
        """Return the targets of the period's end year, district first, with YTD actuals."""
        scopes = ("industry", "team", "unit", "leader")
        actual_by = {
            scope: {_row_key(scope, row): row.ytd for row in breakdowns[scope]} for scope in scopes
        }
        rows = []
        targets = AnnualTarget.objects.filter(year=self.period.end.year).select_related(
            "industry", "team", "unit"
        )
        for target in targets:
            figures = Totals(
                Tally(target.signed_count, money(target.signed_amount)),
                Tally(target.landed_count, money(target.landed_amount)),
            )
            scope, name, key = _target_scope(target)
            if scope == "district":
                rows.append(TargetRow(scope, name, {}, figures, ytd))
                continue
            filters = {_FILTER_NAMES[scope]: key}
            rows.append(
                TargetRow(scope, name, filters, figures, actual_by[scope].get(key, Totals()))
            )
        # District first, then each scope in its breakdown order.
        position = {}
        for scope in scopes:
            for index, row in enumerate(breakdowns[scope]):
                position[(scope, _row_key(scope, row))] = index
        order = ("district", *scopes)
        rows.sort(
            key=lambda r: (
                order.index(r.scope),
                position.get((r.scope, r.filters.get(_FILTER_NAMES.get(r.scope, ""))), 0),
                r.name,
            )
        )
        return rows

    def sla_days(self) -> int | None:
        """Return the 签约 stage's time limit in days (None when none is set)."""
        return (
            StageOwner.objects.filter(stage=Stage.SIGNED).values_list("sla_days", flat=True).first()
        )


_FILTER_NAMES = {
    "industry": "industry",
    "team": "credit_team",
    "unit": "credit_unit",
    "leader": "leader_is",
}


def _row_key(scope: str, row: BreakdownRow):
    return row.filters.get(_FILTER_NAMES[scope])


def _target_scope(target: AnnualTarget) -> tuple[str, str, object]:
    if target.industry_id:
        return "industry", target.industry.name, target.industry_id
    if target.team_id:
        return "team", target.team.name, target.team_id
    if target.unit_id:
        return "unit", target.unit.name, target.unit_id
    if target.leader:
        return "leader", target.leader, target.leader
    return "district", "全区", None


def monthly_report_build(period: Period, *, today: date | None = None) -> MonthlyReport:
    """Return the signed-versus-landed report for `period`."""
    return MonthlyReportBuilder(period, today=today).build()


def backlog_report_build(period: Period, *, today: date | None = None) -> BacklogReport:
    """Return the backlog of `period`'s report alone: as of the same day, the same time limit."""
    builder = MonthlyReportBuilder(period, today=today)
    sla_days = builder.sla_days()
    backlog = Backlog(as_of=builder.as_of, sla_days=sla_days)
    return BacklogReport(period, builder.as_of, sla_days, backlog)
