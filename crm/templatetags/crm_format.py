"""Template filters for how the pages show numbers."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def money(value) -> str:
    """Return an amount in 万元 with two decimals and thousands separators, "" for none."""
    if value in (None, ""):
        return ""
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


@register.filter
def person(user, default: str = "系统") -> str:
    """Return a user's name in Chinese order (姓 then 名), else username; `default` for none."""
    if user is None:
        return default
    return f"{user.last_name}{user.first_name}".strip() or user.username
