"""The stage tally counts by 产业 and 来源 as well as by stage and team (issue 14).

The board and the list filtered by 产业 or 来源 (with or without a team) read
their totals and counts from the tally, not from every lead of the 产业. The
triggers are installed again to copy the two columns into each image; the
tally is counted again after the migrate (`leads.apps.count_tallies`).
"""

import django.db.models.deletion
from django.db import migrations, models

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


def triggers(columns):
    def install(apps, schema_editor):
        from leads.tally import drop_triggers, install_triggers

        drop_triggers(schema_editor.connection)
        install_triggers(schema_editor.connection, columns)

    return install


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
    ]
