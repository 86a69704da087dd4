"""Fill the counted events and the credit of existing leads from their stage history.

A lead counts as signed once it has ever entered 签约 or 落地 (a transition
there, or its stage now) with a 签约日期, on that date and for its 签约投资额;
likewise landed. Credit goes to the team of the lead's first transition
(the team at capture).
"""

from django.db import migrations
from django.utils import timezone

SIGNED = ("signed", "landed")


def fill(apps, schema_editor):
    Lead = apps.get_model("leads", "Lead")
    StageTransition = apps.get_model("leads", "StageTransition")
    first_team, entered = {}, {}
    for lead_id, to_stage, at, to_team_id in StageTransition.objects.order_by(
        "at", "id"
    ).values_list("lead_id", "to_stage", "at", "to_team_id"):
        first_team.setdefault(lead_id, to_team_id)
        day = timezone.localdate(at)
        if to_stage in SIGNED:
            entered.setdefault((lead_id, "signed"), day)
        if to_stage == "landed":
            entered.setdefault((lead_id, "landed"), day)
    changed = []
    for lead in Lead.objects.all().iterator(chunk_size=2000):
        lead.credit_team_id = first_team.get(lead.pk, lead.team_id)
        ever_signed = (lead.pk, "signed") in entered or lead.stage in SIGNED or (
            lead.stage == "dropped" and lead.dropped_from == "signed"
        )
        if ever_signed and lead.signed_on is not None:
            lead.first_signed_on = lead.signed_on
            lead.first_signed_amount = lead.contract_amount
            lead.first_signed_entered = entered.get((lead.pk, "signed"), lead.signed_on)
        ever_landed = (lead.pk, "landed") in entered or lead.stage == "landed"
        if ever_landed and lead.landed_on is not None and lead.first_signed_on is not None:
            lead.first_landed_on = lead.landed_on
            lead.first_landed_entered = entered.get((lead.pk, "landed"), lead.landed_on)
        changed.append(lead)
    Lead.objects.bulk_update(
        changed,
        [
            "credit_team",
            "first_signed_on",
            "first_signed_amount",
            "first_signed_entered",
            "first_landed_on",
            "first_landed_entered",
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [("leads", "0005_counting_credit_units_locks")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
