from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("招商线索")

    def ready(self):
        from crm.spreadsheets.importers import importer_register
        from leads.excel.lead_importer import LeadImporter
        from leads.excel.targets import TargetImporter

        importer_register("leads", LeadImporter)
        importer_register("targets", TargetImporter)
        post_migrate.connect(count_tallies, sender=self)


def count_tallies(sender, *, using, plan=None, **kwargs):
    """Count the stage and report tallies again from the leads after a `migrate` that applied
    migrations, and after a flush; find the duplicate finder's shared keys again too.

    A flush (between TransactionTestCase tests) empties the tables in no fixed
    order; on SQLite, emptying the leads after the tally leaves the delete
    trigger's images behind. A migrate with nothing to apply (every `make run`)
    counts nothing: at 1,000,000 leads the report tally takes half a minute.
    `python manage.py tally_rebuild` counts both again on demand.
    """
    if plan == []:
        return
    from leads.dedup.buckets import KEYS_TABLE, buckets_rebuild
    from leads.report_tally import TALLY as REPORT_TALLY
    from leads.report_tally import report_tally_rebuild
    from leads.tally import KEYS, TALLY, tally_rebuild

    connection = connections[using]
    tables = connection.introspection.table_names()
    if TALLY in tables and _has_columns(connection, TALLY, KEYS):
        # (Migrated back past the columns this code counts by, the tally is left as
        # it is: its rows still add up for the code of that time.)
        tally_rebuild(using=using)
    if REPORT_TALLY in tables:
        report_tally_rebuild(using=using)
    if KEYS_TABLE in tables:
        buckets_rebuild(using=using)


def _has_columns(connection, table: str, columns) -> bool:
    with connection.cursor() as cursor:
        found = {
            column.name for column in connection.introspection.get_table_description(cursor, table)
        }
    return set(columns) <= found
