"""The backlog (签约未落地) as of a day, read against the stage history."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import chain

from django.db import connections
from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils import timezone

from leads.choices import Stage
from leads.models import Lead, StageTransition
from leads.querysets import landed_in_q, signed_in_q
from leads.reports.figures import ZERO, BacklogRow
from leads.reports.grouped import COUNTED_AMOUNT, cents, from_cents
from leads.reports.period import Period, next_day_start

# What a listed row holds (BacklogRow is made from it), and the order the rows are listed
# in: longest waiting first, the unique code breaking ties.
LISTED_FIELDS = (
    "pk",
    "code",
    "name",
    "investor",
    "industry__name",
    "team__name",
    "first_signed_on",
    "cents",
)
LISTED_ORDER = ("first_signed_on", "code")
# A listed row's place in that order (`code` is unique, so the order is total).
_listed_order = operator.itemgetter(*(LISTED_FIELDS.index(name) for name in LISTED_ORDER))
# The stages of a lead whose signing stands (not dropped or moved back).
SIGNED_STAGES = (Stage.SIGNED, Stage.LANDED)


class Backlog(Sequence):
    """The backlog as of a day: its totals from one aggregate, its rows read where they are listed.

    At 1,000,000 leads the backlog holds about 70,000 leads: reading them all
    took a second, most of the report's time, though the page shows the
    first 300. So the totals (项目数, 其中超期, 签约金额) are one query summed by
    the database; `backlog[:n]` reads the first n rows (kept); iterating
    reads every row in order (the JSON and the workbook) once and keeps them:
    locking a report writes the JSON, the workbook and the page from one read,
    the totals then worked out from the rows.

    As of a past day, the leads moved since (the parts after the first, each
    looked up in its history) are read whole once, and their rows serve the
    totals, the first rows and every row: summed and listed from one read, not
    looked up in their history again for each (at 1,000,000 leads, 30
    November, 1,844 moved in a week: 15-20 ms a read).
    """

    def __init__(self, *, as_of: date, sla_days: int | None):
        self.as_of = as_of
        self.sla_days = sla_days
        self._parts = _backlog_parts(as_of)
        self._totals: dict | None = None
        self._shown: dict[tuple, list[BacklogRow]] = {}
        self._all: list[BacklogRow] | None = None
        self._moved: list[tuple] | None = None

    def _totals_read(self) -> dict:
        if self._totals is None:
            # One aggregate over the parts' UNION ALL (Django aggregates a union's
            # columns under the wrong names, so the outer SELECT is written here).
            overdue = Value(0)
            if self.sla_days is not None:
                overdue = Case(
                    When(first_signed_on__lt=self._overdue_before(), then=Value(1)),
                    default=Value(0),
                )
            listed = self._parts[0].annotate(cents=cents(COUNTED_AMOUNT), late=overdue)
            inner, params = listed.values("cents", "late").query.sql_with_params()
            sql = (
                "SELECT COUNT(*), CAST(SUM(cents) AS BIGINT), CAST(SUM(late) AS BIGINT) "
                f"FROM ({inner}) backlog"
            )
            with connections[listed.db].cursor() as cursor:
                cursor.execute(sql, params)
                count, amount, late = cursor.fetchone()
            moved = _summed(self._rows(self._moved_rows()))
            self._totals = {
                "count": count + moved["count"],
                "overdue": (late or 0) + moved["overdue"],
                "amount": from_cents(amount) + moved["amount"],
            }
        return self._totals

    @property
    def overdue_count(self) -> int:
        """Return how many have waited longer than the 签约 time limit."""
        return self._totals_read()["overdue"]

    @property
    def amount(self) -> Decimal:
        """Return the counted 签约投资额 of the backlog, summed in cents."""
        return self._totals_read()["amount"]

    def __len__(self) -> int:
        return self._totals_read()["count"]

    def __getitem__(self, index):
        if isinstance(index, int):
            if index < 0:
                return list(self)[index]
            rows = self[index : index + 1]
            if not rows:
                raise IndexError(index)
            return rows[0]
        if self._all is not None:
            return self._all[index]
        key = (index.start, index.stop, index.step)
        if key not in self._shown:
            self._shown[key] = self._rows(self._first(index))
        return self._shown[key]

    def __iter__(self) -> Iterator[BacklogRow]:
        if self._all is None:
            # Each part read whole in the backlog's order, then merged: the leads still
            # at 签约 come from the backlog index alone, in its order (PostgreSQL 0.32
            # -> 0.07 s at 1,000,000 leads), not sorted with the others in a union.
            # Plain queries, not server-side cursors (`iterator()`): PostgreSQL plans
            # a cursor for its first rows, which took the list from 0.9 to 2 s.
            first = _fetched(self._listed(self._parts[:1]))
            self._all = self._rows(_merged([first, self._moved_rows()]))
            if self._totals is None:
                self._totals = _summed(self._all)
        return iter(self._all)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None

    def __repr__(self) -> str:
        return f"<Backlog as of {self.as_of}: {len(self)}>"

    def _overdue_before(self) -> date:
        # Overdue: waited more than sla_days full days, i.e. signed before this day.
        return self.as_of - timedelta(days=self.sla_days)

    def _listed(self, parts=None):
        # Plain tuples: model instances (with their field tracker) cost ten times
        # more to build for a backlog of thousands, dicts a little more; the
        # amount in whole cents, an integer, which needs no converter.
        listed = _union(
            part.annotate(cents=cents(COUNTED_AMOUNT)).values_list(*LISTED_FIELDS)
            for part in parts or self._parts
        )
        return listed.order_by(*LISTED_ORDER)

    def _first(self, index: slice) -> list[tuple]:
        """Return the listed rows of `index` (a slice), reading the first part's first rows only.

        The first part's first `stop` rows in the backlog's order (a range of the
        backlog index, in order: PostgreSQL reads those rows alone, not every waiting
        lead to sort them, 300 ms at 1,000,000 leads), merged here with the moved
        leads' rows (`_moved_rows`) in the same order (`code` is unique, so the order
        is total).
        """
        start, stop = index.start or 0, index.stop
        if len(self._parts) == 1 or stop is None or stop < 0 or start < 0 or index.step:
            return list(self._listed()[index])
        return _merged([self._listed(self._parts[:1])[:stop], self._moved_rows()])[index]

    def _moved_rows(self) -> list[tuple]:
        """Return the listed rows of the parts after the first (the leads moved since the
        day; none as of today), read whole once, in order."""
        if self._moved is None:
            self._moved = _merged(_fetched(self._listed([part])) for part in self._parts[1:])
        return self._moved

    def _rows(self, listed: Iterable[tuple]) -> list[BacklogRow]:
        as_of = self.as_of
        before = self._overdue_before() if self.sla_days is not None else None
        return [
            BacklogRow(
                pk,
                code,
                name,
                investor,
                industry,
                team or "",
                signed_on,
                from_cents(amount),
                (as_of - signed_on).days,
                before is not None and signed_on < before,
            )
            for pk, code, name, investor, industry, team, signed_on, amount in listed
        ]


@dataclass
class BacklogReport:
    """A period's backlog alone, read as the report reads it: what the 签约未落地 sheet needs
    (the period, the day it is as of, the 签约 time limit) for the full list's download."""

    period: Period
    as_of: date
    sla_days: int | None
    backlog: Backlog

    @property
    def overdue_count(self) -> int:
        return self.backlog.overdue_count


