"""The production server: gunicorn with the project's config serves pages and static files."""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.db import connection
from django.test import TransactionTestCase

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k8$Zq-very-long-random-secret-for-the-gunicorn-test-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(folder: str) -> str:
    """Return the URL of a database gunicorn's workers can share with this test."""
    if connection.vendor == "sqlite":
        # The test database is in memory; gunicorn gets a migrated file database.
        return f"sqlite:///{folder}/gunicorn.sqlite3"
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class GunicornTests(TransactionTestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": "crm.settings",
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": SECRET,
                "DJANGO_HTTPS": "0",
                "DJANGO_STATIC_ROOT": f"{folder.name}/static",
                "DATABASE_URL": database_url(folder.name),
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "GUNICORN_WORKERS": "2",
            }
        )
        steps = [["collectstatic", "--noinput", "-v0"]]
        if connection.vendor == "sqlite":
            steps.append(["migrate", "--noinput", "-v0"])
        for step in steps:
            done = subprocess.run(
                [sys.executable, "manage.py", *step],
                cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            self.assertEqual(done.returncode, 0, done.stderr)
        self.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "crm/gunicorn.conf.py", "crm.wsgi"],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.addCleanup(self.stop)
        self.wait_until_listening()
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def stop(self):
        if self.server.poll() is None:
            self.server.terminate()
        self.server.communicate(timeout=60)

    def wait_until_listening(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                self.fail("gunicorn exited: " + self.server.stdout.read())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.fail("gunicorn did not listen within 60 seconds")

    def get(self, path):
        return self.opener.open(f"http://127.0.0.1:{self.port}{path}", timeout=30)

    def test_login_page_static_file_and_a_login_attempt_through_gunicorn(self):
        page = self.get("/accounts/login/")
        html = page.read().decode()
        self.assertEqual(page.status, 200)
        self.assertIn("登录", html)
        css = re.search(r'href="(/static/crm/base\.[0-9a-f]{12}\.css)"', html).group(1)
        style = self.get(css)
        self.assertEqual(style.status, 200)
        self.assertIn("text/css", style.headers["Content-Type"])
        self.assertGreater(len(style.read()), 100)

        # A wrong password goes through CSRF, the session and the database.
        token = next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": "nobody", "password": "wrong"}
        ).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/accounts/login/", form)
        answer = self.opener.open(request, timeout=30)
        self.assertEqual(answer.status, 200)
        self.assertIn("请输入一个正确的用户名和密码", answer.read().decode())

    def test_access_log_is_json_lines(self):
        self.get("/accounts/login/").read()
        self.server.terminate()
        output, _ = self.server.communicate(timeout=60)
        entries = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
        access = [e for e in entries if e["logger"] == "gunicorn.access"]
        self.assertTrue(any('"GET /accounts/login/ HTTP/1.1" 200' in e["message"] for e in access))
        self.assertTrue(any(e["logger"] == "gunicorn.error" for e in entries), output)
