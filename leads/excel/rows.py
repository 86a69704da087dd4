"""Rows of the lead workbook as the importer holds them, and the lookups that read their cells.

A `LeadRow` is a light stand-in for a Lead (slots, no model instance):
building 100,000 Lead instances with their field tracker costs more than
writing them. The lookups read reference data once per import.
"""

from __future__ import annotations

import operator
import unicodedata

from crm.spreadsheets.cells import (
    CellError,
    ChoiceParser,
    NameLookup,
    clean_text,
    parse_amount,
    parse_date,
)
from crm.spreadsheets.reader import Sheet
from crm.spreadsheets.results import RowError
from leads.choices import OriginType, Source, Stage
from leads.models import Industry, IndustryAlias, Lead, TaskTeam
from leads.resources import lead_columns

# The referring chamber and entrepreneur models, reached through the lead's
# foreign keys: leads never imports the chambers app, which depends on it.
Chamber = Lead.chamber.field.related_model
Entrepreneur = Lead.entrepreneur.field.related_model

ATTNAMES = tuple(f.attname for f in Lead._meta.concrete_fields)
SNAPSHOT = operator.attrgetter(*ATTNAMES)
CHUNK = 5000
FOREIGN_KEYS = {"industry", "chamber", "entrepreneur", "team"}


class LeadRow:
    """A lead held as plain attributes: what the rules read, without a model instance."""

    __slots__ = ATTNAMES

    def __init__(self, values: dict):
        for name in ATTNAMES:
            setattr(self, name, values.get(name))

    @property
    def pk(self):
        return self.id

    def copy(self) -> LeadRow:
        """Return a copy that a plan may be applied to without changing this row."""
        other = LeadRow.__new__(LeadRow)
        for name, value in zip(ATTNAMES, SNAPSHOT(self), strict=True):
            setattr(other, name, value)
        return other


class EntrepreneurLookup:
    """Find an entrepreneur by 姓名（企业名称）, or by name alone when it is unique."""

    def __init__(self):
        self.labels: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        for pk, name, company in Entrepreneur.objects.values_list("pk", "name", "company"):
            self.labels[f"{name}（{company}）" if company else name] = pk
            self.labels[f"{name}({company})"] = pk
            self.by_name.setdefault(name, []).append(pk)

    def __call__(self, value) -> int | None:
        text = clean_text(value)
        if not text:
            return None
        found = self.labels.get(text)
        if found is not None:
            return found
        ids = self.by_name.get(text, [])
        if len(ids) > 1:
            raise CellError(
                f"系统中有 {len(ids)} 位名为“{text}”的企业家，请写成“姓名（企业名称）”以区分。"
            )
        if not ids:
            raise CellError(f"系统中没有名为“{text}”的企业家，请先在企业家库中添加。")
        return ids[0]


def _credit_code(value) -> str:
    return unicodedata.normalize("NFKC", clean_text(value)).upper()


def cell_parsers() -> dict:
    industries = dict(Industry.objects.values_list("name", "pk"))
    for alias, industry_id in IndustryAlias.objects.values_list("name", "industry_id"):
        industries.setdefault(alias, industry_id)
    return {
        "origin_type": ChoiceParser(OriginType.choices),
        "source": ChoiceParser(Source.choices),
        "stage": ChoiceParser(Stage.choices),
        "industry": NameLookup(industries, "产业（或产业别名）"),
        "chamber": NameLookup(dict(Chamber.objects.values_list("name", "pk")), "商会"),
        "team": NameLookup(dict(TaskTeam.objects.values_list("name", "pk")), "小分队"),
        "entrepreneur": EntrepreneurLookup(),
        "credit_code": _credit_code,
        "planned_investment": parse_amount,
        "contract_amount": parse_amount,
        "paid_in": parse_amount,
        "signed_on": parse_date,
        "landed_on": parse_date,
        "next_follow_up": parse_date,
    }


def blank_value(name: str):
    model_field = Lead._meta.get_field(name)
    return None if model_field.null else ""


# What a new lead holds in the fields no column sets.
NEW_LEAD = {
    field.attname: None if field.null or field.primary_key else ""
    for field in Lead._meta.concrete_fields
    if field.get_internal_type() in ("CharField", "TextField") or field.null or field.primary_key
}
NEW_LEAD["version"] = 0


def parse_rows(sheet: Sheet, progress=None):
    """Yield (row number, values by attname, errors) for each data row of `sheet`.

    Frees each row's raw cells once read; reports progress every 5,000 rows.
    """
    parsers = cell_parsers()
    specs = []
    for name, header in lead_columns():
        attname = f"{name}_id" if name in FOREIGN_KEYS else name
        specs.append(
            (
                header,
                sheet.columns[header],
                attname,
                parsers.get(name, clean_text),
                blank_value(name),
            )
        )
    rows = sheet.rows
    total = len(rows)
    for position in range(total):
        row_number, cells = rows[position]
        rows[position] = None  # free the raw cells as we go
        width = len(cells)
        values = {}
        errors = []
        for header, index, attname, parse, blank in specs:
            raw = cells[index] if index < width else ""
            if raw == "" or raw is None:
                values[attname] = blank
                continue
            try:
                parsed = parse(raw)
            except CellError as error:
                errors.append(RowError(row_number, header, str(error)))
                continue
            values[attname] = blank if parsed is None else parsed
        if progress and position % 5000 == 0:
            progress("validate", position, total)
        yield row_number, values, errors
