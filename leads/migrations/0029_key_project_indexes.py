"""The 重点项目推进表 reads its key projects and its candidates from indexes (issue 14);
no data changes."""

from django.conf import settings
from django.db import migrations, models

from crm.statistics import analyze_if_analyzed


def add_candidate_index(apps, schema_editor):
    # Written per database (leads.key_projects.candidate_index_sql, as defined now).
    from leads.key_projects import candidate_index_sql

    schema_editor.execute(candidate_index_sql(schema_editor))
    # An analyzed SQLite database needs the new indexes' statistics (crm.statistics).
    analyze_if_analyzed(schema_editor, "leads_lead")


def drop_candidate_index(apps, schema_editor):
    from leads.key_projects import CANDIDATE_INDEX

    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(CANDIDATE_INDEX)}")


class Migration(migrations.Migration):

    dependencies = [
        ('chambers', '0001_initial'),
        ('leads', '0028_duplicate_keys'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('is_key', True), ('merged_into__isnull', True), models.Q(('stage', 'dropped'), _negated=True)), fields=['code', 'planned_signed_on', 'planned_landed_on', 'planned_started_on', 'planned_in_production_on', 'stage', 'started_on', 'in_production_on', 'is_key', 'merged_into', 'id'], name='lead_key_year_idx'),
        ),
        migrations.RunPython(add_candidate_index, drop_candidate_index),
    ]
