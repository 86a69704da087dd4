"""Template helpers of the report page: linked figures and number formats."""

from decimal import Decimal

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from leads.reports.links import figure_url, lead_detail_url
from leads.reports.page import window_period, window_totals

register = template.Library()


@register.filter
def money(value) -> str:
    """Format an amount in 万元 with thousands separators and two places."""
    return "—" if value is None else f"{Decimal(value):,.2f}"


@register.filter
def pct(value) -> str:
    """Format a percentage with two places; a dash when it cannot be computed."""
    return "—" if value is None else f"{value:.2f}%"


@register.filter
def rate_pct(value) -> str:
    """Format one of the 四率 with one place; a dash when its denominator is zero."""
    return "—" if value is None else f"{value:.1f}%"


@register.simple_tag
def figure(report, kind, window, row=None, measure="count"):
    """Render one figure linked to the lead list behind it.

    `row` is a breakdown row (its filters narrow the list) or None for the total.
    """
    return mark_safe(_figures(report, kind, window, row, (measure,))[0])


# A breakdown row's linked figures, in the table's order: (kind, window, measures).
BREAKDOWN_FIGURES = (
    ("signed", "month", ("count", "amount")),
    ("landed", "month", ("count", "amount", "paid_in")),
    ("signed", "ytd", ("count", "amount")),
    ("landed", "ytd", ("count", "amount", "paid_in")),
)


@register.simple_tag
def breakdown_figures(report, row=None):
    """Render a breakdown row's ten linked figures as cells (`row` None: the total row).

    One link per kind and window, shared by its count and amounts: a page's
    breakdowns link about 400 figures, and writing each link took 11 of the
    page's 23 ms of rendering at 1,000,000 leads.
    """
    return mark_safe(
        "".join(
            f'<td class="num">{text}</td>'
            for kind, window, measures in BREAKDOWN_FIGURES
            for text in _figures(report, kind, window, row, measures)
        )
    )


def _figures(report, kind, window, row, measures) -> list[str]:
    """Return the text of each of `measures` of one figure, linked to the leads it counts
    (a row's figures unlinked when the lead list cannot select its row)."""
    totals = window_totals(report, window) if row is None else getattr(row, window)
    tally = getattr(totals, kind)
    texts = [
        str(tally.count) if measure == "count" else money(getattr(tally, measure))
        for measure in measures
    ]
    if row is not None and not row.linkable:
        return texts
    url = escape(
        figure_url(kind, window_period(report, window), None if row is None else row.filters)
    )
    return [f'<a href="{url}">{text}</a>' for text in texts]


@register.simple_tag
def target_figure(report, target, kind, measure):
    """Render a target's year-to-date actual, linked to the leads behind it."""
    value = getattr(getattr(target.actual, kind), measure)
    text = str(value) if measure == "count" else money(value)
    return format_html('<a href="{}">{}</a>', figure_url(kind, report.ytd, target.filters), text)


@register.filter
def target_pct(target, path: str) -> str:
    """Format a target's completion, e.g. `target|target_pct:"signed.count"`."""
    kind, measure = path.split(".")
    return pct(target.percent(kind, measure))


# The backlog's and the drops' rows are written here, not by a template loop: the page
# lists up to 300 of each, and the loops took 70 of its 210 ms at 1,000,000 leads. Each
# cell shows what the template's {{ }} and filters showed.


def _day(value) -> str:
    """A date as `|date:"Y-m-d"` shows it: empty when there is none."""
    return "" if value is None else value.isoformat()


def _lead_link(row) -> str:
    return f'<a href="{escape(lead_detail_url(row.pk))}">{escape(row.code)}</a>'


@register.simple_tag
def backlog_rows(rows) -> str:
    """Render the 签约未落地 table's rows (`BacklogRow`s), an overdue row marked `overdue`."""
    return mark_safe("\n".join(_backlog_row(row) for row in rows))


def _backlog_row(row) -> str:
    marked, overdue = (' class="overdue"', "超期") if row.overdue else ("", "")
    return (
        f"<tr{marked}><td>{_lead_link(row)}</td><td>{escape(row.name)}</td>"
        f"<td>{escape(row.investor)}</td><td>{escape(row.industry)}</td>"
        f"<td>{escape(row.team or '—')}</td><td>{_day(row.signed_on)}</td>"
        f'<td class="num">{money(row.contract_amount)}</td>'
        f'<td class="num">{row.days_waiting}</td><td>{overdue}</td></tr>'
    )


@register.simple_tag
def dropped_rows(rows) -> str:
    """Render the 签约后终止 table's rows (`DroppedRow`s)."""
    return mark_safe("\n".join(_dropped_row(row) for row in rows))


def _dropped_row(row) -> str:
    return (
        f"<tr><td>{_lead_link(row)}</td><td>{escape(row.name)}</td>"
        f"<td>{escape(row.team or '—')}</td><td>{_day(row.signed_on)}</td>"
        f'<td>{_day(row.dropped_on)}</td><td class="num">{money(row.amount)}</td>'
        f"<td>{escape(row.reason)}</td></tr>"
    )
