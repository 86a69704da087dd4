"""The figures of the monthly report: tallies, rows and the report itself, plain data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from leads.reports.period import Period

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def money(value) -> Decimal:
    """Return `value` (None for an empty sum) as Decimal with two places."""
    return ZERO if value is None else Decimal(value).quantize(CENT, ROUND_HALF_UP)


def percent(part, whole) -> Decimal | None:
    """Return part/whole in percent with two places, or None when whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


def growth(now, before) -> Decimal | None:
    """Return the 同比 growth of `now` over `before` in percent; None when before is zero."""
    if not before:
        return None
    return ((Decimal(now) - Decimal(before)) * 100 / Decimal(before)).quantize(CENT, ROUND_HALF_UP)


def rate_percent(part, whole) -> Decimal | None:
    """Return part/whole in percent with one place (the 四率), or None when whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, ROUND_HALF_UP)


@dataclass
class Tally:
    """A count of leads and the sums of their amounts (万元)."""

    count: int = 0
    amount: Decimal = ZERO
    paid_in: Decimal = ZERO

    def add(self, other: Tally) -> None:
        self.count += other.count
        self.amount += other.amount
        self.paid_in += other.paid_in


@dataclass
class Totals:
    """Signed and landed tallies of one window."""

    signed: Tally = field(default_factory=Tally)
    landed: Tally = field(default_factory=Tally)

    def add(self, other: Totals) -> None:
        self.signed.add(other.signed)
        self.landed.add(other.landed)


@dataclass
class BreakdownRow:
    """One row of a breakdown; `filters` are the LeadFilter parameters selecting it."""

    name: str
    filters: dict
    month: Totals = field(default_factory=Totals)
    ytd: Totals = field(default_factory=Totals)
    # The year to date at the previous month's end (the ranking's last rank).
    previous_ytd: Totals = field(default_factory=Totals)
    # False for the row of leads with no value, which LeadFilter cannot select.
    linkable: bool = True
    # 到位资金 by the instalments' received_on (PaidIn), not by the landing month.
    paid_in_month: Decimal = ZERO
    paid_in_ytd: Decimal = ZERO


@dataclass
class TrendPoint:
    period: Period
    signed: Tally
    landed: Tally


@dataclass
class LandingRate:
    signed_count: int
    landed_count: int

    @property
    def percent(self) -> Decimal | None:
        return percent(self.landed_count, self.signed_count)


@dataclass
class Rate:
    """One of the 四率: numerator ÷ denominator (counts; 万元 for 资金到位率)."""

    numerator: int | Decimal = 0
    denominator: int | Decimal = 0

    @property
    def percent(self) -> Decimal | None:
        return rate_percent(self.numerator, self.denominator)


WINDOWS = ("month", "ytd", "last_year_month", "last_year_ytd")
RATES = ("performance", "start", "paid_in", "production")


@dataclass
class AfterLanding:
    """开工 and 投产 (count, counted 签约投资额) and dated 到位资金 per window; the 四率.

    Each dict is keyed by window ("month", "ytd", "last_year_month",
    "last_year_ytd"); `rates` by "performance" (履约率), "start" (开工率),
    "paid_in" (资金到位率) and "production" (投产率).
    """

    started: dict = field(default_factory=lambda: {w: Tally() for w in WINDOWS})
    in_production: dict = field(default_factory=lambda: {w: Tally() for w in WINDOWS})
    paid_in: dict = field(default_factory=lambda: dict.fromkeys(WINDOWS, ZERO))
    rates: dict = field(
        default_factory=lambda: {
            name: Rate(ZERO, ZERO) if name == "paid_in" else Rate() for name in RATES
        }
    )


@dataclass
class TargetRow:
    """One annual target and the year-to-date figures against it."""

    scope: str  # "district", "industry", "team", "unit" or "leader"
    name: str
    filters: dict
    target: Totals
    actual: Totals

    def percent(self, kind: str, measure: str) -> Decimal | None:
        return percent(
            getattr(getattr(self.actual, kind), measure),
            getattr(getattr(self.target, kind), measure),
        )


@dataclass(slots=True)
class BacklogRow:
    pk: int
    code: str
    name: str
    investor: str
    industry: str
    team: str
    signed_on: date
    contract_amount: Decimal
    days_waiting: int
    overdue: bool


@dataclass
class DroppedRow:
    """A lead dropped (终止) after its counted signing: listed in the month of the drop."""

    pk: int
    code: str
    name: str
    team: str
    signed_on: date
    dropped_on: date
    amount: Decimal
    reason: str


@dataclass
class SignedThenDropped:
    """签约后终止: drops of counted signings in the period and in the year to date."""

    month: Tally = field(default_factory=Tally)
    ytd: Tally = field(default_factory=Tally)
    leads: list[DroppedRow] = field(default_factory=list)


@dataclass
class AdjustmentRow:
    """A change made in the period to an earlier period's figures (调整说明).

    `kind` is "correction" (a move back marked 更正误录, which removes a
    counted signing or landing) or "late_entry" (a signing or landing first
    recorded in the period with a date before it, which adds one).
    """

    kind: str
    pk: int
    code: str
    name: str
    event: str  # "signed" or "landed"
    event_on: date
    amount: Decimal
    changed_on: date
    by: str
    reason: str
    locked: bool  # the affected day lies in a locked (封存) report


@dataclass
class RankingRow:
    """One team, unit or 分包领导 in the ranking (红黑榜), by year-to-date target completion."""

    scope: str  # "team", "unit" or "leader"
    name: str
    filters: dict
    rank: int
    previous_rank: int | None
    target: Totals
    actual: Totals
    mark: str  # "先进", "末位" or ""

    @property
    def percent(self) -> Decimal | None:
        return percent(self.actual.signed.amount, self.target.signed.amount)

    @property
    def rank_change(self) -> int | None:
        """Places gained since last month (positive: moved up)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


