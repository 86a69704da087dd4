"""Give the existing group 局领导 the right to read the audit log.

New databases get it from fixtures/reference.json; this covers databases whose
groups were loaded before the audit log existed.
"""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    leaders = Group.objects.filter(name="局领导").first()
    if leaders is None:
        return
    # Permissions are normally created after all migrations (post_migrate); create
    # this app's now. The migration state's app config has no models module: lend it one.
    config = apps.get_app_config("audit")
    models_module = getattr(config, "models_module", None)
    config.models_module = models_module or True
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = models_module
    leaders.permissions.add(
        Permission.objects.get(content_type__app_label="audit", codename="view_auditevent")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
