"""The stage index holds the 产业 and the 来源 (issue 14); no data changes.

The board filtered by them and 滞留 reads each stage's stalled range of the
index alone (leads.pages.board), not the leads' rows.
"""

from django.db import migrations, models

from crm.statistics import analyze_if_analyzed


def analyze(apps, schema_editor):
    # An analyzed SQLite database needs the new index's statistics (crm.statistics).
    analyze_if_analyzed(schema_editor, "leads_lead")


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0025_report_read_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="lead", name="lead_stage_idx"),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                fields=[
                    "stage",
                    "stage_entered_at",
                    "merged_into",
                    "team",
                    "industry",
                    "source",
                    "contract_amount",
                    "planned_investment",
                    "first_signed_on",
                    "id",
                ],
                name="lead_stage_idx",
            ),
        ),
        migrations.RunPython(analyze, analyze),
    ]