@dataclass
class MonthlyReport:
    """Everything the page, the workbook and the JSON show, computed once."""

    period: Period
    as_of: date
    sla_days: int | None
    month_totals: Totals
    ytd_totals: Totals
    last_year_month_totals: Totals
    last_year_ytd_totals: Totals
    by_industry: list[BreakdownRow]
    by_team: list[BreakdownRow]
    by_source: list[BreakdownRow]
    by_origin: list[BreakdownRow]
    landing_rate: LandingRate
    targets: list[TargetRow]
    backlog: Sequence[BacklogRow]  # leads.reports.backlog.Backlog: totals, rows read lazily
    trend: list[TrendPoint]
    by_unit: list[BreakdownRow] = field(default_factory=list)
    by_leader: list[BreakdownRow] = field(default_factory=list)
    signed_then_dropped: SignedThenDropped = field(default_factory=SignedThenDropped)
    corrections: list[AdjustmentRow] = field(default_factory=list)
    ranking: list[RankingRow] = field(default_factory=list)
    after_landing: AfterLanding = field(default_factory=AfterLanding)

    @property
    def ytd(self) -> Period:
        return self.period.year_to_date

    @property
    def last_year(self) -> Period:
        return self.period.last_year

    @property
    def last_year_ytd(self) -> Period:
        return self.period.last_year.year_to_date

    @property
    def breakdowns(self) -> list[tuple[str, str, list[BreakdownRow]]]:
        return [
            ("industry", "按产业", self.by_industry),
            ("team", "按小分队", self.by_team),
            ("unit", "按引进单位", self.by_unit),
            ("leader", "按分包领导", self.by_leader),
            ("source", "按来源", self.by_source),
            ("origin", "按资金来源", self.by_origin),
        ]

    @property
    def overdue_count(self) -> int:
        return self.backlog.overdue_count
