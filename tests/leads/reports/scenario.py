"""Generated pipeline data for the report tests.

The expected figures are computed in `tests.leads.reports.expected`, in plain
Python over the stage history, without the report code.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.utils import timezone

from leads.choices import Milestone, OriginType, PaidInKind, Source, Stage
from leads.models import Industry, Lead, PaidIn, Unit
from leads.services import (
    lead_add_paid_in,
    lead_change_stage,
    lead_create,
    lead_record_milestone,
    lead_update,
)
from tests.factories import ChamberFactory, EntrepreneurFactory, UserFactory, credit_code

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEADERS = ["", "王副区长", "李副区长", "张副区长"]


def moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """Return `day` at hour:minute Shanghai time."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def load_reference():
    call_command("loaddata", "reference", verbosity=0)


class LeadMaker:
    """Make leads through the services with explicit past dates and moments."""

    def __init__(self, seed: int = 4):
        self.rng = random.Random(seed)
        # A second stream for what follows 落地, so the paths above stay those of each seed.
        self.after_rng = random.Random(seed + 1)
        self.industries = list(Industry.objects.order_by("pk"))
        self.chamber = ChamberFactory()
        self.entrepreneur = EntrepreneurFactory()
        self.serial = 0
        self.units = [
            Unit.objects.get_or_create(name=f"测试街道{n}", kind=Unit.Kind.TOWN)[0] for n in (1, 2)
        ] + [None]
        self.director = UserFactory(groups=["局领导"])

    def contact(self, at: datetime, **fields) -> Lead:
        self.serial += 1
        source = fields.pop("source", None) or self.rng.choice(Source.values)
        values = {
            "name": f"项目{self.serial}",
            "investor": f"投资方{self.serial}",
            "industry": self.rng.choice(self.industries),
            "source": source,
            "origin_type": self.rng.choice(["", *OriginType.values]),
            "chamber": self.chamber if source == Source.CHAMBER else None,
            "entrepreneur": self.entrepreneur if source == Source.RETURNEE else None,
            "credit_unit": self.rng.choice(self.units),
            "leader": self.rng.choice(LEADERS),
        }
        values.update(fields)
        return lead_create(channel="system", at=at, **values)

    def amount(self) -> Decimal:
        return Decimal(self.rng.randrange(100, 5_000_000)) / 100

    def sign(self, lead: Lead, at: datetime, **data) -> Lead:
        data.setdefault("planned_investment", self.amount())
        data.setdefault("contract_amount", self.amount())
        return lead_change_stage(lead=lead, to_stage=Stage.SIGNED, channel="system", at=at, **data)

    def land(self, lead: Lead, at: datetime, **data) -> Lead:
        data.setdefault("registered_name", f"{lead.name}（本区）有限公司")
        data.setdefault("credit_code", credit_code())
        paid_in = data.pop("paid_in", None)
        if paid_in is None and self.rng.random() < 0.8:
            paid_in = self.amount()
        lead = lead_change_stage(lead=lead, to_stage=Stage.LANDED, channel="system", at=at, **data)
        if paid_in is not None:
            # Received on the landing day: one instalment (leads.PaidIn).
            lead_add_paid_in(lead=lead, on=lead.landed_on, amount=paid_in, kind="other", actor=None)
            lead.refresh_from_db()
        return lead

    def instalment(self) -> Decimal:
        return Decimal(self.after_rng.randrange(100, 500_000)) / 100

    def record(self, lead: Lead, milestone: str, on: date) -> Lead:
        """Record 开工 or 投产 on `on` through the service."""
        return lead_record_milestone(
            lead=Lead.objects.get(pk=lead.pk), milestone=milestone, on=on, actor=None
        )

    def pay(self, lead: Lead, on: date, amount: Decimal | None = None) -> None:
        """Add an instalment of 到位资金 received on `on` through the service."""
        amount = amount if amount is not None else self.instalment()
        kind = self.after_rng.choice(PaidInKind.values)
        lead_add_paid_in(
            lead=Lead.objects.get(pk=lead.pk), on=on, amount=amount, kind=kind, actor=None
        )

    def carried_over(self, lead: Lead, amount: Decimal) -> PaidIn:
        """Add an undated carried-over amount, as migration 0009 leaves for an unlanded lead."""
        return PaidIn.objects.create(lead=lead, received_on=None, amount=amount, kind="other")

    def after_landing(self, lead: Lead) -> None:
        """Give a landed lead what may follow: instalments over time, 开工, then 投产.

        Dates between the landing and today, some across month and year ends.
        """
        rng, today = self.after_rng, timezone.localdate()
        lead = Lead.objects.get(pk=lead.pk)
        for _ in range(rng.randrange(3)):
            on = min(lead.landed_on + timedelta(days=rng.randrange(400)), today)
            self.pay(lead, on)
        if rng.random() < 0.6:
            started = min(lead.landed_on + timedelta(days=rng.randrange(200)), today)
            lead = self.record(lead, Milestone.STARTED, started)
            if rng.random() < 0.6:
                produced = min(started + timedelta(days=rng.randrange(300)), today)
                self.record(lead, Milestone.IN_PRODUCTION, produced)

    def signed_instalments(self, lead: Lead) -> None:
        """Now and then, money before 落地: an instalment or an undated carried-over amount."""
        rng = self.after_rng
        draw = rng.random()
        if draw < 0.2:
            on = min(lead.signed_on + timedelta(days=rng.randrange(90)), timezone.localdate())
            self.pay(lead, on)
        elif draw < 0.3:
            self.carried_over(lead, self.instalment())

    def drop(self, lead: Lead, at: datetime) -> Lead:
        return lead_change_stage(
            lead=lead, to_stage=Stage.DROPPED, channel="system", at=at, drop_reason="投资方战略调整"
        )

    def move_back(self, lead: Lead, at: datetime) -> Lead:
        return lead_change_stage(
            lead=lead, to_stage=Stage.INTENT, channel="system", at=at, note="协议作废，重新洽谈"
        )

    def correct(self, lead: Lead, at: datetime, to_stage=Stage.INTENT) -> Lead:
        """Move back as a correction of a data-entry error (局领导)."""
        return lead_change_stage(
            lead=lead,
            to_stage=to_stage,
            channel="system",
            at=at,
            actor=self.director,
            correction=True,
            note="误录签约，更正",
        )

    def reopen(self, lead: Lead, at: datetime) -> Lead:
        lead = Lead.objects.get(pk=lead.pk)
        return lead_change_stage(
            lead=lead, to_stage=lead.dropped_from, channel="system", at=at, note="恢复跟进"
        )

    def edit_signing(self, lead: Lead) -> Lead:
        """Edit the signed lead's date and amount: the counted signing must not move."""
        lead = Lead.objects.get(pk=lead.pk)
        return lead_update(
            lead=lead,
            signed_on=lead.signed_on - timedelta(days=40),
            contract_amount=self.amount(),
        )

    def random_leads(self, count: int, first: date, last: date) -> None:
        """Make `count` leads with random paths between `first` and `last`."""
        span = (last - first).days
        for _ in range(count):
            created = first + timedelta(days=self.rng.randrange(span - 120))
            lead = self.contact(moment(created, 9))
            path = self.rng.choice(
                ["open", "signed", "landed", "landed", "dropped", "back", "corrected", "edited"]
            )
            if path == "open":
                continue
            signed_day = created + timedelta(days=1 + self.rng.randrange(60))
            # Late evening moments: the signing date is the Shanghai day.
            hour, minute = self.rng.choice([(10, 0), (23, 30), (0, 30)])
            lead = self.sign(lead, moment(signed_day, hour, minute))
            later = moment(signed_day + timedelta(days=1 + self.rng.randrange(59)), 15)
            if path in ("signed", "landed"):
                self.signed_instalments(lead)
                lead = Lead.objects.get(pk=lead.pk)
            if path == "landed":
                self.after_landing(self.land(lead, later))
            elif path == "dropped":
                self.drop(lead, later)
            elif path == "back":
                lead = self.move_back(lead, later)
                if self.rng.random() < 0.5:  # signed, moved back, dropped: 签约后终止
                    self.drop(lead, later + timedelta(days=self.rng.randrange(1, 40)))
            elif path == "corrected":
                lead = self.correct(lead, later)
                if self.rng.random() < 0.5:  # signed again for real, later
                    self.sign(lead, later + timedelta(days=self.rng.randrange(1, 40)))
            elif path == "edited":
                self.edit_signing(lead)
