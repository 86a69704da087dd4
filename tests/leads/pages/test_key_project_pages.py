"""The 重点项目推进表 page and workbook, listing a key project, planning a node."""

import io
import re
from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from leads.choices import Node, Stage
from leads.models import Lead, NodePlan
from leads.services import lead_plan_node, lead_set_key
from tests.factories import make_lead
from tests.roles import RolesMixin

TODAY = timezone.localdate
PAGE = reverse("leads:key_projects")
EXPORT = reverse("leads:key_projects_export")


def days_ago(days: int):
    return TODAY() - timedelta(days=days)


class KeyPageTestCase(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        lead = make_lead(
            stage=Stage.LANDED,
            name="智能装备产业园",
            signed_on=days_ago(50),
            landed_on=days_ago(20),
        )
        lead = lead_set_key(lead=lead, is_key=True, actor=cls.director)
        for node, on in (
            (Node.SIGNED, days_ago(50)),
            (Node.LANDED, days_ago(30)),
            (Node.STARTED, days_ago(5)),
        ):
            lead = lead_plan_node(lead=lead, node=node, on=on, actor=cls.director)
        cls.key = lead
        cls.candidate = make_lead(
            stage=Stage.INTENT, name="新能源电池基地", planned_investment=Decimal("20000")
        )

    def cell_colours(self, response) -> dict[str, str]:
        return dict(re.findall(r'data-node="(\w+)" data-colour="(\w*)"', response.content.decode()))


class KeyProjectsPageTests(KeyPageTestCase):
    def test_every_staff_role_reads_the_table_coloured_with_days_late(self):
        for user in (self.director, self.a_leader, self.a_member, self.reader):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(PAGE)
                self.assertContains(response, "智能装备产业园")
                self.assertEqual(
                    self.cell_colours(response),
                    {"signed": "green", "landed": "amber", "started": "red", "in_production": ""},
                )
                days = response.context["page"][0].nodes
                self.assertEqual([cell.days_late for cell in days], [0, 10, 5, None])
        self.client.force_login(self.no_role)
        self.assertEqual(self.client.get(PAGE).status_code, 403)

    def test_the_table_is_read_a_page_at_a_time_by_code_and_its_export_has_every_row(self):
        for number in range(3):
            lead = make_lead(stage=Stage.INTENT, name=f"分页项目{number}")
            lead_set_key(lead=lead, is_key=True, actor=self.director)
        codes = sorted(Lead.objects.filter(is_key=True).values_list("code", flat=True))
        self.assertEqual(len(codes), 4)
        self.client.force_login(self.reader)
        with mock.patch("leads.pages.key_views.PAGE_SIZE", 3):
            first, second = (self.client.get(PAGE, {"page": n}) for n in (1, 2))
        for response, listed in ((first, codes[:3]), (second, codes[3:])):
            rows = response.context["page"]
            self.assertEqual([row.code for row in rows], listed)
            self.assertContains(response, "共 4 个重点项目")
        self.assertContains(first, "第 1 / 2 页")
        self.assertContains(first, f"?year={TODAY().year}&amp;page=2")
        download = b"".join(self.client.get(EXPORT).streaming_content)
        exported = {row[0] for row in load_workbook(io.BytesIO(download)).active.values}
        self.assertLessEqual(set(codes), exported)

    def test_other_year_and_bad_year(self):
        self.client.force_login(self.reader)
        # Still late, its 开工 carries over into later years; nothing was planned two years ago.
        self.assertContains(self.client.get(PAGE, {"year": TODAY().year + 2}), "智能装备产业园")
        response = self.client.get(PAGE, {"year": TODAY().year - 2})
        self.assertNotContains(response, "智能装备产业园")
        self.assertEqual(self.client.get(PAGE, {"year": "abc"}).context["year"], TODAY().year)

    def test_candidates_are_offered_to_a_director_only(self):
        button = reverse("leads:set_key", args=[self.candidate.pk])
        self.client.force_login(self.director)
        response = self.client.get(PAGE)
        self.assertContains(response, "新能源电池基地")
        self.assertContains(response, button)
        self.client.force_login(self.a_leader)
        response = self.client.get(PAGE)
        self.assertNotContains(response, "建议列为重点项目")
        self.assertNotContains(response, button)

    def test_workbook_has_the_rows_days_late_and_colour_fills(self):
        self.client.force_login(self.reader)
        response = self.client.get(EXPORT, {"year": TODAY().year})
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        sheet = book.active
        self.assertEqual(sheet.title, f"{TODAY().year}年重点项目推进表")
        self.assertEqual((sheet["A4"].value, sheet["B4"].value), (self.key.code, "智能装备产业园"))
        self.assertEqual(sheet["I2"].value, "签约")
        # Nodes from column I: 计划, 实际, 延误天数 each.
        fills = {}
        for index, node in enumerate(("signed", "landed", "started", "in_production")):
            planned, actual, days = (sheet.cell(4, 9 + 3 * index + offset) for offset in range(3))
            colours = {
                cell.fill.fgColor.rgb if cell.fill.fill_type else None
                for cell in (planned, actual, days)
            }
            self.assertEqual(len(colours), 1)  # the node's three cells share its colour
            fills[node] = (days.value, colours.pop())
        self.assertEqual(
            fills,
            {
                "signed": (0, "00C6EFCE"),
                "landed": (10, "00FFEB9C"),
                "started": (5, "00FFC7CE"),
                "in_production": (None, None),
            },
        )
        self.assertEqual(sheet.cell(4, 12).value.date(), days_ago(30))  # 落地 planned
        self.assertEqual(sheet.cell(4, 13).value.date(), days_ago(20))  # 落地 actual


class SetKeyTests(KeyPageTestCase):
    def url(self):
        return reverse("leads:set_key", args=[self.candidate.pk])

    def test_director_lists_a_candidate_and_returns(self):
        self.client.force_login(self.director)
        response = self.client.post(
            self.url(), {"is_key": "1", "reason": "投资额达 1 亿元", "next": PAGE}
        )
        self.assertRedirects(response, PAGE)
        lead = Lead.objects.get(pk=self.candidate.pk)
        self.assertTrue(lead.is_key)
        self.assertEqual(
            lead.history.first().history_change_reason, "列为重点项目（投资额达 1 亿元）"
        )
        response = self.client.get(PAGE)
        self.assertNotContains(response, self.url())

    def test_others_are_refused(self):
        for user in (self.a_leader, self.a_member, self.reader, self.no_role):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.post(self.url(), {"is_key": "1"}).status_code, 403)
        self.assertFalse(Lead.objects.get(pk=self.candidate.pk).is_key)

    def test_a_bad_form_changes_nothing_and_says_why(self):
        self.client.force_login(self.director)
        response = self.client.post(self.url(), {"next": PAGE}, follow=True)
        self.assertContains(response, "请选择是否列为重点项目。")
        self.assertFalse(Lead.objects.get(pk=self.candidate.pk).is_key)


