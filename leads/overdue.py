"""The 督办 list: projects with a late node, as rows, in a fixed number of queries.

A row is one late node of one project (the rule: `leads.nodes`), or a
signed project past the 签约 stage's time limit. The page, its Excel
download, the dashboard tile and the monthly report's sheet all read
`overdue_nodes` / `overdue_counts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import NamedTuple

from django.db.models import Count
from django.db.models.functions import Coalesce
from django.utils import timezone

from leads.choices import Node, Stage
from leads.models import Lead, NodePlan, SupervisionNote, TaskTeam
from leads.nodes import (
    NODE_RULES,
    RULES,
    SLA,
    late_any_q,
    late_conditions,
    late_flags,
)
from leads.querysets import stage_sla_days
from leads.reports.period import day_start, next_day_start

KIND_LABELS = {**{node.value: f"计划{node.label}" for node in Node}, SLA: "签约超时限未落地"}
KIND_ORDER = {kind: index for index, kind in enumerate(KIND_LABELS)}
# The node a 签约-time-limit row waits for: 落地.
KIND_NODE = {**{node.value: node.value for node in Node}, SLA: Node.LANDED.value}
ROW_FIELDS = (
    "id",
    "code",
    "name",
    "leader",
    "is_key",
    "stage",
    "stage_entered_at",
    "team__name",
    *(rule.planned for rule in RULES.values()),
)

# Sort keys of the list: query value → row key; "-" reverses. Ties: most late first.
SORTS = {
    "days": lambda row: row.days_late,
    "team": lambda row: row.team,
    "leader": lambda row: row.leader,
    "node": lambda row: row.kind_order,
    "code": lambda row: row.code,
}
DEFAULT_SORT = "-days"


@dataclass(frozen=True)
class OverdueRow:
    """One late node of a project, with its plan's slips and the latest 督办 note."""

    lead_id: int
    code: str
    name: str
    team: str
    leader: str
    is_key: bool
    kind: str
    planned_on: date
    days_late: int
    slips: int
    note: str = ""
    note_deadline: date | None = None
    note_at: datetime | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def node(self) -> str:
        """Return the node (`Node` value) the row waits for."""
        return KIND_NODE[self.kind]

    @property
    def kind_order(self) -> int:
        return KIND_ORDER[self.kind]


def _moment(today: date | None, now: datetime | None) -> tuple[date, datetime]:
    now = now or timezone.now()
    return today or timezone.localdate(now), now


def _leads(team_id: int | None):
    """Return the leads, of one responsible team when `team_id` is given."""
    return Lead.objects.all() if team_id is None else Lead.objects.filter(team_id=team_id)


def late_node_counts(*, today: date, team_id: int | None = None) -> dict[str, int]:
    """Return {"overdue_<node>": count of leads late on that node} (one query per node).

    Each reads the node's planned dates before `today` in its partial index, which
    holds what the rule asks (`lead_plan_<node>_idx`). One aggregate over the OR of
    the four, as before, visited the lead rows: 0.1 s on PostgreSQL at 1,000,000 leads.
    """
    return {
        f"overdue_{rule.node.value}": _leads(team_id)
        .filter(rule.late_q(today))
        .aggregate(late=Count(rule.planned))["late"]
        for rule in NODE_RULES
    }


def overdue_totals(aggregated: dict) -> dict[str, int]:
    """Return {row kind: count} and "total" from counts named "overdue_<kind>"."""
    counts = {kind: aggregated[f"overdue_{kind}"] for kind in KIND_LABELS}
    counts["total"] = sum(counts.values())
    return counts


def overdue_counts(
    *, today: date | None = None, now: datetime | None = None, team_id: int | None = None
) -> dict[str, int]:
    """Return {row kind: count of late rows} and "total" (six queries); `team_id` counts
    the rows of one responsible team."""
    today, now = _moment(today, now)
    counts = late_node_counts(today=today, team_id=team_id)
    sla = late_conditions(today=today, now=now, sla_days=stage_sla_days())[SLA]
    counts[f"overdue_{SLA}"] = _leads(team_id).filter(sla).count()
    return overdue_totals(counts)


