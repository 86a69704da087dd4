"""Generated pipeline data for the report tests, and an independent computation of the report.

The expected figures are computed here in plain Python over the leads and
their StageTransition rows, without the report code: the tests compare the
two for every figure.
"""

import calendar
import random
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.core.management import call_command

from leads.choices import OriginType, Source, Stage
from leads.models import Industry, Lead, StageOwner, StageTransition, TaskTeam
from leads.services import lead_change_stage, lead_create
from tests.factories import ChamberFactory, EntrepreneurFactory, credit_code

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")


def moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """Return `day` at hour:minute Shanghai time."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def load_reference():
    call_command("loaddata", "reference", verbosity=0)


class LeadMaker:
    """Make leads through the services with explicit past dates and moments."""

    def __init__(self, seed: int = 4):
        self.rng = random.Random(seed)
        self.industries = list(Industry.objects.order_by("pk"))
        self.chamber = ChamberFactory()
        self.entrepreneur = EntrepreneurFactory()
        self.serial = 0

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
        if "paid_in" not in data and self.rng.random() < 0.8:
            data["paid_in"] = self.amount()
        return lead_change_stage(lead=lead, to_stage=Stage.LANDED, channel="system", at=at, **data)

    def drop(self, lead: Lead, at: datetime) -> Lead:
        return lead_change_stage(
            lead=lead, to_stage=Stage.DROPPED, channel="system", at=at, drop_reason="投资方战略调整"
        )

    def move_back(self, lead: Lead, at: datetime) -> Lead:
        return lead_change_stage(
            lead=lead, to_stage=Stage.INTENT, channel="system", at=at, note="协议作废，重新洽谈"
        )

    def random_leads(self, count: int, first: date, last: date) -> None:
        """Make `count` leads with random paths between `first` and `last`."""
        span = (last - first).days
        for _ in range(count):
            created = first + timedelta(days=self.rng.randrange(span - 120))
            lead = self.contact(moment(created, 9))
            path = self.rng.choice(["open", "signed", "landed", "landed", "dropped", "back"])
            if path == "open":
                continue
            signed_day = created + timedelta(days=1 + self.rng.randrange(60))
            # Late evening moments: the signing date is the Shanghai day.
            hour, minute = self.rng.choice([(10, 0), (23, 30), (0, 30)])
            lead = self.sign(lead, moment(signed_day, hour, minute))
            later = moment(signed_day + timedelta(days=1 + self.rng.randrange(59)), 15)
            if path == "landed":
                self.land(lead, later)
            elif path == "dropped":
                self.drop(lead, later)
            elif path == "back":
                self.move_back(lead, later)


# --- the independent computation ----------------------------------------------


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def one_year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def windows(start: date, end: date) -> dict:
    whole_month = start.day == 1 and end == last_day(start.year, start.month)
    if whole_month:
        last_year = (date(start.year - 1, start.month, 1), last_day(start.year - 1, start.month))
    else:
        last_year = (one_year_back(start), one_year_back(end))
    return {
        "month": (start, end),
        "ytd": (date(end.year, 1, 1), end),
        "last_year_month": last_year,
        "last_year_ytd": (date(last_year[1].year, 1, 1), last_year[1]),
    }


def cents(value) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def expected_totals(leads, window, keep=lambda lead: True) -> dict:
    low, high = window
    signed = [
        lead
        for lead in leads
        if keep(lead) and lead.stage in ("signed", "landed") and low <= lead.signed_on <= high
    ]
    landed = [
        lead
        for lead in leads
        if keep(lead) and lead.stage == "landed" and low <= lead.landed_on <= high
    ]
    return {
        "signed": (len(signed), cents(sum(lead.contract_amount for lead in signed))),
        "landed": (
            len(landed),
            cents(sum(lead.contract_amount for lead in landed)),
            cents(sum(lead.paid_in or 0 for lead in landed)),
        ),
    }


def stage_at_end_of(lead_transitions, day: date):
    """Return the stage after the last transition before the next Shanghai midnight."""
    limit = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=SHANGHAI)
    before = [t for t in lead_transitions if t.at < limit]
    return max(before, key=lambda t: (t.at, t.pk)).to_stage if before else None


def expected_report(start: date, end: date, today: date) -> dict:
    """Return every figure of the report for [start, end], computed in plain Python."""
    leads = list(Lead.objects.select_related("industry", "team"))
    history = {}
    for transition in StageTransition.objects.all():
        history.setdefault(transition.lead_id, []).append(transition)
    spans = windows(start, end)
    result = {w: expected_totals(leads, span) for w, span in spans.items()}

    def rows(values, key, blank_label):
        out = []
        for value, name in values:
            out.append(
                (
                    name,
                    expected_totals(leads, spans["month"], lambda x, v=value: key(x) == v),
                    expected_totals(leads, spans["ytd"], lambda x, v=value: key(x) == v),
                )
            )
        blank = (
            blank_label,
            expected_totals(leads, spans["month"], lambda x: key(x) in (None, "")),
            expected_totals(leads, spans["ytd"], lambda x: key(x) in (None, "")),
        )
        if any(t["signed"][0] or t["landed"][0] for t in blank[1:]):
            out.append(blank)
        return out

    result["by_industry"] = rows(
        [(i.pk, i.name) for i in Industry.objects.order_by("order", "name")],
        lambda x: x.industry_id,
        "未填写",
    )
    result["by_team"] = rows(
        [(t.pk, t.name) for t in TaskTeam.objects.order_by("pk")],
        lambda x: x.team_id,
        "未分配小分队",
    )
    result["by_source"] = rows(
        [(v, str(label)) for v, label in Source.choices], lambda x: x.source, "未填写"
    )
    result["by_origin"] = rows(
        [(v, str(label)) for v, label in OriginType.choices], lambda x: x.origin_type, "未填写"
    )

    ytd_low, ytd_high = spans["ytd"]
    signed_ytd = [
        x for x in leads if x.stage in ("signed", "landed") and ytd_low <= x.signed_on <= ytd_high
    ]
    result["landing_rate"] = (
        len(signed_ytd),
        len([x for x in signed_ytd if x.stage == "landed" and x.landed_on <= end]),
    )

    as_of = min(end, today)
    sla = StageOwner.objects.get(stage="signed").sla_days
    backlog = []
    for lead in sorted(leads, key=lambda x: (x.signed_on or date.max, x.code)):
        if lead.signed_on is None or lead.signed_on > as_of:
            continue
        if lead.stage == "landed" and lead.landed_on <= as_of:
            continue
        then = stage_at_end_of(history.get(lead.pk, []), as_of)
        if then is None:
            waiting = lead.stage in ("signed", "landed") or (
                lead.stage == "dropped" and lead.dropped_from == "signed"
            )
        else:
            waiting = then == "signed"
        if waiting:
            days = (as_of - lead.signed_on).days
            backlog.append((lead.code, lead.signed_on, days, days > sla))
    result["backlog"] = backlog

    trend = []
    year, month = end.year, end.month
    for _ in range(12):
        trend.append(expected_totals(leads, (date(year, month, 1), last_day(year, month))))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    result["trend"] = trend[::-1]
    return result
