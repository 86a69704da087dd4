"""Give the bureau's groups the permissions of counting by event, credit, units and locks.

The groups come from fixtures/reference.json, which lists the same
permissions for a new database (tests/leads/test_counting_permissions.py
holds the two equal); this migration grants them to groups that already
exist, so a database set up before these permissions existed gets them too.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = ["view_unit"]
GRANTS = {
    "局领导": [
        *READ,
        "correct_stage_lead",
        "set_credit_lead",
        "lock_report_lead",
        "add_unit",
        "change_unit",
        "delete_unit",
        "view_reportsnapshot",
    ],
    "小分队组长": READ,
    "小分队队员": READ,
    "只读": READ,
}


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
        ("leads", "0006_fill_counted_events_and_credit"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
