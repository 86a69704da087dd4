"""The monthly signed-versus-landed report (月通报), built with database aggregation.

Definitions, for a period P (a month, or any date range for 周报/旬报):

- Signed in P: 签约日期 in P and stage now 签约 or 落地; amount = 签约投资额.
- Landed in P: 落地日期 in P and stage now 落地; amount = 签约投资额, plus 到位资金.
- Year to date: 1 January of P's end year through P's end. Same period last
  year: P and its year to date one year earlier (a whole month stays whole).
- Landing rate: of the leads signed in the year to date, the share landed
  (落地日期 on or before P's end).
- Backlog as of D = min(P's end, today): leads whose 签约日期 is on or before
  D, not landed by D (now 落地 with 落地日期 on or before D), and at 签约 at
  the end of D by the stage history (the last StageTransition before D+1
  00:00 Asia/Shanghai goes to 签约). A lead with no history yet at D (entered
  later, e.g. imported from a ledger) counts by its dates if it is now 签约
  or 落地, or was dropped from 签约. So a later drop, move back or landing
  does not change a past month's backlog. Days waiting = D − 签约日期;
  overdue when that exceeds the 签约 stage's SLA (StageOwner.sla_days).
- Breakdowns by industry, current task team (负责小分队), lead source and
  capital origin; every lead falls in exactly one row of each.

The number of queries is fixed (eight), whatever the number of leads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Count,
    F,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Round
from django.utils import timezone

from leads.choices import OriginType, Source, Stage
from leads.models import AnnualTarget, Industry, Lead, StageOwner, TaskTeam
from leads.querysets import landed_in_q, signed_in_q
from leads.reports.backlog import backlog_rows
from leads.reports.figures import (
    CENT,
    ZERO,
    BreakdownRow,
    LandingRate,
    MonthlyReport,
    Tally,
    TargetRow,
    Totals,
    TrendPoint,
    money,
)
from leads.reports.period import Period


def cents_sum(field: str, condition: Q) -> Sum:
    """Sum an amount column as whole cents (fen ×100, an integer) where `condition` holds.

    SQLite keeps decimals as floating point and sums them inexactly; summing
    rounded integer cents is exact on every database.
    """
    cents = Cast(Round(F(field) * Value(Decimal(100))), output_field=BigIntegerField())
    return Sum(cents, filter=condition)


def from_cents(value) -> Decimal:
    """Return a cents sum (None for no rows) as 万元 with two places."""
    return ZERO if value is None else (Decimal(value) / 100).quantize(CENT)


@dataclass(frozen=True)
class Dimension:
    """A breakdown: the lead column it groups by and how its rows are listed."""

    name: str
    column: str
    rows: Callable[[], list[tuple[object, str, dict]]]
    # Label of the row for leads with no value; shown only when it has figures.
    blank_label: str | None = None


def _industry_rows():
    return [(i.pk, i.name, {"industry": i.pk}) for i in Industry.objects.order_by("order", "name")]


def _team_rows():
    return [(t.pk, t.name, {"team": t.pk}) for t in TaskTeam.objects.order_by("pk")]


def _source_rows():
    return [(value, str(label), {"source": value}) for value, label in Source.choices]


def _origin_rows():
    return [(value, str(label), {"origin_type": value}) for value, label in OriginType.choices]


class MonthlyReportBuilder:
    """Build the signed-versus-landed report for one period.

    Declared like a report generator: the windows it counts in and the
    dimensions it breaks down by. Every figure comes from two grouped
    aggregate queries (signed, landed) over the four windows, one for the
    12-month trend and one for the backlog; the breakdowns are rolled up in
    Python from the grouped rows, whose number is bounded by the number of
    industries × teams × sources × origins, not by the number of leads.
    """

    windows = ("month", "ytd", "last_year_month", "last_year_ytd")
    dimensions = (
        Dimension("industry", "industry_id", _industry_rows),
        Dimension("team", "team_id", _team_rows, blank_label="未分配小分队"),
        Dimension("source", "source", _source_rows, blank_label="未填写"),
        Dimension("origin", "origin_type", _origin_rows, blank_label="未填写"),
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

    def build(self) -> MonthlyReport:
        """Return the report; runs a fixed number of queries."""
        groups = self._grouped_figures()
        totals = {window: Totals() for window in self.windows}
        for row in groups:
            for window in self.windows:
                totals[window].add(row["totals"][window])
        breakdowns = {dim.name: self._breakdown(dim, groups) for dim in self.dimensions}
        sla_days = self._sla_days()
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
            landing_rate=LandingRate(
                signed_count=totals["ytd"].signed.count,
                landed_count=sum(row["rate_landed"] for row in groups),
            ),
            targets=self._targets(totals["ytd"], breakdowns),
            backlog=backlog_rows(as_of=self.as_of, sla_days=sla_days),
            trend=self._trend(),
        )

    # --- grouped figures -------------------------------------------------------

    def _window(self, window: str) -> tuple[date, date]:
        period = self.ranges[window]
        return period.start, period.end

    def _span(self) -> tuple[date, date]:
        return (
            min(period.start for period in self.ranges.values()),
            max(period.end for period in self.ranges.values()),
        )

    def _grouped_figures(self) -> list[dict]:
        """Return one dict per (industry, team, source, origin) with its Totals per window."""
        columns = [dim.column for dim in self.dimensions]
        low, high = self._span()
        signed_aggregates = {"rate_landed": Count("pk", filter=self._rate_landed_q())}
        landed_aggregates = {}
        for window in self.windows:
            in_signed = signed_in_q(*self._window(window))
            in_landed = landed_in_q(*self._window(window))
            signed_aggregates[f"{window}_count"] = Count("pk", filter=in_signed)
            signed_aggregates[f"{window}_amount"] = cents_sum("contract_amount", in_signed)
            landed_aggregates[f"{window}_count"] = Count("pk", filter=in_landed)
            landed_aggregates[f"{window}_amount"] = cents_sum("contract_amount", in_landed)
            landed_aggregates[f"{window}_paid_in"] = cents_sum("paid_in", in_landed)
        signed = (
            Lead.objects.signed_between(low, high)
            .values(*columns)
            .annotate(**signed_aggregates)
            .order_by()
        )
        landed = (
            Lead.objects.landed_between(low, high)
            .values(*columns)
            .annotate(**landed_aggregates)
            .order_by()
        )
        groups: dict[tuple, dict] = {}

        def group(row):
            key = tuple(row[column] for column in columns)
            if key not in groups:
                groups[key] = {
                    "key": dict(zip(columns, key, strict=True)),
                    "totals": {window: Totals() for window in self.windows},
                    "rate_landed": 0,
                }
            return groups[key]

        for row in signed:
            target = group(row)
            target["rate_landed"] += row["rate_landed"]
            for window in self.windows:
                target["totals"][window].signed = Tally(
                    row[f"{window}_count"], from_cents(row[f"{window}_amount"])
                )
        for row in landed:
            target = group(row)
            for window in self.windows:
                target["totals"][window].landed = Tally(
                    row[f"{window}_count"],
                    from_cents(row[f"{window}_amount"]),
                    from_cents(row[f"{window}_paid_in"]),
                )
        return list(groups.values())

    def _rate_landed_q(self) -> Q:
        # Of the leads signed in the year to date, those landed by the period's end.
        return signed_in_q(*self._window("ytd")) & landed_in_q(end=self.period.end)

    def _breakdown(self, dim: Dimension, groups: list[dict]) -> list[BreakdownRow]:
        rows = {key: BreakdownRow(name, filters) for key, name, filters in dim.rows()}
        blank = BreakdownRow(dim.blank_label or "未填写", {}, linkable=False)
        for group in groups:
            key = group["key"][dim.column]
            row = rows.get(key)
            if row is None:
                # A value outside the listed rows: an empty one, or a stored
                # choice no longer offered; never lose its figures.
                if key in (None, ""):
                    row = blank
                else:
                    row = rows.setdefault(key, BreakdownRow(str(key), {dim.name: key}))
            row.month.add(group["totals"]["month"])
            row.ytd.add(group["totals"]["ytd"])
        result = list(rows.values())
        if any(totals.signed.count or totals.landed.count for totals in (blank.month, blank.ytd)):
            result.append(blank)
        return result

    # --- trend, targets, backlog ----------------------------------------------

    def _trend(self) -> list[TrendPoint]:
        """Return signed and landed per month for the 12 months ending with the period."""
        months = self.period.trailing_months(12)
        aggregates = {}
        for index, month in enumerate(months):
            in_signed = signed_in_q(month.start, month.end)
            in_landed = landed_in_q(month.start, month.end)
            aggregates[f"s{index}_count"] = Count("pk", filter=in_signed)
            aggregates[f"s{index}_amount"] = cents_sum("contract_amount", in_signed)
            aggregates[f"l{index}_count"] = Count("pk", filter=in_landed)
            aggregates[f"l{index}_amount"] = cents_sum("contract_amount", in_landed)
            aggregates[f"l{index}_paid_in"] = cents_sum("paid_in", in_landed)
        low, high = months[0].start, months[-1].end
        figures = Lead.objects.filter(signed_in_q(low, high) | landed_in_q(low, high)).aggregate(
            **aggregates
        )
        return [
            TrendPoint(
                month,
                Tally(figures[f"s{i}_count"], from_cents(figures[f"s{i}_amount"])),
                Tally(
                    figures[f"l{i}_count"],
                    from_cents(figures[f"l{i}_amount"]),
                    from_cents(figures[f"l{i}_paid_in"]),
                ),
            )
            for i, month in enumerate(months)
        ]

    def _targets(self, ytd: Totals, breakdowns: dict) -> list[TargetRow]:
        """Return the targets of the period's end year, district first, with YTD actuals."""
        actual_by = {
            "industry": {row.filters.get("industry"): row.ytd for row in breakdowns["industry"]},
            "team": {row.filters.get("team"): row.ytd for row in breakdowns["team"]},
        }
        rows = []
        targets = AnnualTarget.objects.filter(year=self.period.end.year).select_related(
            "industry", "team"
        )
        for target in targets:
            figures = Totals(
                Tally(target.signed_count, money(target.signed_amount)),
                Tally(target.landed_count, money(target.landed_amount)),
            )
            if target.industry_id:
                scope, name, filters = (
                    "industry",
                    target.industry.name,
                    {"industry": target.industry_id},
                )
                actual = actual_by["industry"].get(target.industry_id, Totals())
            elif target.team_id:
                scope, name, filters = "team", target.team.name, {"team": target.team_id}
                actual = actual_by["team"].get(target.team_id, Totals())
            else:
                scope, name, filters, actual = "district", "全区", {}, ytd
            rows.append(TargetRow(scope, name, filters, figures, actual))
        # District first, then industries and teams in their breakdown order.
        position = {}
        for scope in ("industry", "team"):
            for index, row in enumerate(breakdowns[scope]):
                position[(scope, row.filters.get(scope))] = index
        rows.sort(
            key=lambda r: (
                ("district", "industry", "team").index(r.scope),
                position.get((r.scope, r.filters.get(r.scope)), 0),
            )
        )
        return rows

    def _sla_days(self) -> int | None:
        return (
            StageOwner.objects.filter(stage=Stage.SIGNED).values_list("sla_days", flat=True).first()
        )


def monthly_report_build(period: Period, *, today: date | None = None) -> MonthlyReport:
    """Return the signed-versus-landed report for `period`."""
    return MonthlyReportBuilder(period, today=today).build()
