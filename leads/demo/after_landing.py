"""Demo data after 落地: key projects with node plans, 开工/投产 dates, dated instalments, 督办.

Everything goes through the services in `leads.services.milestones`, so the
demo holds only what the product itself would write. Some planned nodes
are left late on purpose, so the 督办 list is not empty.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from leads.choices import Milestone, Node, PaidInKind, Stage
from leads.models import Lead
from leads.services import (
    KEY_PROJECT_AMOUNT,
    lead_add_paid_in,
    lead_add_supervision,
    lead_plan_node,
    lead_record_milestone,
    lead_set_key,
)


def _between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 0) + 1))


class DemoAfterLanding:
    """Give the demo's signed and landed leads what follows 落地."""

    def __init__(self, *, rng: random.Random, today: date, director):
        self.rng, self.today, self.director = rng, today, director

    def create(self) -> None:
        for lead in Lead.objects.filter(stage__in=[Stage.SIGNED, Stage.LANDED]).order_by("id"):
            lead = self._key(lead)
            if lead.stage == Stage.LANDED:
                lead = self._milestones(lead)
            self._instalments(lead)

    def _key(self, lead: Lead) -> Lead:
        large = max(lead.contract_amount or 0, lead.planned_investment or 0) >= KEY_PROJECT_AMOUNT
        if self.rng.random() > (0.6 if large else 0.03):
            return lead
        lead = lead_set_key(lead=lead, is_key=True, actor=self.director, reason="年度重点项目")
        # Nodes already reached were planned near their actual dates; the rest
        # follow the last one, some already past (late), some ahead.
        actual = {Node.SIGNED: lead.signed_on, Node.LANDED: lead.landed_on}
        gaps = {Node.SIGNED: 0, Node.LANDED: 60, Node.STARTED: 75, Node.IN_PRODUCTION: 240}
        previous = None
        for node in Node:
            if actual.get(node) is not None:
                on = actual[node] + timedelta(days=self.rng.randrange(-30, 20))
            elif previous is None:
                on = self.today + timedelta(days=self.rng.randrange(-40, 90))
            else:
                on = previous + timedelta(days=gaps[node] + self.rng.randrange(-20, 40))
            on = on if previous is None else max(on, previous)
            lead = lead_plan_node(lead=lead, node=node, on=on, actor=self.director)
            previous = on
        if self.rng.random() < 0.3:
            slipped = lead.planned_started_on + timedelta(days=self.rng.randrange(20, 60))
            if lead.planned_in_production_on >= slipped:
                lead = lead_plan_node(
                    lead=lead,
                    node=Node.STARTED,
                    on=slipped,
                    reason="土地指标调整，开工推迟",
                    actor=self.director,
                )
        return lead

    def _milestones(self, lead: Lead) -> Lead:
        landed = lead.landed_on
        if self.rng.random() < 0.65 and landed < self.today:
            started = _between(self.rng, landed, min(self.today, landed + timedelta(days=90)))
            if self.rng.random() < 0.15:
                started = self.today
            lead = lead_record_milestone(
                lead=lead, milestone=Milestone.STARTED, on=started, actor=self.director
            )
            if self.rng.random() < 0.5 and started < self.today:
                produced = _between(
                    self.rng, started, min(self.today, started + timedelta(days=240))
                )
                lead = lead_record_milestone(
                    lead=lead, milestone=Milestone.IN_PRODUCTION, on=produced, actor=self.director
                )
        elif lead.is_key and lead.planned_started_on and lead.planned_started_on < self.today:
            lead_add_supervision(
                lead=lead,
                node=Node.STARTED,
                note="计划开工节点已过，请分包领导协调解决用地手续，月底前报送进展。",
                deadline=self.today + timedelta(days=14),
                actor=self.director,
            )
        return lead

    def _instalments(self, lead: Lead) -> None:
        """Add one to four instalments between the signing and today, below the contract."""
        if lead.contract_amount is None or self.rng.random() < 0.25:
            return
        first = lead.signed_on or self.today
        share = Decimal(self.rng.randrange(10, 90)) / 100
        total = (lead.contract_amount * share).quantize(Decimal("0.01"))
        count = self.rng.randrange(1, 5)
        days = sorted(_between(self.rng, first, self.today) for _ in range(count))
        if self.rng.random() < 0.2:
            # Money arriving this month, so the current month's report shows some.
            days[-1] = self.today
        kinds = [PaidInKind.REGISTERED_CAPITAL, *[PaidInKind.FIXED_ASSETS] * 2, PaidInKind.OTHER]
        weights = [self.rng.randrange(1, 6) for _ in days]
        for index, on in enumerate(days):
            amount = (total * weights[index] / sum(weights)).quantize(Decimal("0.01"))
            if amount <= 0:
                return
            lead = Lead.objects.get(pk=lead.pk)
            lead_add_paid_in(
                lead=lead,
                on=on,
                amount=amount,
                kind=kinds[0] if index == 0 else self.rng.choice(kinds),
                actor=self.director,
                note="演示数据",
            )
