"""The problem figures of a period: raised, closed out, overdue, still open, and the rates.

Definitions (the report's 统计口径 repeats them):
- 新增: raised in the period; 销号: closed out in the period;
- 未销号 and 超期: at the end of the period's last day (or the statistics day,
  if earlier) — a problem is overdue from the day after its deadline while
  in a deadline state (not 记录在案), its status then read from its history;
- 办结率: of the problems raised in the year to date, the share closed out by
  the end of the period; 按期办结率: of those closed out in the year to date,
  the share closed out on or before the deadline; 满意率: of the feedback
  ratings given in the year to date (an unsatisfied one reopens the
  problem), the share 满意 or 基本满意.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Subquery

from aftercare.choices import DEADLINE_STATES, SATISFIED_RATINGS, Category, Status
from aftercare.models import Problem, ProblemStatusChange, responsible_name
from leads.reports.period import Period, day_start, next_day_start

# The section's 统计口径, shown under its tables (the module docstring says the same).
DEFINITIONS = [
    ("本期新增", "反映日期在统计期间内的诉求。"),
    ("本期销号", "销号日期在统计期间内的诉求（销号须已向企业反馈且企业满意或基本满意）。"),
    (
        "期末未销号、期末超期",
        "统计期间最后一天（或统计日）结束时尚未销号的诉求；其中办理时限已过且处于待办、"
        "办理中、已办结未反馈或已上报状态的为超期（时限当天不算超期，次日零时起超期，北京时间）。"
        "记录在案的不计超期。",
    ),
    ("办结率", "本年反映的诉求中，截至期末已销号的比例。"),
    ("按期办结率", "本年销号的诉求中，销号日期不晚于办理时限的比例。"),
    ("满意率", "本年企业反馈评价中“满意”和“基本满意”的比例（含评价不满意而重新办理的）。"),
]


def percent(part: int, whole: int) -> Decimal | None:
    """Return part ÷ whole as a percentage with two places, None when whole is zero."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class ProblemRow:
    name: str
    raised: int = 0
    closed: int = 0
    open: int = 0
    overdue: int = 0
    ytd_raised: int = 0
    ytd_raised_closed: int = 0
    ytd_closed: int = 0
    ytd_closed_on_time: int = 0
    ytd_rated: int = 0
    ytd_satisfied: int = 0

    @property
    def closing_rate(self):
        return percent(self.ytd_raised_closed, self.ytd_raised)

    @property
    def on_time_rate(self):
        return percent(self.ytd_closed_on_time, self.ytd_closed)

    @property
    def satisfaction_rate(self):
        return percent(self.ytd_satisfied, self.ytd_rated)


@dataclass
class ProblemFigures:
    period: Period
    ytd: Period
    end: date
    total: ProblemRow
    by_category: list[ProblemRow] = field(default_factory=list)
    by_unit: list[ProblemRow] = field(default_factory=list)

    definitions = DEFINITIONS

    @property
    def tables(self) -> list[tuple[str, list[ProblemRow]]]:
        """Return the two breakdowns, each ending with the total row, as the page shows them."""
        return [
            ("诉求类别", [*self.by_category, self.total]),
            ("责任单位", [*self.by_unit, self.total]),
        ]


def problem_figures_build(period: Period, as_of: date) -> ProblemFigures:
    """Return the period's problem figures, overall, by category and by responsible unit."""
    end = min(period.end, as_of)
    ytd = period.year_to_date
    edge = next_day_start(end)
    status_then = (
        ProblemStatusChange.objects.filter(problem=OuterRef("pk"), at__lt=edge)
        .order_by("-at", "-id")
        .values("to_status")[:1]
    )
    rows = (
        Problem.objects.filter(raised_on__lte=period.end)
        .annotate(status_then=Subquery(status_then))
        .values_list(
            "category",
            "responsible_team__name",
            "responsible_unit__name",
            "responsible_unit_name",
            "raised_on",
            "deadline",
            "closed_on",
            "status_then",
        )
    )
    total = ProblemRow("合计")
    categories = {value: ProblemRow(str(label)) for value, label in Category.choices}
    units: dict[str, ProblemRow] = {}
    for category, *names, raised_on, deadline, closed_on, status_then in rows.iterator():
        unit_name = responsible_name(*names)
        targets = (total, categories[category], units.setdefault(unit_name, ProblemRow(unit_name)))
        facts = _facts(period, ytd, end, raised_on, deadline, closed_on, status_then)
        for target in targets:
            for name, value in facts.items():
                setattr(target, name, getattr(target, name) + value)
    _add_ratings(total, categories, units, start=ytd.start, end=end)
    return ProblemFigures(
        period=period,
        ytd=ytd,
        end=end,
        total=total,
        by_category=list(categories.values()),
        by_unit=sorted(units.values(), key=lambda row: row.name),
    )


def _facts(period, ytd, end, raised_on, deadline, closed_on, status_then) -> dict[str, int]:
    """Return what one problem adds to each count."""
    closed_by_end = closed_on is not None and closed_on <= end
    open_at_end = raised_on <= end and not closed_by_end
    status = status_then or (Status.CLOSED if closed_by_end else Status.OPEN)
    in_ytd = ytd.start <= raised_on <= ytd.end
    closed_in_ytd = closed_on is not None and ytd.start <= closed_on <= ytd.end
    return {
        "raised": int(period.start <= raised_on <= period.end),
        "closed": int(closed_on is not None and period.start <= closed_on <= period.end),
        "open": int(open_at_end),
        "overdue": int(open_at_end and status in DEADLINE_STATES and deadline < end),
        "ytd_raised": int(in_ytd),
        "ytd_raised_closed": int(in_ytd and closed_by_end),
        "ytd_closed": int(closed_in_ytd),
        "ytd_closed_on_time": int(closed_in_ytd and closed_on <= deadline),
    }


def _add_ratings(total, categories, units, *, start: date, end: date) -> None:
    """Count the feedback ratings given from `start` to the end of `end` (满意率's base)."""
    ratings = ProblemStatusChange.objects.exclude(rating="").filter(
        at__gte=day_start(start), at__lt=next_day_start(end)
    )
    for category, team, unit, text, rating in ratings.values_list(
        "problem__category",
        "problem__responsible_team__name",
        "problem__responsible_unit__name",
        "problem__responsible_unit_name",
        "rating",
    ):
        unit_name = responsible_name(team, unit, text)
        satisfied = int(rating in SATISFIED_RATINGS)
        unit_row = units.setdefault(unit_name, ProblemRow(unit_name))
        for target in (total, categories[category], unit_row):
            target.ytd_rated += 1
            target.ytd_satisfied += satisfied
