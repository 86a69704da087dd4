"""Seed the category deadlines (限时) and give the bureau's groups the ledger permissions.

The groups come from fixtures/reference.json, which lists the same
permissions for a new database (tests/aftercare/test_permissions.py holds the
two equal); this migration grants them to groups that already exist.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DEADLINE_DAYS = {
    "land": 60,
    "planning": 30,
    "procedures": 15,
    "financing": 30,
    "labour": 20,
    "utilities": 10,
    "policy": 30,
    "other": 15,
}

READ = ["view_enterprise", "view_problem", "view_problemstatuschange", "view_categorydeadline"]
MEMBER = [
    *READ,
    "add_enterprise",
    "add_problem",
    "change_problem",
    "change_status_problem",
    "export_problem",
]
GRANTS = {
    "局领导": [
        *MEMBER,
        "change_enterprise",
        "delete_enterprise",
        "delete_problem",
        "add_categorydeadline",
        "change_categorydeadline",
        "manage_all_problem",
        "import_problem",
    ],
    "小分队组长": [*MEMBER, "change_enterprise", "import_problem"],
    "小分队队员": MEMBER,
    "只读": READ,
}


def seed(apps, schema_editor):
    CategoryDeadline = apps.get_model("aftercare", "CategoryDeadline")
    for category, days in DEADLINE_DAYS.items():
        CategoryDeadline.objects.get_or_create(category=category, defaults={"days": days})

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groups = Group.objects.filter(name__in=GRANTS)
    if not groups.exists():
        return
    config = apps.get_app_config("aftercare")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    for group in groups:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="aftercare", codename__in=GRANTS[group.name]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("aftercare", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