class PlanNodeTests(KeyPageTestCase):
    def url(self, lead=None):
        return reverse("leads:plan_node", args=[(lead or self.key).pk])

    def post(self, lead=None, **data):
        lead = Lead.objects.get(pk=(lead or self.key).pk)
        return self.client.post(self.url(lead), {"version": lead.version, **data})

    def test_a_first_plan_needs_no_reason_a_change_needs_one(self):
        self.client.force_login(self.director)
        self.assertEqual(self.client.get(self.url(), {"node": "in_production"}).status_code, 200)
        on = TODAY() + timedelta(days=200)
        response = self.post(node="in_production", on=on.isoformat(), next=PAGE)
        self.assertRedirects(response, PAGE)
        self.assertEqual(Lead.objects.get(pk=self.key.pk).planned_in_production_on, on)
        later = on + timedelta(days=30)
        response = self.post(node="in_production", on=later.isoformat())
        self.assertEqual(response.status_code, 400)
        self.assertIn("须说明原因", " ".join(response.context["form"].errors["reason"]))
        self.assertEqual(Lead.objects.get(pk=self.key.pk).planned_in_production_on, on)
        response = self.post(node="in_production", on=later.isoformat(), reason="设备到货推迟")
        self.assertRedirects(response, reverse("leads:detail", args=[self.key.pk]))
        versions = NodePlan.objects.filter(lead=self.key, node="in_production").order_by("at", "id")
        self.assertEqual(
            [(v.planned_on, v.previous_on, v.reason) for v in versions],
            [(on, None, ""), (later, on, "设备到货推迟")],
        )

    def test_errors_in_chinese_by_field(self):
        self.client.force_login(self.director)
        cases = [
            ({"node": "", "on": TODAY().isoformat()}, "node", "请选择节点。"),
            ({"node": "started", "on": "下月"}, "on", "日期格式不正确"),
            (
                {"node": "signed", "on": days_ago(1).isoformat(), "reason": "x"},
                "on",
                "不能晚于计划落地日期",
            ),
        ]
        for data, field, message in cases:
            with self.subTest(data=data):
                response = self.post(**data)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, " ".join(response.context["form"].errors[field]))

    def test_a_stale_form_is_refused(self):
        self.client.force_login(self.director)
        stale = Lead.objects.get(pk=self.key.pk).version
        lead_plan_node(lead=self.key, node="in_production", on=TODAY(), actor=self.director)
        response = self.client.post(
            self.url(), {"version": stale, "node": "in_production", "on": ""}
        )
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["form"].non_field_errors())
        self.assertEqual(Lead.objects.get(pk=self.key.pk).planned_in_production_on, TODAY())

    def test_only_who_may_edit_the_lead_plans_it(self):
        # The key project is owned by the 落地 stage's team; team A's members may not plan it.
        for user in (self.a_member, self.reader, self.no_role):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.post(node="in_production", on=TODAY().isoformat())
                self.assertEqual(response.status_code, 403)
        self.assertIsNone(Lead.objects.get(pk=self.key.pk).planned_in_production_on)
        own = make_lead(stage=Stage.CONTACT)  # team A's
        self.client.force_login(self.a_member)
        response = self.post(own, node="signed", on=TODAY().isoformat())
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Lead.objects.get(pk=own.pk).planned_signed_on, TODAY())
