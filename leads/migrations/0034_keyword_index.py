from django.db import migrations


def install(apps, schema_editor):
    # The index as `leads.keyword_index` defines it; a later change to it comes with its
    # own migration.
    from leads.keyword_index import install

    install(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            # The planner weighs the keyword's grams by the statistics of the index's
            # expression, which only ANALYZE gathers.
            cursor.execute("ANALYZE leads_lead")


def uninstall(apps, schema_editor):
    from leads.keyword_index import uninstall

    uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("leads", "0033_late_entry_indexes"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
