"""The plans of lead writes: frozen values saying everything a creation, an edit or a move sets.

`leads.services.plans` builds them from the rules; the two appliers (the
services in `lifecycle` through the ORM, the bulk import in
`leads.excel.write` through SQL) read them and decide nothing themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from leads.choices import Stage
from leads.services.rules import json_safe

EMPTY: Mapping = MappingProxyType({})


def _empty() -> Mapping:
    return EMPTY


@dataclass(frozen=True, kw_only=True, slots=True)
class EditPlan:
    """A write to one lead: the values it sets (by attname), its reason, and what refuses it."""

    changes: Mapping
    reason: str
    errors: Mapping = field(default_factory=_empty)
    history_type: str = "~"

    @property
    def version(self) -> int:
        """Return the lead's version after the write."""
        return self.changes["version"]

    def apply(self, lead) -> None:
        """Set the planned values on `lead` (a Lead or a LeadRow) in memory."""
        for name, value in self.changes.items():
            setattr(lead, name, value)

    def update_fields(self) -> list[str]:
        """Return the columns an ORM save of this plan writes, `modified` included."""
        return sorted({*self.changes, "modified"})

    def history_reason(self, note: str = "", *, source: str = "") -> str:
        """Return the field-history row's change reason: the note given, else the plan's reason.

        A bulk writer names its source (the imported file) and keeps the
        reason after it: "Excel导入：台账.xlsx（阶段变更：意向 → 签约）".
        """
        if source:
            return f"{source}（{self.reason}）"
        return note or self.reason


@dataclass(frozen=True, kw_only=True, slots=True)
class MovePlan(EditPlan):
    """A stage move (or a creation's entry at 接洽, from no stage), complete.

    `changes` holds everything the move sets: the data given, the stage
    date filled (`filled`), dropped_from / drop_reason / lost_to, the stage,
    its entry time, the team and the version, and the counted events
    (first_signed_* / first_landed_*) the rules record or a correction
    clears. `note` is the transition's note; `correction` marks a move back
    correcting a data-entry error, whose `data` keeps what it voided.
    """

    from_stage: str
    to_stage: str
    at: datetime
    from_team: int | None
    to_team: int | None
    data: Mapping = field(default_factory=_empty)
    filled: tuple[str, ...] = ()
    note: str = ""
    correction: bool = False

    @property
    def lands(self) -> bool:
        """Return whether the move enters 落地 (apps act on a landing in its transaction)."""
        return self.to_stage == Stage.LANDED

    def transition_values(self) -> dict:
        """Return the StageTransition row's values, except lead, actor, channel and note."""
        return {
            "from_stage": self.from_stage,
            "to_stage": self.to_stage,
            "at": self.at,
            "from_team_id": self.from_team,
            "to_team_id": self.to_team,
            "data": json_safe(self.data),
            "correction": self.correction,
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class CreationPlan:
    """A new lead: its entry at 接洽 and, when created at a later stage, the move there."""

    entry: MovePlan
    move: MovePlan | None = None
    errors: Mapping = field(default_factory=_empty)

    @property
    def steps(self) -> tuple[MovePlan, ...]:
        """Return the entry and the move, in the order they are written."""
        return (self.entry,) if self.move is None else (self.entry, self.move)

    @property
    def final(self) -> MovePlan:
        """Return the last step: what the lead holds once created."""
        return self.move or self.entry
