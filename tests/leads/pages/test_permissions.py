"""Who may see and change what on the staff pages, enforced on the server (403)."""

from datetime import date
from decimal import Decimal

from django.test import TestCase
from django.urls import reverse

from leads.choices import ActivityKind, Channel, Source, Stage
from leads.models import Activity, Industry, Lead
from leads.services import lead_change_stage
from tests.factories import ChamberFactory, EntrepreneurFactory, make_lead
from tests.roles import RolesMixin

VIEW_PAGES = [
    ("home", ()),
    ("leads:list", ()),
    ("leads:board", ()),
    ("leads:board_dropped", ()),
]


class PermissionTestCase(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        cls.industry = Industry.objects.first()
        cls.lead = make_lead(name="团队A的项目", industry=cls.industry)  # owned by team A
        cls.chamber = ChamberFactory()
        cls.entrepreneur = EntrepreneurFactory(chamber=cls.chamber)

    def as_user(self, user):
        self.client.force_login(user)

    def fresh(self):
        return Lead.objects.get(pk=self.lead.pk)


class ViewPagesPermissionTests(PermissionTestCase):
    def test_anonymous_is_sent_to_login_from_every_page(self):
        urls = [reverse(name, args=args) for name, args in VIEW_PAGES] + [
            reverse("leads:detail", args=[self.lead.pk]),
            reverse("leads:create"),
            reverse("chambers:chamber_list"),
            reverse("chambers:entrepreneur_list"),
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertRedirects(response, f"{reverse('login')}?next={url}")

    def test_every_role_sees_every_page(self):
        urls = [reverse(name, args=args) for name, args in VIEW_PAGES] + [
            reverse("leads:detail", args=[self.lead.pk]),
            reverse("chambers:chamber_list"),
            reverse("chambers:chamber_detail", args=[self.chamber.pk]),
            reverse("chambers:entrepreneur_list"),
            reverse("chambers:entrepreneur_detail", args=[self.entrepreneur.pk]),
        ]
        for user in (self.director, self.a_leader, self.a_member, self.b_member, self.reader):
            self.as_user(user)
            for url in urls:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_user_without_role_is_refused_every_page(self):
        self.as_user(self.no_role)
        urls = [reverse(name, args=args) for name, args in VIEW_PAGES] + [
            reverse("leads:detail", args=[self.lead.pk]),
            reverse("chambers:chamber_list"),
            reverse("chambers:chamber_detail", args=[self.chamber.pk]),
            reverse("chambers:entrepreneur_list"),
            reverse("chambers:entrepreneur_detail", args=[self.entrepreneur.pk]),
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 403)
                self.assertNotContains(response, "团队A的项目", status_code=403)


class CreatePermissionTests(PermissionTestCase):
    def post_create(self, investor="某某集团"):
        return self.client.post(
            reverse("leads:create"),
            {
                "name": "新建测试项目",
                "investor": investor,
                "industry": self.industry.pk,
                "source": Source.OWN,
            },
        )

    def test_director_leader_and_member_create_leads(self):
        for user in (self.director, self.a_leader, self.b_member):
            self.as_user(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(reverse("leads:create")).status_code, 200)
                # Each a different investor: the same one again would be a likely duplicate.
                response = self.post_create(investor=f"{user.username}集团")
                self.assertEqual(response.status_code, 302)
        self.assertEqual(Lead.objects.filter(name="新建测试项目").count(), 3)

    def test_reader_cannot_open_or_post_the_create_form(self):
        self.as_user(self.reader)
        self.assertEqual(self.client.get(reverse("leads:create")).status_code, 403)
        self.assertEqual(self.post_create().status_code, 403)
        self.assertFalse(Lead.objects.filter(name="新建测试项目").exists())


class EditPermissionTests(PermissionTestCase):
    def post_edit(self):
        lead = self.fresh()
        return self.client.post(
            reverse("leads:edit", args=[lead.pk]),
            {
                "name": "改过的名称",
                "investor": lead.investor,
                "industry": lead.industry_id,
                "source": lead.source,
                "version": lead.version,
            },
        )

    def test_director_changes_any_lead(self):
        self.as_user(self.director)
        self.assertEqual(self.post_edit().status_code, 302)
        self.assertEqual(self.fresh().name, "改过的名称")

    def test_owning_team_leader_and_member_change_the_lead(self):
        for user in (self.a_leader, self.a_member):
            self.as_user(user)
            with self.subTest(user=user.username):
                self.assertEqual(
                    self.client.get(reverse("leads:edit", args=[self.lead.pk])).status_code, 200
                )
                self.assertEqual(self.post_edit().status_code, 302)

    def test_member_of_another_team_gets_403(self):
        self.as_user(self.b_member)
        self.assertEqual(
            self.client.get(reverse("leads:edit", args=[self.lead.pk])).status_code, 403
        )
        self.assertEqual(self.post_edit().status_code, 403)
        self.assertEqual(self.fresh().name, "团队A的项目")

    def test_reader_gets_403(self):
        self.as_user(self.reader)
        self.assertEqual(self.post_edit().status_code, 403)
        self.assertEqual(self.fresh().name, "团队A的项目")


class StagePermissionTests(PermissionTestCase):
    def post_move(self, to_stage=Stage.VISIT):
        lead = self.fresh()
        return self.client.post(
            reverse("leads:change_stage", args=[lead.pk, to_stage]),
            {"to_stage": to_stage, "expected_version": lead.version},
        )

    def test_director_moves_any_lead(self):
        self.as_user(self.director)
        self.assertEqual(self.post_move().status_code, 302)
        self.assertEqual(self.fresh().stage, Stage.VISIT)

    def test_owning_team_member_moves_the_lead(self):
        self.as_user(self.a_member)
        self.assertEqual(self.post_move().status_code, 302)
        self.assertEqual(self.fresh().stage, Stage.VISIT)

    def test_member_of_another_team_gets_403_for_form_and_move(self):
        self.as_user(self.b_member)
        url = reverse("leads:change_stage", args=[self.lead.pk, Stage.VISIT])
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.post_move().status_code, 403)
        self.assertEqual(self.fresh().stage, Stage.CONTACT)

    def test_reader_gets_403_for_move_and_drop(self):
        self.as_user(self.reader)
        self.assertEqual(self.post_move().status_code, 403)
        self.assertEqual(self.post_move(Stage.DROPPED).status_code, 403)
        self.assertEqual(self.fresh().stage, Stage.CONTACT)

    def test_after_handover_the_new_team_changes_it_and_the_old_team_cannot(self):
        self.as_user(self.a_member)
        self.post_move()  # 考察 is owned by team B: the lead is handed over
        self.assertEqual(self.fresh().team, self.team_b)
        self.assertEqual(self.post_move(Stage.INTENT).status_code, 403)
        self.as_user(self.b_member)
        response = self.client.post(
            reverse("leads:change_stage", args=[self.lead.pk, Stage.INTENT]),
            {
                "to_stage": Stage.INTENT,
                "expected_version": self.fresh().version,
                "planned_investment": "500",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.fresh().stage, Stage.INTENT)


class ActivityPermissionTests(PermissionTestCase):
    def post_activity(self):
        return self.client.post(
            reverse("leads:add_activity", args=[self.lead.pk]),
            {"occurred_on": date.today().isoformat(), "kind": ActivityKind.CALL, "summary": "电话"},
        )

    def test_owning_team_and_director_log_activities(self):
        for user in (self.a_member, self.a_leader, self.director):
            self.as_user(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.post_activity().status_code, 302)
        self.assertEqual(Activity.objects.filter(lead=self.lead).count(), 3)

    def test_other_team_and_reader_get_403(self):
        for user in (self.b_member, self.reader):
            self.as_user(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.post_activity().status_code, 403)
        self.assertFalse(Activity.objects.exists())


class ButtonsFollowPermissionTests(PermissionTestCase):
    def test_detail_offers_changes_only_to_those_allowed(self):
        url = reverse("leads:detail", args=[self.lead.pk])
        edit = reverse("leads:edit", args=[self.lead.pk])
        for user, allowed in (
            (self.director, True),
            (self.a_member, True),
            (self.b_member, False),
            (self.reader, False),
        ):
            self.as_user(user)
            with self.subTest(user=user.username):
                response = self.client.get(url)
                self.assertEqual(edit in response.content.decode(), allowed)
                self.assertEqual('id="activity-form"' in response.content.decode(), allowed)

    def test_detail_offers_stage_moves_only_to_those_who_may_move_the_lead(self):
        url = reverse("leads:detail", args=[self.lead.pk])
        moves = [
            reverse("leads:change_stage", args=[self.lead.pk, stage])
            for stage in (Stage.VISIT, Stage.DROPPED)
        ]
        for user, allowed in (
            (self.director, True),
            (self.a_leader, True),
            (self.a_member, True),
            (self.b_member, False),
            (self.reader, False),
        ):
            self.as_user(user)
            with self.subTest(user=user.username):
                html = self.client.get(url).content.decode()
                self.assertEqual([move in html for move in moves], [allowed, allowed])

    def test_import_link_needs_import_permission_and_export_link_export_permission(self):
        # 组长 import and export; 队员 export only; 只读 neither.
        for user, can_import, can_export in (
            (self.a_leader, True, True),
            (self.a_member, False, True),
            (self.reader, False, False),
        ):
            self.as_user(user)
            with self.subTest(user=user.username):
                page = self.client.get(reverse("leads:list"), {"stage": "contact"})
                html = page.content.decode()
                self.assertEqual('id="import-link"' in html, can_import)
                self.assertEqual('href="/leads/export/?stage=contact"' in html, can_export)

    def test_board_offers_moves_only_on_cards_the_user_may_change(self):
        move = reverse("leads:change_stage", args=[self.lead.pk, "visit"])
        for user, allowed in (
            (self.director, True),
            (self.a_member, True),
            (self.b_member, False),
            (self.reader, False),
        ):
            self.as_user(user)
            with self.subTest(user=user.username):
                html = self.client.get(reverse("leads:board")).content.decode()
                self.assertEqual(move in html, allowed)
                self.assertEqual('draggable="true"' in html, allowed)

    def test_reader_is_not_offered_create(self):
        self.as_user(self.reader)
        self.assertNotContains(self.client.get(reverse("leads:list")), reverse("leads:create"))


class HandedOverLeadTests(PermissionTestCase):
    def test_team_member_cannot_edit_a_lead_handed_on_to_another_team(self):
        lead = make_lead(stage=Stage.SIGNED, contract_amount=Decimal("10"))
        self.as_user(self.a_member)  # 签约 belongs to 签约服务组, not team A
        self.assertEqual(self.client.get(reverse("leads:edit", args=[lead.pk])).status_code, 403)


class DroppedBoardPermissionTests(PermissionTestCase):
    """The dropped board offers 恢复 only where the main board would offer a move."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.own = cls.dropped(make_lead(name="团队A已终止", industry=cls.industry))
        # 考察 is owned by team B: a dropped lead stays with its team.
        cls.other = cls.dropped(make_lead(name="团队B已终止", stage=Stage.VISIT))

    @staticmethod
    def dropped(lead):
        return lead_change_stage(
            lead=lead, to_stage=Stage.DROPPED, channel=Channel.SYSTEM, drop_reason="投资方放弃"
        )

    def reopen_url(self, lead):
        return reverse("leads:change_stage", args=[lead.pk, lead.dropped_from])

    def test_member_of_team_a_is_offered_reopen_only_for_team_a_leads(self):
        self.as_user(self.a_member)
        html = self.client.get(reverse("leads:board_dropped")).content.decode()
        self.assertIn("团队B已终止", html)
        self.assertIn(self.reopen_url(self.own), html)
        self.assertNotIn(self.reopen_url(self.other), html)
        self.assertEqual(html.count("恢复到"), 1)

    def test_member_of_team_a_cannot_reopen_a_team_b_lead(self):
        self.as_user(self.a_member)
        other = Lead.objects.get(pk=self.other.pk)
        response = self.client.post(
            self.reopen_url(other), {"to_stage": Stage.VISIT, "expected_version": other.version}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Lead.objects.get(pk=other.pk).stage, Stage.DROPPED)

    def test_director_is_offered_every_reopen_and_reader_none(self):
        for user, offered in ((self.director, 2), (self.reader, 0)):
            self.as_user(user)
            with self.subTest(user=user.username):
                html = self.client.get(reverse("leads:board_dropped")).content.decode()
                self.assertEqual(html.count("恢复到"), offered)
