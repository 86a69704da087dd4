"""Writes on the enterprises the bureau serves, including the link made when a lead lands."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from aftercare.models import Enterprise
from aftercare.rules import ProblemEditConflict, full_clean_or_raise, stripped


def enterprise_create(*, actor=None, **fields) -> Enterprise:
    """Create an enterprise that never was a lead (or was, given `lead`)."""
    fields = stripped(fields)
    if fields.get("credit_code"):
        fields["credit_code"] = fields["credit_code"].upper()
    enterprise = Enterprise(**fields)
    full_clean_or_raise(enterprise)
    enterprise.save()
    return enterprise


def enterprise_update(*, enterprise: Enterprise, actor=None, **fields) -> Enterprise:
    """Change an enterprise's fields; refuse a stale copy (ProblemEditConflict)."""
    with transaction.atomic():
        stored = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if stored.version != enterprise.version:
            raise ProblemEditConflict({"version": _("该企业已被他人修改，请刷新后重新操作。")})
        for field, value in stripped(fields).items():
            setattr(stored, field, value.upper() if field == "credit_code" else value)
        full_clean_or_raise(stored)
        stored.version += 1
        stored.save()
    return stored


def enterprise_find_or_create(*, name: str, credit_code: str = "") -> Enterprise:
    """Return the enterprise with `credit_code`, else the one named `name`, else a new one.

    An enterprise found by name without a credit code takes the one given.
    """
    name, credit_code = name.strip(), credit_code.strip().upper()
    if credit_code:
        found = Enterprise.objects.filter(credit_code=credit_code).first()
        if found:
            return found
    found = Enterprise.objects.filter(name=name).order_by("credit_code").first()
    if found and credit_code and not found.credit_code:
        found.credit_code = credit_code
        found.save(update_fields=["credit_code", "modified"])
    if found and (not credit_code or found.credit_code == credit_code):
        return found
    return enterprise_create(name=name, credit_code=credit_code)


def enterprises_link_landed(*, leads) -> None:
    """Create or link the enterprise of each lead that has just landed.

    Runs inside the landing's transaction (leads' `lead_landed_in_transaction`).
    Matches by 统一社会信用代码, then by name; a match found by name without
    a credit code takes the lead's. New enterprises are tagged 招商落地企业.
    `leads` are Lead rows or the bulk import's lead-like rows (id,
    registered_name, credit_code).
    """
    leads = [lead for lead in leads if lead.registered_name]
    if not leads:
        return
    codes = {lead.credit_code.upper() for lead in leads if lead.credit_code}
    names = {lead.registered_name.strip() for lead in leads}
    by_code = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
    by_name = {e.name: e for e in Enterprise.objects.filter(name__in=names, credit_code="")}
    # New enterprises are written in one statement: an import may land thousands.
    created: list[Enterprise] = []
    for lead in leads:
        code, name = lead.credit_code.upper(), lead.registered_name.strip()
        enterprise = by_code.get(code) if code else None
        if enterprise is None and name in by_name:
            enterprise = by_name.pop(name)
            enterprise.credit_code = code
        if enterprise is None:
            enterprise = Enterprise(
                name=name, credit_code=code, from_investment=True, lead_id=lead.id
            )
            created.append(enterprise)
        elif enterprise.pk is not None:
            # (One created for an earlier lead of this batch keeps that first lead.)
            enterprise.lead_id = enterprise.lead_id or lead.id
            enterprise.from_investment = True
            enterprise.save(update_fields=["credit_code", "lead", "from_investment", "modified"])
        if code:
            by_code[code] = enterprise
    Enterprise.objects.bulk_create(created)
