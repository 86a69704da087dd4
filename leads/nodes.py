"""The nodes of a project's plan (签约/落地/开工/投产): when one is done, when one is late.

The one definition of "a node is late" (督办): its planned date has passed
and the node is not done, on a project not dropped. A node is done when
the lead has reached it: 签约 and 落地 by the stage the lead stands at
(a move back undoes them, a drop takes the project off the list), 开工 and
投产 by their recorded dates. The 督办 list, its dashboard tile, its sheet
in the monthly report and the 重点项目推进表 all read these conditions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import BooleanField, Case, DateField, ExpressionWrapper, F, Q, When

from leads.choices import Node, Stage
from leads.querysets import stalled_q

# The row kind of a signed project past the 签约 stage's time limit.
SLA = "signed_sla"


@dataclass(frozen=True)
class NodeRule:
    """One node: the lead's field of its planned date, of its actual date, and when it is done."""

    node: Node
    planned: str
    actual: str
    done: Q

    def actual_expression(self) -> Case:
        """Return the node's actual date, NULL while the node is not done."""
        return Case(When(self.done, then=F(self.actual)), default=None, output_field=DateField())

    def late_q(self, today: date) -> Q:
        """Return the condition "this node is late on `today`" (督办)."""
        return Q(**{f"{self.planned}__lt": today}) & ~self.done & ~Q(stage=Stage.DROPPED)


NODE_RULES = (
    NodeRule(
        Node.SIGNED, "planned_signed_on", "signed_on", Q(stage__in=[Stage.SIGNED, Stage.LANDED])
    ),
    NodeRule(Node.LANDED, "planned_landed_on", "landed_on", Q(stage=Stage.LANDED)),
    NodeRule(Node.STARTED, "planned_started_on", "started_on", Q(started_on__isnull=False)),
    NodeRule(
        Node.IN_PRODUCTION,
        "planned_in_production_on",
        "in_production_on",
        Q(in_production_on__isnull=False),
    ),
)
RULES = {rule.node.value: rule for rule in NODE_RULES}


def sla_late_q(*, sla_days: dict[str, int], now: datetime) -> Q:
    """Return the condition "signed and past the 签约 stage's time limit": stalled at 签约."""
    if Stage.SIGNED.value not in sla_days:
        return Q(pk__in=[])
    return stalled_q(sla_days={Stage.SIGNED.value: sla_days[Stage.SIGNED.value]}, now=now)


def late_conditions(*, today: date, now: datetime, sla_days: dict[str, int]) -> dict[str, Q]:
    """Return {row kind: condition}: one per node, and `SLA` for 签约 past its limit."""
    conditions = {rule.node.value: rule.late_q(today) for rule in NODE_RULES}
    conditions[SLA] = sla_late_q(sla_days=sla_days, now=now)
    return conditions


def late_any_q(conditions: dict[str, Q]) -> Q:
    """Return the condition "some node of the lead is late"."""
    combined = Q(pk__in=[])
    for condition in conditions.values():
        combined |= condition
    return combined


def late_flags(conditions: dict[str, Q]) -> dict[str, ExpressionWrapper]:
    """Return annotations `late_<kind>`: whether each condition holds for the lead."""
    return {
        f"late_{kind}": ExpressionWrapper(condition, output_field=BooleanField())
        for kind, condition in conditions.items()
    }
