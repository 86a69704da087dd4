"""Every staff page runs a fixed number of queries, at 10 leads as at 300."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from leads.choices import ActivityKind, Source, Stage
from leads.models import Industry, Lead
from leads.services import lead_change_stage, lead_update
from leads.services.activities import activity_create
from tests.factories import ChamberFactory, EntrepreneurFactory, credit_code, make_lead
from tests.roles import RolesMixin

STAGES = [Stage.CONTACT, Stage.VISIT, Stage.INTENT, Stage.SIGNED, Stage.LANDED, Stage.DROPPED]

# Queries per page, session and user included. The same at every data size.
EXPECTED = {
    # The dashboard includes the enterprise-problem tile: two queries (counts, overdue rows);
    # its figures are the stage tally and index reads: signings, landings, the late
    # leads per node (four) and, per timed stage (four in the fixture), its leads within
    # the time limit.
    "dashboard (局领导)": 25,
    "dashboard (队员)": 27,
    # The list's filter form offers 引进小分队 and 引进单位: two more choice lists.
    "list": 13,
    # The keyword: the leads merged under it, then how many leads hold each of its
    # pieces (leads.keyword_index).
    "list filtered and sorted": 16,
    "board": 17,
    "board dropped": 12,
    # + the 督办 notes; the leads merged into it (their field history is shown) and its
    # merges (撤销合并).
    "detail": 14,
    "stage form": 6,
    "edit form": 11,
    "chamber list": 6,
    "chamber detail": 9,
    "entrepreneur list": 6,
    "entrepreneur detail": 8,
}


class PageQueryCountTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        cls.industries = list(Industry.objects.all())
        cls.chamber = ChamberFactory()
        cls.entrepreneur = EntrepreneurFactory(chamber=cls.chamber)
        cls.counter = itertools.count()
        cls.add_leads(10)
        cls.lead = Lead.objects.filter(stage=Stage.VISIT).first()

    @classmethod
    def add_leads(cls, count):
        """Add `count` leads across every stage, with activities, moves and edits."""
        for _ in range(count):
            number = next(cls.counter)
            stage = STAGES[number % len(STAGES)]
            target = Stage.INTENT if stage == Stage.DROPPED else stage
            fields = {
                "industry": cls.industries[number % len(cls.industries)],
                "next_follow_up": timezone.localdate() - timedelta(days=number % 3),
                "at": timezone.now() - timedelta(days=number % 90),
            }
            if number % 2:
                fields.update(source=Source.CHAMBER, chamber=cls.chamber)
            if number % 3 == 0:
                fields.update(source=Source.RETURNEE, entrepreneur=cls.entrepreneur)
            if target in (Stage.SIGNED, Stage.LANDED):
                fields["signed_on"] = timezone.localdate(fields["at"])
            if target == Stage.LANDED:
                fields["credit_code"] = credit_code(f"91350100M{number:08d}")
            lead = make_lead(stage=target, name=f"项目{number}", **fields)
            if stage == Stage.DROPPED:
                lead = lead_change_stage(
                    lead=lead, to_stage=Stage.DROPPED, channel="web", drop_reason="资金不到位"
                )
            lead_update(lead=lead, actor=cls.director, planned_investment=Decimal(number + 1))
            activity_create(
                lead=lead, actor=cls.a_member, kind=ActivityKind.CALL, summary=f"电话{number}"
            )

    def pages(self):
        yield "dashboard (局领导)", self.director, reverse("home")
        yield "dashboard (队员)", self.a_member, reverse("home")
        yield "list", self.reader, reverse("leads:list")
        yield (
            "list filtered and sorted",
            self.reader,
            reverse("leads:list") + "?stage=signed&stage=landed&q=项目&o=-amount&stalled=false",
        )
        yield "board", self.reader, reverse("leads:board")
        yield "board dropped", self.reader, reverse("leads:board_dropped")
        yield "detail", self.a_member, reverse("leads:detail", args=[self.lead.pk])
        yield (
            "stage form",
            self.director,
            reverse("leads:change_stage", args=[self.lead.pk, Stage.INTENT]),
        )
        yield "edit form", self.director, reverse("leads:edit", args=[self.lead.pk])
        yield "chamber list", self.reader, reverse("chambers:chamber_list")
        yield (
            "chamber detail",
            self.reader,
            reverse("chambers:chamber_detail", args=[self.chamber.pk]),
        )
        yield "entrepreneur list", self.reader, reverse("chambers:entrepreneur_list")
        yield (
            "entrepreneur detail",
            self.reader,
            reverse("chambers:entrepreneur_detail", args=[self.entrepreneur.pk]),
        )

    def assert_page_queries(self):
        for name, user, url in self.pages():
            self.client.force_login(user)
            with self.subTest(page=name, leads=Lead.objects.count()):
                with self.assertNumQueries(EXPECTED[name]):
                    response = self.client.get(url)
                self.assertEqual(response.status_code, 200)

    def test_query_count_is_the_same_at_10_and_300_leads(self):
        self.assertEqual(Lead.objects.count(), 10)
        self.assert_page_queries()
        self.add_leads(290)
        self.assertEqual(Lead.objects.count(), 300)
        self.assert_page_queries()
