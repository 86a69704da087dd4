"""Template helpers of the report page: linked figures and number formats."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from leads.reports.links import figure_url
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
    totals = window_totals(report, window) if row is None else getattr(row, window)
    value = getattr(getattr(totals, kind), measure)
    text = str(value) if measure == "count" else money(value)
    if row is not None and not row.linkable:
        return text
    filters = None if row is None else row.filters
    return format_html(
        '<a href="{}">{}</a>', figure_url(kind, window_period(report, window), filters), text
    )


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
