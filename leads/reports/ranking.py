"""The ranking (红黑榜, 相互比拼): teams, units and 分包领导 by year-to-date target completion.

Definitions (also in `DEFINITIONS`):

- Who is ranked: within each scope (引进小分队, 引进单位, 分包领导), those
  with a signed-amount target (签约金额) for the year above zero.
- Order: year-to-date counted signed amount ÷ that target, highest first;
  ties by year-to-date landed amount, then by name.
- Change of rank: the rank by the year to date at the end of the previous
  month, with the same targets (none in January: a new year).
- 先进 / 末位: of n ranked, the top ⌊n/3⌋ are 先进 and the bottom ⌊n/3⌋ 末位.
"""

from __future__ import annotations

from decimal import Decimal

from leads.reports.figures import BreakdownRow, RankingRow, TargetRow, Totals, percent

RANKED_SCOPES = ("team", "unit", "leader")
SCOPE_LABELS = {"team": "引进小分队", "unit": "引进单位", "leader": "分包领导"}
TOP, BOTTOM = "先进", "末位"


def _order(entries: list[tuple[BreakdownRow, TargetRow]], window: str) -> list[BreakdownRow]:
    def key(entry):
        row, target = entry
        actual: Totals = getattr(row, window)
        completion = percent(actual.signed.amount, target.target.signed.amount) or Decimal(0)
        return (-completion, -actual.landed.amount, row.name)

    return [row for row, _target in sorted(entries, key=key)]


def ranking_rows(
    breakdowns: dict[str, list[BreakdownRow]], targets: list[TargetRow], *, has_previous: bool
) -> list[RankingRow]:
    """Return the ranking of every scope, scope by scope, best first."""
    rows = []
    for scope in RANKED_SCOPES:
        by_filters = {
            tuple(target.filters.items()): target
            for target in targets
            if target.scope == scope and target.target.signed.amount > 0
        }
        entries = [
            (row, by_filters[tuple(row.filters.items())])
            for row in breakdowns[scope]
            if row.linkable and tuple(row.filters.items()) in by_filters
        ]
        # A target whose scope has no figures still ranks (at zero).
        listed = {tuple(row.filters.items()) for row, _target in entries}
        for filters, target in by_filters.items():
            if filters not in listed:
                entries.append((BreakdownRow(target.name, target.filters), target))
        target_of = {id(row): target for row, target in entries}
        now = _order(entries, "ytd")
        before = {id(row): place for place, row in enumerate(_order(entries, "previous_ytd"), 1)}
        third = len(now) // 3
        for place, row in enumerate(now, start=1):
            mark = TOP if place <= third else BOTTOM if place > len(now) - third else ""
            rows.append(
                RankingRow(
                    scope=scope,
                    name=row.name,
                    filters=row.filters,
                    rank=place,
                    previous_rank=before[id(row)] if has_previous else None,
                    target=target_of[id(row)].target,
                    actual=row.ytd,
                    mark=mark,
                )
            )
    return rows
