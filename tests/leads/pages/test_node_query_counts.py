"""The 督办 and 重点项目 pages and downloads run a fixed number of queries, at 6 and 60 projects."""

import itertools
from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from leads.choices import Node, Stage
from leads.models import Lead
from leads.overdue import overdue_nodes
from leads.services import lead_add_supervision, lead_plan_node, lead_set_key
from tests.factories import make_lead
from tests.roles import RolesMixin

TODAY = timezone.localdate

# Queries per page, session and user included.
EXPECTED = {
    # Sorted by team: session, user, 2 permission queries; stage limits; the count (stage
    # limits, one per node, the 签约 limit); each row kind's late rows counted per team
    # (one per kind) and the teams' names; the page's team read as most late first
    # (stage limits, one per row kind and one more per kind filled, slips, notes); teams.
    # A page across two teams reads each of them.
    "overdue list": 29,
    # Most late first, a page at a time (one row a page here, so that every row kind
    # fills its page and reads the rest of its last due day): session, user, 2
    # permissions; the count (stage limits, one per node, the 签约 limit); the rows
    # (stage limits, one per row kind and one more per kind filled, slips, notes); teams.
    "overdue list by team": 22,
    "overdue list, most late first": 22,
    # The export adds its audit row.
    "overdue export": 9,
    # session, user, 2 permissions, the key projects' count and page, the largest
    # candidates, their count.
    "key projects": 8,
    "key projects export": 6,
    "supervision form": 5,
    "plan node form": 5,
}


class NodePageQueryCountTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        cls.counter = itertools.count()
        cls.add_projects(6)

    @classmethod
    def add_projects(cls, count):
        """Add `count` key projects, each with late nodes, a slipped plan and 督办 notes."""
        for _ in range(count):
            number = next(cls.counter)
            stage = (Stage.INTENT, Stage.SIGNED, Stage.LANDED)[number % 3]
            fields = {"name": f"重点项目{number}", "planned_investment": Decimal("20000")}
            if stage != Stage.INTENT:
                fields["signed_on"] = TODAY() - timedelta(days=60)
            if stage == Stage.LANDED:
                fields["landed_on"] = TODAY() - timedelta(days=30)
            lead = make_lead(stage=stage, **fields)
            if number % 2:
                lead = lead_set_key(lead=lead, is_key=True, actor=cls.director)
            for node, days in ((Node.SIGNED, 70), (Node.LANDED, 40), (Node.STARTED, 20)):
                lead = lead_plan_node(
                    lead=lead, node=node, on=TODAY() - timedelta(days=days), actor=cls.director
                )
            lead = lead_plan_node(
                lead=lead,
                node=Node.STARTED,
                on=TODAY() - timedelta(days=10),
                reason="推迟",
                actor=cls.director,
            )
            for node in (Node.STARTED, ""):
                lead_add_supervision(
                    lead=lead, note="督办", deadline=TODAY(), actor=cls.director, node=node
                )
        cls.lead = Lead.objects.order_by("id").first()

    def pages(self):
        yield "overdue list", reverse("leads:overdue_nodes") + "?o=team"
        yield "overdue list by team", reverse("leads:overdue_nodes") + f"?team={self.lead.team_id}"
        yield "overdue list, most late first", reverse("leads:overdue_nodes")
        yield "overdue export", reverse("leads:overdue_nodes_export")
        yield "key projects", reverse("leads:key_projects")
        yield "key projects export", reverse("leads:key_projects_export")
        yield "supervision form", reverse("leads:add_supervision", args=[self.lead.pk])
        yield "plan node form", reverse("leads:plan_node", args=[self.lead.pk])

    def assert_page_queries(self):
        self.client.force_login(self.director)
        for name, url in self.pages():
            with (
                self.subTest(page=name, leads=Lead.objects.count()),
                mock.patch("leads.pages.overdue_views.PAGE_SIZE", 1),
            ):
                with self.assertNumQueries(EXPECTED[name]):
                    response = self.client.get(url)
                    if hasattr(response, "streaming_content"):
                        b"".join(response.streaming_content)
                self.assertEqual(response.status_code, 200)

    def test_query_count_is_the_same_at_6_and_60_projects(self):
        self.assert_page_queries()
        small = len(overdue_nodes())
        self.add_projects(54)
        self.assertEqual(Lead.objects.count(), 60)
        self.assertGreater(len(overdue_nodes()), 5 * small)
        self.assert_page_queries()
