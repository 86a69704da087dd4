"""The 重点项目推进表: each key project's planned against actual nodes for a year, coloured.

Colours (the page and the workbook): green — done on or before the plan;
amber — done, but after the plan; red — the plan has passed and the node
is not done (late, as `leads.nodes` defines it, the 督办 list's rule);
none — not due yet, or no plan for the node.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from leads.choices import Stage
from leads.models import Lead
from leads.nodes import NODE_RULES, NodeRule, late_flags
from leads.services import KEY_PROJECT_AMOUNT, key_proposed

GREEN, AMBER, RED = "green", "amber", "red"
# The candidates the page lists, largest first; the rest are counted.
CANDIDATES_SHOWN = 100
COLOUR_LABELS = {GREEN: "按期完成", AMBER: "延期完成", RED: "逾期未完成", "": "未到期"}


@dataclass(frozen=True)
class NodeCell:
    """One node of a key project: plan, actual, days late and colour."""

    node: str
    label: str
    planned: date | None
    actual: date | None
    days_late: int | None
    colour: str

    @property
    def colour_label(self) -> str:
        if self.planned is None:
            return "未计划"
        return COLOUR_LABELS[self.colour]


@dataclass(frozen=True)
class KeyProjectRow:
    lead_id: int
    code: str
    name: str
    stage_label: str
    team: str
    leader: str
    planned_investment: Decimal | None
    contract_amount: Decimal | None
    paid_in: Decimal | None
    nodes: tuple[NodeCell, ...]


def node_cell(rule: NodeRule, *, planned, actual, late: bool, today: date) -> NodeCell:
    """Return the cell of one node: days late to today while late, at completion once done."""
    days, colour = None, ""
    if planned is not None and actual is not None:
        days = max((actual - planned).days, 0)
        colour = AMBER if days else GREEN
    elif late:
        days, colour = (today - planned).days, RED
    return NodeCell(rule.node.value, str(rule.node.label), planned, actual, days, colour)


def year_q(year: int) -> Q:
    """Return the condition "a key project of `year`'s plan".

    A key project not dropped whose plan has a node in `year`, or a node
    planned before `year` and still not done (carried over); in the current
    year also a key project with no plan yet (so that one is made).
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    condition = Q(pk__in=[])
    for rule in NODE_RULES:
        condition |= Q(**{f"{rule.planned}__range": (start, end)}) | rule.late_q(start)
    if year == timezone.localdate().year:
        condition |= Q(**{f"{rule.planned}__isnull": True for rule in NODE_RULES})
    return Q(is_key=True) & ~Q(stage=Stage.DROPPED) & condition


def _node_annotations(today: date) -> dict:
    annotations = late_flags({rule.node.value: rule.late_q(today) for rule in NODE_RULES})
    for rule in NODE_RULES:
        annotations[f"actual_{rule.node.value}"] = rule.actual_expression()
    return annotations


def key_project_rows(
    *, year: int, today: date | None = None, rows: slice | None = None
) -> list[KeyProjectRow]:
    """Return the key projects of `year`, by code, in one query (plain values: no model rows);
    only `rows` of them (a slice, as a page lists them) when given."""
    today = today or timezone.localdate()
    annotations = _node_annotations(today)
    leads = (
        Lead.objects.filter(year_q(year))
        .annotate(**annotations)
        .order_by("code", "pk")
        .values(*ROW_FIELDS, *(rule.planned for rule in NODE_RULES), *annotations)
    )
    return [_row(lead, today) for lead in (leads if rows is None else leads[rows])]


class KeyProjectPages:
    """The key projects of a year for a Paginator: counted, then read a page at a time."""

    def __init__(self, year: int, today: date | None = None):
        self.year = year
        self.today = today or timezone.localdate()

    def count(self) -> int:
        return Lead.objects.filter(year_q(self.year)).count()

    def __getitem__(self, index: slice) -> list[KeyProjectRow]:
        return key_project_rows(year=self.year, today=self.today, rows=index)


def lead_node_cells(lead_id: int, *, today: date | None = None) -> tuple[NodeCell, ...]:
    """Return one lead's nodes (plan, actual, days late, colour) by the same rules, in one query."""
    today = today or timezone.localdate()
    annotations = _node_annotations(today)
    values = (
        Lead.objects.filter(pk=lead_id)
        .annotate(**annotations)
        .values(*ROW_FIELDS, *(rule.planned for rule in NODE_RULES), *annotations)
        .first()
    )
    return _row(values, today).nodes if values else ()


