"""Deployment commands: the first 局领导 account, demo accounts off, SQLite online backup."""

import os
import sqlite3
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path
from unittest import mock

from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest
from django.test import SimpleTestCase, TestCase

ROOT = Path(__file__).resolve().parents[2]


# django-axes checks every authentication against its request: give the test client one.


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


class CreateLeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)

    @mock.patch.dict(os.environ, {"CRM_PASSWORD": "Zs-lead-2026-long"})
    def test_creates_a_leader_who_can_log_in_and_reach_the_admin(self):
        output = run("create_leader", "zhangsan", "--name", "张三")
        self.assertIn("已创建账号 zhangsan（局领导）", output)
        user = User.objects.get(username="zhangsan")
        self.assertEqual((user.last_name, user.first_name), ("张", "三"))
        self.assertTrue(user.is_staff)
        self.assertFalse(user.is_superuser)
        self.assertTrue(user.has_perm("leads.manage_all_lead"))
        self.assertTrue(
            self.client.login(
                request=HttpRequest(), username="zhangsan", password="Zs-lead-2026-long"
            )
        )

    @mock.patch.dict(os.environ, {"CRM_PASSWORD": "Zs-lead-2026-long"})
    def test_superuser_flag_makes_the_first_administrator(self):
        run("create_leader", "admin1", "--superuser")
        self.assertTrue(User.objects.get(username="admin1").is_superuser)

    @mock.patch.dict(os.environ, {"CRM_PASSWORD": "123456"})
    def test_weak_password_is_refused_in_chinese(self):
        with self.assertRaisesMessage(CommandError, "密码不符合要求"):
            run("create_leader", "lisi")
        self.assertFalse(User.objects.filter(username="lisi").exists())

    @mock.patch.dict(os.environ, {"CRM_PASSWORD": "Zs-lead-2026-long"})
    def test_existing_username_is_refused(self):
        User.objects.create_user("wangwu")
        with self.assertRaisesMessage(CommandError, "账号 wangwu 已存在"):
            run("create_leader", "wangwu")


class DisableDemoUsersTests(TestCase):
    def test_demo_accounts_can_no_longer_log_in_and_others_are_kept(self):
        for name in ["demo", "chakan", "zuzhang1", "duiyuan10"]:
            User.objects.create_user(name, password="zhaoshang2026")
        User.objects.create_user("zhangsan", password="zhaoshang2026")
        User.objects.create_user("demo_real", password="zhaoshang2026")

        output = run("disable_demo_users")

        self.assertIn("已停用 4 个演示账号", output)
        for name in ["demo", "chakan", "zuzhang1", "duiyuan10"]:
            user = User.objects.get(username=name)
            self.assertFalse(user.is_active)
            self.assertFalse(user.has_usable_password())
            self.assertFalse(
                self.client.login(request=HttpRequest(), username=name, password="zhaoshang2026")
            )
        self.assertTrue(
            self.client.login(request=HttpRequest(), username="zhangsan", password="zhaoshang2026")
        )
        self.assertTrue(User.objects.get(username="demo_real").is_active)
        self.assertIn("没有需要停用的演示账号", run("disable_demo_users"))


class BackupSQLiteTests(SimpleTestCase):
    def manage(self, *args, env):
        environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        environment.update(env)
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    def test_backup_is_a_complete_checked_copy_and_never_overwrites(self):
        with tempfile.TemporaryDirectory() as folder:
            env = {"DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{folder}/live.sqlite3"}
            for step in (["migrate", "-v0"], ["bootstrap", "--no-demo"]):
                done = self.manage(*step, env=env)
                self.assertEqual(done.returncode, 0, done.stderr)
            out = f"{folder}/backups/crm.sqlite3"

            backup = self.manage("backup_sqlite", out, env=env)

            self.assertEqual(backup.returncode, 0, backup.stderr)
            self.assertIn("校验通过", backup.stdout)
            with sqlite3.connect(out) as copy:
                (industries,) = copy.execute("SELECT count(*) FROM leads_industry").fetchone()
            self.assertEqual(industries, 10)
            again = self.manage("backup_sqlite", out, env=env)
            self.assertNotEqual(again.returncode, 0)
            self.assertIn("已存在", again.stderr)
