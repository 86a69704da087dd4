from django.db import migrations

from crm.statistics import analyze_if_analyzed


def analyze(apps, schema_editor):
    # Migrations 0017-0020 added lead indexes: an analyzed SQLite database needs their
    # statistics, or its planner prefers them blindly (crm.statistics).
    analyze_if_analyzed(schema_editor, "leads_lead")


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0020_stage_amount_index"),
    ]

    operations = [
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
