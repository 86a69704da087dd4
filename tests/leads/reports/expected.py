"""An independent computation of the report, in plain Python over the stage history.

Nothing here reads the lead's counted-event columns or calls the report
code: the signing of a lead is found by walking its StageTransition rows
(the first entry into 签约, with the date and amount the move carried, or
the day of the move), a correction undoes what it moves back over, a drop
after a counted signing is 签约后终止 in the month of the drop. Credit goes to
the team of the lead's first transition.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from leads.choices import PIPELINE, OriginType, Source, Stage
from leads.models import Industry, Lead, PaidIn, StageOwner, StageTransition, TaskTeam, Unit

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")
SIGNED_INDEX = PIPELINE.index(Stage.SIGNED)


@dataclass
class Events:
    """What the stage history says happened to one lead."""

    credit_team: int | None = None
    signed_on: date | None = None
    signed_seq: int | None = None  # position of the signing move in the history
    amount: Decimal | None = None
    landed_on: date | None = None
    landed_day: date | None = None  # the day the landing was recorded
    signed_day: date | None = None
    drops: list = None
    corrections: list = None


def local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def _index(stage: str) -> int:
    return PIPELINE.index(Stage(stage)) if stage in PIPELINE else -1


def lead_events(transitions) -> Events:
    """Walk one lead's transitions in order and return its counted events."""
    events = Events(drops=[], corrections=[])
    ordered = sorted(transitions, key=lambda t: (t.at, t.pk))
    if ordered:
        events.credit_team = ordered[0].to_team_id
    for seq, move in enumerate(ordered):
        data = move.data or {}
        if move.correction:
            voided = []
            if _index(move.to_stage) < SIGNED_INDEX and events.signed_on is not None:
                voided.append(("signed", events.signed_on, events.amount))
                events.signed_on = events.amount = events.signed_seq = events.signed_day = None
            if events.landed_on is not None:
                voided.insert(0, ("landed", events.landed_on, voided_amount(voided, events)))
                events.landed_on = events.landed_day = None
            events.corrections.append((local_day(move.at), voided))
            continue
        if move.to_stage == Stage.DROPPED:
            events.drops.append((seq, local_day(move.at)))
            continue
        if move.from_stage == Stage.DROPPED:
            continue  # reopened: nothing new entered
        forward = _index(move.to_stage) > _index(move.from_stage or Stage.CONTACT)
        if not forward:
            continue
        if _index(move.to_stage) >= SIGNED_INDEX and events.signed_on is None:
            given = data.get("signed_on")
            events.signed_on = date.fromisoformat(given) if given else local_day(move.at)
            events.amount = Decimal(data["contract_amount"])
            events.signed_seq, events.signed_day = seq, local_day(move.at)
        if move.to_stage == Stage.LANDED and events.landed_on is None:
            given = data.get("landed_on")
            events.landed_on = date.fromisoformat(given) if given else local_day(move.at)
            events.landed_day = local_day(move.at)
    return events


def voided_amount(voided, events):
    return voided[0][2] if voided else events.amount


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
    signed = [x for x in leads if keep(x) and x.ev.signed_on and low <= x.ev.signed_on <= high]
    landed = [x for x in leads if keep(x) and x.ev.landed_on and low <= x.ev.landed_on <= high]
    return {
        "signed": (len(signed), cents(sum(x.ev.amount for x in signed))),
        "landed": (
            len(landed),
            cents(sum(x.ev.amount for x in landed)),
            cents(sum(x.paid_in or 0 for x in landed)),
        ),
    }


def stage_at_end_of(lead_transitions, day: date):
    """Return the stage after the last transition before the next Shanghai midnight."""
    limit = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=SHANGHAI)
    before = [t for t in lead_transitions if t.at < limit]
    return max(before, key=lambda t: (t.at, t.pk)).to_stage if before else None


def _leads_with_events():
    leads = list(Lead.objects.select_related("industry"))
    history = {}
    for transition in StageTransition.objects.all():
        history.setdefault(transition.lead_id, []).append(transition)
    received = {}
    for lead_id, day in PaidIn.objects.values_list("lead_id", "received_on"):
        received.setdefault(lead_id, []).append(day)
    for lead in leads:
        lead.ev = lead_events(history.get(lead.pk, []))
        # The days its instalments arrived: a row with 到位资金 in its window is shown.
        lead.received = [day for day in received.get(lead.pk, []) if day is not None]
    return leads, history


def _rows(leads, spans, values, key, blank_label):
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
    paid = any(
        spans[w][0] <= day <= spans[w][1]
        for x in leads
        if key(x) in (None, "")
        for day in x.received
        for w in ("month", "ytd")
    )
    if paid or any(t["signed"][0] or t["landed"][0] for t in blank[1:]):
        out.append(blank)
    return out


