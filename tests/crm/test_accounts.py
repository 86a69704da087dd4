"""Login, logout and password change pages, in Chinese."""

from django.test import TestCase
from django.urls import reverse

from tests.factories import PASSWORD
from tests.roles import RolesMixin


class AccountPagesTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()

    def test_login_page_is_in_chinese_and_logs_in_to_the_dashboard(self):
        page = self.client.get(reverse("login"))
        self.assertContains(page, "用户登录")
        self.assertContains(page, "用户名")
        response = self.client.post(reverse("login"), {"username": "chakan", "password": PASSWORD})
        self.assertRedirects(response, "/")

    def test_wrong_password_is_refused_in_chinese(self):
        response = self.client.post(reverse("login"), {"username": "chakan", "password": "x"})
        self.assertContains(response, "请输入一个正确的")

    def test_logout_returns_to_login(self):
        self.client.force_login(self.reader)
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, reverse("login"))
        self.assertRedirects(self.client.get("/"), f"{reverse('login')}?next=/")

    def test_password_change(self):
        self.client.force_login(self.reader)
        page = self.client.get(reverse("password_change"))
        self.assertContains(page, "修改密码")
        response = self.client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "Zhaoshang-2026-new",
                "new_password2": "Zhaoshang-2026-new",
            },
        )
        self.assertRedirects(response, reverse("password_change_done"))
        self.reader.refresh_from_db()
        self.assertTrue(self.reader.check_password("Zhaoshang-2026-new"))

    def test_user_without_role_is_told_so_on_the_dashboard(self):
        self.client.force_login(self.no_role)
        response = self.client.get("/")
        self.assertContains(response, "尚未分配角色", status_code=403)