def backlog_rows(*, as_of: date, sla_days: int | None) -> list[BacklogRow]:
    """Return the leads signed but not landed as of `as_of`, longest waiting first."""
    return list(Backlog(as_of=as_of, sla_days=sla_days))


def _backlog_parts(as_of: date) -> list[QuerySet]:
    """Return the leads signed but not landed as of `as_of`, as disjoint querysets.

    Counted by event, like the report's figures: the lead's counted signing
    (`signed_in_q`) is on or before `as_of`, its counted landing is not, and
    it sat in 签约 at the end of `as_of`; it has waited since its counted
    签约日期. Where it sat then is told by two parts:

    - not moved since (entered its stage before the end of `as_of`): the stage
      then is the stage now, 签约. A range of the backlog index (stage 签约,
      by when it entered): the candidates are the leads at 签约 now, not every
      lead ever signed, so this part costs the backlog, not the city's history;
    - moved since: its stage then is read from the history (`_stage_then`),
      for the leads moved after `as_of` only (a range of the stage index per
      stage; none as of today).

    At 1,000,000 leads (SQLite, 30 November) the history condition over every
    signed and not yet landed lead took 1.1 s for the totals; the two parts
    take 0.02 s and 0.05 s.
    """
    counted = Lead.objects.filter(signed_in_q(end=as_of)).exclude(landed_in_q(end=as_of)).order_by()
    end = next_day_start(as_of)
    if as_of >= timezone.localdate():
        # As of today nothing has moved since: the stage then is the stage now.
        return [counted.filter(stage=Stage.SIGNED)]
    return [
        counted.filter(stage=Stage.SIGNED, stage_entered_at__lt=end),
        counted.filter(pk__in=_moved_since(as_of)).filter(
            Exact(_stage_then(end), Value(Stage.SIGNED.value))
        ),
    ]