def overdue_nodes(
    *, today: date | None = None, now: datetime | None = None, team_id: int | None = None
) -> list[OverdueRow]:
    """Return the 督办 rows on `today` (default: now), most late first.

    Four queries whatever the number of rows: the stage time limits, the
    late leads (flags per node annotated by the rule's own conditions), the
    plans' slips (NodePlan versions that changed a date) and the 督办 notes.
    `team_id` keeps the rows of one responsible team.
    """
    today, now = _moment(today, now)
    sla_days = stage_sla_days()
    zone = timezone.get_current_timezone()
    conditions = late_conditions(today=today, now=now, sla_days=sla_days)
    leads = _leads(team_id).filter(late_any_q(conditions))
    values = list(leads.annotate(**late_flags(conditions)).values(*ROW_FIELDS, *_flag_names()))
    ids = leads.values("pk")
    found = Found(today, sla_days, zone, _slips(ids), _latest_notes(ids))
    rows = found.late_rows(values)
    return overdue_sorted(rows, DEFAULT_SORT)[1]


def overdue_first(
    limit: int,
    *,
    today: date | None = None,
    now: datetime | None = None,
    team_id: int | None = None,
) -> tuple[list[OverdueRow], int]:
    """Return the first `limit` rows of `overdue_nodes` (most late first) and how many there
    are (`overdue_first_rows`, `overdue_counts`)."""
    today, now = _moment(today, now)
    rows = overdue_first_rows(limit, today=today, now=now, team_id=team_id)
    return rows, overdue_counts(today=today, now=now, team_id=team_id)["total"]


def overdue_first_rows(
    limit: int,
    *,
    today: date | None = None,
    now: datetime | None = None,
    team_id: int | None = None,
) -> list[OverdueRow]:
    """Return the first `limit` rows of `overdue_nodes(team_id=…)`, most late first.

    For a list cut short (the monthly workbook's 督办清单, the 督办 page), without reading
    every late lead (`_first_rows`).
    """
    today, now = _moment(today, now)
    return _first_rows(limit, today=today, now=now, leads=_leads(team_id))


def _first_rows(
    limit: int,
    *,
    today: date,
    now: datetime,
    leads,
    kinds=None,
    least_late: bool = False,
) -> list[OverdueRow]:
    """Return the first `limit` rows of `leads` late on `kinds` (default: every kind),
    most late first, or least late first (`overdue_sorted`'s "days") if `least_late`.

    Per row kind, its late leads in the order of their due day (a range of the
    node's plan index, or of the stage index for the 签约 time limit, read from
    either end), the first `limit` and the rest of the last due day read; those
    rows sorted as `overdue_sorted` sorts; then the slips and notes of the rows
    kept.
    """
    limit = max(limit, 0)
    sla_days = stage_sla_days()
    zone = timezone.get_current_timezone()
    unnoted = Found(today, sla_days, zone, {}, {})
    read = {}
    for kind, condition in late_conditions(today=today, now=now, sla_days=sla_days).items():
        if kinds is not None and kind not in kinds:
            continue
        late = leads.filter(condition)
        due = _due(kind)
        first = list(late.order_by(f"-{due}" if least_late else due).values(*ROW_FIELDS)[:limit])
        if first and len(first) == limit:
            last = first[-1]
            if kind == SLA:
                day = _entered_day(last, zone)
                same_day = late.filter(stage_entered_at__gte=day_start(day)).filter(
                    stage_entered_at__lt=next_day_start(day)
                )
            else:
                same_day = late.filter(**{due: last[due]})
            first += list(same_day.values(*ROW_FIELDS))
        for lead in first:
            read[(lead["id"], kind)] = lead
    unsorted = [unnoted.row(lead, kind) for (_, kind), lead in read.items()]
    ordered = overdue_sorted(unsorted, "days" if least_late else DEFAULT_SORT)[1]
    by_id = {lead_id: lead for (lead_id, _), lead in read.items()}
    return _noted(ordered[:limit], by_id, today, sla_days, zone)


