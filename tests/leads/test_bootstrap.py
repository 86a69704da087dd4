"""`make run`'s data step: reference and demo data go into an empty database only."""

from io import StringIO

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import TestCase

from leads.models import Industry, Lead, StageOwner, TaskTeam


def bootstrap(*args) -> str:
    out = StringIO()
    call_command("bootstrap", *args, stdout=out)
    return out.getvalue()


class BootstrapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        # One demo seed for the class: it is the slow part (240 leads with history).
        cls.first_output = bootstrap()

    def test_empty_database_gets_reference_and_demo_data(self):
        self.assertIn("已载入基础数据", self.first_output)
        self.assertEqual(Industry.objects.count(), 10)
        self.assertTrue(User.objects.filter(username="demo").exists())
        self.assertGreaterEqual(Lead.objects.count(), 200)

    def test_second_run_keeps_what_an_administrator_changed(self):
        team = TaskTeam.objects.get(name="信息研判组")
        team.name = "信息研判一组"
        team.save()
        contact = StageOwner.objects.get(stage="contact")
        contact.sla_days = 99
        contact.save()
        leads = Lead.objects.count()

        output = bootstrap()

        self.assertIn("不重新载入", output)
        self.assertTrue(TaskTeam.objects.filter(name="信息研判一组").exists())
        self.assertFalse(TaskTeam.objects.filter(name="信息研判组").exists())
        self.assertEqual(StageOwner.objects.get(stage="contact").sla_days, 99)
        self.assertEqual(Lead.objects.count(), leads)


class BootstrapRefusesTests(TestCase):
    def test_database_with_only_users_is_not_seeded(self):
        User.objects.create_user("admin", password="x")
        bootstrap()
        self.assertFalse(Industry.objects.exists())
        self.assertFalse(Lead.objects.exists())

    def test_no_demo_loads_reference_data_only(self):
        bootstrap("--no-demo")
        self.assertEqual(Industry.objects.count(), 10)
        self.assertFalse(User.objects.exists())