def _breakdowns(leads, spans) -> dict:
    low = min(span[0] for span in spans.values())
    high = max(span[1] for span in spans.values())

    def in_span(day):
        return day is not None and low <= day <= high

    leaders = sorted(
        {
            x.leader
            for x in leads
            if x.leader
            and (
                in_span(x.ev.signed_on)
                or in_span(x.ev.landed_on)
                or any(
                    spans[w][0] <= day <= spans[w][1]
                    for day in x.received
                    for w in ("month", "ytd")
                )
            )
        }
    )
    return {
        "by_industry": _rows(
            leads,
            spans,
            [(i.pk, i.name) for i in Industry.objects.order_by("order", "name")],
            lambda x: x.industry_id,
            "未填写",
        ),
        "by_team": _rows(
            leads,
            spans,
            [(t.pk, t.name) for t in TaskTeam.objects.order_by("pk")],
            lambda x: x.ev.credit_team,
            "未填写引进小分队",
        ),
        "by_unit": _rows(
            leads,
            spans,
            [(u.pk, u.name) for u in Unit.objects.filter(active=True).order_by("kind", "name")],
            lambda x: x.credit_unit_id,
            "未填写引进单位",
        ),
        "by_leader": _rows(
            leads, spans, [(n, n) for n in leaders], lambda x: x.leader, "未填写分包领导"
        ),
        "by_source": _rows(
            leads,
            spans,
            [(v, str(label)) for v, label in Source.choices],
            lambda x: x.source,
            "未填写",
        ),
        "by_origin": _rows(
            leads,
            spans,
            [(v, str(label)) for v, label in OriginType.choices],
            lambda x: x.origin_type,
            "未填写",
        ),
    }


def _dropped(leads, low: date, high: date) -> list:
    rows = []
    for lead in leads:
        for seq, day in lead.ev.drops:
            signed_before = lead.ev.signed_seq is not None and lead.ev.signed_seq < seq
            if signed_before and low <= day <= high:
                rows.append((lead.code, day, cents(lead.ev.amount)))
    return sorted(rows, key=lambda row: (row[1], row[0]))


def _adjustments(leads, start: date, end: date) -> list:
    rows = []
    for lead in leads:
        for day, voided in lead.ev.corrections:
            if start <= day <= end:
                rows += [("correction", lead.code, event, on, day) for event, on, _a in voided]
        for event in ("signed", "landed"):
            on, recorded = getattr(lead.ev, f"{event}_on"), getattr(lead.ev, f"{event}_day")
            if on and start <= recorded <= end and on < start:
                rows.append(("late_entry", lead.code, event, on, recorded))
    return sorted(rows, key=lambda row: (row[4], row[1], row[2]))


def expected_report(start: date, end: date, today: date) -> dict:
    """Return every figure of the report for [start, end], computed in plain Python."""
    leads, history = _leads_with_events()
    spans = windows(start, end)
    result = {w: expected_totals(leads, span) for w, span in spans.items()}
    result.update(_breakdowns(leads, spans))

    ytd_low, ytd_high = spans["ytd"]
    signed_ytd = [x for x in leads if x.ev.signed_on and ytd_low <= x.ev.signed_on <= ytd_high]
    result["landing_rate"] = (
        len(signed_ytd),
        len([x for x in signed_ytd if x.ev.landed_on and x.ev.landed_on <= end]),
    )
    result["signed_then_dropped"] = _dropped(leads, start, end)
    result["signed_then_dropped_ytd"] = _dropped(leads, ytd_low, ytd_high)
    result["corrections"] = _adjustments(leads, start, end)

    as_of = min(end, today)
    sla = StageOwner.objects.get(stage="signed").sla_days
    backlog = []
    for lead in sorted(leads, key=lambda x: (x.ev.signed_on or date.max, x.code)):
        if lead.ev.signed_on is None or lead.ev.signed_on > as_of:
            continue
        if lead.ev.landed_on is not None and lead.ev.landed_on <= as_of:
            continue
        then = stage_at_end_of(history.get(lead.pk, []), as_of)
        if then is None:
            waiting = lead.stage in ("signed", "landed") or (
                lead.stage == "dropped" and lead.dropped_from == "signed"
            )
        else:
            waiting = then == "signed"
        if waiting:
            days = (as_of - lead.ev.signed_on).days
            backlog.append((lead.code, lead.ev.signed_on, days, days > sla))
    result["backlog"] = backlog

    trend = []
    year, month = end.year, end.month
    for _ in range(12):
        trend.append(expected_totals(leads, (date(year, month, 1), last_day(year, month))))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    result["trend"] = trend[::-1]
    return result
