"""Claim the new leads of a validated plan inside the write transaction.

A plan is validated outside any transaction, which may take a minute for a
large ledger; meanwhile another import or a clerk on the web may create the
same leads or take the codes the plan gave out. Before writing, under the
lead code lock (`lead_codes_lock`), the import checks again what it checked
then: a new row whose code or whose investor and project name now exist is
refused, naming the row; codes the import generated are given out afresh.
"""

from __future__ import annotations

from django.utils import timezone

from crm.spreadsheets.results import ERROR, ImportFailed, RowError
from leads.excel.plan import LeadPlan
from leads.excel.sql import select_in
from leads.models import Lead
from leads.resources import lead_columns
from leads.services import lead_code_next, lead_codes_lock

TAKEN_CODE = (
    "项目编号 {code} 已在您导入期间由他人（或另一次导入）新建，未写入任何数据；请重新导入。"
)
TAKEN_PAIR = (
    "该投资方的同名项目已在您导入期间由他人（或另一次导入）新建（项目编号 {code}），"
    "未写入任何数据；请重新导入，该行将更新已有线索。"
)


def claim_creations(plan: LeadPlan, *, at) -> None:
    """Lock code assignment; refuse rows created meanwhile (ImportFailed); renumber generated codes.

    Must run inside the write transaction, before anything is written.
    """
    lead_codes_lock()
    if not plan.creations:
        return
    generated = {id(step) for step in plan.generated}
    given = [step for step in plan.creations if id(step) not in generated]
    taken_codes = _existing_codes([step.lead.code for step in given])
    pairs = _existing_pairs({step.lead.investor for step in plan.creations})
    header = dict(lead_columns())
    conflicts = []
    for step in plan.creations:
        pair_code = pairs.get((step.lead.investor, step.lead.name))
        if step.lead.code in taken_codes and id(step) not in generated:
            conflicts.append(
                RowError(step.row, header["code"], TAKEN_CODE.format(code=step.lead.code))
            )
        elif pair_code is not None:
            conflicts.append(RowError(step.row, header["name"], TAKEN_PAIR.format(code=pair_code)))
    if conflicts:
        _refuse(plan, conflicts)
    _renumber(plan, {step.lead.code for step in given}, at)


def _existing_codes(codes: list) -> set[str]:
    return {code for (code,) in select_in(Lead, ["code"], "code", sorted(codes))}


def _existing_pairs(investors: set[str]) -> dict[tuple, str]:
    pairs: dict[tuple, str] = {}
    rows = select_in(Lead, ["investor", "name", "code", "created"], "investor", sorted(investors))
    # A pair held twice is named by its newest lead, as in the leads' default order.
    for investor, name, code, _created in sorted(rows, key=lambda row: row[3], reverse=True):
        pairs.setdefault((investor, name), code)
    return pairs


def _refuse(plan: LeadPlan, errors: list[RowError]) -> None:
    outcomes = {outcome.row: outcome for outcome in plan.report.outcomes}
    for error in errors:
        outcome = outcomes[error.row]
        outcome.kind = ERROR
        outcome.errors = [error]
    raise ImportFailed(plan.report)


def _renumber(plan: LeadPlan, given: set[str], at) -> None:
    """Give the generated codes out again, now that no other writer can take them."""
    if not plan.generated:
        return
    year = timezone.localtime(at).year
    codes = [
        code
        for code in lead_code_next(year=year, count=len(plan.generated) + len(given))
        if code not in given
    ]
    outcomes = {outcome.row: outcome for outcome in plan.report.outcomes}
    for step, code in zip(plan.generated, codes, strict=False):
        step.lead.code = code
        outcomes[step.row].key = code
