"""Project-level guarantees: migrations, deployment settings, SQLite under two writers."""

import os
import subprocess
import sys
import textwrap
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import SimpleTestCase, TestCase

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env=None, cwd=ROOT):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.pop("DATABASE_URL", None)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


class MigrationTests(TestCase):
    def test_models_and_migrations_agree(self):
        out = StringIO()
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
        self.assertIn("No changes detected", out.getvalue())


class DeploySettingsTests(SimpleTestCase):
    secret = "k8$Zq-very-long-random-secret-for-the-deploy-check-0123456789abcdef"

    def test_deploy_check_passes_with_secret_and_debug_off(self):
        result = run_manage(
            "check", "--deploy", "--fail-level", "WARNING",
            env={"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": self.secret},
        )  # fmt: skip
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)

    def test_intranet_without_https_switch_is_reported_by_the_deploy_check(self):
        result = run_manage(
            "check", "--deploy", "--fail-level", "WARNING",
            env={"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": self.secret, "DJANGO_HTTPS": "0"},
        )  # fmt: skip
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SESSION_COOKIE_SECURE", result.stderr + result.stdout)

    def test_missing_secret_key_refuses_to_start(self):
        result = run_manage("check", env={"DJANGO_DEBUG": "0"})
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DJANGO_SECRET_KEY", result.stderr)


WRITER = textwrap.dedent(
    """
    import os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "crm.settings"
    django.setup()
    from django.db import connection, transaction
    from leads.models import Industry
    name = sys.argv[1]
    for i in range(60):
        with transaction.atomic():
            # Read then write: the pattern that fails with "database is locked"
            # under deferred transactions when two processes interleave.
            count = Industry.objects.count()
            Industry.objects.create(name=f"{name}-{i}-{count}")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        print(cursor.fetchone()[0])
    """
)


class LocaleTests(TestCase):
    def test_pages_speak_chinese_and_show_shanghai_time(self):
        """A move at 16:30 UTC on 5 March is shown as 00:30 on 6 March, in a zh-hans page."""
        from datetime import UTC, datetime

        from django.core.management import call_command
        from django.urls import reverse

        from tests.factories import UserFactory, make_lead

        call_command("loaddata", "reference", verbosity=0)
        lead = make_lead(name="时区检查", at=datetime(2026, 3, 5, 16, 30, tzinfo=UTC))
        self.client.force_login(UserFactory(groups=["局领导"]))
        html = self.client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
        self.assertIn('<html lang="zh-hans">', html)
        self.assertIn("2026-03-06 00:30", html)
        self.assertNotIn("2026-03-05 16:30", html)


class SQLiteConcurrencyTests(SimpleTestCase):
    """Two processes writing to one SQLite file at once both succeed (WAL + IMMEDIATE)."""

    def test_two_writers_do_not_fail_with_database_locked(self):
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            env = {
                "DJANGO_DEBUG": "1",
                "DATABASE_URL": f"sqlite:///{folder}/concurrency.sqlite3",
            }
            migrate = run_manage("migrate", "--noinput", env=env)
            self.assertEqual(migrate.returncode, 0, migrate.stderr)
            environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
            environment.update(env)
            writers = [
                subprocess.Popen(
                    [sys.executable, "-c", WRITER, name],
                    cwd=ROOT,
                    env=environment,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for name in ("甲", "乙")
            ]
            results = [writer.communicate(timeout=120) for writer in writers]
            for writer, (out, err) in zip(writers, results, strict=True):
                self.assertEqual(writer.returncode, 0, err)
                self.assertEqual(out.strip(), "wal")
            check = subprocess.run(
                [sys.executable, "-c", textwrap.dedent(
                    """
                    import os, django
                    os.environ["DJANGO_SETTINGS_MODULE"] = "crm.settings"
                    django.setup()
                    from leads.models import Industry
                    print(Industry.objects.count())
                    """
                )],
                cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            self.assertEqual(check.stdout.strip(), "120", check.stderr)


class SingleTransitionFunctionTests(SimpleTestCase):
    """STYLE: only the services (leads/services/) assign `.stage`, outside tests."""

    def test_stage_is_assigned_only_in_the_services_module(self):
        import re

        # An attribute assignment, or a bulk update that sets the stage column.
        pattern = re.compile(r"\.stage\s*=(?!=)|\.update\([^)]*\bstage\s*=")
        offenders = []
        for folder in ("crm", "leads", "chambers"):
            for path in (ROOT / folder).rglob("*.py"):
                relative = path.relative_to(ROOT).as_posix()
                if "/migrations/" in relative or relative.startswith("leads/services/"):
                    continue
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    code = line.split("#", 1)[0]
                    if pattern.search(code):
                        offenders.append(f"{relative}:{number}: {line.strip()}")
        self.assertEqual(offenders, [])


STATIC_PROBE = textwrap.dedent(
    """
    import os, django
    os.environ["DJANGO_SETTINGS_MODULE"] = "crm.settings"
    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.utils import setup_test_environment
    setup_test_environment()
    client = Client()
    page = client.get("/accounts/login/", secure=True)
    html = page.content.decode()
    start = html.index("/static/crm/base.")
    css = html[start : html.index('"', start)]
    response = client.get(css, secure=True)
    body = b"".join(response.streaming_content)
    print(page.status_code, css, response.status_code, len(body) > 100, response["Cache-Control"])
    """
)


class StaticFilesWithoutDebugTests(SimpleTestCase):
    """With DEBUG off the app still serves its own assets: no CDN, no extra server."""

    def test_collected_assets_are_served_with_hashed_names(self):
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            env = {
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": DeploySettingsTests.secret,
                "DJANGO_STATIC_ROOT": f"{folder}/static",
                "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
                "DJANGO_ALLOWED_HOSTS": "testserver",
            }
            collected = run_manage("collectstatic", "--noinput", "-v0", env=env)
            self.assertEqual(collected.returncode, 0, collected.stderr)
            environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
            environment.pop("DATABASE_URL", None)
            environment.update(env)
            probe = subprocess.run(
                [sys.executable, "-c", STATIC_PROBE],
                cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            self.assertEqual(probe.returncode, 0, probe.stderr)
            status, css, css_status, has_body, cache = probe.stdout.split(maxsplit=4)
            self.assertEqual((status, css_status, has_body), ("200", "200", "True"))
            # The manifest storage names files by content, so they can be cached for long.
            self.assertRegex(css, r"^/static/crm/base\.[0-9a-f]{12}\.css$")
            self.assertIn("max-age", cache)


class DatabaseSessionTests(TestCase):
    def test_postgresql_sessions_run_without_jit(self):
        """PostgreSQL connections turn JIT compilation off (crm/settings.py); SQLite has none."""
        from django.db import connection

        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW jit")
                self.assertEqual(cursor.fetchone()[0], "off")
            else:
                self.assertNotIn("options", connection.settings_dict["OPTIONS"])
