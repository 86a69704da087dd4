"""The audit log: logins, failures, lockouts, logouts, exports and imports; its page and admin."""

import importlib
from datetime import timedelta

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from leads.choices import Stage
from leads.models import ImportJob
from tests.factories import PASSWORD, UserFactory, make_lead
from tests.workbooks import lead_workbook

ROW = {
    "项目名称": "智能装备产业园",
    "投资方": "深圳华创集团有限公司",
    "所属产业": "信息技术",
    "线索来源": "自主对接",
}
Kind = AuditEvent.Kind


class AuditTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        cls.leader = UserFactory(username="juzhang", groups=["局领导"], is_staff=True)
        cls.member = UserFactory(username="duiyuan", groups=["小分队队员"])

    def force_login_quietly(self, user):
        """Log in for the test without leaving a login event behind."""
        self.client.force_login(user)
        AuditEvent.objects.all().delete()

    def login(self, username, password=PASSWORD, ip="10.1.1.1"):
        return self.client.post(
            "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
        )


class LoginEventsTests(AuditTestCase):
    def test_login_and_logout_are_logged_with_user_and_address(self):
        self.login("juzhang", ip="10.9.8.7")
        self.client.post("/accounts/logout/", REMOTE_ADDR="10.9.8.7")
        events = list(AuditEvent.objects.order_by("id").values_list("kind", "user", "ip_address"))
        self.assertEqual(
            events,
            [(Kind.LOGIN, self.leader.pk, "10.9.8.7"), (Kind.LOGOUT, self.leader.pk, "10.9.8.7")],
        )

    def test_failed_login_keeps_the_name_typed(self):
        self.login("juzhang", "wrong")
        self.login("nobody", "wrong")
        failed = AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED).order_by("id")
        self.assertEqual([e.username for e in failed], ["juzhang", "nobody"])
        self.assertIsNone(failed[1].user)

    def test_lockout_is_logged(self):
        for _ in range(5):
            self.login("juzhang", "wrong")
        self.assertEqual(self.login("juzhang").status_code, 429)
        locked = AuditEvent.objects.filter(kind=Kind.LOCKED_OUT)
        self.assertTrue(locked.exists())
        self.assertEqual(locked.first().username, "juzhang")

    def test_admin_login_is_marked_as_admin(self):
        self.client.post("/admin/login/", {"username": "juzhang", "password": PASSWORD})
        self.assertEqual(AuditEvent.objects.get(kind=Kind.LOGIN).channel, "admin")


class ExportImportEventsTests(AuditTestCase):
    def test_lead_export_logs_filter_and_row_count(self):
        for index in range(3):
            make_lead(name=f"项目{index}")
        make_lead(name="已签约", stage=Stage.SIGNED)
        self.force_login_quietly(self.leader)
        response = self.client.get(reverse("leads:export"), {"stage": "contact", "q": "项目"})
        self.assertEqual(response.status_code, 200)
        event = AuditEvent.objects.get(kind=Kind.EXPORT)
        self.assertEqual(
            (event.user, event.subject, event.rows, event.channel),
            (self.leader, "leads", 3, "web"),
        )
        self.assertEqual(event.query, "stage=contact&q=项目")

    def test_target_export_is_logged(self):
        self.force_login_quietly(self.leader)
        self.client.get(reverse("leads:targets_export"), {"year": "2026"})
        event = AuditEvent.objects.get(kind=Kind.EXPORT)
        self.assertEqual((event.subject, event.query), ("targets", "year=2026"))

    def test_confirmed_import_logs_file_rows_and_summary_and_preview_does_not(self):
        self.force_login_quietly(self.leader)
        upload = SimpleUploadedFile(
            "三月台账.xlsx", lead_workbook(ROW, {**ROW, "项目名称": "二期"})
        )
        self.client.post(reverse("leads:import"), {"kind": "leads", "file": upload})
        job = ImportJob.objects.get()
        self.assertFalse(AuditEvent.objects.filter(kind=Kind.IMPORT).exists())
        self.client.post(reverse("leads:import_job", args=[job.pk]))
        event = AuditEvent.objects.get(kind=Kind.IMPORT)
        self.assertEqual(
            (event.user, event.subject, event.rows, event.filename),
            (self.leader, "leads", 2, "三月台账.xlsx"),
        )
        self.assertIn("新建 2 条", event.note)


