"""Ledger pages: permissions by unit, the moves' forms, stale copies, the tile, query counts."""

import importlib
import json
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from aftercare.models import Problem
from leads.models import TaskTeam
from tests.aftercare.helpers import make_enterprise, make_problem, resolve
from tests.factories import UserFactory
from tests.roles import RolesMixin

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "reference.json"


class PageTestCase(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        cls.enterprise = make_enterprise()
        cls.outsider_team = TaskTeam.objects.exclude(pk__in=[cls.team_a.pk, cls.team_b.pk]).first()

    def setUp(self):
        self.problem = make_problem(enterprise=self.enterprise, team=self.team_a)

    def login(self, user):
        self.client.force_login(user)

    def move_url(self, status, problem=None):
        return reverse("aftercare:problem_move", args=[(problem or self.problem).pk, status])

    def post_move(self, status, data=None, problem=None):
        problem = problem or Problem.objects.get(pk=self.problem.pk)
        return self.client.post(
            self.move_url(status, problem), {"version": problem.version, **(data or {})}
        )


class PermissionTests(PageTestCase):
    def test_members_and_leader_of_the_responsible_team_act(self):
        for user in (self.a_member, self.a_leader):
            with self.subTest(user=user.username):
                self.login(user)
                page = self.client.get(reverse("aftercare:problem_detail", args=[self.problem.pk]))
                self.assertContains(page, self.move_url("in_progress"))
                self.assertEqual(self.client.get(self.move_url("in_progress")).status_code, 200)

    def test_another_teams_member_reads_but_cannot_act(self):
        self.login(self.b_member)
        page = self.client.get(reverse("aftercare:problem_detail", args=[self.problem.pk]))
        self.assertContains(page, "只读")
        self.assertNotContains(page, self.move_url("in_progress"))
        self.assertEqual(self.post_move("in_progress").status_code, 403)
        self.assertEqual(Problem.objects.get().status, "open")

    def test_director_acts_on_every_problem_even_an_outside_units(self):
        outside = make_problem(
            enterprise=self.enterprise, team=None, responsible_unit_name="市电力公司"
        )
        self.login(self.director)
        self.assertEqual(self.post_move("in_progress", problem=outside).status_code, 302)
        self.assertEqual(Problem.objects.get(pk=outside.pk).status, "in_progress")

    def test_the_handler_acts_on_an_outside_units_problem(self):
        outside = make_problem(
            enterprise=self.enterprise,
            team=None,
            responsible_unit_name="市电力公司",
            handler=self.b_member,
        )
        self.login(self.b_member)
        self.assertEqual(self.post_move("in_progress", problem=outside).status_code, 302)

    def test_read_only_users_read_and_never_act(self):
        self.login(self.reader)
        self.assertEqual(self.client.get(reverse("aftercare:problem_list")).status_code, 200)
        self.assertEqual(self.post_move("in_progress").status_code, 403)
        self.assertEqual(self.client.get(reverse("aftercare:problem_create")).status_code, 403)

    def test_a_user_without_a_role_cannot_read(self):
        self.login(self.no_role)
        self.assertEqual(self.client.get(reverse("aftercare:problem_list")).status_code, 403)

    def test_fixture_and_migration_grant_the_same_permissions(self):
        migration = importlib.import_module(
            "aftercare.migrations.0002_deadlines_and_group_permissions"
        )
        fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
        granted = {
            item["fields"]["name"]: sorted(
                code for code, app, _model in item["fields"]["permissions"] if app == "aftercare"
            )
            for item in fixture
            if item["model"] == "auth.group"
        }
        self.assertEqual(granted, {k: sorted(v) for k, v in migration.GRANTS.items()})
        codes = set(
            Group.objects.get(name="局领导")
            .permissions.filter(content_type__app_label="aftercare")
            .values_list("codename", flat=True)
        )
        self.assertIn("manage_all_problem", codes)


class MoveFormTests(PageTestCase):
    def setUp(self):
        super().setUp()
        self.login(self.a_member)

    def test_close_out_form_refuses_missing_feedback_and_keeps_the_status(self):
        self.problem = resolve(self.problem)
        response = self.post_move("closed", {"feedback_way": "phone"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "反馈日期", status_code=400)
        self.assertEqual(Problem.objects.get().status, "resolved")

    def test_unsatisfied_close_out_reopens_and_says_so(self):
        self.problem = resolve(self.problem)
        today = timezone.localdate().isoformat()
        response = self.post_move(
            "closed", {"feedback_on": today, "feedback_way": "visit", "rating": "unsatisfied"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Problem.objects.get().status, "in_progress")
        page = self.client.get(response["Location"])
        self.assertContains(page, "企业评价不满意")

    def test_stale_form_is_refused_with_a_chinese_message(self):
        stale_version = self.problem.version
        self.post_move("in_progress")
        response = self.client.post(
            self.move_url("resolved"), {"version": stale_version, "resolution": "已解决"}
        )
        self.assertContains(response, "已被他人修改", status_code=400)
        self.assertEqual(Problem.objects.get().status, "in_progress")

    def test_on_record_form_requires_the_explanation(self):
        self.post_move("in_progress")
        review = (timezone.localdate() + timedelta(days=90)).isoformat()
        response = self.post_move("on_record", {"review_on": review})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Problem.objects.get().status, "in_progress")

    def test_register_a_problem_with_the_default_deadline(self):
        response = self.client.post(
            reverse("aftercare:problem_create"),
            {
                "enterprise": self.enterprise.pk,
                "raised_via": "phone",
                "category": "utilities",
                "description": "供水压力不足",
                "responsible_team": self.team_a.pk,
            },
        )
        self.assertEqual(response.status_code, 302)
        problem = Problem.objects.get(description="供水压力不足")
        self.assertEqual(problem.deadline, timezone.localdate() + timedelta(days=10))


class ListAndTileTests(PageTestCase):
    def test_list_filters_overdue_and_shows_them_red(self):
        late = make_problem(
            enterprise=self.enterprise,
            team=self.team_a,
            raised_on=timezone.localdate() - timedelta(days=30),
            deadline=timezone.localdate() - timedelta(days=1),
        )
        self.login(self.director)
        response = self.client.get(reverse("aftercare:problem_list"), {"overdue": "true"})
        self.assertEqual([p.pk for p in response.context["page"]], [late.pk])
        self.assertContains(response, 'class="overdue warn-red"')
        response = self.client.get(
            reverse("aftercare:problem_list"), {"status": "open", "o": "deadline"}
        )
        self.assertEqual(response.context["page"][0].pk, late.pk)

    def test_dashboard_tile_counts_my_open_and_overdue_problems(self):
        make_problem(
            enterprise=self.enterprise,
            team=self.team_a,
            raised_on=timezone.localdate() - timedelta(days=30),
            deadline=timezone.localdate() - timedelta(days=1),
        )
        make_problem(enterprise=self.enterprise, team=self.team_b)
        self.login(self.a_member)
        response = self.client.get(reverse("home"))
        self.assertContains(response, 'id="problem-tile"')
        self.assertContains(response, "<b>2</b> 未销号", html=False)
        self.assertContains(response, "<b>1</b> 超期", html=False)

    def test_list_query_count_does_not_grow(self):
        self.login(self.director)
        url = reverse("aftercare:problem_list")
        self.client.get(url)
        # Session, user, two permission reads, count, page, and the team and unit selects.
        with self.assertNumQueries(8):
            self.client.get(url)
        for _ in range(20):
            make_problem(enterprise=make_enterprise(name=f"企业{_}"), handler=UserFactory())
        with self.assertNumQueries(8):
            self.client.get(url)

    def test_enterprise_page_shows_its_problems_lead_and_leader(self):
        self.enterprise.district_leader = "王副区长"
        self.enterprise.save()
        self.login(self.reader)
        response = self.client.get(
            reverse("aftercare:enterprise_detail", args=[self.enterprise.pk])
        )
        self.assertContains(response, "王副区长")
        self.assertContains(response, self.problem.code)


class EnterprisePageTests(PageTestCase):
    def test_add_an_enterprise_that_never_was_a_lead_with_a_checked_credit_code(self):
        self.login(self.a_leader)
        url = reverse("aftercare:enterprise_create")
        response = self.client.post(url, {"name": "本区老字号食品厂", "credit_code": "123"})
        self.assertContains(response, "统一社会信用代码应为18位")
        response = self.client.post(url, {"name": "本区老字号食品厂", "above_scale": "on"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(self.enterprise.__class__.objects.get(name="本区老字号食品厂").above_scale)

    def test_a_stale_enterprise_form_is_refused(self):
        self.login(self.director)
        url = reverse("aftercare:enterprise_edit", args=[self.enterprise.pk])
        first = {"name": self.enterprise.name, "phone": "0379-1", "version": 0}
        self.assertEqual(self.client.post(url, first).status_code, 302)
        stale = {"name": self.enterprise.name, "phone": "0379-2", "version": 0}
        self.assertContains(self.client.post(url, stale), "已被他人修改")
        self.enterprise.refresh_from_db()
        self.assertEqual(self.enterprise.phone, "0379-1")

    def test_the_list_filters_by_month_and_enterprise(self):
        other = make_enterprise(name="另一家企业")
        march = make_problem(enterprise=other, raised_on=timezone.localdate().replace(day=1))
        self.login(self.reader)
        month = timezone.localdate().strftime("%Y-%m")
        response = self.client.get(
            reverse("aftercare:problem_list"), {"month": month, "enterprise": other.pk}
        )
        self.assertEqual([p.pk for p in response.context["page"]], [march.pk])
        response = self.client.get(reverse("aftercare:problem_list"), {"month": "2020-13"})
        self.assertEqual(len(response.context["page"]), 0)
