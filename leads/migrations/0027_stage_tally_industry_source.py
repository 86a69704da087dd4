"""The stage tally counts by 产业 and 来源 as well as by stage and team (issue 14).

The board and the list filtered by 产业 or 来源 (with or without a team) read
their totals and counts from the tally, not from every lead of the 产业. The
triggers are installed again to copy the two columns into each image, and the
tally is counted again by the new groups in the migration's own transaction:
no reader sees rows without a 产业 or 来源 (the count after every migrate,
`leads.apps.count_tallies`, counts it once more).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count

# The lead columns each image copies, as this migration installs them (and as
# 0016 did, for the way back); `leads.tally.COLUMNS` is the same while no later
# migration installs the triggers again (a test holds them equal).
COLUMNS = (
    "stage",
    "team_id",
    "industry_id",
    "source",
    "contract_amount",
    "planned_investment",
    "merged_into_id",
)
BEFORE = ("stage", "team_id", "contract_amount", "planned_investment", "merged_into_id")
KEYS = ("stage", "team_id", "industry_id", "source")


def triggers(columns):
    def install(apps, schema_editor):
        from leads.tally import drop_triggers, install_triggers

        drop_triggers(schema_editor.connection)
        install_triggers(schema_editor.connection, columns)

    return install


def regroup(apps, schema_editor):
    """Count the tally from the live leads by KEYS (what `leads.tally.tally_rebuild` does,
    with the models as they are at this migration)."""
    from leads.fold_lock import fold_lock
    from leads.querysets import lead_amount_expression
    from leads.reports.grouped import cents_sum

    using = schema_editor.connection.alias
    lead = apps.get_model("leads", "Lead")
    tally = apps.get_model("leads", "StageTally")
    fold_lock(using, tally._meta.db_table)
    grouped = (
        lead.objects.using(using)
        .filter(merged_into__isnull=True)
        .values(*KEYS)
        .annotate(total=Count("pk"), total_cents=cents_sum(lead_amount_expression()))
        .order_by()
    )
    folded = [
        tally(**{key: row[key] for key in KEYS}, count=row["total"], cents=row["total_cents"] or 0)
        for row in grouped
        if row["total"] or row["total_cents"]
    ]
    tally.objects.using(using).all().delete()
    tally.objects.using(using).bulk_create(folded)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0026_stage_index_filters"),
    ]

    operations = [
        migrations.AddField(
            model_name="stagetally",
            name="industry",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="leads.industry",
                verbose_name="所属产业",
            ),
        ),
        migrations.AddField(
            model_name="stagetally",
            name="source",
            field=models.CharField(max_length=20, null=True, verbose_name="线索来源"),
        ),
        migrations.RunPython(triggers(COLUMNS), triggers(BEFORE)),
        migrations.RunPython(regroup, migrations.RunPython.noop),
    ]
