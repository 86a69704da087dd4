"""The 督办 list page, its Excel download, the 督办 note form and the dashboard tile."""

import io
import re
from datetime import timedelta
from unittest import mock
from urllib.parse import unquote

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from leads.choices import Node, Stage
from leads.models import Lead, SupervisionNote
from leads.overdue import overdue_nodes
from leads.services import lead_plan_node, lead_update
from tests.factories import make_lead
from tests.roles import RolesMixin

TODAY = timezone.localdate
LIST = reverse("leads:overdue_nodes")
EXPORT = reverse("leads:overdue_nodes_export")
STAFF = ("director", "a_leader", "a_member", "b_member", "reader")


class OverduePageTestCase(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        cls.near = make_lead(stage=Stage.INTENT, name="近期逾期项目")  # team A
        cls.near = lead_update(lead=cls.near, actor=cls.director, leader="李副区长")
        lead_plan_node(
            lead=cls.near, node=Node.SIGNED, on=TODAY() - timedelta(3), actor=cls.director
        )
        cls.far = make_lead(stage=Stage.LANDED, name="久拖未开工项目")
        cls.far = lead_update(lead=cls.far, actor=cls.director, leader="王副区长")
        lead_plan_node(
            lead=cls.far, node=Node.STARTED, on=TODAY() - timedelta(40), actor=cls.director
        )
        make_lead(stage=Stage.INTENT, name="未逾期项目")

    def codes_in(self, response) -> list[str]:
        return re.findall(r'data-lead="(\d+)"', response.content.decode())


class OverdueListTests(OverduePageTestCase):
    def test_every_staff_role_reads_the_list_and_a_user_without_role_is_refused(self):
        for name in STAFF:
            with self.subTest(user=name):
                self.client.force_login(getattr(self, name))
                self.assertContains(self.client.get(LIST), "久拖未开工项目")
                self.assertEqual(self.client.get(EXPORT).status_code, 200)
        self.client.force_login(self.no_role)
        self.assertEqual(self.client.get(LIST).status_code, 403)
        self.assertEqual(self.client.get(EXPORT).status_code, 403)
        self.client.logout()
        self.assertRedirects(self.client.get(LIST), f"{reverse('login')}?next={LIST}")

    def test_rows_are_most_late_first_and_sortable(self):
        self.client.force_login(self.reader)
        response = self.client.get(LIST)
        self.assertNotContains(response, "未逾期项目")
        self.assertEqual(self.codes_in(response), [str(self.far.pk), str(self.near.pk)])
        self.assertContains(response, "计划开工")
        for sort, first in (("days", self.near), ("leader", self.near), ("-leader", self.far)):
            with self.subTest(sort=sort):
                response = self.client.get(LIST, {"o": sort})
                self.assertEqual(self.codes_in(response)[0], str(first.pk))

    def test_most_late_first_pages_are_the_full_lists_pages(self):
        self.client.force_login(self.reader)
        rows = overdue_nodes()
        self.assertEqual(len(rows), 2)
        with mock.patch("leads.pages.overdue_views.PAGE_SIZE", 1):
            for number, row in enumerate(rows, start=1):
                with self.subTest(page=number):
                    response = self.client.get(LIST, {"page": number})
                    self.assertEqual(self.codes_in(response), [str(row.lead_id)])
                    self.assertEqual(response.context["page"].paginator.count, 2)
            last = self.client.get(LIST, {"page": 99, "team": self.far.team_id})
        self.assertEqual(self.codes_in(last), [str(self.far.pk)])

    def test_team_filter(self):
        self.client.force_login(self.reader)
        response = self.client.get(LIST, {"team": self.near.team_id})
        self.assertEqual(self.codes_in(response), [str(self.near.pk)])

    def test_only_a_director_is_offered_the_supervise_button(self):
        button = reverse("leads:add_supervision", args=[self.far.pk])
        self.client.force_login(self.director)
        self.assertContains(self.client.get(LIST), button)
        self.client.force_login(self.a_leader)
        self.assertNotContains(self.client.get(LIST), button)

    def test_export_is_a_workbook_of_the_same_rows_in_the_same_order(self):
        self.client.force_login(self.reader)
        response = self.client.get(EXPORT, {"o": "days"})
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        rows = list(book.active.iter_rows(values_only=True))
        self.assertEqual(
            rows[0][:8],
            (
                "项目编号",
                "项目名称",
                "重点项目",
                "负责小分队",
                "分包领导",
                "督办事项",
                "计划/时限日期",
                "逾期天数",
            ),
        )
        self.assertEqual([r[0] for r in rows[1:]], [self.near.code, self.far.code])
        self.assertEqual([r[5] for r in rows[1:]], ["计划签约", "计划开工"])
        self.assertEqual([r[7] for r in rows[1:]], [3, 40])
        self.assertEqual(rows[2][4], "王副区长")
        self.assertEqual(rows[2][6].date(), TODAY() - timedelta(40))


class SupervisionFormTests(OverduePageTestCase):
    def url(self, lead=None):
        return reverse("leads:add_supervision", args=[(lead or self.far).pk])

    def test_director_adds_a_note_and_returns_to_the_list_where_it_shows(self):
        self.client.force_login(self.director)
        self.assertEqual(self.client.get(self.url(), {"node": "started"}).status_code, 200)
        deadline = TODAY() + timedelta(days=10)
        response = self.client.post(
            self.url(),
            {"node": "started", "note": "请本月内开工", "deadline": deadline, "next": LIST},
        )
        self.assertRedirects(response, LIST)
        note = SupervisionNote.objects.get()
        self.assertEqual(
            (note.lead_id, note.node, note.actor), (self.far.pk, "started", self.director)
        )
        page = self.client.get(LIST)
        self.assertContains(page, "请本月内开工")
        self.assertContains(page, deadline.isoformat())

    def test_an_outside_next_is_not_followed(self):
        self.client.force_login(self.director)
        response = self.client.post(
            self.url(),
            {"note": "督办", "deadline": TODAY(), "next": "https://example.com/"},
        )
        self.assertRedirects(response, reverse("leads:detail", args=[self.far.pk]))

    def test_everyone_but_a_director_is_refused(self):
        for name in ("a_leader", "a_member", "reader", "no_role"):
            with self.subTest(user=name):
                self.client.force_login(getattr(self, name))
                self.assertEqual(self.client.get(self.url()).status_code, 403)
                post = self.client.post(self.url(), {"note": "x", "deadline": TODAY()})
                self.assertEqual(post.status_code, 403)
        self.assertFalse(SupervisionNote.objects.exists())

    def test_errors_are_shown_in_chinese_by_field_and_nothing_is_written(self):
        self.client.force_login(self.director)
        cases = [
            ({"note": "", "deadline": TODAY()}, "note", "请填写督办意见。"),
            ({"note": "督办", "deadline": ""}, "deadline", "请填写办理期限。"),
            ({"note": "督办", "deadline": "明天"}, "deadline", "日期格式不正确"),
            (
                {"note": "督办", "deadline": TODAY() - timedelta(1)},
                "deadline",
                "办理期限不能早于今天。",
            ),
            ({"note": "督办", "deadline": TODAY(), "node": "bogus"}, "node", "选择一个有效的选项"),
        ]
        for data, field, message in cases:
            with self.subTest(field=field, data=data):
                response = self.client.post(self.url(), data)
                self.assertEqual(response.status_code, 400)
                errors = response.context["form"].errors
                self.assertIn(message, " ".join(errors[field]))
                self.assertContains(response, message, status_code=400)
        self.assertFalse(SupervisionNote.objects.exists())


class OverdueTileTests(OverduePageTestCase):
    def test_dashboard_tile_counts_the_late_nodes_and_links_to_the_list(self):
        self.client.force_login(self.a_member)
        response = self.client.get(reverse("home"))
        self.assertEqual(response.context["overdue"]["total"], 2)
        tile = re.search(
            r'<section class="panel" id="overdue-tile">.*?</section>',
            response.content.decode(),
            re.S,
        )
        self.assertIn("<b>2</b> 项逾期", tile.group(0))
        self.assertIn(f'href="{LIST}"', tile.group(0))

    def test_the_nav_links_to_the_lists(self):
        self.client.force_login(self.reader)
        response = self.client.get(reverse("leads:list"))
        self.assertContains(response, f'<a href="{LIST}"')
        self.assertContains(response, f'<a href="{reverse("leads:key_projects")}"')


class OverdueReportSheetTests(OverduePageTestCase):
    def test_monthly_workbook_has_the_supervision_sheet(self):
        self.client.force_login(self.reader)
        response = self.client.get(reverse("reports:monthly_xlsx"))
        book = load_workbook(io.BytesIO(response.content))
        sheet = book["督办清单"]
        rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0] is not None]
        self.assertEqual([row[1] for row in rows[:2]], [self.far.code, self.near.code])
        self.assertEqual([row[7] for row in rows[:2]], [40, 3])
        self.assertTrue(rows[-1][0].startswith("说明："))
        self.assertEqual(Lead.objects.count(), 3)

    def test_past_the_cap_the_sheet_lists_the_most_late_and_a_locked_version_every_row(self):
        self.client.force_login(self.director)
        with mock.patch("leads.reports.workbook.LISTED_ROWS", 1):
            live = self.client.get(reverse("reports:monthly_xlsx"))
            self.client.post(reverse("reports:monthly_lock"), {"reason": "上报"})
            locked = self.client.get(reverse("reports:monthly_xlsx"))
        self.assertIn("封存第1版", unquote(locked["Content-Disposition"]))
        for response, codes, rest in (
            (
                live,
                [self.far.code],
                "本表列出逾期最久的前 1 项（共 2 项）；完整清单请在“督办清单”页面导出。",
            ),
            (locked, [self.far.code, self.near.code], None),
        ):
            sheet = load_workbook(io.BytesIO(response.content))["督办清单"]
            rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
            listed = [row for row in rows if isinstance(row[0], int)]
            self.assertEqual([row[1] for row in listed], codes)
            notes = [row[0] for row in rows if not isinstance(row[0], int)]
            self.assertEqual(notes[:-1], [rest] if rest else [])
            self.assertTrue(notes[-1].startswith("说明："))
