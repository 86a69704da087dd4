"""An independent computation of 开工, 投产, dated 到位资金 and the 四率, in plain Python.

The leads' counted signing and landing come from their stage history
(`expected.lead_events`, not the counted-event columns); 开工/投产 are the
leads' dates; 到位资金 is every PaidIn row, read as objects and added here.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from leads.choices import Source
from leads.models import Industry, PaidIn, TaskTeam
from tests.leads.reports.expected import _leads_with_events, cents, windows


def within(day: date | None, span: tuple[date, date]) -> bool:
    return day is not None and span[0] <= day <= span[1]


def rate(numerator, denominator) -> tuple:
    """Return (numerator, denominator, percent with one place or None)."""
    if not denominator:
        return numerator, denominator, None
    share = Decimal(numerator) * 100 / Decimal(denominator)
    return numerator, denominator, share.quantize(Decimal("0.1"), ROUND_HALF_UP)


def _grouped_paid_in(leads, instalments, spans) -> dict:
    """Return {dimension: {row name: (month, ytd)}} of dated 到位资金, rows with money only."""
    by_pk = {lead.pk: lead for lead in leads}
    names = {
        "by_industry": (
            {i.pk: i.name for i in Industry.objects.all()},
            lambda x: x.industry_id,
            "未填写",
        ),
        "by_team": (
            {t.pk: t.name for t in TaskTeam.objects.all()},
            lambda x: x.ev.credit_team,
            "未填写引进小分队",
        ),
        "by_source": ({v: str(label) for v, label in Source.choices}, lambda x: x.source, "未填写"),
    }
    result = {}
    for dimension, (labels, key, blank) in names.items():
        rows = {}
        for paid in instalments:
            value = key(by_pk[paid.lead_id])
            name = labels.get(value, blank) if value not in (None, "") else blank
            month, ytd = rows.get(name, (Decimal(0), Decimal(0)))
            if within(paid.received_on, spans["month"]):
                month += paid.amount
            if within(paid.received_on, spans["ytd"]):
                ytd += paid.amount
            rows[name] = (month, ytd)
        result[dimension] = {
            name: (cents(month), cents(ytd)) for name, (month, ytd) in rows.items() if month or ytd
        }
    return result


def expected_after_landing(start: date, end: date) -> dict:
    """Return milestones, dated paid-in, the four rates and grouped paid-in of [start, end]."""
    leads, _history = _leads_with_events()
    instalments = list(PaidIn.objects.all())
    spans = windows(start, end)
    result = {}
    for name, attr in (("started", "started_on"), ("in_production", "in_production_on")):
        result[name] = {}
        for window, span in spans.items():
            counted = [x for x in leads if within(getattr(x, attr), span)]
            result[name][window] = (len(counted), cents(sum(x.ev.amount or 0 for x in counted)))
    result["paid_in"] = {
        window: cents(sum(p.amount for p in instalments if within(p.received_on, span)))
        for window, span in spans.items()
    }
    ytd = spans["ytd"]
    signed = [x for x in leads if within(x.ev.signed_on, ytd)]
    landed = [x for x in leads if within(x.ev.landed_on, ytd)]
    started = [x for x in leads if within(x.started_on, ytd)]
    signed_pks = {x.pk for x in signed}
    received = sum(
        p.amount
        for p in instalments
        if p.lead_id in signed_pks and (p.received_on is None or p.received_on <= end)
    )
    result["rates"] = {
        "performance": rate(
            len([x for x in signed if x.ev.landed_on and x.ev.landed_on <= end]), len(signed)
        ),
        "start": rate(
            len([x for x in landed if x.started_on and x.started_on <= end]), len(landed)
        ),
        "paid_in": rate(cents(received), cents(sum(x.ev.amount for x in signed))),
        "production": rate(
            len([x for x in started if x.in_production_on and x.in_production_on <= end]),
            len(started),
        ),
    }
    result.update(_grouped_paid_in(leads, instalments, spans))
    return result