class MostLateFirst:
    """The 督办 rows most late first for a Paginator, counted (`overdue_counts`) and read a
    page at a time (`overdue_first_rows`): the first pages at a city's 100,000 late nodes
    do not read them all."""

    def __init__(self, team_id: int | None):
        self.team_id = team_id
        self.now = timezone.now()

    def count(self) -> int:
        return overdue_counts(now=self.now, team_id=self.team_id)["total"]

    def __getitem__(self, index: slice) -> list[OverdueRow]:
        return overdue_first_rows(index.stop, now=self.now, team_id=self.team_id)[index]


class _Key(NamedTuple):
    """What a 督办 row is sorted by (`overdue_sorted`, by the same attributes as OverdueRow)."""

    lead_id: int
    kind: str
    code: str
    team: str
    leader: str
    days_late: int
    kind_order: int


class _Group(NamedTuple):
    """Rows that come together in an order (a node's, a team's): their leads, row kinds and
    count. Within a group, rows come most late first."""

    leads: object
    kinds: tuple[str, ...] | None
    count: int


class SortedByColumn:
    """The 督办 rows in another order than most late first (`overdue_sorted`), for a Paginator,
    a page at a time where an index gives the order:

    - least late first (天数): each kind's late leads read from the other end of its due
      range (`_first_rows`);
    - by 节点 or 小分队: the rows come in groups, each most late first; the groups are
      counted (a node's late range of its index, per team), and the page's groups read
      as the most late first page is read;
    - by 编号: the late leads in the order of the code index, as far as the page;
    - by 分包领导, which no index orders: every late row read, only what it is sorted by
      (its lead's code, team, 分包领导 and due day), one query per row kind; the page's
      rows then made with their slips and notes.

    Reading every late row, made in full, took 2.1 s at 1,000,000 leads (103,650 late
    rows); only their sort columns, about 1 s (docs/benchmarks.md).
    """

    def __init__(self, team_id: int | None, sort: str):
        self.team_id = team_id
        self.sort = sort_applied(sort)
        self.key = self.sort.lstrip("-")
        self.reverse = self.sort.startswith("-")
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.sla_days = stage_sla_days()
        self._ordered: list[_Key] | None = None
        self._groups: list[_Group] | None = None

    def count(self) -> int:
        return overdue_counts(today=self.today, now=self.now, team_id=self.team_id)["total"]

    def __getitem__(self, index: slice) -> list[OverdueRow]:
        start, stop = index.start or 0, index.stop
        if self.key == "days":
            leads = _leads(self.team_id)
            return self._first(stop, leads, least_late=not self.reverse)[start:stop]
        if self.key in ("node", "team"):
            return self._grouped(start, stop)
        if self.key == "code":
            return self._by_code(start, stop)
        return self._made(self._keys()[index])

    def _first(self, stop: int, leads, kinds=None, least_late: bool = False) -> list[OverdueRow]:
        return _first_rows(
            stop, today=self.today, now=self.now, leads=leads, kinds=kinds, least_late=least_late
        )

    def _grouped(self, start: int, stop: int) -> list[OverdueRow]:
        """The rows `start` to `stop` of the groups in order, each group's read from its
        own most late first rows."""
        rows, offset = [], 0
        for group in self.groups():
            begin, end = max(start - offset, 0), min(stop - offset, group.count)
            if begin < end:
                rows += self._first(end, group.leads, group.kinds)[begin:end]
            offset += group.count
            if offset >= stop:
                break
        return rows

    def groups(self) -> list[_Group]:
        """Return the groups of rows in the order asked: per row kind (节点) or per
        responsible team by name (小分队, no team first), reversed for "-"."""
        if self._groups is None:
            leads = _leads(self.team_id)
            if self.key == "node":
                counts = overdue_counts(today=self.today, now=self.now, team_id=self.team_id)
                groups = [_Group(leads, (kind,), counts[kind]) for kind in KIND_LABELS]
            else:
                groups = self._team_groups(leads)
            self._groups = groups[::-1] if self.reverse else groups
        return self._groups

    def _team_groups(self, leads) -> list[_Group]:
        """Per responsible team, its late rows: one count per row kind, grouped by team
        (0: none), each read from the kind's late range of its index alone (the plan
        indexes end with the team, the stage index holds it). Grouped by the team column
        itself, SQLite read the team index instead, visiting every lead (1.7 s at
        1,000,000 leads); counting the lead ids, PostgreSQL visited each late lead's row."""
        conditions = late_conditions(today=self.today, now=self.now, sla_days=self.sla_days)
        counts: dict[int, int] = {}
        for kind, condition in conditions.items():
            grouped = (
                leads.filter(condition)
                .order_by()
                .values(held_by=Coalesce("team_id", 0))
                .annotate(late=Count(_due(kind)))
            )
            for row in grouped:
                counts[row["held_by"]] = counts.get(row["held_by"], 0) + row["late"]
        names = dict(TaskTeam.objects.filter(pk__in=counts).values_list("pk", "name"))
        order = sorted(counts, key=lambda team: names.get(team, ""))
        return [
            _Group(
                leads.filter(team_id=team) if team else leads.filter(team__isnull=True),
                None,
                counts[team],
            )
            for team in order
        ]

    def _by_code(self, start: int, stop: int) -> list[OverdueRow]:
        """The late leads in the code index's order, as many as the page needs (each has a
        row at least), cut into their rows; then the page's rows, with their slips and notes."""
        zone = timezone.get_current_timezone()
        conditions = late_conditions(today=self.today, now=self.now, sla_days=self.sla_days)
        late = _leads(self.team_id).filter(late_any_q(conditions))
        order = "-code" if self.reverse else "code"
        values = late.annotate(**late_flags(conditions)).order_by(order)
        leads = list(values.values(*ROW_FIELDS, *_flag_names())[:stop])
        unnoted = Found(self.today, self.sla_days, zone, {}, {})
        rows = unnoted.late_rows(leads)
        kept = overdue_sorted(rows, self.sort)[1][start:stop]
        by_id = {lead["id"]: lead for lead in leads}
        return _noted(kept, by_id, self.today, self.sla_days, zone)

    def _keys(self) -> list[_Key]:
        if self._ordered is None:
            zone = timezone.get_current_timezone()
            conditions = late_conditions(today=self.today, now=self.now, sla_days=self.sla_days)
            keys = []
            for kind, condition in conditions.items():
                due = _due(kind)
                late = _leads(self.team_id).filter(condition).order_by()
                for pk, code, team, leader, on in late.values_list(
                    "id", "code", "team__name", "leader", due
                ):
                    planned_on = _planned_on({due: on}, kind, self.sla_days, zone)
                    days = (self.today - planned_on).days
                    keys.append(_Key(pk, kind, code, team or "", leader, days, KIND_ORDER[kind]))
            self._ordered = overdue_sorted(keys, self.sort)[1]
        return self._ordered

    def _made(self, kept: list[_Key]) -> list[OverdueRow]:
        ids = {key.lead_id for key in kept}
        leads = {lead["id"]: lead for lead in Lead.objects.filter(pk__in=ids).values(*ROW_FIELDS)}
        zone = timezone.get_current_timezone()
        return _noted(kept, leads, self.today, self.sla_days, zone)


