"""problem_change_status and friends: each ledger rule (台账销号) with a test that can fail."""

from datetime import UTC, date, timedelta

from django.test import TestCase

from aftercare.choices import Status
from aftercare.models import CategoryDeadline, Problem, ProblemStatusChange
from aftercare.rules import InvalidStatusChange, ProblemEditConflict, ProblemServiceError
from aftercare.services import problem_change_status, problem_code_next, problem_update
from aftercare.signals import problem_status_changed
from tests.aftercare.helpers import feedback, load_reference, make_problem, moment, resolve, walk

TODAY = date(2026, 3, 10)


class CreationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()

    def test_deadline_defaults_by_category_from_the_editable_table(self):
        CategoryDeadline.objects.filter(category="utilities").update(days=7)
        problem = make_problem(category="utilities", raised_on=date(2026, 3, 1), at=moment(TODAY))
        self.assertEqual(problem.deadline, date(2026, 3, 8))
        land = make_problem(category="land", raised_on=date(2026, 3, 1), at=moment(TODAY))
        self.assertEqual(land.deadline, date(2026, 3, 1) + timedelta(days=60))

    def test_an_explicit_deadline_wins(self):
        problem = make_problem(raised_on=date(2026, 3, 1), deadline=date(2026, 3, 2))
        self.assertEqual(problem.deadline, date(2026, 3, 2))

    def test_creation_writes_a_code_and_the_first_history_row(self):
        problem = make_problem(raised_on=date(2026, 3, 1), at=moment(TODAY))
        self.assertEqual(problem.code, "SQ-2026-0001")
        self.assertEqual(problem_code_next(year=2026), ["SQ-2026-0002"])
        self.assertEqual(
            list(problem.changes.values_list("from_status", "to_status")), [("", "open")]
        )

    def test_a_problem_needs_a_responsible_unit(self):
        with self.assertRaises(ProblemServiceError) as caught:
            make_problem(team=None, responsible_unit_name="")
        self.assertIn("责任单位", str(caught.exception))
        outside = make_problem(team=None, responsible_unit_name="市自然资源和规划局")
        self.assertEqual(outside.responsible_name, "市自然资源和规划局")

    def test_a_deadline_before_the_day_raised_is_refused(self):
        with self.assertRaises(ProblemServiceError):
            make_problem(raised_on=date(2026, 3, 5), deadline=date(2026, 3, 4))


class MoveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()

    def setUp(self):
        self.problem = make_problem(raised_on=date(2026, 3, 1), at=moment(TODAY))

    def move(self, to_status, **data):
        self.problem = problem_change_status(
            problem=self.problem, to_status=to_status, at=moment(TODAY), **data
        )
        return self.problem

    def test_moves_outside_the_ledger_rules_are_refused(self):
        for target in ("resolved", "closed", "on_record", "escalated"):
            with self.subTest(target=target), self.assertRaises(InvalidStatusChange) as caught:
                self.move(target, **({"resolution": "x"} if target == "resolved" else {}))
            self.assertIn("不能从“待办”直接变为", caught.exception.message_dict["status"][0])

    def test_resolving_needs_the_resolution_text(self):
        self.move("in_progress")
        with self.assertRaises(InvalidStatusChange) as caught:
            self.move("resolved")
        self.assertEqual(caught.exception.message_dict["resolution"], ["请填写办理结果。"])
        self.move("resolved", resolution="已解决")
        self.assertEqual(self.problem.resolved_on, TODAY)

    def test_close_out_without_feedback_is_refused(self):
        self.problem = resolve(self.problem, at=moment(TODAY))
        complete = feedback(TODAY)
        for missing in complete:
            data = {k: v for k, v in complete.items() if k != missing}
            with self.subTest(missing=missing), self.assertRaises(InvalidStatusChange) as caught:
                self.move("closed", **data)
            self.assertIn(missing, caught.exception.message_dict)
        self.assertEqual(Problem.objects.get().status, Status.RESOLVED)

    def test_close_out_with_feedback_closes(self):
        self.problem = resolve(self.problem, at=moment(TODAY))
        self.move("closed", **feedback(TODAY, "fairly"))
        stored = Problem.objects.get()
        self.assertEqual(
            (stored.status, stored.closed_on, stored.rating), ("closed", TODAY, "fairly")
        )
        self.assertEqual(stored.changes.last().rating, "fairly")

    def test_an_unsatisfied_rating_reopens_instead_of_closing(self):
        self.problem = resolve(self.problem, at=moment(TODAY))
        self.move("closed", **feedback(TODAY, "unsatisfied"))
        stored = Problem.objects.get()
        self.assertEqual(stored.status, Status.IN_PROGRESS)
        self.assertIsNone(stored.closed_on)
        self.assertEqual(stored.reopen_count, 1)
        last = stored.changes.last()
        self.assertEqual(
            (last.from_status, last.to_status, last.rating),
            ("resolved", "in_progress", "unsatisfied"),
        )

    def test_after_an_unsatisfied_rating_the_problem_is_resolved_and_closed_again(self):
        self.problem = resolve(self.problem, at=moment(date(2026, 3, 5)))
        self.problem = problem_change_status(
            problem=self.problem,
            to_status="closed",
            at=moment(date(2026, 3, 6)),
            **feedback(date(2026, 3, 6), "unsatisfied"),
        )
        self.assertEqual((self.problem.feedback_on, self.problem.rating), (None, ""))
        self.move("resolved", resolution="重新协调后解决")
        self.move("closed", **feedback(TODAY))
        stored = Problem.objects.get()
        self.assertEqual(
            (stored.status, stored.rating, stored.reopen_count), ("closed", "satisfied", 1)
        )
        ratings = list(stored.changes.exclude(rating="").values_list("rating", flat=True))
        self.assertEqual(ratings, ["unsatisfied", "satisfied"])

    def test_feedback_cannot_be_dated_in_the_future_or_before_resolution(self):
        self.problem = resolve(self.problem, at=moment(TODAY))
        with self.assertRaises(InvalidStatusChange) as caught:
            self.move("closed", **feedback(TODAY + timedelta(days=1)))
        self.assertIn("不能晚于今天", caught.exception.message_dict["feedback_on"][0])
        with self.assertRaises(InvalidStatusChange) as caught:
            self.move("closed", **feedback(date(2026, 3, 2)))
        self.assertIn("不能早于办结日期", caught.exception.message_dict["feedback_on"][0])

    def test_on_record_needs_the_explanation_and_a_review_date(self):
        self.move("in_progress")
        with self.assertRaises(InvalidStatusChange) as caught:
            self.move("on_record", review_on=date(2026, 6, 1))
        self.assertEqual(caught.exception.message_dict["explanation"], ["请填写政策解释。"])
        with self.assertRaises(InvalidStatusChange) as caught:
            self.move("on_record", explanation="暂无用地指标，已解释政策")
        self.assertIn("review_on", caught.exception.message_dict)
        self.move("on_record", explanation="暂无用地指标，已解释政策", review_on=date(2026, 6, 1))
        self.assertEqual(Problem.objects.get().status, Status.ON_RECORD)

    def test_reopening_a_problem_on_record_needs_a_reason(self):
        self.move("in_progress")
        self.move("on_record", explanation="暂不具备条件", review_on=date(2026, 6, 1))
        with self.assertRaises(InvalidStatusChange) as caught:
            self.move("in_progress")
        self.assertIn("note", caught.exception.message_dict)
        self.problem = problem_change_status(
            problem=self.problem, to_status="in_progress", note="用地指标已下达", at=moment(TODAY)
        )
        self.assertEqual(self.problem.status, Status.IN_PROGRESS)

    def test_escalation_needs_to_whom_and_the_answer_before_work_resumes(self):
        self.move("in_progress")
        with self.assertRaises(InvalidStatusChange) as caught:
            self.move("escalated")
        self.assertIn("escalated_to", caught.exception.message_dict)
        self.move("escalated", escalated_to="市发展改革委")
        self.assertEqual(self.problem.escalated_on, TODAY)
        with self.assertRaises(InvalidStatusChange) as caught:
            self.move("in_progress")
        self.assertIn("escalation_answer", caught.exception.message_dict)
        self.move("in_progress", escalation_answer="市里同意协调")
        self.assertEqual(Problem.objects.get().escalation_answer, "市里同意协调")

    def test_a_closed_problem_is_final(self):
        self.problem = resolve(self.problem, at=moment(TODAY))
        self.move("closed", **feedback(TODAY))
        with self.assertRaises(InvalidStatusChange):
            self.move("in_progress", note="再办")

    def test_a_stale_copy_is_refused_and_writes_nothing(self):
        stale = Problem.objects.get(pk=self.problem.pk)
        self.move("in_progress")
        with self.assertRaises(ProblemEditConflict):
            problem_change_status(problem=stale, to_status="in_progress")
        with self.assertRaises(ProblemEditConflict):
            problem_update(problem=stale, description="改写")
        self.assertEqual(Problem.objects.get().description, "新增用地指标尚未落实")
        self.assertEqual(ProblemStatusChange.objects.count(), 2)

    def test_a_move_to_the_current_status_writes_nothing(self):
        self.move("in_progress")
        version = self.problem.version
        self.move("in_progress")
        self.assertEqual(self.problem.version, version)
        self.assertEqual(ProblemStatusChange.objects.count(), 2)

    def test_each_move_writes_a_history_row_and_signals_after_commit(self):
        received = []
        problem_status_changed.connect(
            lambda **kw: received.append(kw["change"].to_status),
            weak=False,
            dispatch_uid="test-signal",
        )
        self.addCleanup(problem_status_changed.disconnect, dispatch_uid="test-signal")
        with self.captureOnCommitCallbacks(execute=True):
            walk(
                self.problem,
                ("in_progress", {}),
                ("resolved", {"resolution": "好"}),
                at=moment(TODAY),
            )
        self.assertEqual(received, ["in_progress", "resolved"])
        self.assertEqual(
            list(ProblemStatusChange.objects.values_list("from_status", "to_status")),
            [("", "open"), ("open", "in_progress"), ("in_progress", "resolved")],
        )

    def test_status_is_not_settable_through_create_or_update(self):
        with self.assertRaises(TypeError):
            problem_update(problem=self.problem, status="closed")
        with self.assertRaises(TypeError):
            make_problem(status="closed")


