"""Disable the demo accounts of `seed_demo`, whose shared password is published."""

import re

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

# The usernames seed_demo creates (leads/management/commands/seed_demo.py).
DEMO_USERNAME = re.compile(r"^(demo|chakan|zuzhang\d+|duiyuan\d+)$")


class Command(BaseCommand):
    help = "停用演示账号（demo、chakan、zuzhang*、duiyuan*）：禁止登录并作废其密码；数据保留。"

    def handle(self, *args, **options):
        User = get_user_model()
        disabled = []
        for user in User.objects.filter(
            username__regex=DEMO_USERNAME.pattern, is_active=True
        ).order_by("username"):
            if not DEMO_USERNAME.match(user.username):
                continue  # the database's regex dialect may differ; Python decides
            user.is_active = False
            user.set_unusable_password()
            user.save(update_fields=["is_active", "password"])
            disabled.append(user.username)
        if disabled:
            self.stdout.write(
                self.style.SUCCESS(f"已停用 {len(disabled)} 个演示账号：{'、'.join(disabled)}")
            )
        else:
            self.stdout.write("没有需要停用的演示账号。")