@dataclass(frozen=True)
class Found:
    """What a 督办 row is made from besides its lead: the day, the time limits, the zone,
    the plans' slips and the latest notes ({(lead, node): …})."""

    today: date
    sla_days: dict[str, int]
    zone: tzinfo
    slips: dict
    notes: dict

    def late_rows(self, leads) -> list[OverdueRow]:
        """Return a row per late kind of each lead of `leads` (ROW_FIELDS and the late flags)."""
        return [
            self.row(lead, kind) for lead in leads for kind in KIND_LABELS if lead[f"late_{kind}"]
        ]

    def row(self, lead: dict, kind: str) -> OverdueRow:
        """Return the row of `lead` (ROW_FIELDS) late on `kind`."""
        planned_on = _planned_on(lead, kind, self.sla_days, self.zone)
        node = KIND_NODE[kind]
        note = _newest(self.notes.get((lead["id"], node)), self.notes.get((lead["id"], "")))
        return OverdueRow(
            lead_id=lead["id"],
            code=lead["code"],
            name=lead["name"],
            team=lead["team__name"] or "",
            leader=lead["leader"],
            is_key=lead["is_key"],
            kind=kind,
            planned_on=planned_on,
            days_late=(self.today - planned_on).days,
            slips=self.slips.get((lead["id"], node), 0),
            note=note.note if note else "",
            note_deadline=note.deadline if note else None,
            note_at=note.at if note else None,
        )


