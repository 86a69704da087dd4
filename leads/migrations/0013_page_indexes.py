"""Indexes for the dashboard and the board (issue 14); no data changes.

- The stage index carries what the per-stage figures and the 三色预警 read
  (when the stage was entered, merged, team, amounts), so they read the index
  instead of every lead row.
- Each planned node date is indexed where set: the 督办 counts read only the
  leads with a plan.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('chambers', '0001_initial'),
        ('leads', '0012_report_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='lead',
            name='leads_lead_stage_9a3f50_idx',
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(fields=['stage', 'stage_entered_at', 'merged_into', 'team', 'contract_amount', 'planned_investment'], name='lead_stage_idx'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('planned_signed_on__isnull', False)), fields=['planned_signed_on'], name='lead_plan_signed_idx'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('planned_landed_on__isnull', False)), fields=['planned_landed_on'], name='lead_plan_landed_idx'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('planned_started_on__isnull', False)), fields=['planned_started_on'], name='lead_plan_started_idx'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('planned_in_production_on__isnull', False)), fields=['planned_in_production_on'], name='lead_plan_in_production_idx'),
        ),
    ]