def _moved_since(as_of: date) -> QuerySet:
    """Return the ids of the leads signed by `as_of` that changed stage after it.

    Every stage listed, so each is a range of the stage index (stage,
    stage_entered_at), which holds the signing date and the id: the leads are
    picked in the index alone (1,844 of the 16,501 moved in a week at
    1,000,000 leads), not read from the table.
    """
    return (
        Lead.objects.filter(
            stage__in=Stage.values,
            stage_entered_at__gte=next_day_start(as_of),
            first_signed_on__lte=as_of,
        )
        .values("pk")
        .order_by()
    )


def _summed(rows: list[BacklogRow]) -> dict:
    """Return the totals of `rows`: 项目数, 其中超期 and 签约金额."""
    return {
        "count": len(rows),
        "overdue": sum(row.overdue for row in rows),
        "amount": sum((row.contract_amount for row in rows), ZERO),
    }


def _merged(parts: Iterable[Iterable[tuple]]) -> list[tuple]:
    """Return the listed rows of `parts` in the backlog's order.

    Sorted here, by Python's comparison (codes by code point), rather than merged as
    each part came: under a database collation other than C, the database may order
    the codes of one signing day otherwise, and the list keeps one order. Each part
    comes in order already, which the sort finds as runs (about 15 ms for 70,000).
    """
    return sorted(chain.from_iterable(parts), key=_listed_order)


def _fetched(listed: QuerySet) -> list[tuple]:
    """Return the rows of `listed` (a values_list of LISTED_FIELDS) as the driver gives them.

    The listed columns need no converter on either database (the dates come as
    dates, the amount as whole cents, an integer), so the rows are read past
    Django's conversion of each row: a fifth of the time to list 70,000 waiting
    leads. A test holds them equal to the rows Django gives.
    """
    sql, params = listed.query.sql_with_params()
    with connections[listed.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _union(querysets) -> QuerySet:
    """Return the rows of `querysets` (disjoint, with the same columns) as one queryset."""
    first, *rest = querysets
    return first.union(*rest, all=True) if rest else first


def _stage_then(end: datetime):
    """Return the lead's stage just before `end`, by its history.

    The last StageTransition before `end`; a lead with no transition by then
    counts by its dates when it is now 签约 or 落地, or was dropped from 签约
    (a lead imported later with its 签约日期).
    """
    return Coalesce(
        Subquery(
            StageTransition.objects.filter(lead=OuterRef("pk"), at__lt=end)
            .order_by("-at", "-id")
            .values("to_stage")[:1]
        ),
        Case(
            When(
                Q(stage__in=SIGNED_STAGES) | Q(stage=Stage.DROPPED, dropped_from=Stage.SIGNED),
                then=Value(Stage.SIGNED.value),
            ),
            default=Value(""),
        ),
    )
