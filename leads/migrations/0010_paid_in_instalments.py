"""Carry each lead's 到位资金 over to one dated instalment, and grant the 局领导 the new rights.

Before this migration `Lead.paid_in` was one typed amount; from now on it is
the sum of the lead's `PaidIn` instalments. Each lead with an amount gets one
instalment of that amount (kind 其他, channel 系统):
- dated on the lead's 落地日期 when it has one: the amount had arrived by
  the landing the report counted it with;
- undated otherwise (a signed lead with money already entered): its arrival
  date was never recorded and is not invented, so it counts in the
  资金到位率 but in no month's 到位资金.
`Lead.paid_in` is unchanged. Reversing deletes the carried-over instalments.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NOTE = "迁移：原“到位资金”数额（启用分笔登记之前录入）"
GRANTS = {"局领导": ["mark_key_lead", "supervise_lead", "add_paidin", "view_paidin",
                    "view_nodeplan", "view_supervisionnote"],
          "小分队组长": ["add_paidin", "view_paidin", "view_nodeplan", "view_supervisionnote"],
          "小分队队员": ["add_paidin", "view_paidin", "view_nodeplan", "view_supervisionnote"],
          "只读": ["view_paidin", "view_nodeplan", "view_supervisionnote"]}  # fmt: skip


def carry_over(apps, schema_editor):
    Lead = apps.get_model("leads", "Lead")
    PaidIn = apps.get_model("leads", "PaidIn")
    leads = Lead.objects.filter(paid_in__gt=0).values_list("pk", "paid_in", "landed_on")
    PaidIn.objects.bulk_create(
        (
            PaidIn(lead_id=pk, amount=amount, received_on=landed_on, kind="other", note=NOTE,
                   channel="system")
            for pk, amount, landed_on in leads.iterator()
        ),
        batch_size=2000,
    )  # fmt: skip


def remove_carried(apps, schema_editor):
    apps.get_model("leads", "PaidIn").objects.filter(note=NOTE, channel="system").delete()


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groups = Group.objects.filter(name__in=GRANTS)
    if not groups.exists():
        return
    config = apps.get_app_config("leads")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    for group in groups:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="leads", codename__in=GRANTS[group.name]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0009_milestones_paid_in"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(carry_over, remove_carried),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
