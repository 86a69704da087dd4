"""The lead page's 落地后 panel: its forms (开工/投产, instalments) and what it shows.

The views that post these forms are in `edit_views`, with the other writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from leads.choices import Milestone, PaidInKind, Stage
from leads.key_projects import lead_node_cells
from leads.models import Lead
from leads.pages.forms import DATE
from leads.services import key_proposed

# A field error the service names by model field, shown on the form's field.
MILESTONE_FIELDS = {"started_on": "on", "in_production_on": "on", "milestone": "milestone"}


class MilestoneForm(forms.Form):
    prefix = "milestone"
    milestone = forms.ChoiceField(label=_("节点"), choices=Milestone.choices)
    on = forms.DateField(label=_("实际日期"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)


class PaidInForm(forms.Form):
    prefix = "paid_in"
    on = forms.DateField(label=_("到位日期"), widget=DATE)
    amount = forms.DecimalField(
        label=_("金额(万元)"), max_digits=14, decimal_places=2, min_value=0.01
    )
    kind = forms.ChoiceField(label=_("类别"), choices=PaidInKind.choices)
    note = forms.CharField(label=_("备注"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


@dataclass
class MilestoneEvent:
    """A recorded 开工/投产 shown in the lead's timeline."""

    milestone: Milestone
    on: date
    record: object | None  # the field-history row that recorded it


def lead_milestone_events(lead: Lead) -> list[MilestoneEvent]:
    """Return the lead's recorded milestones with the history row that recorded each."""
    events = []
    for milestone in Milestone:
        on = getattr(lead, f"{milestone.value}_on")
        if on is None:
            continue
        record = (
            lead.history.filter(**{f"{milestone.value}_on": on})
            .select_related("history_user")
            .order_by("history_id")
            .first()
        )
        events.append(MilestoneEvent(milestone, on, record))
    return events


def after_landing_context(lead: Lead, moves, *, milestone_form=None, paid_in_form=None) -> dict:
    """Return what the 落地后 panel shows and the forms it offers to `moves`' user."""
    shown = lead.stage in (Stage.SIGNED, Stage.LANDED) or lead.is_key
    context = {
        "after_landing_shown": shown,
        "node_cells": lead_node_cells(lead.pk) if shown else (),
        "key_proposed": key_proposed(lead),
        "paid_ins": list(lead.paid_ins.select_related("actor")) if shown else [],
        "supervision_notes": list(lead.supervision_notes.select_related("actor")),
        "milestone_events": lead_milestone_events(lead),
    }
    if moves.can_edit and lead.stage == Stage.LANDED:
        next_milestone = Milestone.STARTED if lead.started_on is None else Milestone.IN_PRODUCTION
        context["milestone_form"] = milestone_form or MilestoneForm(
            initial={"milestone": next_milestone, "version": lead.version}
        )
    if moves.can_edit and lead.stage in (Stage.SIGNED, Stage.LANDED):
        context["paid_in_form"] = paid_in_form or PaidInForm(
            initial={"kind": PaidInKind.FIXED_ASSETS, "version": lead.version}
        )
    return context
