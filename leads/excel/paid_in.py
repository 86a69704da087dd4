"""The 到位资金 sheet of the lead workbook: one row per instalment, added by `plan_paid_in`'s rules.

`Lead.paid_in` is the sum of a lead's instalments, so the lead sheet's
到位资金 column is read-only (`stated_paid_in_errors`); the instalments
themselves are rows of this sheet, in the lead workbook (beside 招商线索)
or in a workbook holding only this sheet. All or nothing with the lead
sheet: any error on either sheet writes nothing.

An instalment row is matched by its content, not by an id: instalments are
append-only, so a row the lead already holds (same 项目编号, 到位日期,
金额, 类别, 备注) is that instalment, unchanged, and only the rows beyond
those the lead holds are new. Exporting and importing back, or importing
the same file twice, adds nothing, and a ledger moves between
installations. Two equal instalments on one day are two equal rows.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from crm.spreadsheets.cells import (
    CellError,
    ChoiceParser,
    cell_problem,
    clean_text,
    parse_amount,
    parse_date,
)
from crm.spreadsheets.reader import Sheet
from crm.spreadsheets.results import ERROR, NEW, UNCHANGED, RowError, RowOutcome
from crm.spreadsheets.writer import Column
from leads.choices import PaidInKind
from leads.excel.rows import ATTNAMES, CHUNK, LeadRow
from leads.excel.steps import Creation, Update
from leads.models import Lead, PaidIn
from leads.services import proposed
from leads.services.milestones import plan_paid_in

PAID_IN_SHEET = "到位资金"
COLUMNS = {
    "code": "项目编号",
    "received_on": "到位日期",
    "amount": "金额(万元)",
    "kind": "类别",
    "note": "备注",
}
REQUIRED = ("code", "received_on", "amount", "kind")
# Where the errors of `plan_paid_in` are shown.
ERROR_COLUMN_FOR = {"lead": "code", "on": "received_on"}
PARSERS = {
    "code": clean_text,
    "received_on": parse_date,
    "amount": lambda value: parse_amount(value, exact=True),
    "kind": ChoiceParser(PaidInKind.choices),
    "note": clean_text,
}
KIND_LABELS = dict(PaidInKind.choices)
REFUSED_LEAD = "该线索在“招商线索”工作表中的行有误，请先改正该行。"


def paid_in_columns() -> list[Column]:
    """Return the 到位资金 sheet's columns, in order."""
    kinds = [str(label) for label in KIND_LABELS.values()]
    return [
        Column(COLUMNS["code"], width=18, required=True, help="已有线索的项目编号。"),
        Column(COLUMNS["received_on"], kind="date", required=True, help="资金到位的日期。"),
        Column(COLUMNS["amount"], kind="amount", required=True, help="单位万元，最多两位小数。"),
        Column(COLUMNS["kind"], required=True, options=lambda: kinds, help="到位资金类别。"),
        Column(COLUMNS["note"], width=30, help="备注。"),
    ]


def paid_in_headers(required_only: bool = False) -> list[str]:
    return [COLUMNS[name] for name in (REQUIRED if required_only else COLUMNS)]


def export_rows(leads):
    """Yield the 到位资金 rows of the instalments of `leads` (a queryset), by lead and date."""
    rows = (
        PaidIn.objects.filter(lead_id__in=leads.values("pk"))
        .order_by("lead__code", "received_on", "pk")
        .values_list("lead__code", "received_on", "amount", "kind", "note")
        .iterator(chunk_size=5000)
    )
    for code, received_on, amount, kind, note in rows:
        yield code, received_on, amount, str(KIND_LABELS.get(kind, kind)), note


def _parse(sheet: Sheet):
    """Yield (outcome, values) per row; the outcome holds the row's cell errors."""
    specs = [(name, header, sheet.columns.get(header)) for name, header in COLUMNS.items()]
    for row, cells in sheet.rows:
        outcome = RowOutcome(row=row, kind=ERROR, sheet=PAID_IN_SHEET)
        values = {}
        for name, header, index in specs:
            raw = cells[index] if index is not None and index < len(cells) else ""
            problem = cell_problem(raw) if raw != "" else None
            try:
                values[name] = None if problem else PARSERS[name](raw if raw != "" else None)
            except CellError as error:
                problem = str(error)
            if problem:
                outcome.errors.append(RowError(row, header, problem, PAID_IN_SHEET))
        if not values.get("code") and not outcome.errors:
            outcome.errors.append(RowError(row, COLUMNS["code"], "请填写项目编号。", PAID_IN_SHEET))
        if values.get("amount") is None and not outcome.errors:
            message = "请填写金额（万元）。"
            outcome.errors.append(RowError(row, COLUMNS["amount"], message, PAID_IN_SHEET))
        outcome.key = values.get("code") or ""
        outcome.label = f"{values.get('received_on') or ''} {values.get('amount') or ''}".strip()
        yield outcome, values


