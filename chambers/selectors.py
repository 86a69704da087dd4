"""Reads for the 以商招商 scoreboard: leads referred by chambers and entrepreneurs."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Coalesce

from chambers.models import Chamber, Entrepreneur
from leads.choices import Stage
from leads.querysets import landed_in_q, live_q, signed_in_q

MONEY = DecimalField(max_digits=16, decimal_places=2)


def _conversion(prefix: str) -> dict:
    """Return the scoreboard annotations over the related leads at `prefix`."""
    # Signed or landed at any date: the scoreboard counts a chamber's whole record.
    # A join does not pass through the leads' manager: merged leads are left out here.
    live = live_q(prefix=prefix)
    signed = signed_in_q(prefix=prefix) & live
    return {
        "referred": Count(f"{prefix}pk", filter=live, distinct=True),
        "signed": Count(f"{prefix}pk", filter=signed, distinct=True),
        "landed": Count(f"{prefix}pk", filter=landed_in_q(prefix=prefix) & live, distinct=True),
        "dropped": Count(
            f"{prefix}pk", filter=Q(**{f"{prefix}stage": Stage.DROPPED}) & live, distinct=True
        ),
        "amount": Coalesce(
            Sum(f"{prefix}contract_amount", filter=signed), Decimal("0"), output_field=MONEY
        ),
    }


def chamber_list():
    """Return chambers with their conversion, most leads referred first."""
    return (
        Chamber.objects.select_related("liaison")
        .annotate(**_conversion("leads__"))
        .order_by("-signed", "-referred", "name")
    )


def entrepreneur_list():
    """Return entrepreneurs with their conversion, most leads referred first."""
    return (
        Entrepreneur.objects.select_related("chamber")
        .annotate(**_conversion("leads__"))
        .order_by("-signed", "-referred", "name", "id")
    )


def referred_leads_conversion(leads) -> dict:
    """Return the conversion totals of a queryset of referred leads (one query)."""
    return leads.aggregate(**_conversion(""))
