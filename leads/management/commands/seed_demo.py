"""Create demo data: users, chambers, entrepreneurs, leads with real history, targets.

Landed projects get 开工/投产 dates, instalments and key-project node plans.
"""

import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from leads.choices import PIPELINE
from leads.demo.after_landing import DemoAfterLanding
from leads.demo.leads import DemoLeads
from leads.demo.people import DEMO_PASSWORD, demo_chambers, demo_entrepreneurs, demo_users
from leads.demo.targets import demo_targets, demo_units
from leads.models import Industry, Lead, StageOwner


class Command(BaseCommand):
    help = "创建演示数据：用户、商会、企业家、200 多条带真实阶段历史的线索和年度目标。"

    def add_arguments(self, parser):
        parser.add_argument("--leads", type=int, default=240, help="线索条数（至少 200）")
        parser.add_argument("--seed", type=int, default=2026, help="随机数种子")

    def handle(self, *args, leads, seed, **options):
        if not Industry.objects.exists() or StageOwner.objects.count() < len(PIPELINE):
            raise CommandError("请先执行 python manage.py loaddata reference 载入基础数据。")
        if Lead.objects.exists():
            self.stdout.write("数据库中已有线索，跳过演示数据。")
            self._print_login()
            return
        rng = random.Random(seed)
        now = timezone.now()
        with transaction.atomic():
            users = demo_users(rng)
            chambers = demo_chambers(rng, users)
            entrepreneurs = demo_entrepreneurs(rng, chambers)
            units = demo_units()
            demo_targets(timezone.localdate(now), units)
            count = DemoLeads(
                rng=rng,
                now=now,
                users=users,
                chambers=chambers,
                entrepreneurs=entrepreneurs,
                units=units,
            ).create(leads)
            DemoAfterLanding(
                rng=rng, today=timezone.localdate(now), director=users["demo"]
            ).create()
        self.stdout.write(self.style.SUCCESS(f"已创建 {count} 条演示线索。"))
        self._print_login()

    def _print_login(self):
        self.stdout.write(
            f"演示账号：demo（局领导），zuzhang1…zuzhang5（小分队组长），duiyuan1…duiyuan10（队员），"
            f"chakan（只读）；密码均为 {DEMO_PASSWORD}"
        )
