"""The monthly report page: login, figures linked to the lead list, downloads, query count."""

import io
import json
import re
from datetime import date
from unittest import mock
from urllib.parse import unquote, urlsplit

from django.http import QueryDict
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from leads.choices import Channel, Stage
from leads.filters import LeadFilter
from leads.models import AnnualTarget, Lead, TaskTeam
from leads.reports.monthly import monthly_report_build
from leads.reports.period import Period
from leads.reports.serialise import report_data
from leads.services import lead_change_stage
from tests.factories import UserFactory, make_lead
from tests.leads.reports.scenario import LeadMaker, load_reference

URL = reverse("reports:monthly")


def links_in(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', html)]


class MonthlyReportPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()
        cls.user = UserFactory(groups=["只读"])
        cls.maker = LeadMaker(seed=5)
        cls.maker.random_leads(40, date(2024, 6, 1), date(2025, 12, 31))
        AnnualTarget.objects.create(year=2025, signed_count=12, landed_count=5)
        AnnualTarget.objects.create(year=2025, team=TaskTeam.objects.get(pk=4), signed_count=3)

    def setUp(self):
        self.client.force_login(self.user)

    def test_requires_login(self):
        self.client.logout()
        response = self.client.get(URL, {"month": "2025-05"})
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

    def test_requires_permission_to_view_leads(self):
        self.client.force_login(UserFactory())
        for name in (
            "reports:monthly",
            "reports:monthly_xlsx",
            "reports:monthly_backlog_xlsx",
            "reports:monthly_json",
        ):
            with self.subTest(name=name):
                response = self.client.get(reverse(name), {"month": "2025-05"})
                self.assertEqual(response.status_code, 403)

    def test_shows_the_period_tables_chart_targets_and_definitions(self):
        response = self.client.get(URL, {"month": "2025-05"})
        self.assertContains(response, "招商引资项目签约落地情况通报（2025年5月）")
        for anchor in [
            "summary",
            "landing-rate",
            "by-industry",
            "by-team",
            "by-source",
            "by-origin",
            "targets",
        ]:
            self.assertContains(response, f'id="{anchor}"')
        self.assertContains(response, "<svg", count=2)
        self.assertContains(response, "近12个月签约、落地项目数")
        self.assertContains(response, "统计口径")
        self.assertContains(response, "首次进入“签约”阶段")
        self.assertTemplateUsed(response, "base.html")

    def test_every_figure_link_lists_exactly_the_leads_it_counts(self):
        report = monthly_report_build(Period.month(2025, 5))
        response = self.client.get(URL, {"month": "2025-05"})
        lead_links = [
            u for u in links_in(response.content.decode()) if u.startswith(reverse("leads:list"))
        ]
        self.assertGreater(len(lead_links), 100)
        counted = {}
        for link in set(lead_links):
            params = QueryDict(urlsplit(link).query)
            counted[link] = LeadFilter(params, queryset=Lead.objects.all()).qs.count()

        def find(**expected):
            """Return the one link whose parameters include exactly these filters."""
            dims = {"industry", "credit_team", "credit_unit", "leader_is", "source", "origin_type"}
            found = []
            for link in counted:
                params = QueryDict(urlsplit(link).query)
                if all(params.get(k) == str(v) for k, v in expected.items()) and not (
                    (dims - set(expected)) & set(params)
                ):
                    found.append(link)
            self.assertEqual(len(found), 1, expected)
            return found[0]

        self.assertEqual(
            counted[find(first_signed_on_after="2025-05-01", first_signed_on_before="2025-05-31")],
            report.month_totals.signed.count,
        )
        self.assertEqual(
            counted[find(first_landed_on_after="2025-01-01", first_landed_on_before="2025-05-31")],
            report.ytd_totals.landed.count,
        )
        for row in report.by_industry:
            link = find(first_landed_on_after="2025-01-01", industry=row.filters["industry"])
            self.assertEqual(counted[link], row.ytd.landed.count, row.name)
        for row in report.by_source:
            link = find(first_signed_on_after="2025-05-01", source=row.filters["source"])
            self.assertEqual(counted[link], row.month.signed.count, row.name)
        for row in report.by_team:
            if row.linkable:
                link = find(
                    first_signed_on_after="2025-01-01", credit_team=row.filters["credit_team"]
                )
                self.assertEqual(counted[link], row.ytd.signed.count, row.name)
        for row in report.by_origin:
            if row.linkable:
                link = find(
                    first_landed_on_after="2025-05-01", origin_type=row.filters["origin_type"]
                )
                self.assertEqual(counted[link], row.month.landed.count, row.name)

    def test_each_breakdown_row_shows_its_figures_in_order(self):
        report = monthly_report_build(Period.month(2025, 5))
        page = self.client.get(URL, {"month": "2025-05"}).content.decode()
        for key, _title, rows in report.breakdowns:
            table = page[page.index(f'id="by-{key}"') :]
            table = table[table.index("<tbody>") : table.index("</tbody>")]
            shown = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
            self.assertEqual(len(shown), len(rows) + 1, key)
            for row, html in zip([*rows, None], shown, strict=True):
                figures = row or report
                month = figures.month if row else report.month_totals
                ytd = figures.ytd if row else report.ytd_totals
                expected = []
                for totals in (month, ytd):
                    expected += [str(totals.signed.count), f"{totals.signed.amount:,.2f}"]
                    expected += [str(totals.landed.count), f"{totals.landed.amount:,.2f}"]
                    expected.append(f"{totals.landed.paid_in:,.2f}")
                cells = re.findall(r'<td class="num">(.*?)</td>', html, re.S)
                texts = [re.sub(r"<[^>]+>", "", cell) for cell in cells[:10]]
                self.assertEqual(texts, expected, (key, row and row.name))
                linked = sum("<a href=" in cell for cell in cells[:10])
                self.assertEqual(linked, 10 if row is None or row.linkable else 0, key)

    def test_chart_bars_link_to_each_months_leads(self):
        report = monthly_report_build(Period.month(2025, 5))
        html = self.client.get(URL, {"month": "2025-05"}).content.decode()
        charts = html[html.index("<svg") : html.rindex("</svg>")]
        bar_links = [link for link in links_in(charts) if link.startswith(reverse("leads:list"))]
        self.assertEqual(len(bar_links), 2 * 2 * 12)  # two charts, two series, twelve months
        for point in report.trend:
            month = point.period
            signed = f"first_signed_on_after={month.start}&first_signed_on_before={month.end}"
            link = next(link for link in bar_links if signed in link)
            listed = LeadFilter(QueryDict(urlsplit(link).query), queryset=Lead.objects.all()).qs
            self.assertEqual(listed.count(), point.signed.count, month.label)
        self.assertIn(f"2025年5月 签约：{report.trend[-1].signed.count}个", charts)

    def test_json_and_workbook_downloads_match_the_page_report(self):
        report = monthly_report_build(Period.month(2025, 5))
        data = self.client.get(reverse("reports:monthly_json"), {"month": "2025-05"}).json()
        self.assertEqual(data, json.loads(json.dumps(report_data(report))))
        response = self.client.get(reverse("reports:monthly_xlsx"), {"month": "2025-05"})
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        self.assertIn("attachment", response["Content-Disposition"])
        book = load_workbook(io.BytesIO(response.content))
        self.assertEqual(book["按产业"]["G15"].value, report.ytd_totals.signed.count)
        page = self.client.get(URL, {"month": "2025-05"})
        self.assertContains(page, f"{reverse('reports:monthly_xlsx')}?month=2025-05")

    def test_the_page_points_past_its_rows_to_the_backlog_list_which_has_every_row(self):
        today = timezone.localdate()
        current = Period.month(today.year, today.month)
        report = monthly_report_build(current)
        codes = [row.code for row in report.backlog]
        self.assertGreater(len(codes), 2)
        with mock.patch("leads.reports.page.BACKLOG_ROWS_SHOWN", 2):
            page = self.client.get(URL).content.decode()
        # The page's figures are live, so is its list (even once the month is locked).
        link = f"{reverse('reports:monthly_backlog_xlsx')}?month={current.key}&live=1"
        self.assertIn(
            f'完整清单请下载<a href="{link.replace("&", "&amp;")}" id="backlog-list">', page
        )
        with mock.patch("leads.reports.workbook.LISTED_ROWS", 1):
            response = self.client.get(link)
        self.assertEqual(
            unquote(response["Content-Disposition"]),
            f"attachment; filename*=UTF-8''签约未落地清单_{current.key}.xlsx",
        )
        book = load_workbook(io.BytesIO(response.content))
        self.assertEqual(book.sheetnames, ["签约未落地"])
        listed = [row[1] for row in book.active.iter_rows(min_row=4, values_only=True)]
        self.assertEqual(listed[: len(codes)], codes)
        self.assertEqual(
            listed[len(codes)], f"{len(codes)} 个项目，其中超期 {report.overdue_count} 个"
        )
        event = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).latest("pk")
        self.assertEqual((event.rows, event.note), (len(codes), "签约未落地清单"))
        ranged = self.client.get(
            reverse("reports:monthly_backlog_xlsx"), {"from": "2025-05-01", "to": "2025-05-10"}
        )
        self.assertIn("2025-05-01_2025-05-10", unquote(ranged["Content-Disposition"]))
        bad = self.client.get(reverse("reports:monthly_backlog_xlsx"), {"month": "2025-5x"})
        self.assertContains(bad, "月份“2025-5x”格式不正确", status_code=400)

    def test_date_range_report(self):
        response = self.client.get(URL, {"from": "2025-05-01", "to": "2025-05-10"})
        self.assertContains(response, "2025年5月1日至2025年5月10日")
        self.assertContains(
            response, "first_signed_on_after=2025-05-01&amp;first_signed_on_before=2025-05-10"
        )

    def test_bad_month_shows_a_chinese_error(self):
        response = self.client.get(URL, {"month": "2025-5x"})
        self.assertContains(response, "月份“2025-5x”格式不正确", status_code=400)
        response = self.client.get(URL, {"from": "2025-05-01"})
        self.assertContains(response, "须同时填写起始日期和截止日期", status_code=400)
        response = self.client.get(reverse("reports:monthly_xlsx"), {"month": "13"})
        self.assertEqual(response.status_code, 400)

    def test_defaults_to_the_current_month(self):
        today = timezone.localdate()
        response = self.client.get(URL)
        self.assertContains(response, f"（{today.year}年{today.month}月）")

    def test_current_backlog_links_to_the_same_leads_and_past_backlog_does_not(self):
        today = timezone.localdate()
        current = Period.month(today.year, today.month)
        report = monthly_report_build(current)
        self.assertTrue(report.backlog)
        html = self.client.get(URL, {"month": current.key}).content.decode()
        link = next(
            link for link in links_in(html) if f"signed_on_before={today.isoformat()}" in link
        )
        listed = LeadFilter(QueryDict(urlsplit(link).query), queryset=Lead.objects.all()).qs
        self.assertEqual(
            sorted(listed.values_list("code", flat=True)), sorted(r.code for r in report.backlog)
        )
        past = self.client.get(URL, {"month": "2025-05"}).content.decode()
        self.assertFalse(
            [u for u in links_in(past) if "stage=signed&signed_on_before=2025-05-31" in u]
        )

    def test_query_count_does_not_grow_with_the_leads(self):
        # Session, user, the user's and their groups' permissions, then the
        # report's queries, the enterprise-problem section's two, the
        # locked-version lookup and the version list (the report's include the
        # two reads of the transitions merges moved; the backlog is its totals and
        # the rows shown, the first rows of each of its two parts for a past month:
        # three queries).
        with self.assertNumQueries(27):
            self.client.get(URL, {"month": "2025-05"})
        self.maker.random_leads(30, date(2024, 6, 1), date(2025, 12, 31))
        with self.assertNumQueries(27):
            response = self.client.get(URL, {"month": "2025-05"})
        self.assertEqual(response.status_code, 200)