def _noted(
    kept, leads: dict, today: date, sla_days: dict[str, int], zone: tzinfo
) -> list[OverdueRow]:
    """Return the rows `kept` (each naming its lead id and row kind) made from `leads`
    ({id: ROW_FIELDS}) with their plans' slips and latest notes (two queries)."""
    ids = {row.lead_id for row in kept}
    found = Found(today, sla_days, zone, _slips(ids), _latest_notes(ids))
    return [found.row(leads[row.lead_id], row.kind) for row in kept]


def _due(kind: str) -> str:
    """Return the lead field a row of `kind` is due by: the node's planned date, or the
    day it entered 签约 (for the 签约 time limit)."""
    return "stage_entered_at" if kind == SLA else RULES[kind].planned


def _flag_names() -> list[str]:
    """The late flags (`late_flags`) a lead's values carry, one per row kind."""
    return [f"late_{kind}" for kind in KIND_LABELS]


def _planned_on(lead: dict, kind: str, sla_days: dict[str, int], zone: tzinfo) -> date:
    """Return the date the row was due: the planned date, or the 签约 time limit's last day.

    The day entered is `timezone.localdate`'s, in `zone` looked up once for all rows
    rather than once per row (through asgiref's Local: 60,000 late signings at a city).
    """
    if kind == SLA:
        return _entered_day(lead, zone) + timedelta(days=sla_days[Stage.SIGNED.value])
    return lead[RULES[kind].planned]


def _entered_day(lead: dict, zone: tzinfo) -> date:
    """Return the local day the lead entered its stage (`timezone.localdate` in `zone`)."""
    return lead["stage_entered_at"].astimezone(zone).date()


def _slips(ids) -> dict[tuple[int, str], int]:
    """Return {(lead, node): times its planned date was changed after the first plan}."""
    changed = (
        NodePlan.objects.filter(lead__in=ids, previous_on__isnull=False)
        .values("lead_id", "node")
        .annotate(count=Count("pk"))
    )
    return {(row["lead_id"], row["node"]): row["count"] for row in changed}


def _latest_notes(ids) -> dict[tuple[int, str], SupervisionNote]:
    """Return {(lead, node): its newest 督办 note}; node "" holds notes on no node."""
    latest = {}
    notes = SupervisionNote.objects.filter(lead__in=ids).only(
        "lead_id", "node", "note", "deadline", "at"
    )
    for note in notes.order_by("-at", "-id"):
        latest.setdefault((note.lead_id, note.node), note)
    return latest


def _newest(*notes):
    present = [note for note in notes if note is not None]
    return max(present, key=lambda note: (note.at, note.pk)) if present else None


def sort_applied(value: str | None) -> str:
    """Return the sort ?o=`value` asks for (a key of SORTS, "-" first for the reverse), or
    the default (most late first) when it names none."""
    return value if value and value.lstrip("-") in SORTS else DEFAULT_SORT


def overdue_sorted(rows: list[OverdueRow], value: str) -> tuple[str, list[OverdueRow]]:
    """Return (the sort applied, `rows` sorted by ?o=`value`); by default most late first."""
    value = sort_applied(value)
    key = value.lstrip("-")
    ordered = sorted(rows, key=lambda row: (-row.days_late, row.code, row.kind_order))
    ordered.sort(key=SORTS[key], reverse=value.startswith("-"))
    return value, ordered
