"""The 企业诉求 figures of the monthly report, checked against an independent computation.

Problems with random histories are made through the services at past
moments; the expected figures are computed here in plain Python from what
the generator did, without the report code.
"""

import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from aftercare.choices import Category
from aftercare.figures import problem_figures_build
from aftercare.services import problem_change_status
from leads.models import TaskTeam
from leads.reports.monthly import monthly_report_build
from leads.reports.period import Period
from leads.reports.serialise import report_data
from leads.reports.workbook import build_monthly_workbook
from tests.aftercare.helpers import load_reference, make_enterprise, make_problem, moment
from tests.factories import UserFactory

MARCH = Period.month(2026, 3)
CATEGORIES = ["land", "planning", "procedures", "financing", "labour", "utilities", "policy"]
OUTSIDE = ["市电力公司", "市自然资源和规划局"]
PATHS = ["open", "in_progress", "resolved", "closed", "unhappy_closed", "on_record", "escalated"]


@dataclass
class Made:
    raised_on: date
    deadline: date
    category: str
    unit: str
    events: list = field(default_factory=list)  # (day, status)
    ratings: list = field(default_factory=list)  # (day, rating)
    closed_on: date | None = None

    def status_on(self, day):
        status = None
        for when, to_status in self.events:
            if when <= day:
                status = to_status
        return status


def pct(part, whole):
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class Mover:
    """Move one generated problem through the services, some days apart, and record it."""

    def __init__(self, rng, record: Made, problem):
        self.rng, self.record, self.problem = rng, record, problem
        self.day = record.raised_on

    def move(self, status, **data):
        self.day += timedelta(days=self.rng.randint(0, 12))
        if "rating" in data:
            data["feedback_on"] = self.day
            self.record.ratings.append((self.day, data["rating"]))
        self.problem = problem_change_status(
            problem=self.problem, to_status=status, at=moment(self.day), **data
        )
        self.record.events.append((self.day, self.problem.status))
        if self.problem.status == "closed":
            self.record.closed_on = self.day


def generate(count=70, seed=10) -> list[Made]:
    rng = random.Random(seed)
    teams = list(TaskTeam.objects.order_by("pk"))
    enterprise = make_enterprise()
    made = []
    for _ in range(count):
        raised = date(2025, 11, 1) + timedelta(days=rng.randint(0, 150))
        record = Made(
            raised, raised + timedelta(days=rng.randint(3, 30)), rng.choice(CATEGORIES), ""
        )
        unit = rng.choice([*teams, *OUTSIDE])
        team = unit if isinstance(unit, TaskTeam) else None
        record.unit = team.name if team else unit
        problem = make_problem(
            enterprise=enterprise,
            team=team,
            responsible_unit_name="" if team else unit,
            raised_on=raised,
            deadline=record.deadline,
            category=record.category,
            at=moment(raised, 9),
        )
        record.events.append((raised, "open"))
        mover = Mover(rng, record, problem)
        path = rng.choice(PATHS)
        if path != "open":
            mover.move("in_progress")
        if path in ("resolved", "closed", "unhappy_closed"):
            mover.move("resolved", resolution="已解决")
        if path == "unhappy_closed":
            mover.move("closed", feedback_way="phone", rating="unsatisfied")
            mover.move("resolved", resolution="再次办理")
        if path in ("closed", "unhappy_closed"):
            mover.move("closed", feedback_way="visit", rating=rng.choice(["satisfied", "fairly"]))
        if path == "on_record":
            mover.move("on_record", explanation="暂不具备条件", review_on=date(2026, 12, 31))
        if path == "escalated":
            mover.move("escalated", escalated_to="市发改委")
        made.append(record)
    return made


def expected(made: list[Made], period: Period, end: date, key=None) -> dict:
    """Return the figures of the problems `key` selects, computed from the generator's record."""
    ytd_start = date(period.end.year, 1, 1)
    rows = [m for m in made if key is None or key(m)]
    rows = [m for m in rows if m.raised_on <= period.end]
    open_ = [m for m in rows if m.raised_on <= end and not (m.closed_on and m.closed_on <= end)]
    waiting = ("open", "in_progress", "resolved", "escalated")
    ytd = [m for m in rows if ytd_start <= m.raised_on <= period.end]
    closed_ytd = [m for m in rows if m.closed_on and ytd_start <= m.closed_on <= period.end]
    ratings = [r for m in rows for day, r in m.ratings if ytd_start <= day <= end]
    return {
        "raised": sum(period.start <= m.raised_on <= period.end for m in rows),
        "closed": sum(
            bool(m.closed_on and period.start <= m.closed_on <= period.end) for m in rows
        ),
        "open": len(open_),
        "overdue": sum(m.status_on(end) in waiting and m.deadline < end for m in open_),
        "ytd_raised": len(ytd),
        "closing_rate": pct(sum(bool(m.closed_on and m.closed_on <= end) for m in ytd), len(ytd)),
        "on_time_rate": pct(sum(m.closed_on <= m.deadline for m in closed_ytd), len(closed_ytd)),
        "satisfaction_rate": pct(sum(r in ("satisfied", "fairly") for r in ratings), len(ratings)),
    }


