"""Create a 局领导 account: the first real account of a new installation."""

import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

LEADER_GROUP = "局领导"


class Command(BaseCommand):
    help = "创建局领导账号（用户组“局领导”，可进入管理后台）；密码取自环境变量或交互输入。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="登录名")
        parser.add_argument("--name", default="", help="姓名，如 张三")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-env",
            default="CRM_PASSWORD",
            help="从这个环境变量读取密码（默认 CRM_PASSWORD）；未设置时交互输入",
        )
        parser.add_argument(
            "--superuser",
            action="store_true",
            help="同时设为系统管理员（可在后台管理账号和用户组）；第一个账号需要",
        )

    def handle(self, *args, username, name, email, password_env, superuser, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"账号 {username} 已存在。")
        try:
            group = Group.objects.get(name=LEADER_GROUP)
        except Group.DoesNotExist:
            raise CommandError(
                "没有“局领导”用户组：请先执行 python manage.py bootstrap --no-demo 载入基础数据。"
            ) from None
        user = User(
            username=username,
            email=email,
            last_name=name[:1],
            first_name=name[1:],
            is_staff=True,
            is_superuser=superuser,
        )
        password = os.environ.get(password_env) or self.prompt_password()
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError("密码不符合要求：" + " ".join(error.messages)) from None
        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.add(group)
        role = "局领导、系统管理员" if superuser else "局领导"
        self.stdout.write(self.style.SUCCESS(f"已创建账号 {username}（{role}）。"))

    def prompt_password(self) -> str:
        if not os.isatty(0):
            raise CommandError("未提供密码：请设置环境变量 CRM_PASSWORD，或在终端中交互运行。")
        first = getpass.getpass("密码：")
        if first != getpass.getpass("再次输入密码："):
            raise CommandError("两次输入的密码不一致。")
        return first
