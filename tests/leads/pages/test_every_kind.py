"""Every staff page renders with every kind of lead that can exist in the database.

Issue 14: a lead with no history rows, no activities, imported, merged,
dropped from each stage, landed with its milestones, instalments, 督办 and
problems, a key project, a chamber's or a returnee's lead. Each kind is
made the way the product makes it (services, the import), except the rows a
legacy ledger lacks, which are removed. Every page is opened as each role
that may open it; the detail page of each lead as the director and as a
member of the team that owns it.
"""

from datetime import timedelta
from decimal import Decimal

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from aftercare.models import Enterprise
from chambers.models import Chamber, ChamberKind, Entrepreneur
from leads.choices import Channel, Source, Stage
from leads.excel.lead_importer import LeadImporter
from leads.models import Lead, StageTransition
from leads.services import lead_change_stage, lead_merge
from leads.services.activities import activity_create
from leads.services.milestones import (
    lead_add_paid_in,
    lead_add_supervision,
    lead_plan_milestone,
    lead_record_milestone,
    lead_set_key,
)
from tests.aftercare.helpers import make_problem
from tests.factories import credit_code, make_lead
from tests.roles import RolesMixin
from tests.workbooks import lead_workbook

TODAY = timezone.localdate()
PRODUCTION_PLANNED = TODAY + timedelta(days=90)


class EveryKindTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        cls.kinds = {}
        cls._plain_kinds()
        cls._dropped_kinds()
        cls._after_landing_kinds()
        cls._imported_and_merged_kinds()

    @classmethod
    def _plain_kinds(cls):
        kinds = cls.kinds
        kinds["接洽，无活动"] = make_lead(name="接洽无活动项目")
        worked = make_lead(name="有活动项目", stage=Stage.VISIT, actor=cls.director)
        activity_create(lead=worked, actor=cls.director, kind="call", summary="电话跟进")
        kinds["考察，有活动"] = worked
        kinds["直接录入签约"] = make_lead(
            name="直接签约项目", stage=Stage.SIGNED, signed_on=TODAY, actor=cls.director
        )
        bare = make_lead(name="无任何记录项目", stage=Stage.INTENT)
        bare.history.all().delete()
        StageTransition.objects.filter(lead=bare)._raw_delete(StageTransition.objects.db)
        kinds["无阶段与修改记录"] = bare
        chamber = Chamber.objects.create(name="深圳洛阳商会", kind=ChamberKind.HOMETOWN)
        kinds["商会引荐"] = make_lead(name="商会引荐项目", source=Source.CHAMBER, chamber=chamber)
        returnee = Entrepreneur.objects.create(name="王回乡", hometown="洛阳")
        kinds["回乡创业"] = make_lead(
            name="回乡创业项目", source=Source.RETURNEE, entrepreneur=returnee
        )

    @classmethod
    def _dropped_kinds(cls):
        for stage in (Stage.CONTACT, Stage.VISIT, Stage.INTENT, Stage.SIGNED):
            lead = make_lead(name=f"{stage.label}后终止项目", stage=stage)
            cls.kinds[f"{stage.label}后终止"] = lead_change_stage(
                lead=lead,
                to_stage=Stage.DROPPED,
                actor=cls.director,
                channel=Channel.WEB,
                drop_reason="投资方战略调整",
            )

    @classmethod
    def _after_landing_kinds(cls):
        landed = make_lead(
            name="落地推进项目",
            stage=Stage.LANDED,
            landed_on=TODAY - timedelta(days=30),
            signed_on=TODAY - timedelta(days=60),
            contract_amount=Decimal("12000.00"),
            actor=cls.director,
        )
        landed = lead_set_key(lead=landed, is_key=True, actor=cls.director, reason="亿元项目")
        landed = lead_plan_milestone(
            lead=landed,
            milestone="in_production",
            on=PRODUCTION_PLANNED,
            reason="年度计划",
            actor=cls.director,
        )
        landed = lead_record_milestone(
            lead=landed, milestone="started", on=TODAY - timedelta(days=10), actor=cls.director
        )
        lead_add_paid_in(
            lead=landed,
            on=TODAY - timedelta(days=5),
            amount=Decimal("300.00"),
            kind="fixed_assets",
            actor=cls.director,
            note="首期",
        )
        lead_add_supervision(
            lead=Lead.objects.get(pk=landed.pk),
            note="请加快投产",
            actor=cls.director,
            deadline=TODAY + timedelta(days=7),
        )
        enterprise = Enterprise.objects.filter(lead=landed).first() or Enterprise.objects.create(
            name="落地推进（本区）有限公司", lead=landed
        )
        make_problem(enterprise=enterprise, team=cls.team_a)
        cls.kinds["落地，开工、到位资金、督办、诉求"] = landed
        late = make_lead(
            name="计划滞后项目",
            stage=Stage.LANDED,
            landed_on=TODAY - timedelta(days=200),
            signed_on=TODAY - timedelta(days=260),
        )
        cls.kinds["计划开工已过期"] = lead_plan_milestone(
            lead=late,
            milestone="started",
            on=TODAY - timedelta(days=20),
            reason="原定计划",
            actor=cls.director,
        )

    @classmethod
    def _imported_and_merged_kinds(cls):
        row = {
            "项目名称": "导入项目",
            "投资方": "深圳导入集团有限公司",
            "所属产业": cls.kinds["接洽，无活动"].industry.name,
            "线索来源": "产业链招商",
            "当前阶段": "落地",
            "签约日期": TODAY - timedelta(days=40),
            "落地日期": TODAY - timedelta(days=20),
            "签约投资额(万元)": 500,
            "计划投资额(万元)": 600,
            "落地企业名称": "导入（本区）有限公司",
            "统一社会信用代码": credit_code("91350100M000200Y4"),
        }
        report = LeadImporter().run(lead_workbook(row), actor=cls.director, filename="台账.xlsx")
        assert report.ok, report.error_lines()
        cls.kinds["导入的落地项目"] = Lead.objects.get(name="导入项目")
        keep = make_lead(name="合并保留项目", investor="合并测试集团有限公司")
        merged = make_lead(name="合并保留项目（重复）", investor="合并测试集团有限公司")
        lead_merge(keep=keep, merged=merged, actor=cls.director)
        cls.kinds["合并后保留"] = Lead.objects.get(pk=keep.pk)
        cls.merged = Lead.all_objects.get(pk=merged.pk)

    def get(self, user, url, **params):
        self.client.force_login(user)
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200, f"{user.username} {url} {params}")
        return response

    def test_each_detail_page_renders_for_the_director_and_the_owning_team(self):
        for kind, lead in self.kinds.items():
            with self.subTest(kind=kind):
                lead.refresh_from_db()
                url = reverse("leads:detail", args=[lead.pk])
                self.assertContains(self.get(self.director, url), lead.name)
                member = lead.team.members.first() if lead.team else None
                if member is not None:
                    self.assertContains(self.get(member, url), lead.name)

    def test_the_merged_code_leads_to_the_kept_lead(self):
        self.client.force_login(self.director)
        response = self.client.get(reverse("leads:detail", args=[self.merged.pk]), follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["lead"].pk, self.merged.merged_into_id)
        self.assertContains(response, "已合并到")

    def test_every_list_page_renders_with_all_kinds_in_the_database(self):
        lists = [
            (reverse("home"), {}),
            (reverse("leads:list"), {}),
            (reverse("leads:list"), {"q": "项目"}),
            (reverse("leads:list"), {"stage": Stage.DROPPED}),
            (reverse("leads:list"), {"stage": Stage.LANDED, "o": "-contract_amount"}),
            (reverse("leads:list"), {"page": "2"}),
            (reverse("leads:board"), {}),
            (reverse("leads:board_dropped"), {}),
            (reverse("leads:overdue_nodes"), {}),
            (reverse("leads:key_projects"), {}),
            (reverse("leads:duplicates"), {}),
            (reverse("chambers:chamber_list"), {}),
            (reverse("chambers:entrepreneur_list"), {}),
            (reverse("reports:monthly"), {"month": TODAY.strftime("%Y-%m")}),
            (reverse("reports:ranking"), {}),
            (reverse("aftercare:problem_list"), {}),
            (reverse("aftercare:enterprise_list"), {}),
        ]
        for url, params in lists:
            with self.subTest(url=url, params=params):
                response = self.get(self.director, url, **params)
                self.assertNotContains(response, "合并保留项目（重复）")
        self.get(self.a_member, reverse("leads:list"))
        self.get(self.a_member, reverse("leads:board"))
        self.get(self.a_member, reverse("home"))

    def test_the_lists_show_the_kinds(self):
        response = self.get(self.director, reverse("leads:list"), q="项目")
        for name in ("无任何记录项目", "导入项目", "合并保留项目", "签约后终止项目"):
            with self.subTest(name=name):
                self.assertContains(response, name)
        response = self.get(self.director, reverse("leads:overdue_nodes"))
        self.assertContains(response, "计划滞后项目")
        response = self.get(
            self.director, reverse("leads:key_projects"), year=str(PRODUCTION_PLANNED.year)
        )
        self.assertContains(response, "落地推进项目")

    def test_detail_pages_of_chamber_and_returnee(self):
        lead = self.kinds["商会引荐"]
        self.assertContains(
            self.get(self.director, reverse("chambers:chamber_detail", args=[lead.chamber_id])),
            lead.name,
        )
        lead = self.kinds["回乡创业"]
        self.assertContains(
            self.get(
                self.director, reverse("chambers:entrepreneur_detail", args=[lead.entrepreneur_id])
            ),
            lead.name,
        )

    def test_kinds_are_what_they_say(self):
        kinds = self.kinds
        self.assertFalse(StageTransition.objects.filter(lead=kinds["无阶段与修改记录"]).exists())
        self.assertFalse(kinds["无阶段与修改记录"].history.exists())
        self.assertFalse(kinds["接洽，无活动"].activities.exists())
        self.assertEqual(
            StageTransition.objects.filter(lead=kinds["导入的落地项目"]).first().channel,
            Channel.IMPORT,
        )
        self.assertIsNotNone(self.merged.merged_into_id)
        self.assertEqual(kinds["签约后终止"].stage, Stage.DROPPED)
        landed = kinds["落地，开工、到位资金、督办、诉求"]
        landed.refresh_from_db()
        self.assertEqual(landed.paid_in, Decimal("300.00"))
        self.assertTrue(landed.is_key)
