"""Validate a lead workbook row by row and decide what each row does, writing nothing.

Reference data (industries and aliases, chambers, entrepreneurs, teams,
stage owners) is read once per import; matched leads are read in chunks.
Each row becomes a `LeadRow` (a light stand-in for a Lead) that goes
through the same rules as `lead_create` / `lead_change_stage` /
`lead_update`: required data, stage moves, team hand-over, field checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from crm.spreadsheets.cells import CellError, cell_problem, clean_text
from crm.spreadsheets.reader import Sheet
from crm.spreadsheets.results import (
    ERROR,
    NEW,
    UNCHANGED,
    UPDATE,
    ImportReport,
    RowError,
    RowOutcome,
)
from leads.choices import Stage
from leads.excel.rows import (
    ATTNAMES,
    CHUNK,
    FOREIGN_KEYS,
    NEW_LEAD,
    SNAPSHOT,
    LeadRow,
    blank_value,
    cell_parsers,
    created_dropped_from,
    split_lost_to,
    updated_dropped_from,
)
from leads.models import Lead, TaskTeam
from leads.resources import lead_columns
from leads.selectors import user_team_ids
from leads.services import (
    lead_code_next,
    lead_field_errors,
    lead_move_errors,
    lead_plan_creation,
    next_team,
    stage_owner_teams,
    team_permission_errors,
)

# Model fields that are not columns: where their errors are shown.
ERROR_COLUMN_FOR = {"note": "stage", "lost_to": "drop_reason", "version": "code"}


@dataclass(slots=True)
class Creation:
    row: int
    lead: LeadRow
    to_stage: str
    contact_team_id: int | None
    # The stage date the move filled in (it was blank while the lead sat at 接洽).
    filled_date: str | None


@dataclass(slots=True)
class Update:
    row: int
    lead: LeadRow
    version: int
    # (snapshot values, change reason) per history row, oldest first.
    snapshots: list = field(default_factory=list)
    move: tuple | None = None  # (from_stage, to_stage, from_team_id, to_team_id, data)
    changed: list = field(default_factory=list)


@dataclass
class LeadPlan:
    report: ImportReport
    creations: list[Creation]
    updates: list[Update]
    # The creations whose codes the import generated (renumbered at write time if taken).
    generated: list[Creation] = field(default_factory=list)


class LeadPlanner:
    """Build a LeadPlan for one sheet, for one actor, at one moment."""

    def __init__(self, *, actor, at, progress=None):
        self.actor = actor
        self.at = at
        self.day = timezone.localdate(at)
        self.progress = progress
        self.owners = {stage: team.pk for stage, team in stage_owner_teams().items()}
        self.team_names = dict(TaskTeam.objects.values_list("pk", "name"))
        self.headers = dict(lead_columns())
        self.manage_all = actor is None or actor.has_perm("leads.manage_all_lead")
        self.may_change = actor is None or actor.has_perm("leads.change_lead")
        self.may_move = actor is None or actor.has_perm("leads.change_stage_lead")
        self.actor_teams = set() if actor is None else user_team_ids(actor)

    # -- parsing ---------------------------------------------------------------

    def parse(self, sheet: Sheet):
        """Yield (row number, values by attname, errors) for each data row of `sheet`."""
        parsers = cell_parsers()
        specs = []
        for name, header in lead_columns():
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
                errors.append(RowError(row_number, self.headers["lost_to"], problem))
            if self.progress and position % 5000 == 0:
                self.progress("validate", position, total)
            yield row_number, values, errors

    # -- matching --------------------------------------------------------------

    def existing(self, parsed) -> tuple[dict, dict]:
        """Read the leads the rows may match: by code, and by (investor, name)."""
        by_code: dict[str, dict] = {}
        codes = sorted({values["code"] for _row, values, _e in parsed if values.get("code")})
        self.read_leads("code__in", codes, by_code)
        investors = sorted(
            {
                values["investor"]
                for _row, values, _e in parsed
                if values.get("investor") and values.get("code") not in by_code
            }
        )
        self.read_leads("investor__in", investors, by_code)
        by_pair: dict[tuple, list[dict]] = {}
        for lead in by_code.values():
            by_pair.setdefault((lead["investor"], lead["name"]), []).append(lead)
        return by_code, by_pair

    @staticmethod
    def read_leads(lookup: str, keys: list, into: dict) -> None:
        for start in range(0, len(keys), CHUNK):
            for lead in Lead.objects.filter(**{lookup: keys[start : start + CHUNK]}).values(
                *ATTNAMES
            ):
                into[lead["code"]] = lead

    # -- the plan --------------------------------------------------------------

    def plan(self, sheet: Sheet) -> LeadPlan:
        parsed = list(self.parse(sheet))
        by_code, by_pair = self.existing(parsed)
        report = ImportReport()
        creations: list[Creation] = []
        updates: list[Update] = []
        seen_codes: dict[str, int] = {}
        seen_pairs: dict[tuple, int] = {}
        seen_leads: dict[int, int] = {}
        for row, values, errors in parsed:
            outcome = RowOutcome(
                row=row, kind=ERROR, key=values.get("code") or "", label=values.get("name") or ""
            )
            report.outcomes.append(outcome)
            code = values.get("code") or ""
            pair = (values.get("investor") or "", values.get("name") or "")
            existing = None
            if code:
                if code in seen_codes:
                    errors.append(
                        self.error(row, "code", f"与第{seen_codes[code]}行的项目编号重复。")
                    )
                seen_codes.setdefault(code, row)
                existing = by_code.get(code)
                if existing is None:
                    others = by_pair.get(pair, [])
                    if others:
                        errors.append(
                            self.error(
                                row,
                                "code",
                                "系统中该投资方的同名项目编号为"
                                f"{others[0]['code']}，与所填编号不一致。",
                            )
                        )
            elif all(pair):
                if pair in seen_pairs:
                    message = f"与第{seen_pairs[pair]}行的投资方和项目名称重复。"
                    errors.append(self.error(row, "name", message))
                seen_pairs.setdefault(pair, row)
                matches = by_pair.get(pair, [])
                if len(matches) > 1:
                    errors.append(
                        self.error(
                            row, "code", "系统中有多条投资方和项目名称相同的线索，请填写项目编号。"
                        )
                    )
                elif matches:
                    existing = matches[0]
                    outcome.key = existing["code"]
            if existing is not None:
                if existing["id"] in seen_leads:
                    errors.append(
                        self.error(row, "code", f"与第{seen_leads[existing['id']]}行是同一条线索。")
                    )
                seen_leads.setdefault(existing["id"], row)
            if errors:
                outcome.errors = errors
                continue
            if existing is None:
                step = self.plan_creation(row, values, outcome)
                if step is not None:
                    creations.append(step)
            else:
                step = self.plan_update(row, values, existing, outcome)
                if step is not None:
                    updates.append(step)
        generated = self.assign_codes(creations, report)
        if self.progress:
            self.progress("validate", len(parsed), len(parsed))
        return LeadPlan(report=report, creations=creations, updates=updates, generated=generated)

    def error(self, row: int, name: str, message: str) -> RowError:
        name = ERROR_COLUMN_FOR.get(name, name)
        return RowError(row, self.headers.get(name, self.headers["stage"]), str(message))

    def errors_from(self, row: int, errors: dict) -> list[RowError]:
        return [self.error(row, name, message) for name, message in errors.items()]

    def plan_creation(self, row: int, values: dict, outcome: RowOutcome) -> Creation | None:
        to_stage = values.pop("stage") or Stage.CONTACT
        team_id = values.pop("team_id", None)
        dropped_from = values.pop("dropped_from", "")
        lead = LeadRow({**NEW_LEAD, **values})
        lead.created = lead.modified = lead.stage_entered_at = self.at
        natural = next_team(
            to_stage=to_stage,
            current=self.owners.get(Stage.CONTACT),
            requested=None,
            owner=self.owners.get(to_stage),
        )
        # Naming the team the stage would hand the lead to anyway asks for nothing.
        requested = team_id if team_id is not None and team_id != natural else None
        plan = lead_plan_creation(
            lead,
            to_stage=to_stage,
            team=requested,
            owners=self.owners,
            actor=self.actor,
            day=self.day,
            fill_entered_date=False,
        )
        errors = plan.errors
        if not errors:
            errors = created_dropped_from(lead, to_stage, dropped_from)
        lead.team_id = plan.final_team
        lead.version = 0 if to_stage == Stage.CONTACT else 1
        contact_team, filled = plan.contact_team, plan.filled_date
        if not errors:
            errors = lead_field_errors(lead, self.day)
        if errors:
            outcome.errors = self.errors_from(row, errors)
            return None
        outcome.kind = NEW
        return Creation(row, lead, to_stage, contact_team, filled)

    def plan_update(self, row: int, values: dict, existing: dict, outcome: RowOutcome):
        to_stage = values.pop("stage") or existing["stage"]
        team_id = values.pop("team_id", None)
        problem = updated_dropped_from(existing, to_stage, values.pop("dropped_from", ""))
        if problem:
            outcome.errors = [self.error(row, "dropped_from", problem)]
            return None
        # A blank cell keeps what the system holds: a ledger that lacks a
        # detail entered on the web must not erase it.
        values = {name: value for name, value in values.items() if value not in ("", None)}
        lead = LeadRow(existing)
        changed = [name for name, value in values.items() if existing[name] != value]
        from_stage = Stage(existing["stage"])
        moving = to_stage != from_stage
        natural = (
            next_team(
                to_stage=to_stage,
                current=existing["team_id"],
                requested=None,
                owner=self.owners.get(to_stage),
            )
            if moving
            else existing["team_id"]
        )
        # The team cell asks for a hand-over only when it names neither the
        # current team (an unedited cell) nor the one the move hands over to.
        requested = None
        if team_id is not None and team_id not in (natural, existing["team_id"]):
            requested = team_id
        if not changed and not moving and requested is None:
            outcome.kind = UNCHANGED
            return None
        outcome.key = existing["code"]
        errors = {}
        if not self.may_change or not (self.manage_all or existing["team_id"] in self.actor_teams):
            team = self.team_names.get(existing["team_id"], "无")
            errors["code"] = (
                f"线索 {existing['code']} 由“{team}”负责，您无权通过导入修改其他小分队的线索。"
            )
        if moving and not self.may_move:
            errors["stage"] = "您无权变更线索阶段。"
        errors.update(team_permission_errors(self.actor, requested))
        step = Update(row=row, lead=lead, version=existing["version"], changed=changed)
        for name in changed:
            setattr(lead, name, values[name])
        if changed:
            lead.version += 1
            step.snapshots.append((self.snapshot(lead), "修改线索信息"))
        if moving and not errors:
            move_errors = lead_move_errors(
                lead,
                from_stage=from_stage,
                to_stage=Stage(to_stage),
                note="",
                day=self.day,
                fill_entered_date=False,
            )
            if "note" in move_errors:
                move_errors["note"] = "导入不能把线索退回到前一阶段，请在线索页面退回并说明原因。"
            errors.update(move_errors)
            from_team = lead.team_id
            lead.team_id = next_team(
                to_stage=to_stage,
                current=from_team,
                requested=requested,
                owner=self.owners.get(to_stage),
            )
            lead.stage_entered_at = self.at
            lead.version += 1
            data = {name: values[name] for name in changed if name in TRANSITION_DATA}
            step.move = (from_stage.value, to_stage, from_team, lead.team_id, data)
            step.snapshots.append(
                (self.snapshot(lead), f"阶段变更：{from_stage.label} → {Stage(to_stage).label}")
            )
        elif requested is not None and not errors:
            lead.team_id = requested
            lead.version += 1
            step.snapshots.append(
                (self.snapshot(lead), f"指定负责小分队：{self.team_names.get(requested, '')}")
            )
        if not errors:
            errors = lead_field_errors(lead, self.day)
        if errors:
            outcome.errors = self.errors_from(row, errors)
            return None
        outcome.kind = UPDATE
        outcome.changes = [self.headers.get(n.removesuffix("_id"), n) for n in changed]
        if step.move:
            outcome.changes.append(self.headers["stage"])
        return step

    @staticmethod
    def snapshot(lead: LeadRow) -> tuple:
        return SNAPSHOT(lead)

    def assign_codes(self, creations: list[Creation], report: ImportReport) -> list[Creation]:
        """Give new leads without a code the next free codes of the year; return those leads."""
        wanted = [step for step in creations if not step.lead.code]
        if not wanted:
            return wanted
        year = timezone.localtime(self.at).year
        taken = {step.lead.code for step in creations if step.lead.code}
        codes = [
            code
            for code in lead_code_next(year=year, count=len(wanted) + len(taken))
            if code not in taken
        ]
        outcomes = {outcome.row: outcome for outcome in report.outcomes}
        for step, code in zip(wanted, codes, strict=False):
            step.lead.code = code
            outcomes[step.row].key = code
        return wanted


TRANSITION_DATA = {
    "signed_on",
    "landed_on",
    "planned_investment",
    "contract_amount",
    "paid_in",
    "registered_name",
    "credit_code",
    "drop_reason",
}
