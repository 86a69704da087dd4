"""Login failure handling (django-axes, by username + address) and automatic logout."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from crm.lockout import client_ip
from crm.session_limits import ACTIVE_AT, LOGIN_AT
from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/accounts/login/"


class LoginMixin:
    def login(self, username, password=PASSWORD, ip="10.1.1.1"):
        return self.client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)

    def logged_in(self):
        return "_auth_user_id" in self.client.session


class LockoutTests(LoginMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        cls.user = UserFactory(username="zhangsan", groups=["局领导"])
        cls.colleague = UserFactory(username="lisi", groups=["局领导"])

    def fail_five_times(self, ip="10.1.1.1"):
        for _ in range(5):
            response = self.login("zhangsan", "wrong-password", ip=ip)
        return response

    def test_right_password_after_five_wrong_ones_is_refused_in_chinese(self):
        self.fail_five_times()
        response = self.login("zhangsan")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "登录已锁定", status_code=429)
        self.assertContains(response, "连续 5 次密码错误", status_code=429)
        self.assertContains(response, "30 分钟后自动解除", status_code=429)
        self.assertFalse(self.logged_in())

    def test_four_wrong_passwords_do_not_lock(self):
        for _ in range(4):
            self.login("zhangsan", "wrong-password")
        self.assertRedirects(self.login("zhangsan"), "/")

    def test_same_username_from_another_address_still_logs_in(self):
        self.fail_five_times(ip="10.1.1.1")
        self.assertRedirects(self.login("zhangsan", ip="10.2.2.2"), "/")
        self.assertTrue(self.logged_in())

    def test_colleague_behind_the_same_address_still_logs_in(self):
        self.fail_five_times(ip="10.1.1.1")
        self.assertRedirects(self.login("lisi", ip="10.1.1.1"), "/")

    def test_administrator_reset_unlocks(self):
        self.fail_five_times()
        call_command("axes_reset_username", "zhangsan", verbosity=0)
        self.assertRedirects(self.login("zhangsan"), "/")

    def test_lockout_expires_after_the_cooloff(self):
        from axes.models import AccessAttempt

        self.fail_five_times()
        AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
        self.assertRedirects(self.login("zhangsan"), "/")

    @override_settings(AXES_FAILURE_LIMIT=2)
    def test_limit_is_configurable(self):
        self.login("zhangsan", "wrong-password")
        self.login("zhangsan", "wrong-password")
        self.assertEqual(self.login("zhangsan").status_code, 429)

    def test_admin_login_is_protected_too(self):
        self.fail_five_times()
        response = self.client.post(
            "/admin/login/", {"username": "zhangsan", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
        )
        self.assertEqual(response.status_code, 429)


class ClientAddressTests(SimpleTestCase):
    def request(self, forwarded):
        return RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    @override_settings(BEHIND_PROXY=True)
    def test_behind_the_proxy_the_address_it_appended_counts(self):
        self.assertEqual(client_ip(self.request("6.6.6.6, 10.3.3.3")), "10.3.3.3")

    @override_settings(BEHIND_PROXY=False)
    def test_without_a_proxy_the_forwarded_header_is_ignored(self):
        self.assertEqual(client_ip(self.request("6.6.6.6")), "127.0.0.1")


class SettingsFromEnvironmentTests(SimpleTestCase):
    def test_limits_are_read_from_the_environment(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update(
            {
                "DJANGO_DEBUG": "1",
                "DJANGO_LOGIN_FAILURE_LIMIT": "3",
                "DJANGO_LOGIN_COOLOFF_MINUTES": "10",
                "DJANGO_SESSION_IDLE_MINUTES": "15",
                "DJANGO_SESSION_MAX_HOURS": "4",
                "DJANGO_SETTINGS_MODULE": "crm.settings",
            }
        )
        code = (
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()), "
            "s.SESSION_COOKIE_AGE, s.CRM_SESSION_MAX_AGE, s.AXES_LOCKOUT_PARAMETERS)"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=60,
        )  # fmt: skip
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), "3 600 900 14400 [['username', 'ip_address']]")


class SessionLifetimeTests(LoginMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        cls.user = UserFactory(username="zhangsan", groups=["局领导"])

    def setUp(self):
        self.assertRedirects(self.login("zhangsan"), "/")

    def shift_login_time(self, hours):
        session = self.client.session
        session[LOGIN_AT] = int(time.time() - hours * 3600)
        session.save()

    def stored_session(self):
        return Session.objects.get(session_key=self.client.session.session_key)

    def test_defaults_are_thirty_minutes_idle_and_eight_hours(self):
        from django.conf import settings

        self.assertEqual(settings.SESSION_COOKIE_AGE, 30 * 60)
        self.assertEqual(settings.CRM_SESSION_MAX_AGE, 8 * 3600)

    def test_login_time_is_stored_in_the_session(self):
        self.assertAlmostEqual(self.client.session[LOGIN_AT], time.time(), delta=5)

    def test_session_younger_than_the_limit_stays_logged_in(self):
        self.shift_login_time(7.5)
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_session_older_than_the_limit_is_logged_out(self):
        self.shift_login_time(8.1)
        response = self.client.get("/", follow=True)
        self.assertRedirects(response, f"{reverse('login')}?next=/")
        self.assertFalse(self.logged_in())
        self.assertContains(response, "登录已超过 8 小时")

    def age_activity(self, seconds, expires_in):
        session = self.client.session
        session[ACTIVE_AT] = int(time.time() - seconds)
        session.save()
        stored = self.stored_session()
        stored.expire_date = timezone.now() + expires_in
        stored.save()

    def test_activity_pushes_the_idle_expiry_on(self):
        self.age_activity(120, expires_in=timedelta(minutes=1))
        self.assertEqual(self.client.get("/").status_code, 200)
        remaining = self.stored_session().expire_date - timezone.now()
        self.assertGreater(remaining, timedelta(minutes=29))
        self.assertAlmostEqual(self.client.session[ACTIVE_AT], time.time(), delta=5)

    def test_requests_within_a_minute_do_not_rewrite_the_session(self):
        self.age_activity(10, expires_in=timedelta(minutes=20))
        self.client.get("/")
        remaining = self.stored_session().expire_date - timezone.now()
        self.assertLess(remaining, timedelta(minutes=21))

    def test_idle_session_is_logged_out(self):
        session = self.stored_session()
        session.expire_date = timezone.now() - timedelta(seconds=1)
        session.save()
        response = self.client.get("/")
        self.assertRedirects(response, f"{reverse('login')}?next=/")
