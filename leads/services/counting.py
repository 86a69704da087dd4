"""The counted events (统计口径) a move records on a lead, and what a correction voids.

The report counts a signing in the month of the lead's first entry into 签约
(with the 签约日期 and 签约投资额 it had then) and a landing likewise; these
rules decide what a move writes for that, and are part of the move's plan
(`leads.services.plans`), so both writers set them. Nothing here writes.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from leads.choices import PIPELINE, Stage

_POSITION = {stage: index for index, stage in enumerate(PIPELINE)}


def record_events(lead, passed, day) -> dict:
    """Return the counted events (统计口径) a move through `passed` records on `lead`.

    The first entry into 签约 keeps its 签约日期 and 签约投资额 as they are on
    entering, and the first entry into 落地 its 落地日期, whatever happens
    later (a drop, a move back, an edit); only a correction (`void_events`)
    clears them. `day` is the day the event was recorded.
    """
    changes = {}
    if Stage.SIGNED in passed and lead.first_signed_on is None:
        changes.update(
            first_signed_on=lead.signed_on,
            first_signed_amount=lead.contract_amount,
            first_signed_entered=day,
        )
    if Stage.LANDED in passed and lead.first_landed_on is None:
        changes.update(first_landed_on=lead.landed_on, first_landed_entered=day)
    return changes


def void_events(lead, to_stage: Stage) -> tuple[dict, dict]:
    """Return (the fields clearing what a correction back to `to_stage` undoes, what it cleared).

    A correction says the stages left were entered by mistake: their counted
    events and their stage dates are removed (a later real signing counts
    anew). What was cleared goes on the transition row (`voided_*`), which
    the next report lists in 调整说明.
    """
    changes, voided = {}, {}
    if lead.first_landed_on is not None:
        changes.update(first_landed_on=None, first_landed_entered=None, landed_on=None)
        # 开工 and 投产 follow 落地: a landing undone takes them with it.
        changes.update(
            {name: None for name in ("started_on", "in_production_on") if getattr(lead, name, None)}
        )
        voided.update(voided_landed_on=lead.first_landed_on, voided_amount=lead.first_signed_amount)
    if _POSITION[to_stage] < _POSITION[Stage.SIGNED] and lead.first_signed_on is not None:
        changes.update(
            first_signed_on=None,
            first_signed_amount=None,
            first_signed_entered=None,
            signed_on=None,
        )
        voided.update(voided_signed_on=lead.first_signed_on, voided_amount=lead.first_signed_amount)
    return changes, voided


def correction_errors(actor, *, from_stage: Stage, to_stage: Stage) -> dict[str, str]:
    """Return why a move may not be marked as a correction: only 局领导, only a move back."""
    if actor is None or not actor.has_perm("leads.correct_stage_lead"):
        return {"correction": _("只有局领导可以把退回标记为更正误录。")}
    if Stage.DROPPED in (from_stage, to_stage) or _POSITION[to_stage] >= _POSITION[from_stage]:
        return {"correction": _("只有退回到前一阶段才能标记为更正误录。")}
    return {}
