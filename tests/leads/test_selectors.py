"""What a user may do to a lead now, and what a move to a stage asks for."""

from types import SimpleNamespace

from django.contrib.auth.models import Permission
from django.test import TestCase

from leads.choices import Channel, Stage
from leads.selectors import LeadMoves, lead_available_moves, lead_move_fields
from leads.services import lead_change_stage
from tests.factories import UserFactory, make_lead
from tests.roles import RolesMixin

# The stage buttons of a user who may move the lead, by the lead's stage.
PIPELINE_MOVES = {
    Stage.CONTACT: {"forward": Stage.VISIT, "back": None, "drop": True},
    Stage.VISIT: {"forward": Stage.INTENT, "back": Stage.CONTACT, "drop": True},
    Stage.INTENT: {"forward": Stage.SIGNED, "back": Stage.VISIT, "drop": True},
    Stage.SIGNED: {"forward": Stage.LANDED, "back": Stage.INTENT, "drop": True},
    Stage.LANDED: {"forward": None, "back": Stage.SIGNED, "drop": False},
}


def moves_of(moves: LeadMoves) -> dict:
    return {"forward": moves.forward, "back": moves.back, "drop": moves.drop}


class AvailableMovesTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        # Every lead held by team A, whatever stage owner would take it over.
        cls.leads = {stage: make_lead(stage=stage, team=cls.team_a) for stage in PIPELINE_MOVES}
        dropped = make_lead(stage=Stage.INTENT, team=cls.team_a)
        cls.dropped = lead_change_stage(
            lead=dropped, to_stage=Stage.DROPPED, channel=Channel.SYSTEM, drop_reason="资金链断裂"
        )
        cls.editor = UserFactory(username="bianji")
        cls.editor.user_permissions.add(Permission.objects.get(codename="change_lead"))
        cls.team_a.members.add(cls.editor)

    def test_director_may_move_every_lead_along_the_pipeline_and_assign_teams(self):
        for stage, expected in PIPELINE_MOVES.items():
            with self.subTest(stage=stage):
                moves = lead_available_moves(lead=self.leads[stage], user=self.director)
                self.assertEqual(moves_of(moves), expected)
                self.assertIsNone(moves.reopen)
                self.assertTrue(moves.can_edit and moves.can_log_activity)
                self.assertTrue(moves.can_assign_team)

    def test_leader_and_member_of_the_owning_team_move_but_do_not_assign(self):
        for user in (self.a_leader, self.a_member):
            for stage, expected in PIPELINE_MOVES.items():
                with self.subTest(user=user.username, stage=stage):
                    moves = lead_available_moves(lead=self.leads[stage], user=user)
                    self.assertEqual(moves_of(moves), expected)
                    self.assertTrue(moves.can_edit and moves.can_log_activity)
                    self.assertFalse(moves.can_assign_team)

    def test_member_of_another_team_and_reader_may_do_nothing(self):
        for user in (self.b_member, self.reader, self.no_role):
            for lead in (*self.leads.values(), self.dropped):
                with self.subTest(user=user.username, stage=lead.stage):
                    moves = lead_available_moves(lead=lead, user=user)
                    self.assertEqual(moves, LeadMoves())
                    self.assertFalse(moves.can_move)

    def test_dropped_lead_offers_only_reopen_to_the_stage_it_left(self):
        for user in (self.director, self.a_member):
            with self.subTest(user=user.username):
                moves = lead_available_moves(lead=self.dropped, user=user)
                self.assertEqual(moves.reopen, Stage.INTENT)
                self.assertEqual(moves_of(moves), {"forward": None, "back": None, "drop": False})
                self.assertTrue(moves.can_move)

    def test_team_member_without_the_stage_permission_edits_but_moves_nothing(self):
        moves = lead_available_moves(lead=self.leads[Stage.VISIT], user=self.editor)
        self.assertTrue(moves.can_edit)
        self.assertFalse(moves.can_move or moves.can_log_activity or moves.can_assign_team)

    def test_lead_with_no_team_is_changed_by_the_director_only(self):
        card = SimpleNamespace(stage=Stage.CONTACT, team_id=None)
        self.assertTrue(lead_available_moves(lead=card, user=self.director).can_move)
        self.assertEqual(lead_available_moves(lead=card, user=self.a_leader), LeadMoves())


class MoveFieldsTests(TestCase):
    def lead(self, stage, dropped_from=""):
        return SimpleNamespace(stage=stage, dropped_from=dropped_from)

    def test_one_step_forward_asks_the_stage_date_and_its_required_data(self):
        fields = lead_move_fields(lead=self.lead(Stage.VISIT), to_stage=Stage.INTENT)
        self.assertEqual(fields.asked, ("intent_on", "planned_investment"))
        self.assertEqual(fields.required, {"planned_investment"})
        self.assertEqual(fields.defaulted, "intent_on")
        self.assertFalse(fields.reason_needed)

    def test_skipping_stages_asks_what_every_passed_stage_requires_but_not_their_dates(self):
        fields = lead_move_fields(lead=self.lead(Stage.CONTACT), to_stage=Stage.LANDED)
        self.assertEqual(
            fields.asked,
            (
                "planned_investment",
                "signed_on",
                "contract_amount",
                "landed_on",
                "registered_name",
                "credit_code",
            ),
        )
        self.assertEqual(
            fields.required,
            {
                "planned_investment",
                "signed_on",
                "contract_amount",
                "registered_name",
                "credit_code",
            },
        )
        self.assertEqual(fields.defaulted, "landed_on")

    def test_dropping_asks_the_reason_and_where_it_went(self):
        fields = lead_move_fields(lead=self.lead(Stage.SIGNED), to_stage=Stage.DROPPED)
        self.assertEqual(
            (fields.asked, fields.required), (("drop_reason", "lost_to"), {"drop_reason"})
        )

    def test_moving_back_and_reopening_ask_only_a_reason(self):
        for lead, to_stage in (
            (self.lead(Stage.SIGNED), Stage.VISIT),
            (self.lead(Stage.DROPPED, Stage.INTENT), Stage.INTENT),
        ):
            with self.subTest(from_stage=lead.stage):
                fields = lead_move_fields(lead=lead, to_stage=to_stage)
                self.assertEqual((fields.asked, fields.reason_needed), ((), True))