def actual(row) -> dict:
    return {
        name: getattr(row, name)
        for name in (
            "raised",
            "closed",
            "open",
            "overdue",
            "ytd_raised",
            "closing_rate",
            "on_time_rate",
            "satisfaction_rate",
        )
    }


class ProblemFiguresTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()
        cls.made = generate()

    def test_totals_match_the_independent_computation(self):
        for as_of in (date(2026, 3, 31), date(2026, 3, 15), date(2026, 12, 1)):
            with self.subTest(as_of=as_of):
                figures = problem_figures_build(MARCH, as_of)
                end = min(MARCH.end, as_of)
                self.assertEqual(actual(figures.total), expected(self.made, MARCH, end))

    def test_the_data_covers_every_kind_of_figure(self):
        totals = expected(self.made, MARCH, MARCH.end)
        for name in ("raised", "closed", "open", "overdue"):
            self.assertGreater(totals[name], 0, name)
        self.assertNotIn(totals["satisfaction_rate"], (None, Decimal("100.00")))

    def test_by_category_and_by_unit_match(self):
        figures = problem_figures_build(MARCH, date(2026, 3, 31))
        codes = {str(label): code for code, label in Category.choices}
        for row in figures.by_category:
            with self.subTest(category=row.name):
                want = expected(
                    self.made, MARCH, MARCH.end, key=lambda m, c=codes[row.name]: m.category == c
                )
                self.assertEqual(actual(row), want)
        names = {m.unit for m in self.made}
        self.assertEqual({row.name for row in figures.by_unit}, names)
        for row in figures.by_unit:
            with self.subTest(unit=row.name):
                self.assertEqual(
                    actual(row),
                    expected(self.made, MARCH, MARCH.end, key=lambda m, u=row.name: m.unit == u),
                )

    def test_json_workbook_and_page_carry_the_section(self):
        report = monthly_report_build(MARCH, today=date(2026, 3, 31))
        want = expected(self.made, MARCH, MARCH.end)
        data = report_data(report)["problems"]
        self.assertEqual(data["totals"]["closed"], want["closed"])
        self.assertEqual(data["totals"]["satisfaction_rate"], f"{want['satisfaction_rate']:.2f}")
        buffer = io.BytesIO()
        build_monthly_workbook(report, buffer)
        sheet = load_workbook(buffer)["企业诉求"]
        totals = [r for r in sheet.iter_rows(values_only=True) if r[0] == "合计"]
        self.assertEqual(
            totals[0][1:5], (want["raised"], want["closed"], want["open"], want["overdue"])
        )
        user = UserFactory(groups=["只读"])
        self.client.force_login(user)
        page = self.client.get(reverse("reports:monthly"), {"month": "2026-03"})
        self.assertContains(page, "企业反映问题台账销号情况")
        self.assertContains(page, f"销号 {want['closed']} 件")


class EdgeCaseTests(TestCase):
    """The day edges of the figures, each a case the random data may miss."""

    @classmethod
    def setUpTestData(cls):
        load_reference()

    def close(self, problem, day):
        problem = problem_change_status(problem=problem, to_status="in_progress", at=moment(day))
        problem = problem_change_status(
            problem=problem, to_status="resolved", resolution="好", at=moment(day)
        )
        return problem_change_status(
            problem=problem,
            to_status="closed",
            feedback_on=day,
            feedback_way="phone",
            rating="satisfied",
            at=moment(day),
        )

    def test_closed_on_the_deadline_day_is_on_time_and_the_day_after_is_not(self):
        on_time = make_problem(raised_on=date(2026, 3, 1), deadline=date(2026, 3, 5))
        late = make_problem(
            raised_on=date(2026, 3, 1), deadline=date(2026, 3, 5), description="晚了一天"
        )
        self.close(on_time, date(2026, 3, 5))
        self.close(late, date(2026, 3, 6))
        total = problem_figures_build(MARCH, date(2026, 3, 31)).total
        self.assertEqual((total.ytd_closed, total.ytd_closed_on_time), (2, 1))
        self.assertEqual(total.on_time_rate, Decimal("50.00"))

    def test_due_on_the_last_day_is_not_yet_overdue_at_its_end(self):
        make_problem(raised_on=date(2026, 3, 1), deadline=date(2026, 3, 31))
        make_problem(raised_on=date(2026, 3, 1), deadline=date(2026, 3, 30), description="已超期")
        total = problem_figures_build(MARCH, date(2026, 4, 2)).total
        self.assertEqual((total.open, total.overdue), (2, 1))
