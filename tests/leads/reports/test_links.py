"""The report's links: the lead list's and a lead's path under the deployment's script prefix."""

from datetime import date

from django.test import SimpleTestCase
from django.urls import clear_script_prefix, reverse, set_script_prefix

from leads.reports.links import current_backlog_url, figure_url, lead_detail_url
from leads.reports.period import Period


class FigureLinkTests(SimpleTestCase):
    def tearDown(self):
        clear_script_prefix()

    def test_links_follow_the_script_prefix_each_time(self):
        month = Period.month(2026, 3)
        plain = figure_url("signed", month, {"industry": 3})
        self.assertEqual(
            plain,
            f"{reverse('leads:list')}?first_signed_on_after=2026-03-01"
            "&first_signed_on_before=2026-03-31&industry=3",
        )
        set_script_prefix("/zhaoshang/")
        self.assertTrue(figure_url("signed", month).startswith("/zhaoshang/leads/?"))
        self.assertTrue(current_backlog_url(date(2026, 3, 31)).startswith("/zhaoshang/leads/?"))
        clear_script_prefix()
        self.assertEqual(figure_url("signed", month, {"industry": 3}), plain)

    def test_a_leads_link_is_what_reverse_gives_under_each_prefix(self):
        for prefix in ("/", "/zhaoshang/"):
            set_script_prefix(prefix)
            for pk in (1, 7, 918273645, 12345678901):
                self.assertEqual(lead_detail_url(pk), reverse("leads:detail", args=[pk]))
            self.assertTrue(lead_detail_url(5).startswith(prefix))
