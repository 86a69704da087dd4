"""Rows of the lead workbook as the importer holds them, and the lookups that read their cells.

A `LeadRow` is a light stand-in for a Lead (slots, no model instance):
building 100,000 Lead instances with their field tracker costs more than
writing them. The lookups read reference data once per import.
"""

from __future__ import annotations

import dataclasses
import operator
import re
import unicodedata

from crm.spreadsheets.cells import (
    CellError,
    ChoiceParser,
    NameLookup,
    UserLookup,
    cell_problem,
    clean_text,
    parse_amount,
    parse_date,
    parse_yes_no,
    remembered,
)
from crm.spreadsheets.reader import Sheet
from crm.spreadsheets.results import RowError
from leads.choices import LOST_TO_OTHER_PLACE, PIPELINE_STAGE_CHOICES, OriginType, Source, Stage
from leads.models import Industry, IndustryAlias, Lead, TaskTeam, Unit
from leads.resources import lead_columns

# The referring chamber and entrepreneur models, reached through the lead's
# foreign keys: leads never imports the chambers app, which depends on it.
Chamber = Lead.chamber.field.related_model
Entrepreneur = Lead.entrepreneur.field.related_model

ATTNAMES = tuple(f.attname for f in Lead._meta.concrete_fields)
SNAPSHOT = operator.attrgetter(*ATTNAMES)
CHUNK = 5000
FOREIGN_KEYS = {"industry", "chamber", "entrepreneur", "team", "owner", "credit_unit"}


# The row's fields as a generated slots dataclass: its generated __init__
# sets them all in one call, twice as fast as a setattr per field.
_LeadRowFields = dataclasses.make_dataclass(
    "_LeadRowFields", ATTNAMES, slots=True, eq=False, repr=False
)
_set_fields = _LeadRowFields.__init__


class LeadRow(_LeadRowFields):
    """A lead held as plain attributes: what the rules read, without a model instance.

    Built from a dict by attname; a name the dict lacks is None.
    """

    __slots__ = ()

    def __init__(self, values: dict):
        _set_fields(self, *map(values.get, ATTNAMES))

    @property
    def pk(self):
        return self.id

    def with_changes(self, changes) -> LeadRow:
        """Return a copy of this row with `changes` (by attname) applied; this row is unchanged.

        How the rules read a bulk row as a plan would leave it
        (`leads.services.rules.proposed`): a copy costs about as much as four
        reads through a `Proposed` view, and the rules read a row some twenty times.
        """
        copy = object.__new__(LeadRow)
        _set_fields(copy, *SNAPSHOT(self))
        for name, value in changes.items():
            setattr(copy, name, value)
        return copy


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
    references = {
        "origin_type": ChoiceParser(OriginType.choices),
        "source": ChoiceParser(Source.choices),
        "stage": ChoiceParser(Stage.choices),
        "industry": NameLookup(industries, "产业（或产业别名）"),
        "chamber": NameLookup(dict(Chamber.objects.values_list("name", "pk")), "商会"),
        "team": NameLookup(dict(TaskTeam.objects.values_list("name", "pk")), "小分队"),
        "credit_unit": NameLookup(dict(Unit.objects.values_list("name", "pk")), "单位"),
        "entrepreneur": EntrepreneurLookup(),
        "owner": UserLookup(),
        "dropped_from": ChoiceParser(PIPELINE_STAGE_CHOICES),
    }
    return {
        **{name: remembered(parse) for name, parse in references.items()},
        "credit_code": _credit_code,
        "planned_investment": parse_amount,
        "contract_amount": parse_amount,
        "paid_in": parse_amount,
        "visited_on": parse_date,
        "intent_on": parse_date,
        "signed_on": parse_date,
        "landed_on": parse_date,
        "next_follow_up": parse_date,
        "started_on": parse_date,
        "in_production_on": parse_date,
        "planned_started_on": parse_date,
        "planned_in_production_on": parse_date,
        "is_key": parse_yes_no,
    }


