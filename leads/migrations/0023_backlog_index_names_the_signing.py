from django.db import migrations, models

from crm.statistics import analyze_if_analyzed


def analyze(apps, schema_editor):
    # An analyzed SQLite database needs the new index's statistics (crm.statistics).
    analyze_if_analyzed(schema_editor, "leads_lead")


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0022_backlog_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="lead", name="lead_backlog_idx"),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=models.Q(("first_signed_on__isnull", False), ("stage", "signed")),
                fields=[
                    "stage",
                    "first_signed_on",
                    "code",
                    "stage_entered_at",
                    "first_landed_on",
                    "first_signed_amount",
                    "merged_into",
                ],
                name="lead_backlog_idx",
            ),
        ),
        migrations.RunPython(analyze, analyze),
    ]
