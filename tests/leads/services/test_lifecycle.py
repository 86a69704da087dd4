"""The stage pipeline: every rule of lead_change_stage, lead_create and lead_update."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from leads.choices import Channel, Source, Stage
from leads.models import Lead, StageTransition
from leads.services import (
    EditConflict,
    InvalidTransition,
    LeadServiceError,
    lead_assign_team,
    lead_change_stage,
    lead_create,
    lead_update,
)
from leads.signals import lead_stage_changed
from tests.factories import (
    ChamberFactory,
    IndustryFactory,
    TaskTeamFactory,
    UserFactory,
    credit_code,
    ensure_stage_owners,
    make_lead,
)


class PipelineTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owners = ensure_stage_owners()
        cls.industry = IndustryFactory(name="信息技术")
        cls.user = UserFactory()

    def move(self, lead, to_stage, **kwargs):
        kwargs.setdefault("channel", Channel.WEB)
        kwargs.setdefault("actor", self.user)
        return lead_change_stage(lead=lead, to_stage=to_stage, **kwargs)

    def assert_unchanged(self, lead):
        fresh = Lead.objects.get(pk=lead.pk)
        self.assertEqual(fresh.stage, lead.stage)
        self.assertEqual(fresh.version, lead.version)
        self.assertEqual(fresh.transitions.count(), lead.transitions.count())


class LeadCreateTests(PipelineTestCase):
    def test_creation_generates_sequential_codes_of_the_year(self):
        first = make_lead(industry=self.industry)
        second = make_lead(industry=self.industry)
        year = timezone.localdate().year
        self.assertEqual(first.code, f"ZS-{year}-0001")
        self.assertEqual(second.code, f"ZS-{year}-0002")

    def test_code_sequence_continues_past_four_digits(self):
        year = timezone.localdate().year
        make_lead(industry=self.industry, code=f"ZS-{year}-9999")
        self.assertEqual(make_lead(industry=self.industry).code, f"ZS-{year}-10000")
        self.assertEqual(make_lead(industry=self.industry).code, f"ZS-{year}-10001")

    def test_creation_writes_contact_transition_and_hands_to_contact_team(self):
        lead = make_lead(industry=self.industry, actor=self.user, channel=Channel.WEB)
        self.assertEqual(lead.stage, Stage.CONTACT)
        self.assertEqual(lead.team, self.owners["contact"])
        (row,) = lead.transitions.all()
        self.assertEqual(
            (row.from_stage, row.to_stage, row.actor, row.channel),
            ("", Stage.CONTACT, self.user, Channel.WEB),
        )

    def test_contact_requires_name_investor_industry_source(self):
        with self.assertRaises(InvalidTransition) as caught:
            lead_create(channel=Channel.WEB, name=" ", investor="", source="")
        errors = caught.exception.message_dict
        self.assertIn("name", errors)
        self.assertIn("investor", errors)
        self.assertIn("industry", errors)
        self.assertIn("source", errors)
        self.assertIn("项目名称", errors["name"][0])
        self.assertFalse(Lead.objects.exists())

    def test_chamber_source_requires_chamber(self):
        with self.assertRaises(InvalidTransition) as caught:
            make_lead(industry=self.industry, source=Source.CHAMBER)
        self.assertIn("推介商会", caught.exception.message_dict["chamber"][0])
        lead = make_lead(industry=self.industry, source=Source.CHAMBER, chamber=ChamberFactory())
        self.assertIsNotNone(lead.chamber_id)

    def test_returnee_source_requires_entrepreneur(self):
        with self.assertRaises(InvalidTransition) as caught:
            make_lead(industry=self.industry, source=Source.RETURNEE)
        self.assertIn("回乡企业家", caught.exception.message_dict["entrepreneur"][0])

    def test_creation_straight_at_signed_records_each_step_and_leaves_skipped_dates_blank(self):
        signed = timezone.localdate() - timedelta(days=400)
        lead = make_lead(
            industry=self.industry, stage=Stage.SIGNED, signed_on=signed, channel=Channel.IMPORT
        )
        self.assertEqual(lead.stage, Stage.SIGNED)
        self.assertEqual(lead.signed_on, signed)
        self.assertIsNone(lead.visited_on)
        self.assertIsNone(lead.intent_on)
        steps = list(lead.transitions.values_list("from_stage", "to_stage", "channel"))
        self.assertEqual(steps, [("", "contact", "import"), ("contact", "signed", "import")])

    def test_creation_at_landed_needs_signing_data(self):
        with self.assertRaises(InvalidTransition) as caught:
            lead_create(
                channel=Channel.IMPORT,
                stage=Stage.LANDED,
                name="项目",
                investor="投资方",
                industry=self.industry,
                source=Source.OWN,
                planned_investment=Decimal(1),
                registered_name="企业",
                credit_code=credit_code(),
            )
        self.assertIn("contract_amount", caught.exception.message_dict)
        self.assertFalse(Lead.objects.exists())


class ForwardMoveTests(PipelineTestCase):
    def test_forward_one_step_sets_date_team_and_history(self):
        lead = make_lead(industry=self.industry)
        moved = self.move(lead, Stage.VISIT, note="首次实地考察")
        self.assertEqual(moved.stage, Stage.VISIT)
        self.assertEqual(moved.visited_on, timezone.localdate())
        self.assertEqual(moved.team, self.owners["visit"])
        self.assertEqual(moved.version, lead.version + 1)
        last = moved.transitions.last()
        self.assertEqual(
            (
                last.from_stage,
                last.to_stage,
                last.actor,
                last.channel,
                last.note,
                last.from_team,
                last.to_team,
            ),
            (
                "contact",
                "visit",
                self.user,
                "web",
                "首次实地考察",
                self.owners["contact"],
                self.owners["visit"],
            ),
        )

    def test_given_stage_date_is_kept(self):
        lead = make_lead(industry=self.industry)
        day = timezone.localdate() - timedelta(days=3)
        moved = self.move(lead, Stage.VISIT, visited_on=day)
        self.assertEqual(moved.visited_on, day)

    def test_intent_requires_planned_investment(self):
        lead = self.move(make_lead(industry=self.industry), Stage.VISIT)
        with self.assertRaises(InvalidTransition) as caught:
            self.move(lead, Stage.INTENT)
        self.assertIn("计划投资额", caught.exception.message_dict["planned_investment"][0])
        self.assert_unchanged(lead)

    def test_forward_skip_with_the_skipped_stages_data(self):
        lead = make_lead(industry=self.industry)
        moved = self.move(
            lead,
            Stage.SIGNED,
            planned_investment=Decimal("5000"),
            contract_amount=Decimal("4800.5"),
        )
        self.assertEqual(moved.stage, Stage.SIGNED)
        self.assertEqual(moved.signed_on, timezone.localdate())
        self.assertEqual(moved.contract_amount, Decimal("4800.50"))
        self.assertIsNone(moved.visited_on)
        self.assertIsNone(moved.intent_on)
        self.assertEqual(moved.team, self.owners["signed"])
        self.assertEqual(moved.transitions.count(), 2)

    def test_forward_skip_without_the_skipped_stages_data(self):
        lead = make_lead(industry=self.industry)
        with self.assertRaises(InvalidTransition) as caught:
            self.move(lead, Stage.SIGNED, contract_amount=Decimal("4800"))
        self.assertEqual(set(caught.exception.message_dict), {"planned_investment"})
        self.assert_unchanged(lead)

    def test_skip_to_landed_requires_signing_date(self):
        lead = self.move(
            make_lead(industry=self.industry), Stage.INTENT, planned_investment=Decimal("100")
        )
        with self.assertRaises(InvalidTransition) as caught:
            self.move(
                lead,
                Stage.LANDED,
                contract_amount=Decimal("90"),
                registered_name="某某（本区）有限公司",
                credit_code=credit_code(),
            )
        self.assertIn("signed_on", caught.exception.message_dict)
        self.assert_unchanged(lead)

    def test_landing_requires_valid_credit_code(self):
        lead = make_lead(industry=self.industry, stage=Stage.SIGNED)
        wrong = credit_code()[:-1] + ("4" if credit_code()[-1] != "4" else "5")
        with self.assertRaises(InvalidTransition) as caught:
            self.move(lead, Stage.LANDED, registered_name="某某（本区）有限公司", credit_code=wrong)
        self.assertIn("校验位", caught.exception.message_dict["credit_code"][0])
        self.assert_unchanged(lead)
        landed = self.move(
            lead,
            Stage.LANDED,
            registered_name="某某（本区）有限公司",
            credit_code="91350100M000100Y43",
        )
        self.assertEqual(landed.stage, Stage.LANDED)
        self.assertEqual(landed.landed_on, timezone.localdate())

    def test_landing_requires_company_name(self):
        lead = make_lead(industry=self.industry, stage=Stage.SIGNED)
        with self.assertRaises(InvalidTransition) as caught:
            self.move(lead, Stage.LANDED, credit_code=credit_code())
        self.assertIn("registered_name", caught.exception.message_dict)


class StageDateTests(PipelineTestCase):
    def test_stage_date_cannot_be_in_the_future(self):
        lead = make_lead(industry=self.industry)
        tomorrow = timezone.localdate() + timedelta(days=1)
        with self.assertRaises(InvalidTransition) as caught:
            self.move(lead, Stage.VISIT, visited_on=tomorrow)
        self.assertIn("不能晚于今天", caught.exception.message_dict["visited_on"][0])
        self.assert_unchanged(lead)

    def test_stage_dates_cannot_run_backwards(self):
        today = timezone.localdate()
        lead = self.move(
            make_lead(industry=self.industry), Stage.VISIT, visited_on=today - timedelta(days=10)
        )
        with self.assertRaises(InvalidTransition) as caught:
            self.move(
                lead,
                Stage.INTENT,
                planned_investment=Decimal("10"),
                intent_on=today - timedelta(days=20),
            )
        self.assertIn("不能早于考察日期", caught.exception.message_dict["intent_on"][0])
        self.assert_unchanged(lead)

    def test_default_date_of_entered_stage_must_not_precede_earlier_stage(self):
        # A visit recorded today and a signing "today" are fine; a signing given
        # before an intent date is refused.
        today = timezone.localdate()
        lead = make_lead(
            industry=self.industry, stage=Stage.INTENT, intent_on=today - timedelta(days=2)
        )
        with self.assertRaises(InvalidTransition) as caught:
            self.move(
                lead,
                Stage.SIGNED,
                contract_amount=Decimal("1"),
                signed_on=today - timedelta(days=5),
            )
        self.assertIn("signed_on", caught.exception.message_dict)

    def test_next_follow_up_may_lie_ahead(self):
        lead = make_lead(industry=self.industry)
        updated = lead_update(
            lead=lead, actor=self.user, next_follow_up=timezone.localdate() + timedelta(days=30)
        )
        self.assertEqual(updated.next_follow_up, timezone.localdate() + timedelta(days=30))

    def test_edit_cannot_put_a_stage_date_in_the_future(self):
        lead = make_lead(industry=self.industry, stage=Stage.SIGNED)
        with self.assertRaises(LeadServiceError) as caught:
            lead_update(lead=lead, signed_on=timezone.localdate() + timedelta(days=1))
        self.assertIn("signed_on", caught.exception.message_dict)

    def test_transition_moment_follows_the_shanghai_calendar(self):
        # 23:30 in Shanghai on 31 March is 15:30 UTC: the visit is on 31 March.
        import zoneinfo
        from datetime import datetime

        shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
        created = datetime(2024, 3, 1, 10, 0, tzinfo=shanghai)
        moment = datetime(2024, 3, 31, 23, 30, tzinfo=shanghai)
        lead = make_lead(industry=self.industry, at=created)
        moved = self.move(lead, Stage.VISIT, at=moment)
        self.assertEqual(moved.visited_on.isoformat(), "2024-03-31")

    def test_move_cannot_be_dated_before_the_previous_move(self):
        lead = make_lead(industry=self.industry)
        with self.assertRaises(InvalidTransition) as caught:
            self.move(lead, Stage.VISIT, at=timezone.now() - timedelta(days=1))
        self.assertIn("at", caught.exception.message_dict)


class BackwardDropReopenTests(PipelineTestCase):
    def test_backward_needs_a_reason(self):
        lead = make_lead(industry=self.industry, stage=Stage.INTENT)
        with self.assertRaises(InvalidTransition) as caught:
            self.move(lead, Stage.VISIT)
        self.assertIn("原因", caught.exception.message_dict["note"][0])
        self.assert_unchanged(lead)

    def test_backward_with_reason_hands_back_and_keeps_dates(self):
        lead = make_lead(industry=self.industry, stage=Stage.SIGNED)
        moved = self.move(lead, Stage.INTENT, note="合同条款需重新谈判")
        self.assertEqual(moved.stage, Stage.INTENT)
        self.assertEqual(moved.team, self.owners["intent"])
        self.assertEqual(moved.signed_on, lead.signed_on)
        last = moved.transitions.last()
        self.assertEqual(
            (last.from_stage, last.to_stage, last.note), ("signed", "intent", "合同条款需重新谈判")
        )

    def test_drop_needs_a_reason(self):
        lead = make_lead(industry=self.industry, stage=Stage.VISIT)
        with self.assertRaises(InvalidTransition) as caught:
            self.move(lead, Stage.DROPPED)
        self.assertIn("终止原因", caught.exception.message_dict["drop_reason"][0])
        self.assert_unchanged(lead)

    def test_drop_with_reason_remembers_the_stage(self):
        lead = make_lead(industry=self.industry, stage=Stage.VISIT)
        dropped = self.move(lead, Stage.DROPPED, drop_reason="投资方战略调整")
        self.assertEqual(dropped.stage, Stage.DROPPED)
        self.assertEqual(dropped.dropped_from, Stage.VISIT)
        self.assertEqual(dropped.team, lead.team)
        self.assertEqual(dropped.transitions.last().data, {"drop_reason": "投资方战略调整"})

    def test_drop_to_another_locality_needs_the_place(self):
        lead = make_lead(industry=self.industry)
        with self.assertRaises(InvalidTransition) as caught:
            self.move(lead, Stage.DROPPED, drop_reason="落户他地")
        self.assertIn("落户地", caught.exception.message_dict["lost_to"][0])
        dropped = self.move(lead, Stage.DROPPED, drop_reason="落户他地", lost_to="邻区")
        self.assertEqual(dropped.lost_to, "邻区")

    def test_landed_lead_cannot_be_dropped(self):
        lead = make_lead(industry=self.industry, stage=Stage.LANDED)
        with self.assertRaises(InvalidTransition):
            self.move(lead, Stage.DROPPED, drop_reason="x")
        self.assert_unchanged(lead)

    def test_reopen_to_the_stage_dropped_from(self):
        lead = make_lead(industry=self.industry, stage=Stage.INTENT)
        dropped = self.move(lead, Stage.DROPPED, drop_reason="长期无进展")
        reopened = self.move(dropped, Stage.INTENT, note="投资方重新联系")
        self.assertEqual(reopened.stage, Stage.INTENT)
        self.assertEqual(reopened.dropped_from, "")
        self.assertEqual(reopened.drop_reason, "")
        self.assertEqual(reopened.team, self.owners["intent"])
        self.assertEqual(
            list(reopened.transitions.values_list("to_stage", flat=True)),
            ["contact", "intent", "dropped", "intent"],
        )
        # The drop reason is not lost: the history keeps it.
        self.assertEqual(reopened.history.filter(drop_reason="长期无进展").count(), 1)

    def test_reopen_to_another_stage_is_refused(self):
        lead = make_lead(industry=self.industry, stage=Stage.INTENT)
        dropped = self.move(lead, Stage.DROPPED, drop_reason="长期无进展")
        with self.assertRaises(InvalidTransition) as caught:
            self.move(dropped, Stage.SIGNED, contract_amount=Decimal("1"))
        self.assertIn("意向", caught.exception.message_dict["stage"][0])
        self.assert_unchanged(dropped)


class TransitionMechanicsTests(PipelineTestCase):
    def test_move_to_current_stage_writes_nothing(self):
        lead = make_lead(industry=self.industry, stage=Stage.VISIT)
        same = self.move(lead, Stage.VISIT)
        self.assertEqual(same.version, lead.version)
        self.assert_unchanged(lead)

    def test_unknown_stage_is_refused_in_chinese(self):
        lead = make_lead(industry=self.industry)
        with self.assertRaises(InvalidTransition) as caught:
            self.move(lead, "finished")
        self.assertIn("未知的阶段", caught.exception.message_dict["stage"][0])

    def test_explicit_team_needs_the_assign_permission(self):
        other = TaskTeamFactory(name="特别工作组")
        lead = make_lead(industry=self.industry)
        with self.assertRaises(InvalidTransition) as caught:
            self.move(lead, Stage.VISIT, team=other)
        self.assertIn("无权", caught.exception.message_dict["team"][0])
        self.assert_unchanged(lead)
        self.user.user_permissions.add(Permission.objects.get(codename="assign_team_lead"))
        boss = type(self.user).objects.get(pk=self.user.pk)
        moved = self.move(lead, Stage.VISIT, team=other, actor=boss)
        self.assertEqual(moved.team, other)

    def test_stage_change_is_recorded_in_field_history_with_actor(self):
        lead = make_lead(industry=self.industry)
        self.move(lead, Stage.VISIT)
        record = Lead.history.filter(id=lead.pk).latest("history_date")
        self.assertEqual(record.stage, Stage.VISIT)
        self.assertEqual(record.history_user, self.user)

    def test_signal_is_sent_only_after_commit(self):
        received = []

        def receiver(sender, lead, transition, **kwargs):
            received.append((lead.stage, transition.to_stage))

        lead_stage_changed.connect(receiver)
        self.addCleanup(lead_stage_changed.disconnect, receiver)
        lead = make_lead(industry=self.industry)
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.move(lead, Stage.VISIT)
        self.assertEqual(received, [])
        for callback in callbacks:
            callback()
        self.assertEqual(received, [("visit", "visit")])

    def test_unexpected_data_is_a_programming_error(self):
        lead = make_lead(industry=self.industry)
        with self.assertRaises(TypeError):
            self.move(lead, Stage.VISIT, stage="landed")


class HistoryIsAppendOnlyTests(PipelineTestCase):
    def test_transition_rows_cannot_be_edited_or_deleted(self):
        lead = make_lead(industry=self.industry)
        row = lead.transitions.get()
        row.note = "改写历史"
        with self.assertRaises(ValidationError):
            row.save()
        with self.assertRaises(ValidationError):
            row.delete()
        with self.assertRaises(TypeError):
            StageTransition.objects.filter(pk=row.pk).update(note="x")
        with self.assertRaises(TypeError):
            StageTransition.objects.filter(pk=row.pk).delete()
        self.assertEqual(StageTransition.objects.get(pk=row.pk).note, "新建线索")

    def test_lead_with_history_cannot_be_deleted(self):
        lead = make_lead(industry=self.industry)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Lead.objects.filter(pk=lead.pk).delete()


class ConcurrencyTests(PipelineTestCase):
    def test_stale_copy_cannot_change_stage(self):
        lead = make_lead(industry=self.industry)
        stale = Lead.objects.get(pk=lead.pk)
        self.move(lead, Stage.VISIT, note="甲先操作")
        with self.assertRaises(EditConflict) as caught:
            self.move(stale, Stage.DROPPED, drop_reason="乙的旧页面")
        self.assertIn("已被他人修改", caught.exception.message_dict["version"][0])
        fresh = Lead.objects.get(pk=lead.pk)
        self.assertEqual(fresh.stage, Stage.VISIT)
        self.assertEqual(fresh.drop_reason, "")
        self.assertEqual(fresh.transitions.last().note, "甲先操作")

    def test_stale_copy_cannot_overwrite_an_edit(self):
        lead = make_lead(industry=self.industry)
        stale = Lead.objects.get(pk=lead.pk)
        lead_update(lead=lead, actor=self.user, notes="甲的备注")
        with self.assertRaises(EditConflict) as caught:
            lead_update(lead=stale, actor=self.user, notes="乙的备注")
        self.assertIn("请刷新", caught.exception.message_dict["version"][0])
        self.assertEqual(Lead.objects.get(pk=lead.pk).notes, "甲的备注")

    def test_edit_without_change_writes_nothing(self):
        lead = make_lead(industry=self.industry)
        same = lead_update(lead=lead, notes=lead.notes)
        self.assertEqual(same.version, lead.version)
        self.assertEqual(Lead.history.filter(id=lead.pk).count(), 1)

    def test_edit_records_who_changed_what(self):
        lead = make_lead(industry=self.industry)
        updated = lead_update(lead=lead, actor=self.user, investor="新投资方有限公司")
        self.assertEqual(updated.version, lead.version + 1)
        record = Lead.history.filter(id=lead.pk).latest("history_date")
        self.assertEqual((record.investor, record.history_user), ("新投资方有限公司", self.user))
        delta = record.diff_against(record.prev_record)
        self.assertEqual([change.field for change in delta.changes], ["investor"])

    def test_update_refuses_service_fields(self):
        lead = make_lead(industry=self.industry)
        with self.assertRaises(TypeError):
            lead_update(lead=lead, stage=Stage.LANDED)

    def test_assign_team_needs_permission(self):
        lead = make_lead(industry=self.industry)
        with self.assertRaises(LeadServiceError):
            lead_assign_team(lead=lead, team=self.owners["landed"], actor=self.user)
        assigned = lead_assign_team(lead=lead, team=self.owners["landed"])
        self.assertEqual(assigned.team, self.owners["landed"])


class AmountRuleTests(PipelineTestCase):
    """Amounts are never negative: the services refuse one by field, before the database would.

    (That the CHECK constraints and the import's pre-check agree, stage by
    stage, is tests/leads/services/test_held_constraints.py.)
    """

    def test_negative_amount_is_refused_by_field_and_nothing_changes(self):
        lead = make_lead(industry=self.industry, stage=Stage.SIGNED)
        for field in ("planned_investment", "contract_amount"):
            with self.subTest(field=field), self.assertRaises(LeadServiceError) as caught:
                lead_update(lead=Lead.objects.get(pk=lead.pk), **{field: Decimal("-0.01")})
            self.assertIn(field, caught.exception.message_dict)
        self.assertEqual(Lead.objects.get(pk=lead.pk).contract_amount, Decimal("800.50"))

    def test_paid_in_is_not_typed_but_summed_from_instalments(self):
        lead = make_lead(industry=self.industry, stage=Stage.SIGNED)
        with self.assertRaises(TypeError):
            lead_update(lead=Lead.objects.get(pk=lead.pk), paid_in=Decimal("10"))

    def test_negative_contract_amount_on_signing_is_refused(self):
        lead = make_lead(industry=self.industry, stage=Stage.INTENT)
        with self.assertRaises(InvalidTransition) as caught:
            self.move(
                lead, Stage.SIGNED, signed_on=timezone.localdate(), contract_amount=Decimal("-5")
            )
        self.assertIn("contract_amount", caught.exception.message_dict)
        self.assertEqual(Lead.objects.get(pk=lead.pk).stage, Stage.INTENT)
