"""What the lead pages show and do: list, board, detail, create, edit, stage moves, activities."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leads.choices import ActivityKind, Source, Stage
from leads.models import Activity, AnnualTarget, Industry, Lead, StageTransition, Unit
from leads.pages import views
from leads.services import lead_change_stage, lead_update
from tests.factories import credit_code, make_lead
from tests.roles import RolesMixin


class PageTestCase(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        cls.industry = Industry.objects.get(name="新材料")
        cls.other_industry = Industry.objects.get(name="大健康")

    def setUp(self):
        self.client.force_login(self.director)


class LeadListPageTests(PageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.graphene = make_lead(name="石墨烯项目", industry=cls.industry, investor="甲集团")
        cls.fiber = make_lead(
            name="碳纤维项目",
            industry=cls.other_industry,
            stage=Stage.SIGNED,
            contract_amount=Decimal("900"),
            investor="乙集团",
        )
        cls.resin = make_lead(
            name="树脂项目", industry=cls.industry, stage=Stage.SIGNED, investor="丙集团"
        )

    def names(self, response):
        return [lead.name for lead in response.context["page"]]

    def test_filters_by_stage_industry_and_text(self):
        url = reverse("leads:list")
        self.assertEqual(
            self.names(self.client.get(url, {"stage": "signed"})), ["树脂项目", "碳纤维项目"]
        )
        self.assertEqual(
            self.names(self.client.get(url, {"stage": "signed", "industry": self.industry.pk})),
            ["树脂项目"],
        )
        self.assertEqual(self.names(self.client.get(url, {"q": "乙集团"})), ["碳纤维项目"])

    def test_a_keyword_search_lists_the_first_matches_and_says_there_are_more(self):
        url = reverse("leads:list")
        with mock.patch.object(views, "SEARCH_LISTED", 2):
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url, {"q": "项目", "o": "name"})
            # Three leads match; the first two by name are listed, the count stops at three.
            self.assertEqual(self.names(response), ["树脂项目", "石墨烯项目"])
            self.assertContains(response, "匹配超过 2 条，只列出前 2 条")
            self.assertNotContains(response, "共 2 条")
            counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
            self.assertEqual(len(counts), 1)
            self.assertIn("LIMIT 3", counts[0])
            # Fewer matches than the limit: the exact count as before.
            response = self.client.get(url, {"q": "集团", "industry": self.industry.pk})
            self.assertContains(response, "共 2 条")
            self.assertNotContains(response, "匹配超过")
            # Past the last listed page: the last one (the second match by name).
            response = self.client.get(url, {"q": "项目", "o": "name", "page": 9})
            self.assertEqual(self.names(response), ["树脂项目", "石墨烯项目"])

    def test_credit_filters_are_on_the_form_and_narrow_the_list(self):
        unit = Unit.objects.create(name="高新区管委会", kind=Unit.Kind.DEPARTMENT)
        fiber = lead_update(lead=self.fiber, credit_unit=unit)
        url = reverse("leads:list")
        page = self.client.get(url).content.decode()
        for name in (
            "credit_team",
            "credit_unit",
            "first_signed_on_after",
            "first_landed_on_before",
        ):
            self.assertIn(f'name="{name}"', page)
        self.assertIn("高新区管委会", page)
        response = self.client.get(url, {"credit_unit": unit.pk})
        self.assertEqual(self.names(response), ["碳纤维项目"])
        # The chosen value shows selected, and the folded conditions open.
        self.assertContains(response, f'<option value="{unit.pk}" selected>高新区管委会</option>')
        self.assertContains(response, '<details class="more-filters" open>')
        response = self.client.get(url, {"credit_team": fiber.credit_team_id, "stage": "signed"})
        self.assertEqual(self.names(response), ["树脂项目", "碳纤维项目"])
        signed_on = fiber.first_signed_on.isoformat()
        response = self.client.get(
            url, {"first_signed_on_after": signed_on, "first_signed_on_before": signed_on}
        )
        self.assertIn("碳纤维项目", self.names(response))
        self.assertNotIn("石墨烯项目", self.names(response))

    def test_sorts_by_column_both_ways(self):
        url = reverse("leads:list")
        ascending = self.names(self.client.get(url, {"stage": "signed", "o": "amount"}))
        descending = self.names(self.client.get(url, {"stage": "signed", "o": "-amount"}))
        self.assertEqual(ascending, ["树脂项目", "碳纤维项目"])  # 800.50 < 900
        self.assertEqual(descending, ["碳纤维项目", "树脂项目"])

    def test_unknown_sort_falls_back_to_newest_first(self):
        response = self.client.get(reverse("leads:list"), {"o": "password"})
        self.assertEqual(self.names(response), ["树脂项目", "碳纤维项目", "石墨烯项目"])

    def test_paginates_fifty_a_page_and_keeps_the_filter_in_page_links(self):
        for index in range(50):
            make_lead(name=f"批量项目{index}", industry=self.industry)
        response = self.client.get(reverse("leads:list"), {"industry": self.industry.pk})
        self.assertEqual(len(response.context["page"].object_list), 50)
        self.assertEqual(response.context["page"].paginator.count, 52)
        self.assertContains(response, f"industry={self.industry.pk}&amp;page=2")

    def test_export_link_carries_the_current_filter(self):
        response = self.client.get(reverse("leads:list"), {"stage": "signed", "q": "项目"})
        self.assertContains(response, 'href="/leads/export/?stage=signed&amp;q=%E9%A1%B9%E7%9B%AE"')


class BoardPageTests(PageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_lead(name="接洽一", industry=cls.industry, planned_investment=Decimal("100"))
        make_lead(name="接洽二", industry=cls.other_industry, planned_investment=Decimal("50"))
        make_lead(name="签约一", industry=cls.industry, stage=Stage.SIGNED)
        dropped = make_lead(name="已终止", industry=cls.industry)
        lead_change_stage(
            lead=dropped, to_stage=Stage.DROPPED, channel="web", drop_reason="资金链断裂"
        )

    def test_columns_count_and_sum_each_stage_without_dropped(self):
        response = self.client.get(reverse("leads:board"))
        columns = {c["stage"]: c for c in response.context["columns"]}
        self.assertEqual(
            list(columns), [Stage.CONTACT, Stage.VISIT, Stage.INTENT, Stage.SIGNED, Stage.LANDED]
        )
        self.assertEqual(columns[Stage.CONTACT]["count"], 2)
        self.assertEqual(columns[Stage.CONTACT]["amount"], Decimal("150.00"))
        self.assertEqual(columns[Stage.SIGNED]["amount"], Decimal("800.50"))
        self.assertNotContains(response, "已终止</a>")

    def test_board_applies_the_list_filters(self):
        response = self.client.get(reverse("leads:board"), {"industry": self.industry.pk})
        columns = {c["stage"]: c for c in response.context["columns"]}
        self.assertEqual([lead.name for lead in columns[Stage.CONTACT]["leads"]], ["接洽一"])

    def test_cards_link_to_the_form_for_the_next_stage(self):
        lead = Lead.objects.get(name="接洽一")
        response = self.client.get(reverse("leads:board"))
        self.assertContains(response, reverse("leads:change_stage", args=[lead.pk, "visit"]))

    def test_dropped_leads_have_their_own_view_with_reason_and_reopen(self):
        response = self.client.get(reverse("leads:board_dropped"))
        lead = Lead.objects.get(name="已终止")
        self.assertContains(response, "资金链断裂")
        self.assertContains(response, reverse("leads:change_stage", args=[lead.pk, "contact"]))
        self.assertNotContains(response, "接洽一")


class StageMovePageTests(PageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lead = make_lead(name="推进测试", industry=cls.industry)

    def fresh(self):
        return Lead.objects.get(pk=self.lead.pk)

    def move(self, to_stage, **data):
        lead = self.fresh()
        url = reverse("leads:change_stage", args=[lead.pk, to_stage])
        return self.client.post(
            url, {"to_stage": to_stage, "expected_version": lead.version, **data}
        )

    def test_form_asks_exactly_what_the_target_stage_needs(self):
        lead = self.fresh()
        expected = {
            Stage.VISIT: ["visited_on"],
            Stage.INTENT: ["intent_on", "planned_investment"],
            Stage.SIGNED: ["planned_investment", "signed_on", "contract_amount"],
            Stage.LANDED: [
                "planned_investment",
                "signed_on",
                "contract_amount",
                "landed_on",
                "registered_name",
                "credit_code",
            ],
            Stage.DROPPED: ["drop_reason", "lost_to"],
        }
        for stage, fields in expected.items():
            with self.subTest(stage=stage):
                response = self.client.get(reverse("leads:change_stage", args=[lead.pk, stage]))
                form = response.context["form"]
                data_fields = [
                    f
                    for f in form.fields
                    if f not in {"to_stage", "note", "assign_team", "expected_version"}
                ]
                self.assertEqual(sorted(data_fields), sorted(fields))

    def test_refused_move_shows_the_service_message_on_the_field(self):
        self.move(Stage.VISIT)
        self.move(Stage.INTENT, planned_investment="1000")
        response = self.move(Stage.SIGNED, signed_on=timezone.localdate().isoformat())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["contract_amount"],
            ["进入“签约”阶段须填写签约投资额(万元)。"],
        )
        self.assertEqual(self.fresh().stage, Stage.INTENT)

    def test_move_back_without_reason_is_refused_with_reason_asked(self):
        self.move(Stage.VISIT)
        response = self.move(Stage.CONTACT)
        self.assertEqual(response.context["form"].errors["note"], ["退回到前一阶段须说明原因。"])
        response = self.move(Stage.CONTACT, note="投资方要求重新洽谈")
        self.assertRedirects(response, reverse("leads:detail", args=[self.lead.pk]))
        self.assertEqual(self.fresh().stage, Stage.CONTACT)

    def test_move_writes_a_web_transition_by_the_user_and_goes_back_to_next(self):
        response = self.move(Stage.VISIT, next="/leads/board/?industry=1")
        self.assertRedirects(response, "/leads/board/?industry=1", fetch_redirect_response=False)
        transition = StageTransition.objects.filter(lead=self.lead).last()
        self.assertEqual(
            (transition.to_stage, transition.channel, transition.actor),
            ("visit", "web", self.director),
        )

    def test_next_to_another_site_is_ignored(self):
        response = self.move(Stage.VISIT, next="https://evil.example/")
        self.assertRedirects(response, reverse("leads:detail", args=[self.lead.pk]))

    def test_drop_and_reopen(self):
        response = self.move(Stage.DROPPED, drop_reason="落户他地")
        self.assertEqual(
            response.context["form"].errors["lost_to"], ["终止原因为“落户他地”时必须填写落户地。"]
        )
        self.move(Stage.DROPPED, drop_reason="落户他地", lost_to="邻区")
        self.assertEqual(self.fresh().stage, Stage.DROPPED)
        detail = self.client.get(reverse("leads:detail", args=[self.lead.pk]))
        self.assertContains(detail, "恢复到接洽")
        self.move(Stage.CONTACT, note="投资方回心转意")
        self.assertEqual(self.fresh().stage, Stage.CONTACT)

    def test_stale_form_gets_the_conflict_message(self):
        lead = self.fresh()
        lead_update(lead=lead, notes="别人刚改过")
        response = self.client.post(
            reverse("leads:change_stage", args=[lead.pk, Stage.VISIT]),
            {"to_stage": Stage.VISIT, "expected_version": lead.version},
        )
        self.assertIn("该线索已被他人修改", response.context["form"].non_field_errors()[0])
        self.assertEqual(self.fresh().stage, Stage.CONTACT)


class LeadCreateEditPageTests(PageTestCase):
    def test_create_goes_through_lead_create_at_contact(self):
        response = self.client.post(
            reverse("leads:create"),
            {
                "name": "新能源电池项目",
                "investor": "某能源集团",
                "industry": self.industry.pk,
                "source": Source.OWN,
                "planned_investment": "12000.50",
            },
        )
        lead = Lead.objects.get(name="新能源电池项目")
        self.assertRedirects(response, reverse("leads:detail", args=[lead.pk]))
        self.assertEqual((lead.stage, lead.team), (Stage.CONTACT, self.team_a))
        self.assertEqual(lead.planned_investment, Decimal("12000.50"))
        self.assertEqual(lead.transitions.get().actor, self.director)

    def test_create_shows_field_errors_in_chinese(self):
        data = {"investor": "某集团", "industry": self.industry.pk, "source": Source.CHAMBER}
        response = self.client.post(reverse("leads:create"), {**data, "name": ""})
        self.assertEqual(response.context["form"].errors["name"], ["这个字段是必填项。"])
        response = self.client.post(reverse("leads:create"), {**data, "name": "商会项目"})
        self.assertEqual(
            response.context["form"].errors["chamber"],
            ["线索来源为“商会推介”时必须填写推介商会。"],
        )
        self.assertFalse(Lead.objects.exists())

    def test_edit_saves_through_lead_update_with_history(self):
        lead = make_lead(name="旧名称", industry=self.industry)
        data = self.edit_data(lead, name="新名称")
        response = self.client.post(reverse("leads:edit", args=[lead.pk]), data)
        self.assertRedirects(response, reverse("leads:detail", args=[lead.pk]))
        lead.refresh_from_db()
        self.assertEqual((lead.name, lead.version), ("新名称", 1))
        self.assertEqual(lead.history.first().history_user, self.director)

    def test_edit_of_a_stale_copy_shows_the_conflict_and_keeps_the_other_change(self):
        lead = make_lead(name="原名称", industry=self.industry)
        data = self.edit_data(lead, name="我的修改")
        lead_update(lead=lead, investor="别人改的投资方")
        response = self.client.post(reverse("leads:edit", args=[lead.pk]), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "该线索已被他人修改")
        lead.refresh_from_db()
        self.assertEqual((lead.name, lead.investor), ("原名称", "别人改的投资方"))

    def test_edit_refuses_a_future_signing_date(self):
        lead = make_lead(stage=Stage.SIGNED, industry=self.industry)
        future = (timezone.localdate() + timedelta(days=3)).isoformat()
        data = self.edit_data(lead, signed_on=future)
        response = self.client.post(reverse("leads:edit", args=[lead.pk]), data)
        self.assertIn("签约日期不能晚于今天", response.context["form"].errors["signed_on"][0])

    def test_edit_shows_stage_data_only_of_stages_reached(self):
        lead = make_lead(stage=Stage.INTENT, industry=self.industry)
        form = self.client.get(reverse("leads:edit", args=[lead.pk])).context["form"]
        self.assertIn("intent_on", form.fields)
        self.assertNotIn("signed_on", form.fields)
        self.assertNotIn("credit_code", form.fields)

    def test_director_reassigns_the_team_and_a_member_is_not_offered_it(self):
        lead = make_lead(industry=self.industry)
        data = {**self.edit_data(lead), "assign_team": self.team_b.pk}
        response = self.client.post(reverse("leads:edit", args=[lead.pk]), data)
        self.assertRedirects(response, reverse("leads:detail", args=[lead.pk]))
        lead.refresh_from_db()
        self.assertEqual((lead.team, lead.stage), (self.team_b, Stage.CONTACT))
        self.client.force_login(self.b_member)
        form = self.client.get(reverse("leads:edit", args=[lead.pk])).context["form"]
        self.assertNotIn("assign_team", form.fields)

    def edit_data(self, lead, **changes):
        data = {
            "name": lead.name,
            "investor": lead.investor,
            "industry": lead.industry_id,
            "source": lead.source,
            "origin_type": lead.origin_type,
            "contract_amount": lead.contract_amount or "",
            "signed_on": lead.signed_on or "",
            "planned_investment": lead.planned_investment or "",
            "version": lead.version,
        }
        return {**data, **changes}


class LeadDetailPageTests(PageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        start = timezone.now() - timedelta(days=20)
        cls.lead = make_lead(name="详情项目", industry=cls.industry, at=start, actor=cls.a_member)
        cls.lead = lead_change_stage(
            lead=cls.lead,
            to_stage=Stage.VISIT,
            channel="web",
            actor=cls.a_member,
            at=start + timedelta(days=5),
            note="实地考察",
        )

    def test_timeline_shows_who_when_channel_note_and_days_in_each_stage(self):
        response = self.client.get(reverse("leads:detail", args=[self.lead.pk]))
        transitions = response.context["transitions"]
        self.assertEqual([t.days_spent for t in transitions], [5, 15])
        self.assertContains(response, "实地考察")
        self.assertContains(response, "网页")
        self.assertContains(response, "已停留 15 天")

    def test_field_history_names_the_field_and_both_values(self):
        lead_update(
            lead=Lead.objects.get(pk=self.lead.pk), actor=self.director, investor="新投资方"
        )
        response = self.client.get(reverse("leads:detail", args=[self.lead.pk]))
        change = response.context["history"][0].changes[0]
        self.assertEqual(
            (change.label, change.old, change.new), ("投资方", "深圳测试集团有限公司", "新投资方")
        )
        team_changes = [
            c for r in response.context["history"] for c in r.changes if c.field == "team"
        ]
        self.assertEqual((team_changes[0].old, team_changes[0].new), ("信息研判组", "考察接待组"))

    def test_offers_forward_back_and_drop(self):
        response = self.client.get(reverse("leads:detail", args=[self.lead.pk]))
        for stage in ("intent", "contact", "dropped"):
            self.assertContains(response, reverse("leads:change_stage", args=[self.lead.pk, stage]))

    def test_landed_lead_offers_back_but_no_drop_or_forward(self):
        lead = make_lead(stage=Stage.LANDED, industry=self.industry)
        response = self.client.get(reverse("leads:detail", args=[lead.pk]))
        self.assertContains(response, reverse("leads:change_stage", args=[lead.pk, "signed"]))
        self.assertNotContains(response, reverse("leads:change_stage", args=[lead.pk, "dropped"]))


class ActivityPageTests(PageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lead = make_lead(industry=cls.industry)

    def test_htmx_post_returns_the_refreshed_panel(self):
        today = timezone.localdate().isoformat()
        response = self.client.post(
            reverse("leads:add_activity", args=[self.lead.pk]),
            {"occurred_on": today, "kind": ActivityKind.NEGOTIATION, "summary": "谈了用地"},
            headers={"HX-Request": "true"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "谈了用地")
        self.assertNotContains(response, "<html")
        self.assertEqual(Activity.objects.get().created_by, self.director)

    def test_activity_sets_the_next_follow_up_with_history(self):
        follow_up = timezone.localdate() + timedelta(days=7)
        self.client.post(
            reverse("leads:add_activity", args=[self.lead.pk]),
            {
                "occurred_on": timezone.localdate().isoformat(),
                "kind": ActivityKind.CALL,
                "summary": "约好下周再谈",
                "next_follow_up": follow_up.isoformat(),
            },
        )
        lead = Lead.objects.get(pk=self.lead.pk)
        self.assertEqual(lead.next_follow_up, follow_up)
        self.assertEqual(lead.history.first().history_user, self.director)
        self.assertEqual(Activity.objects.get().summary, "约好下周再谈")

    def test_future_date_and_missing_summary_are_refused_in_place(self):
        future = (timezone.localdate() + timedelta(days=1)).isoformat()
        response = self.client.post(
            reverse("leads:add_activity", args=[self.lead.pk]),
            {"occurred_on": future, "kind": ActivityKind.CALL, "summary": ""},
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("summary", response.context["activity_form"].errors)
        future_ok = self.client.post(
            reverse("leads:add_activity", args=[self.lead.pk]),
            {"occurred_on": future, "kind": ActivityKind.CALL, "summary": "电话"},
        )
        self.assertEqual(
            future_ok.context["activity_form"].errors["occurred_on"], ["对接日期不能晚于今天。"]
        )
        self.assertFalse(Activity.objects.exists())


class DashboardPageTests(PageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        today = timezone.localdate()
        AnnualTarget.objects.create(
            year=today.year,
            signed_count=4,
            signed_amount=Decimal("3202.00"),
            landed_count=2,
            landed_amount=Decimal("1000"),
        )
        make_lead(stage=Stage.SIGNED, industry=cls.industry, signed_on=today)
        make_lead(
            stage=Stage.LANDED,
            industry=cls.industry,
            signed_on=today,
            landed_on=today,
            registered_name="某某（本区）有限公司",
            credit_code=credit_code(),
        )
        cls.stalled = make_lead(
            name="滞留项目", industry=cls.industry, at=timezone.now() - timedelta(days=31)
        )
        cls.due = make_lead(name="今日跟进项目", industry=cls.industry, next_follow_up=today)

    def test_progress_against_the_district_target(self):
        response = self.client.get("/")
        progress = {p.label: p for p in response.context["progress"]}
        self.assertEqual(progress["本月签约"].count, 2)
        self.assertEqual(progress["本月签约"].amount, Decimal("1601.00"))
        self.assertEqual(progress["本年签约"].count_percent, 50)
        self.assertEqual(progress["本年签约"].amount_percent, 50)
        self.assertEqual(progress["本月落地"].count, 1)
        self.assertEqual(progress["本年落地"].count_percent, 50)

    def test_stalled_lead_is_red_and_follow_up_due_today_is_listed(self):
        response = self.client.get("/")
        self.assertEqual([lead.name for lead in response.context["stalled"]], ["滞留项目"])
        self.assertEqual(response.context["stalled"][0].warning, "red")
        self.assertEqual(response.context["warnings"]["red"], 1)
        self.assertIn("今日跟进项目", [lead.name for lead in response.context["follow_ups"]])

    def test_team_member_gets_their_team_queue_longest_waiting_first(self):
        self.client.force_login(self.a_member)
        response = self.client.get("/")
        self.assertEqual(
            [lead.name for lead in response.context["queue"]], ["滞留项目", "今日跟进项目"]
        )

    def test_other_team_member_does_not_get_team_a_leads_in_the_queue(self):
        self.client.force_login(self.b_member)
        response = self.client.get("/")
        self.assertEqual(response.context["queue"], [])
        self.assertEqual(response.context["warnings"]["red"], 0)