def blank_value(name: str):
    """Return what a blank cell of column `name` holds: None for a reference, date or number."""
    model_field = Lead._meta.get_field(name)
    if model_field.is_relation or model_field.null:
        return None
    return "" if model_field.get_internal_type() in ("CharField", "TextField") else None


# 落户他地：郑州市, 落户他地:郑州市, 落户他地（苏州）, 落户他地(苏州)
_LOST_TO_IN_REASON = re.compile(
    rf"^{LOST_TO_OTHER_PLACE}\s*[：:（(]\s*(?P<place>.*?)\s*[）)]?\s*$", re.DOTALL
)


def split_lost_to(values: dict) -> str | None:
    """Read the place out of a 终止原因 like 落户他地：郑州市 into 落户地; return an error, or None.

    With the 落户地 cell blank (or its column left out), the reason becomes
    落户他地 and the place fills 落户地; with the cell filled, the two must
    name the same place and the reason is kept as written (an export of a
    reason typed that way on the web re-imports unchanged).
    """
    match = _LOST_TO_IN_REASON.match(values.get("drop_reason") or "")
    if match is None or not match.group("place"):
        return None
    place = match.group("place")
    lost_to = values.get("lost_to") or ""
    if not lost_to:
        values["drop_reason"] = LOST_TO_OTHER_PLACE
        values["lost_to"] = place
        return None
    if lost_to != place:
        return (
            f"终止原因写的落户地是“{place}”，落户地一列写的是“{lost_to}”，"
            "两者不一致，请改为同一地点。"
        )
    return None


# What a new lead holds in the fields no column sets.
NEW_LEAD = {
    field.attname: None if field.null or field.primary_key else ""
    for field in Lead._meta.concrete_fields
    if field.get_internal_type() in ("CharField", "TextField") or field.null or field.primary_key
}
# The model's other defaults a new row starts from (a version of 0, not a key project).
NEW_LEAD.update(
    {
        field.attname: field.get_default()
        for field in Lead._meta.concrete_fields
        if field.attname not in NEW_LEAD and field.has_default() and not callable(field.default)
    }
)


def parse_rows(sheet: Sheet, progress=None):
    """Yield (row number, values by attname, errors) for each data row of `sheet`.

    A column left out of the sheet is left out of the values (the lead keeps
    what it holds); a cell Excel would not hold as typed (an error value, cut
    text: `cell_problem`) is refused. Frees each row's raw cells once read;
    reports progress every 5,000 rows.
    """
    parsers = cell_parsers()
    specs = []
    headers = dict(lead_columns())
    for name, header in headers.items():
        if header not in sheet.columns:
            continue  # a left-out column: the lead keeps what it holds
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
            if raw.__class__ is not str or len(raw) > 1000:
                problem = cell_problem(raw)
                if problem:
                    errors.append(RowError(row_number, header, problem))
                    continue
            try:
                parsed = parse(raw)
            except CellError as error:
                errors.append(RowError(row_number, header, str(error)))
                continue
            values[attname] = blank if parsed is None else parsed
        problem = split_lost_to(values)
        if problem:
            errors.append(RowError(row_number, headers["lost_to"], problem))
        if progress and position % 5000 == 0:
            progress("validate", position, total)
        yield row_number, values, errors


ONLY_DROPPED = "只有当前阶段为“终止”的线索才能填写终止前阶段。"


def updated_dropped_from(existing: dict, to_stage: str, wanted: str) -> str | None:
    """Return an error unless the 终止前阶段 cell agrees with what the row leads to."""
    if not wanted:
        return None
    if to_stage != Stage.DROPPED:
        return ONLY_DROPPED
    result = existing["dropped_from"] if existing["stage"] == Stage.DROPPED else existing["stage"]
    if wanted != result:
        return (
            f"该线索终止前的阶段是“{Stage(result).label}”，与所填“{Stage(wanted).label}”不一致；"
            "导入不能改变终止前阶段。"
        )
    return None
