"""After 落地: every rule of the node plans, 开工/投产, instalments, key projects and 督办."""

from datetime import timedelta
from decimal import Decimal

from django.test import TestCase
from django.utils import timezone

from leads.choices import Channel, Node, Stage
from leads.models import Lead, NodePlan, PaidIn, SupervisionNote
from leads.services import (
    EditConflict,
    LeadServiceError,
    key_proposed,
    lead_add_paid_in,
    lead_add_supervision,
    lead_change_stage,
    lead_plan_milestone,
    lead_plan_node,
    lead_record_milestone,
    lead_set_key,
)
from tests.factories import make_lead
from tests.roles import RolesMixin

TODAY = timezone.localdate


def fresh(lead) -> Lead:
    return Lead.objects.get(pk=lead.pk)


class MilestoneTestCase(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()

    def landed(self, days_ago=30) -> Lead:
        day = TODAY() - timedelta(days=days_ago)
        return make_lead(stage=Stage.LANDED, signed_on=day - timedelta(days=10), landed_on=day)


class RecordMilestoneTests(MilestoneTestCase):
    def test_started_then_in_production_are_recorded_with_field_history(self):
        lead = self.landed()
        started = TODAY() - timedelta(days=20)
        lead = lead_record_milestone(
            lead=lead, milestone="started", on=started, actor=self.a_member
        )
        lead = lead_record_milestone(
            lead=lead, milestone="in_production", on=TODAY(), actor=self.a_member
        )
        stored = fresh(lead)
        self.assertEqual((stored.started_on, stored.in_production_on), (started, TODAY()))
        reasons = list(
            stored.history.order_by("-history_id").values_list("history_change_reason", flat=True)
        )[:2]
        self.assertEqual(reasons, [f"登记投产：{TODAY().isoformat()}", f"登记开工：{started}"])
        self.assertEqual(stored.history.first().history_user, self.a_member)

    def test_dates_out_of_order_or_in_the_future_are_refused_by_field(self):
        lead = self.landed()
        cases = [
            ("started", TODAY() + timedelta(days=1), "started_on", "不能晚于今天"),
            ("started", lead.landed_on - timedelta(days=1), "started_on", "不能早于落地日期"),
            ("in_production", TODAY(), "in_production_on", "请先登记开工日期"),
        ]
        for milestone, on, field, message in cases:
            with self.subTest(milestone=milestone, on=on):
                with self.assertRaises(LeadServiceError) as caught:
                    lead_record_milestone(
                        lead=fresh(lead), milestone=milestone, on=on, actor=self.a_member
                    )
                self.assertIn(message, " ".join(caught.exception.message_dict[field]))
        lead = lead_record_milestone(
            lead=fresh(lead), milestone="started", on=TODAY(), actor=self.a_member
        )
        with self.assertRaises(LeadServiceError) as caught:
            lead_record_milestone(
                lead=lead,
                milestone="in_production",
                on=TODAY() - timedelta(days=1),
                actor=self.a_member,
            )
        self.assertIn("不能早于开工日期", caught.exception.message_dict["in_production_on"][0])
        self.assertIsNone(fresh(lead).in_production_on)

    def test_only_a_landed_lead_records_milestones(self):
        lead = make_lead(stage=Stage.SIGNED)
        with self.assertRaises(LeadServiceError) as caught:
            lead_record_milestone(lead=lead, milestone="started", on=TODAY(), actor=self.a_member)
        self.assertIn("项目落地后", caught.exception.message_dict["started_on"][0])
        self.assertIsNone(fresh(lead).started_on)

    def test_unknown_milestone_is_refused(self):
        with self.assertRaises(LeadServiceError):
            lead_record_milestone(
                lead=self.landed(), milestone="landed", on=TODAY(), actor=self.a_member
            )

    def test_a_recorded_date_is_corrected_only_by_the_director(self):
        lead = lead_record_milestone(
            lead=self.landed(), milestone="started", on=TODAY(), actor=self.a_member
        )
        earlier = TODAY() - timedelta(days=3)
        with self.assertRaises(LeadServiceError) as caught:
            lead_record_milestone(lead=lead, milestone="started", on=earlier, actor=self.a_member)
        self.assertIn("只有局领导可以更正", caught.exception.message_dict["started_on"][0])
        lead = lead_record_milestone(
            lead=fresh(lead), milestone="started", on=earlier, actor=self.director
        )
        self.assertEqual(fresh(lead).started_on, earlier)
        self.assertIn("更正开工", fresh(lead).history.first().history_change_reason)

    def test_a_stale_copy_is_refused_and_nothing_is_written(self):
        lead = self.landed()
        stale = fresh(lead)
        lead_record_milestone(lead=lead, milestone="started", on=TODAY(), actor=self.a_member)
        with self.assertRaises(EditConflict):
            lead_plan_milestone(
                lead=stale, milestone="in_production", on=TODAY(), reason="", actor=self.a_member
            )
        self.assertIsNone(fresh(lead).planned_in_production_on)
        self.assertFalse(NodePlan.objects.exists())

    def test_a_correction_back_from_landed_clears_the_milestones(self):
        lead = lead_record_milestone(
            lead=self.landed(), milestone="started", on=TODAY(), actor=self.a_member
        )
        lead = lead_change_stage(
            lead=lead,
            to_stage=Stage.SIGNED,
            actor=self.director,
            channel=Channel.WEB,
            correction=True,
            note="误录落地",
        )
        self.assertEqual((fresh(lead).started_on, fresh(lead).landed_on), (None, None))


class NodePlanTests(MilestoneTestCase):
    def test_every_version_of_a_plan_is_kept_and_a_change_needs_a_reason(self):
        lead = self.landed()
        first, later = TODAY() + timedelta(days=30), TODAY() + timedelta(days=60)
        lead = lead_plan_milestone(
            lead=lead, milestone="started", on=first, reason="", actor=self.director
        )
        with self.assertRaises(LeadServiceError) as caught:
            lead_plan_milestone(
                lead=lead, milestone="started", on=later, reason=" ", actor=self.director
            )
        self.assertIn("reason", caught.exception.message_dict)
        lead = lead_plan_milestone(
            lead=fresh(lead), milestone="started", on=later, reason="环评推迟", actor=self.director
        )
        versions = list(
            NodePlan.objects.filter(lead=lead).values_list("planned_on", "previous_on", "reason")
        )
        self.assertEqual(versions, [(first, None, ""), (later, first, "环评推迟")])
        self.assertEqual(fresh(lead).planned_started_on, later)
        self.assertIn("环评推迟", fresh(lead).history.first().history_change_reason)

    def test_the_same_date_again_writes_nothing(self):
        on = TODAY() + timedelta(days=30)
        lead = lead_plan_node(lead=self.landed(), node="started", on=on, actor=self.director)
        version = fresh(lead).version
        lead_plan_node(lead=fresh(lead), node="started", on=on, reason="x", actor=self.director)
        self.assertEqual((fresh(lead).version, NodePlan.objects.count()), (version, 1))

    def test_planned_nodes_keep_their_order(self):
        lead = self.landed()
        lead = lead_plan_node(
            lead=lead, node=Node.LANDED, on=TODAY() + timedelta(days=10), actor=self.director
        )
        with self.assertRaises(LeadServiceError) as caught:
            lead_plan_node(lead=lead, node=Node.STARTED, on=TODAY(), actor=self.director)
        self.assertIn("不能早于计划落地日期", caught.exception.message_dict["on"][0])

    def test_plan_milestone_takes_only_the_two_milestones(self):
        with self.assertRaises(LeadServiceError):
            lead_plan_milestone(
                lead=self.landed(), milestone="signed", on=TODAY(), reason="", actor=self.director
            )


class PaidInTests(MilestoneTestCase):
    def test_paid_in_is_the_sum_of_the_instalments(self):
        lead = self.landed()
        amounts = [Decimal("100.10"), Decimal("0.01"), Decimal("2500")]
        for index, amount in enumerate(amounts):
            lead_add_paid_in(
                lead=fresh(lead),
                on=TODAY() - timedelta(days=index),
                amount=amount,
                kind="fixed_assets",
                actor=self.a_member,
            )
        self.assertEqual(fresh(lead).paid_in, sum(amounts))
        self.assertEqual(
            sorted(PaidIn.objects.filter(lead=lead).values_list("amount", flat=True)),
            sorted(amounts),
        )
        self.assertIn(
            "登记到位资金：2500.00 万元", fresh(lead).history.first().history_change_reason
        )

    def test_bad_instalments_are_refused_by_field_and_nothing_is_written(self):
        lead = self.landed()
        cases = [
            ({"amount": Decimal("0")}, "amount"),
            ({"amount": Decimal("-1")}, "amount"),
            ({"amount": Decimal("1.234")}, "amount"),
            ({"amount": "十万"}, "amount"),
            ({"amount": "NaN"}, "amount"),
            ({"on": TODAY() + timedelta(days=1)}, "on"),
            ({"on": lead.signed_on - timedelta(days=1)}, "on"),
            ({"on": None}, "on"),
            ({"kind": "gift"}, "kind"),
            ({"note": "长" * 501}, "note"),
        ]
        for change, field in cases:
            values = {"on": TODAY(), "amount": Decimal("10"), "kind": "other", "note": ""}
            values.update(change)
            with self.subTest(change=change), self.assertRaises(LeadServiceError) as caught:
                lead_add_paid_in(lead=fresh(lead), actor=self.a_member, **values)
            self.assertIn(field, caught.exception.message_dict)
        self.assertEqual((fresh(lead).paid_in, PaidIn.objects.count()), (None, 0))

    def test_a_lead_not_yet_signed_receives_no_money(self):
        lead = make_lead(stage=Stage.INTENT)
        with self.assertRaises(LeadServiceError) as caught:
            lead_add_paid_in(lead=lead, on=TODAY(), amount=10, kind="other", actor=self.a_member)
        self.assertIn("签约后", caught.exception.message_dict["lead"][0])

    def test_a_stale_copy_is_refused(self):
        lead = self.landed()
        stale = fresh(lead)
        lead_add_paid_in(lead=lead, on=TODAY(), amount=5, kind="other", actor=self.a_member)
        with self.assertRaises(EditConflict):
            lead_add_paid_in(lead=stale, on=TODAY(), amount=5, kind="other", actor=self.a_member)
        self.assertEqual(fresh(lead).paid_in, Decimal("5"))


class KeyProjectTests(MilestoneTestCase):
    def test_large_projects_are_proposed_and_only_the_director_marks_them(self):
        big = make_lead(stage=Stage.SIGNED, contract_amount=Decimal("10000"))
        small = make_lead(stage=Stage.SIGNED, contract_amount=Decimal("9999.99"))
        self.assertEqual((key_proposed(big), key_proposed(small)), (True, False))
        with self.assertRaises(LeadServiceError):
            lead_set_key(lead=big, is_key=True, actor=self.a_leader)
        big = lead_set_key(lead=fresh(big), is_key=True, actor=self.director, reason="市重点")
        self.assertTrue(fresh(big).is_key)
        self.assertFalse(key_proposed(fresh(big)))
        self.assertEqual(fresh(big).history.first().history_change_reason, "列为重点项目（市重点）")


class SupervisionTests(MilestoneTestCase):
    def test_the_director_adds_a_note_with_a_deadline(self):
        lead = self.landed()
        with self.assertRaises(LeadServiceError):
            lead_add_supervision(
                lead=lead, note="加快", deadline=TODAY(), actor=self.a_leader, node="started"
            )
        for note, deadline, field in [
            ("", TODAY(), "note"),
            ("加快", TODAY() - timedelta(days=1), "deadline"),
            ("加快", None, "deadline"),
        ]:
            with self.subTest(note=note), self.assertRaises(LeadServiceError) as caught:
                lead_add_supervision(lead=lead, note=note, deadline=deadline, actor=self.director)
            self.assertIn(field, caught.exception.message_dict)
        lead_add_supervision(
            lead=lead, note="月底前开工", deadline=TODAY(), actor=self.director, node="started"
        )
        self.assertEqual(
            list(SupervisionNote.objects.values_list("note", "node", "actor")),
            [("月底前开工", "started", self.director.pk)],
        )
