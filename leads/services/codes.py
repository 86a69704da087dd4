"""Lead codes (ZS-2026-0001): the next free ones, and the lock under which they are given out."""

from __future__ import annotations

from django.db import connection
from django.db.models.functions import Length

from leads.models import Lead
from leads.services.rules import CODE_PREFIX


def yearly_codes_next(queryset, *, prefix: str, year: int, count: int = 1) -> list[str]:
    """Return the next `count` unused codes PREFIX-YEAR-NNNN of the rows in `queryset`.

    The numbering of every yearly code (leads' ZS-, aftercare's SQ-): one more
    than the highest number used that year, four digits or more.
    """
    prefix = f"{prefix}-{year}-"
    last = (
        queryset.filter(code__startswith=prefix, code__regex=rf"^{prefix}[0-9]+$")
        .annotate(code_length=Length("code"))
        .order_by("-code_length", "-code")
        .values_list("code", flat=True)
        .first()
    )
    start = int(last[len(prefix) :]) + 1 if last else 1
    return [f"{prefix}{number:04d}" for number in range(start, start + count)]


def lead_code_next(*, year: int, count: int = 1) -> list[str]:
    """Return the next `count` unused lead codes of `year`, e.g. ZS-2026-0001."""
    return yearly_codes_next(Lead.all_objects.all(), prefix=CODE_PREFIX, year=year, count=count)


# Any fixed number: the key of the PostgreSQL advisory lock on lead codes.
CODE_LOCK_KEY = 7_202_611


def lead_codes_lock() -> None:
    """Hold the lock on lead code assignment until the current transaction ends.

    Whoever gives out codes (`lead_create`, the import) takes it before
    reading the last code, so two writers never pick the same one. On
    PostgreSQL it is an advisory transaction lock; SQLite's IMMEDIATE
    transactions (settings) already let only one writer in at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CODE_LOCK_KEY])


def code_taken(code: str) -> bool:
    """Return whether a lead already holds `code`."""
    return Lead.all_objects.filter(code=code).exists()