class PaidInSheetPlanner:
    """Plan the 到位资金 sheet's instalments onto a lead plan's steps (or new steps).

    The lead sheet's rows are noted first (`note`): the leads by code (their
    Creation or Update step, or the lead as read when the row changes it
    not), the codes of rows in error, the 到位资金 cells given. `plan`
    then reads the other leads and the instalments of all of them in chunks
    and plans each row; `check_stated` refuses a lead row whose 到位资金
    cell is not the lead's sum once the sheet's instalments are added.
    """

    def __init__(self, *, at, day):
        self.at, self.day = at, day
        self.targets: dict = {}
        self.refused: set = set()
        self.stated: list = []
        self.held: dict[int, Counter] = {}
        self.sums: dict[int, Decimal] = {}
        self.totals: dict[str, Decimal] = {}  # the new sum of each lead given instalments

    def note(self, outcome: RowOutcome, step, existing, paid) -> None:
        """Remember what a lead sheet row tells this sheet."""
        if outcome.kind == ERROR:
            if outcome.key:
                self.refused.add(outcome.key)
            return
        target = step if step is not None else existing
        code = step.lead.code if step is not None else existing["code"]
        if code:
            self.targets[code] = target
        if paid is not None:
            self.stated.append((outcome, paid, target))

    def plan(self, sheet: Sheet, outcomes: list, updates: list) -> None:
        """Plan every row of `sheet`; add its outcomes, and the updates it needs to `updates`."""
        self.updates = updates
        parsed = list(_parse(sheet))
        codes = {values["code"] for outcome, values in parsed if not outcome.errors}
        self._read_leads(sorted(codes - set(self.targets) - self.refused))
        self._read_held()
        for outcome, values in parsed:
            outcomes.append(outcome)
            if not outcome.errors:
                self._plan_row(outcome, values)

    def check_stated(self, header: str) -> None:
        """Refuse each lead row whose 到位资金 cell is not the lead's sum after this import."""
        for outcome, paid, target in self.stated:
            lead = target.lead if isinstance(target, Creation | Update) else None
            code = lead.code if lead is not None else target["code"]
            current = lead.paid_in if lead is not None else target["paid_in"]
            problem = stated_paid_in_error(paid, self.totals.get(code, current))
            if problem:
                outcome.kind = ERROR
                outcome.errors.append(RowError(outcome.row, header, problem))

    def _read_leads(self, codes: list) -> None:
        for start in range(0, len(codes), CHUNK):
            chunk = codes[start : start + CHUNK]
            for lead in Lead.objects.filter(code__in=chunk).values(*ATTNAMES):
                self.targets[lead["code"]] = lead

    def _read_held(self) -> None:
        ids = sorted({_lead_id(target) for target in self.targets.values()} - {None})
        for start in range(0, len(ids), CHUNK):
            rows = PaidIn.objects.filter(lead_id__in=ids[start : start + CHUNK]).values_list(
                "lead_id", "received_on", "amount", "kind", "note"
            )
            for lead_id, received_on, amount, kind, note in rows:
                self.held.setdefault(lead_id, Counter())[(received_on, amount, kind, note)] += 1
                self.sums[lead_id] = self.sums.get(lead_id, Decimal("0")) + amount

    def _step(self, code: str, row: int):
        """Return the step the instalments of lead `code` are added to, making one if needed."""
        target = self.targets[code]
        if isinstance(target, Creation | Update):
            return target
        lead = LeadRow(target)
        lead.modified = self.at
        step = Update(row=row, lead=lead, version=target["version"], sheet=PAID_IN_SHEET)
        self.updates.append(step)
        self.targets[code] = step
        return step

    def _error(self, outcome: RowOutcome, name: str, message: str) -> None:
        outcome.errors.append(RowError(outcome.row, COLUMNS[name], message, PAID_IN_SHEET))

    def _plan_row(self, outcome: RowOutcome, values: dict) -> None:
        code = values["code"]
        if code in self.refused:
            return self._error(outcome, "code", REFUSED_LEAD)
        if code not in self.targets:
            return self._error(outcome, "code", f"系统中没有项目编号为“{code}”的线索。")
        lead_id = _lead_id(self.targets[code])
        key = (values["received_on"], values["amount"], values["kind"], values["note"] or "")
        held = self.held.get(lead_id)
        if held and held[key] > 0:
            held[key] -= 1
            outcome.kind = UNCHANGED
            return None
        step = self._step(code, outcome.row)
        plan = plan_paid_in(
            _view(step),
            on=values["received_on"],
            amount=values["amount"],
            kind=values["kind"],
            note=values["note"] or "",
            total=self.totals.get(code, self.sums.get(lead_id, Decimal("0"))),
            today=self.day,
        )
        for name, message in plan.errors.items():
            self._error(outcome, ERROR_COLUMN_FOR.get(name, name), message)
        if plan.errors:
            return None
        (step.after if isinstance(step, Creation) else step.plans).append(plan)
        self.totals[code] = plan.changes["paid_in"]
        outcome.kind = NEW
        return None


def _lead_id(target):
    return target.lead.id if isinstance(target, Creation | Update) else target["id"]


def _view(step):
    """Return the step's lead as its plans so far leave it."""
    changes: dict = {}
    for plan in step.plans:
        changes.update(plan.changes)
    return proposed(step.lead, changes)


def stated_paid_in_error(stated: Decimal, total) -> str | None:
    """Return the error of a lead sheet's 到位资金 cell, unless it is the lead's sum."""
    total = total or Decimal("0")
    if stated == total:
        return None
    return (
        f"到位资金是各笔到位资金的合计（{total:.2f} 万元），不能在此修改；"
        f"请在“{PAID_IN_SHEET}”工作表中逐笔登记到位日期、金额和类别。"
    )
