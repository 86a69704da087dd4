"""The permissions of counting by event reach existing databases, not only new ones."""

import importlib
import json
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase

migration = importlib.import_module("leads.migrations.0007_counting_group_permissions")
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "reference.json"
NEW_CODES = {code for codes in migration.GRANTS.values() for code in codes}


def leads_codes(group: Group) -> set[str]:
    return set(
        group.permissions.filter(content_type__app_label="leads").values_list("codename", flat=True)
    )


class CountingPermissionMigrationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)

    def test_the_migration_grants_what_the_fixture_lists(self):
        fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
        listed = {
            item["fields"]["name"]: sorted(
                code
                for code, app, _model in item["fields"]["permissions"]
                if app == "leads" and code in NEW_CODES
            )
            for item in fixture
            if item["model"] == "auth.group"
        }
        self.assertEqual(listed, {name: sorted(codes) for name, codes in migration.GRANTS.items()})

    def test_a_group_created_before_the_permissions_gets_them(self):
        leader = Group.objects.get(name="局领导")
        leader.permissions.remove(*leader.permissions.filter(codename__in=NEW_CODES))
        reader = Group.objects.get(name="只读")
        reader.permissions.remove(*reader.permissions.filter(codename__in=NEW_CODES))
        self.assertFalse(leads_codes(leader) & NEW_CODES)

        # As `migrate` runs it: with the historical models of the migration's state.
        state = MigrationExecutor(connection).loader.project_state(
            ("leads", "0007_counting_group_permissions")
        )
        migration.grant(state.apps, None)

        self.assertLessEqual(
            {"correct_stage_lead", "set_credit_lead", "lock_report_lead", "change_unit"},
            leads_codes(leader),
        )
        self.assertEqual(leads_codes(reader) & NEW_CODES, {"view_unit"})
