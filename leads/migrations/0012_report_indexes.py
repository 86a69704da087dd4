"""Indexes for the monthly report's speed (issue #9); no data changes.

- The counted events (first_signed_on, first_landed_on) are indexed, where
  set, with every column the report's grouped figures and trend read
  (leads.querysets.REPORT_COLUMNS), so those queries read the index, not the
  wide lead rows: at 100,000 leads on SQLite, reading two years' counted
  leads took 0.18 s from the table and 0.06 s from the index; the trend
  0.084 s → 0.02 s.
- Lead.merged_into is indexed only where set. The full index Django gives a
  foreign key made SQLite's planner (no statistics unless ANALYZE has run)
  read every live lead through it for the default manager's
  "merged_into IS NULL" instead of the date indexes a report query names:
  0.2 s instead of 0.09 s for one grouped query at 100,000 leads.
- first_signed_entered / first_landed_entered: 调整说明 reads the events first
  recorded in the period, a scan of the whole table without them.
- PaidIn (received_on, lead, amount): a window's instalments are summed from
  the index alone.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('chambers', '0001_initial'),
        ('leads', '0011_duplicates'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='lead',
            name='leads_lead_first_s_5d16f5_idx',
        ),
        migrations.RemoveIndex(
            model_name='lead',
            name='leads_lead_first_l_735bd3_idx',
        ),
        migrations.AlterField(
            model_name='lead',
            name='merged_into',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged_leads', to='leads.lead', verbose_name='已合并到'),
        ),
        migrations.AlterField(
            model_name='paidin',
            name='received_on',
            field=models.DateField(blank=True, null=True, verbose_name='到位日期'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('first_signed_on__isnull', False)), fields=['first_signed_on', 'first_landed_on', 'merged_into', 'first_signed_amount', 'paid_in', 'started_on', 'industry', 'credit_team', 'source', 'origin_type', 'credit_unit', 'leader'], name='lead_signed_event_idx'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('first_landed_on__isnull', False)), fields=['first_landed_on', 'first_signed_on', 'merged_into', 'first_signed_amount', 'paid_in', 'started_on', 'industry', 'credit_team', 'source', 'origin_type', 'credit_unit', 'leader'], name='lead_landed_event_idx'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(fields=['first_signed_entered'], name='lead_signed_entered_idx'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(fields=['first_landed_entered'], name='lead_landed_entered_idx'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('merged_into__isnull', False)), fields=['merged_into'], name='lead_merged_into_idx'),
        ),
        migrations.AddIndex(
            model_name='paidin',
            index=models.Index(fields=['received_on', 'lead', 'amount'], name='paid_in_received_idx'),
        ),
    ]
