"""Indexes for the monthly report's reads at a city's scale (issue 14); no data changes.

- lead_backlog_idx holds the listed columns and the id: the JSON and the
  workbook list every waiting lead from it alone, in its order.
- lead_stage_idx holds the signing date and the id: a past day's backlog finds
  the leads moved since then that were signed by then in it alone.
- The counted-event indexes hold the id (the 资金到位率's numerator joins the
  signed leads to their instalments) and no longer the breakdown columns,
  which the report tally keeps (leads.querysets.REPORT_COLUMNS).
- The 更正误录 moves, few, have a partial index: 调整说明 reads a period's
  from it, not every move of the period.
"""

from django.db import migrations, models

from crm.statistics import analyze_if_analyzed


def analyze(apps, schema_editor):
    # An analyzed SQLite database needs the new indexes' statistics (crm.statistics).
    analyze_if_analyzed(schema_editor, "leads_lead")
    analyze_if_analyzed(schema_editor, "leads_stagetransition")


def event_index(leading: str, other: str, name: str) -> models.Index:
    return models.Index(
        condition=models.Q((f"{leading}__isnull", False)),
        fields=[
            leading,
            other,
            "merged_into",
            "first_signed_amount",
            "paid_in",
            "started_on",
            "id",
        ],
        name=name,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0024_report_tally"),
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
                    "name",
                    "investor",
                    "industry",
                    "team",
                    "id",
                ],
                name="lead_backlog_idx",
            ),
        ),
        migrations.RemoveIndex(model_name="lead", name="lead_stage_idx"),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                fields=[
                    "stage",
                    "stage_entered_at",
                    "merged_into",
                    "team",
                    "contract_amount",
                    "planned_investment",
                    "first_signed_on",
                    "id",
                ],
                name="lead_stage_idx",
            ),
        ),
        migrations.RemoveIndex(model_name="lead", name="lead_signed_event_idx"),
        migrations.RemoveIndex(model_name="lead", name="lead_landed_event_idx"),
        migrations.AddIndex(
            model_name="lead",
            index=event_index("first_signed_on", "first_landed_on", "lead_signed_event_idx"),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=event_index("first_landed_on", "first_signed_on", "lead_landed_event_idx"),
        ),
        migrations.AddIndex(
            model_name="stagetransition",
            index=models.Index(
                condition=models.Q(("correction", True)),
                fields=["at"],
                name="transition_correction_idx",
            ),
        ),
        migrations.RunPython(analyze, analyze),
    ]