ROW_FIELDS = (
    "id",
    "code",
    "name",
    "stage",
    "team__name",
    "leader",
    "planned_investment",
    "contract_amount",
    "paid_in",
)


def _row(lead: dict, today: date) -> KeyProjectRow:
    nodes = tuple(
        node_cell(
            rule,
            planned=lead[rule.planned],
            actual=lead[f"actual_{rule.node.value}"],
            late=bool(lead[f"late_{rule.node.value}"]),
            today=today,
        )
        for rule in NODE_RULES
    )
    return KeyProjectRow(
        lead_id=lead["id"],
        code=lead["code"],
        name=lead["name"],
        stage_label=str(Stage(lead["stage"]).label),
        team=lead["team__name"] or "",
        leader=lead["leader"],
        planned_investment=lead["planned_investment"],
        contract_amount=lead["contract_amount"],
        paid_in=lead["paid_in"],
        nodes=nodes,
    )


@dataclass(frozen=True)
class Candidate:
    """A project proposed as a key project; reads as a lead to `key_proposed`."""

    lead_id: int
    code: str
    name: str
    stage_label: str
    team: str
    planned_investment: Decimal | None
    contract_amount: Decimal | None
    is_key: bool = False


def candidate_q() -> Q:
    """Return the condition "large enough to propose and not a key project" (not dropped)."""
    large = Q(contract_amount__gte=KEY_PROJECT_AMOUNT) | Q(
        planned_investment__gte=KEY_PROJECT_AMOUNT
    )
    return large & Q(is_key=False) & ~Q(stage=Stage.DROPPED)


# The candidates largest first: by 签约投资额, then 计划投资额, a blank amount last.
CANDIDATE_ORDER = (
    F("contract_amount").desc(nulls_last=True),
    F("planned_investment").desc(nulls_last=True),
    F("code").asc(),
)
CANDIDATE_INDEX = "lead_key_candidate_idx"


def candidate_index_sql(schema_editor) -> str:
    """Return the CREATE INDEX of the live candidates in CANDIDATE_ORDER (migration 0029).

    The first page and the count read this partial index alone, not the city's
    large projects sorted (0.9 s and 0.2 s at 1,000,000 leads on SQLite). Written
    per database: PostgreSQL's index must say NULLS LAST to give that order, which
    SQLite's CREATE INDEX cannot say (its DESC puts NULL last already).
    """
    table = schema_editor.quote_name(Lead._meta.db_table)
    condition = (
        models.Index(
            fields=["code"],
            condition=candidate_q() & Q(merged_into__isnull=True),
            name=CANDIDATE_INDEX,
        )
        .create_sql(Lead, schema_editor)
        .parts["condition"]
    )
    nulls = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    columns = ", ".join(
        [
            f"{schema_editor.quote_name(name)} DESC{nulls}"
            for name in ("contract_amount", "planned_investment")
        ]
        # Then what the condition reads, so that a count reads the index alone (SQLite
        # checks a bound parameter's terms again).
        + [schema_editor.quote_name(name) for name in ("code", "is_key", "stage", "merged_into_id")]
    )
    name = schema_editor.quote_name(CANDIDATE_INDEX)
    return f"CREATE INDEX {name} ON {table} ({columns}){condition}"


def key_candidates(*, limit: int = CANDIDATES_SHOWN) -> tuple[list[Candidate], int]:
    """Return (the largest `limit` projects proposed as key projects, how many there are).

    Proposed as `key_proposed` says: the query narrows the leads to those
    large enough and not key, `key_proposed` decides. Two queries.
    """
    leads = Lead.objects.filter(candidate_q())
    ordered = leads.order_by(*CANDIDATE_ORDER).values_list(
        "id", "code", "name", "stage", "team__name", "planned_investment", "contract_amount"
    )
    candidates = [
        Candidate(pk, code, name, str(Stage(stage).label), team or "", planned, amount)
        for pk, code, name, stage, team, planned, amount in ordered[:limit]
    ]
    return [c for c in candidates if key_proposed(c)], leads.count()
