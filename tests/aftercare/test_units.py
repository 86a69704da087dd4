"""A problem's responsible unit may be a leads.Unit: model, pages, filter, Excel, report, rights."""

import io
import tempfile
from datetime import date
from pathlib import Path

from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from aftercare.excel import ProblemImporter, export_problems
from aftercare.excel.columns import LEDGER
from aftercare.figures import problem_figures_build
from aftercare.models import Problem
from aftercare.rules import ProblemServiceError
from leads.choices import Stage
from leads.models import Unit
from leads.reports.period import Period
from tests.aftercare.helpers import feedback, make_enterprise, make_problem, moment, resolve, walk
from tests.factories import credit_code, make_lead
from tests.roles import RolesMixin
from tests.workbooks import read_back, workbook_bytes

HEADERS = [column.header for column in LEDGER]
MARCH = Period.month(2026, 3)


class UnitTestCase(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        cls.town = Unit.objects.create(name="城关街道", kind=Unit.Kind.TOWN)
        cls.bureau = Unit.objects.create(name="区发展和改革局", kind=Unit.Kind.DEPARTMENT)
        cls.closed_unit = Unit.objects.create(
            name="原开发区管委会", kind="department", active=False
        )
        cls.enterprise = make_enterprise()

    def unit_problem(self, unit=None, **fields):
        return make_problem(
            enterprise=self.enterprise, responsible_unit=unit or self.town, **fields
        )


class ModelTests(UnitTestCase):
    def test_a_unit_alone_is_a_responsible_unit_and_is_shown(self):
        problem = self.unit_problem()
        self.assertIsNone(problem.responsible_team_id)
        self.assertEqual(problem.responsible_name, "城关街道")

    def test_none_of_team_unit_or_text_is_refused_in_chinese_and_by_the_database(self):
        with self.assertRaisesMessage(ProblemServiceError, "请选择责任小分队或责任单位"):
            make_problem(enterprise=self.enterprise, responsible_unit=None, team=None)
        problem = self.unit_problem()
        with self.assertRaises(IntegrityError), transaction.atomic():
            Problem.objects.filter(pk=problem.pk).update(responsible_unit=None)

    def test_the_team_is_shown_before_the_unit_and_the_unit_before_the_text(self):
        both = self.unit_problem(team=self.team_a)
        self.assertEqual(both.responsible_name, "信息研判组")
        with_text = self.unit_problem(responsible_unit_name="市电力公司")
        self.assertEqual(with_text.responsible_name, "城关街道")

    def test_a_unit_with_problems_cannot_be_deleted(self):
        self.unit_problem()
        with self.assertRaises(IntegrityError), transaction.atomic():
            Unit.objects.filter(pk=self.town.pk).delete()


class PageTests(UnitTestCase):
    def test_register_a_problem_for_a_unit_on_the_page(self):
        self.client.force_login(self.director)
        form = self.client.get(reverse("aftercare:problem_create")).context["form"]
        choices = list(form.fields["responsible_unit"].queryset)
        self.assertIn(self.town, choices)
        self.assertNotIn(self.closed_unit, choices)
        response = self.client.post(
            reverse("aftercare:problem_create"),
            {
                "enterprise": self.enterprise.pk,
                "raised_via": "phone",
                "category": "utilities",
                "description": "供水压力不足",
                "responsible_unit": self.bureau.pk,
            },
        )
        self.assertEqual(response.status_code, 302)
        problem = Problem.objects.get(description="供水压力不足")
        self.assertEqual((problem.responsible_unit, problem.responsible_team), (self.bureau, None))
        page = self.client.get(reverse("aftercare:problem_detail", args=[problem.pk]))
        self.assertContains(page, "<dd>区发展和改革局</dd>", html=True)

    def test_the_list_filters_by_unit_and_finds_a_unit_by_its_name(self):
        mine = self.unit_problem(description="街道的诉求")
        self.unit_problem(self.bureau, description="发改局的诉求")
        make_problem(enterprise=self.enterprise, team=self.team_a, description="小分队的诉求")
        self.client.force_login(self.director)
        url = reverse("aftercare:problem_list")
        page = self.client.get(url, {"responsible_unit": self.town.pk}).context["page"]
        self.assertEqual([p.pk for p in page], [mine.pk])
        page = self.client.get(url, {"unit": "发展和改革"}).context["page"]
        self.assertEqual([p.description for p in page], ["发改局的诉求"])

    def test_sorting_by_unit_follows_the_displayed_name(self):
        self.unit_problem(self.bureau, description="b")
        make_problem(enterprise=self.enterprise, team=None, responsible_unit_name="市电力公司")
        self.unit_problem(team=self.team_a, description="a")
        self.client.force_login(self.director)
        page = self.client.get(reverse("aftercare:problem_list"), {"o": "unit"}).context["page"]
        names = [p.responsible_name for p in page]
        self.assertEqual(names, sorted(names))
        self.assertEqual(len(set(names)), 3)


class PermissionTests(UnitTestCase):
    def move(self, user, problem):
        self.client.force_login(user)
        url = reverse("aftercare:problem_move", args=[problem.pk, "in_progress"])
        return self.client.post(url, {"version": problem.version}).status_code

    def test_a_units_problem_is_acted_on_by_its_handler_and_the_director_only(self):
        problem = self.unit_problem(handler=self.b_member)
        self.assertEqual(self.move(self.a_member, problem), 403)
        self.assertEqual(self.move(self.a_leader, problem), 403)
        self.assertEqual(self.move(self.b_member, problem), 302)
        other = self.unit_problem()
        self.assertEqual(self.move(self.b_member, other), 403)
        self.assertEqual(self.move(self.director, other), 302)

    def test_with_a_team_as_well_the_teams_members_act_as_before(self):
        problem = self.unit_problem(team=self.team_a)
        self.assertEqual(self.move(self.a_member, problem), 302)


class ExcelTests(UnitTestCase):
    def run_import(self, *rows, data=None):
        data = data if data is not None else workbook_bytes(HEADERS, rows, title="企业诉求")
        report = ProblemImporter().run(data, filename="诉求台账.xlsx")
        self.assertTrue(report.ok, report.error_lines())
        return report

    def row(self, unit, description):
        return {
            "企业名称": "洛阳华创智能装备有限公司",
            "反映日期": "2026-03-05",
            "反映渠道": "走访",
            "诉求类别": "用地",
            "诉求内容": description,
            "责任单位": unit,
        }

    def test_the_unit_column_matches_an_active_unit_then_a_team_else_free_text(self):
        Unit.objects.create(name="考察接待组", kind=Unit.Kind.DEPARTMENT)
        self.run_import(
            self.row(" 城关街道", "单位"),
            self.row("考察接待组", "同名的单位和小分队"),
            self.row("信息研判组", "小分队"),
            self.row("原开发区管委会", "停用的单位"),
            self.row("市电力公司", "区外"),
        )
        got = {
            p.description: (p.responsible_unit_id, p.responsible_team_id, p.responsible_unit_name)
            for p in Problem.objects.all()
        }
        self.assertEqual(got["单位"], (self.town.pk, None, ""))
        self.assertEqual(got["同名的单位和小分队"][1:], (None, ""))
        self.assertEqual(Unit.objects.get(pk=got["同名的单位和小分队"][0]).name, "考察接待组")
        self.assertEqual(got["小分队"], (None, self.team_a.pk, ""))
        self.assertEqual(got["停用的单位"], (None, None, "原开发区管委会"))
        self.assertEqual(got["区外"], (None, None, "市电力公司"))

    def test_a_row_naming_a_unit_moves_a_teams_problem_to_the_unit(self):
        problem = make_problem(enterprise=self.enterprise, team=self.team_a)
        row = self.row("区发展和改革局", problem.description)
        self.run_import({**row, "诉求编号": problem.code, "反映日期": f"{problem.raised_on}"})
        problem.refresh_from_db()
        self.assertEqual((problem.responsible_unit, problem.responsible_team), (self.bureau, None))

    def test_an_export_with_units_reimports_with_no_changes(self):
        alone = self.unit_problem(raised_on=date(2026, 3, 1))
        both = self.unit_problem(self.bureau, team=self.team_b, raised_on=date(2026, 3, 2))
        text = self.unit_problem(responsible_unit_name="市电力公司", raised_on=date(2026, 3, 3))
        before = list(Problem.objects.order_by("pk").values())
        buffer = io.BytesIO()
        self.assertEqual(export_problems(buffer), 3)
        report = self.run_import(data=buffer.getvalue())
        self.assertEqual(report.counts["unchanged"], 3, report.as_json()["samples"])
        self.assertEqual(list(Problem.objects.order_by("pk").values()), before)
        self.assertEqual(
            [p.responsible_name for p in (alone, both, text)],
            ["城关街道", "考察接待组", "城关街道"],
        )

    def test_export_command_filters_by_unit(self):
        self.unit_problem(description="街道的诉求")
        make_problem(enterprise=self.enterprise, team=self.team_a)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "out.xlsx"
            call_command(
                "export_problems",
                "--out",
                str(path),
                "--responsible-unit",
                "城关街道",
                stdout=io.StringIO(),
            )
            rows = read_back(path.read_bytes())
        self.assertEqual([r[HEADERS.index("诉求内容")] for r in rows[1:]], ["街道的诉求"])


class ReportTests(UnitTestCase):
    def test_the_report_breaks_down_by_the_units_name(self):
        def raise_on(day, **fields):
            return self.unit_problem(raised_on=day, at=moment(day), **fields)

        raise_on(date(2026, 3, 2), deadline=date(2026, 3, 10))
        closed = raise_on(date(2026, 3, 3), deadline=date(2026, 3, 20))
        closed = resolve(closed, at=moment(date(2026, 3, 5)), on=date(2026, 3, 5))
        walk(closed, ("closed", feedback(date(2026, 3, 6))), at=moment(date(2026, 3, 6)))
        raise_on(date(2026, 3, 4), team=self.team_a)
        figures = problem_figures_build(MARCH, date(2026, 3, 31))
        rows = {row.name: row for row in figures.by_unit}
        self.assertEqual(set(rows), {"城关街道", "信息研判组"})
        town = rows["城关街道"]
        self.assertEqual((town.raised, town.closed, town.overdue), (2, 1, 1))
        self.assertEqual(rows["信息研判组"].raised, 1)


class DemoTests(UnitTestCase):
    def test_the_demo_gives_some_problems_to_units(self):
        for number in range(15):
            make_lead(
                stage=Stage.LANDED,
                name=f"项目{number}",
                registered_name=f"本区企业{number}有限公司",
                credit_code=credit_code(f"91410300MA{number:07d}"),
            )
        call_command("seed_aftercare_demo", stdout=io.StringIO())
        units = Problem.objects.filter(responsible_unit__isnull=False)
        self.assertTrue(units.exists())
        self.assertFalse(units.filter(responsible_unit=self.closed_unit).exists())
        self.assertTrue(Problem.objects.filter(responsible_team__isnull=False).exists())
        self.assertTrue(Problem.objects.exclude(responsible_unit_name="").exists())
