"""Load the reference data and the demo data into an empty database, and only there."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

from leads.models import Industry, Lead, StageOwner, TaskTeam


def database_is_empty() -> bool:
    """Return whether no reference data, no lead and no user exist yet.

    Reference data is loaded into an empty database only (DESIGN.md): what an
    administrator changed afterwards (a renamed 小分队, a new 接洽 SLA) must
    survive every later start of the app.
    """
    return not (
        Industry.objects.exists()
        or TaskTeam.objects.exists()
        or StageOwner.objects.exists()
        or Group.objects.exists()
        or Lead.objects.exists()
        or get_user_model().objects.exists()
    )


class Command(BaseCommand):
    help = "空数据库时载入基础数据（及演示数据）；已有数据时什么也不改。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-demo", action="store_true", help="只载入基础数据，不创建演示账号和线索"
        )

    def handle(self, *args, no_demo, **options):
        if not database_is_empty():
            self.stdout.write("数据库中已有数据，保留现有基础数据和管理员的修改，不重新载入。")
            return
        call_command("loaddata", "reference", verbosity=0)
        self.stdout.write(self.style.SUCCESS("已载入基础数据（产业、小分队、阶段负责、用户组）。"))
        if not no_demo:
            # Each app's demo command, in order (settings: leads first, then the apps on it).
            for command in settings.CRM_DEMO_COMMANDS:
                call_command(command, stdout=self.stdout, stderr=self.stderr)