class AuditPageTests(AuditTestCase):
    url = reverse("audit:event_list")

    def test_leaders_have_the_view_permission_from_the_reference_data(self):
        self.assertTrue(self.leader.has_perm("audit.view_auditevent"))
        self.assertFalse(self.member.has_perm("audit.view_auditevent"))

    def test_page_is_for_leaders_only(self):
        self.force_login_quietly(self.member)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.force_login_quietly(self.leader)
        page = self.client.get(self.url)
        self.assertContains(page, "审计日志")
        self.assertContains(page, reverse("audit:event_list"))  # the nav link

    def test_filters_by_kind_user_and_date(self):
        self.force_login_quietly(self.leader)
        AuditEvent.objects.create(kind=Kind.LOGIN, username="zhangsan")
        AuditEvent.objects.create(kind=Kind.LOGIN_FAILED, username="zhangsan")
        AuditEvent.objects.create(kind=Kind.LOGIN, username="lisi")
        old = AuditEvent.objects.create(kind=Kind.LOGIN, username="zhangsan")
        AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
        today = timezone.localdate().isoformat()
        page = self.client.get(self.url, {"kind": "login", "username": "zhangs", "after": today})
        self.assertEqual([e.username for e in page.context["page"]], ["zhangsan"])
        self.assertEqual(page.context["page"].paginator.count, 1)

    def test_paginated_by_fifty_newest_first(self):
        self.force_login_quietly(self.leader)
        AuditEvent.objects.bulk_create(
            AuditEvent(kind=Kind.LOGIN, username=f"user{i:03}") for i in range(120)
        )
        first = self.client.get(self.url, {"kind": "login"})
        self.assertEqual(len(first.context["page"]), 50)
        self.assertEqual(first.context["page"][0].username, "user119")
        self.assertContains(first, "第 1 / 3 页")
        last = self.client.get(self.url, {"kind": "login", "page": 3})
        self.assertEqual(len(last.context["page"]), 20)

    def test_admin_lists_events_read_only(self):
        self.force_login_quietly(self.leader)
        AuditEvent.objects.create(kind=Kind.LOGIN, username="zhangsan")
        event = AuditEvent.objects.get()
        AuditEvent.objects.create(kind=Kind.EXPORT, subject="overdue_nodes", channel="command")
        changelist = self.client.get(reverse("admin:audit_auditevent_changelist"))
        self.assertContains(changelist, "zhangsan")
        # What and how, in Chinese as on the staff page.
        self.assertContains(changelist, '<td class="field-subject_shown">督办清单</td>', html=True)
        self.assertContains(changelist, '<td class="field-channel_shown">命令行</td>', html=True)
        self.assertEqual(self.client.get(reverse("admin:audit_auditevent_add")).status_code, 403)
        detail = self.client.post(
            reverse("admin:audit_auditevent_change", args=[event.pk]), {"username": "x"}
        )
        self.assertEqual(detail.status_code, 403)
        self.assertEqual(AuditEvent.objects.get(pk=event.pk).username, "zhangsan")
        self.assertEqual(
            set(
                Permission.objects.filter(content_type__app_label="audit").values_list(
                    "codename", flat=True
                )
            ),
            {"view_auditevent"},
        )


class GrantMigrationTests(TestCase):
    def test_existing_leader_group_gets_the_view_permission(self):
        group = Group.objects.create(name="局领导")
        migration = importlib.import_module("audit.migrations.0002_grant_leaders_view")
        state = MigrationLoader(connection).project_state(("audit", "0002_grant_leaders_view"))
        migration.grant(state.apps, None)
        self.assertIsNotNone(apps.get_app_config("audit").models_module)
        self.assertTrue(group.permissions.filter(codename="view_auditevent").exists())


class AuditLabelTests(SimpleTestCase):
    def test_subjects_and_channels_read_in_chinese(self):
        from audit.models import AuditEvent

        event = AuditEvent(kind=AuditEvent.Kind.EXPORT, subject="monthly_report", channel="command")
        self.assertEqual((event.subject_label, event.channel_label), ("月度通报", "命令行"))
        self.assertEqual(AuditEvent(subject="leads", channel="").channel_label, "网页")
        self.assertEqual(AuditEvent(subject="new_kind").subject_label, "new_kind")