class DroppedListTests(TestCase):
    """The page lists the period's first drops (签约后终止); the workbook lists every one."""

    @classmethod
    def setUpTestData(cls):
        load_reference()
        cls.user = UserFactory(groups=["只读"])
        today = timezone.localdate()
        cls.codes = []
        for number in range(3):
            lead = make_lead(
                stage=Stage.SIGNED, signed_on=today, contract_amount=100, name=f"终止项目{number}"
            )
            lead_change_stage(
                lead=lead, to_stage=Stage.DROPPED, channel=Channel.WEB, drop_reason="投资方撤回"
            )
            cls.codes.append(lead.code)

    def test_the_page_lists_the_first_drops_and_points_to_the_workbook(self):
        self.client.force_login(self.user)
        current = Period.month(timezone.localdate().year, timezone.localdate().month)
        with mock.patch("leads.reports.page.DROPPED_ROWS_SHOWN", 2):
            page = self.client.get(URL).content.decode()
        table = page[page.index('id="dropped"') :]
        table = table[: table.index("</table>")]
        listed = [code for code in self.codes if code in table]
        self.assertEqual(listed, self.codes[:2])
        link = f"{reverse('reports:monthly_xlsx')}?month={current.key}&live=1"
        self.assertIn("本期签约后终止 3 个", page)
        self.assertIn(
            f'页面列出最早终止的 2 个，完整清单见<a href="{link.replace("&", "&amp;")}" '
            'id="dropped-list">Excel通报</a>的“签约后终止与调整说明”表。',
            page,
        )
        book = load_workbook(io.BytesIO(self.client.get(link).content), read_only=True)
        cells = {
            value
            for row in book["签约后终止与调整说明"].iter_rows(values_only=True)
            for value in row
        }
        self.assertLessEqual(set(self.codes), cells)

    def test_a_short_list_is_listed_whole_without_the_note(self):
        self.client.force_login(self.user)
        page = self.client.get(URL).content.decode()
        for code in self.codes:
            self.assertIn(code, page)
        self.assertNotIn("页面列出最早终止的", page)