class OverdueTests(TestCase):
    """超期 at the day's edge in Asia/Shanghai: due 2026-03-05 is overdue from 03-06 00:00."""

    @classmethod
    def setUpTestData(cls):
        load_reference()

    def setUp(self):
        self.problem = make_problem(
            raised_on=date(2026, 3, 1), deadline=date(2026, 3, 5), at=moment(date(2026, 3, 1))
        )

    def assert_overdue(self, now, expected):
        self.assertEqual(self.problem.is_overdue(now), expected)
        self.assertEqual(Problem.objects.overdue(now=now).exists(), expected)
        self.assertEqual(Problem.objects.not_overdue(now=now).exists(), not expected)

    def test_not_overdue_on_the_deadline_day_late_in_the_evening(self):
        self.assert_overdue(moment(date(2026, 3, 5), 23, 30), False)

    def test_overdue_half_an_hour_after_midnight_shanghai_time(self):
        now = moment(date(2026, 3, 6), 0, 30)
        # 00:30 in Shanghai is still 5 March in UTC: the edge is Shanghai's.
        self.assertEqual(now.astimezone(UTC).date(), date(2026, 3, 5))
        self.assert_overdue(now, True)

    def test_every_waiting_state_runs_late_but_on_record_and_closed_do_not(self):
        late = moment(date(2026, 3, 20))
        self.problem = walk(self.problem, ("in_progress", {}), at=moment(date(2026, 3, 2)))
        self.assert_overdue(late, True)
        self.problem = walk(
            self.problem, ("escalated", {"escalated_to": "市商务局"}), at=moment(date(2026, 3, 3))
        )
        self.assert_overdue(late, True)
        self.problem = walk(
            self.problem,
            ("in_progress", {"escalation_answer": "同意"}),
            ("on_record", {"explanation": "暂不具备条件", "review_on": date(2026, 9, 1)}),
            at=moment(date(2026, 3, 4)),
        )
        self.assert_overdue(late, False)

    def test_a_resolved_problem_not_yet_told_to_the_enterprise_still_runs_late(self):
        self.problem = resolve(self.problem, at=moment(date(2026, 3, 2)))
        self.assert_overdue(moment(date(2026, 3, 20)), True)
        self.problem = walk(
            self.problem, ("closed", feedback(date(2026, 3, 3))), at=moment(date(2026, 3, 3))
        )
        self.assert_overdue(moment(date(2026, 3, 20)), False)
