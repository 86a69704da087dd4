"""The import's pre-check of what a lead at its stage holds equals the CHECK constraints."""

from django.db import IntegrityError, transaction
from django.test import TestCase

from leads.choices import Channel, Stage
from leads.models import Lead
from leads.services import lead_change_stage, lead_held_errors
from tests.factories import ensure_stage_owners, make_lead

# Every field that can be left empty: NULL where nullable, else "" for text.
EMPTIABLE = {
    field.attname: None if field.null else ""
    for field in Lead._meta.concrete_fields
    if field.null or (field.blank and field.get_internal_type() in ("CharField", "TextField"))
}


class HeldPreCheckEqualsConstraintsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        ensure_stage_owners()
        cls.leads = {stage: make_lead(stage=stage) for stage in Stage if stage != Stage.DROPPED}
        dropped = make_lead(stage=Stage.INTENT, name="终止的项目")
        cls.leads[Stage.DROPPED] = lead_change_stage(
            lead=dropped, to_stage=Stage.DROPPED, channel=Channel.WEB, drop_reason="投资方撤资"
        )

    def database_refuses(self, lead: Lead, field: str) -> bool:
        try:
            with transaction.atomic():
                Lead.objects.filter(pk=lead.pk).update(**{field: EMPTIABLE[field]})
                transaction.set_rollback(True)
        except IntegrityError:
            return True
        return False

    def test_every_stage_and_field_is_refused_by_both_or_by_neither(self):
        refused_somewhere = set()
        for stage, lead in self.leads.items():
            self.assertEqual(lead_held_errors(lead), {}, stage)
            for field, empty in EMPTIABLE.items():
                with self.subTest(stage=stage, field=field):
                    copy = Lead.objects.get(pk=lead.pk)
                    setattr(copy, field, empty)
                    pre_check = field in lead_held_errors(copy)
                    self.assertEqual(pre_check, self.database_refuses(lead, field))
                    if pre_check:
                        refused_somewhere.add((stage.value, field))
        # The comparison saw the constraints at work, not only rows both accept.
        self.assertEqual(
            refused_somewhere,
            {
                ("signed", "signed_on"),
                ("signed", "contract_amount"),
                ("landed", "signed_on"),
                ("landed", "contract_amount"),
                ("landed", "landed_on"),
                ("landed", "registered_name"),
                ("landed", "credit_code"),
                ("dropped", "drop_reason"),
                ("dropped", "dropped_from"),
            },
        )

    def test_the_message_names_the_stage_and_the_field(self):
        lead = Lead.objects.get(pk=self.leads[Stage.LANDED].pk)
        lead.registered_name = ""
        self.assertEqual(
            lead_held_errors(lead), {"registered_name": "“落地”阶段的线索须有落地企业名称。"}
        )
