"""lead_merge and lead_merge_undo: every related row moves, merged leads count nowhere, undo."""

from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.test import TestCase

from aftercare.models import Enterprise
from leads.choices import ActivityKind, Source, Stage
from leads.filters import LeadFilter
from leads.models import Activity, AnnualTarget, Lead, LeadMerge, PaidIn, StageTransition
from leads.reports.monthly import monthly_report_build
from leads.reports.period import Period
from leads.services import (
    EditConflict,
    LeadServiceError,
    lead_add_paid_in,
    lead_merge,
    lead_merge_undo,
    lead_plan_node,
    lead_set_key,
    lead_update,
)
from leads.services.activities import activity_create
from tests.factories import UserFactory, credit_code
from tests.leads.reports.scenario import LeadMaker, load_reference, moment

TODAY = date(2026, 11, 27)


def related_counts(lead: Lead) -> dict[str, int]:
    """Return, per relation pointing to leads, how many rows point to `lead`."""
    return {
        f"{relation.related_model._meta.label}.{relation.field.name}": (
            relation.related_model._base_manager.filter(**{relation.field.name: lead}).count()
        )
        for relation in Lead._meta.related_objects
    }


class MergeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()
        cls.maker = maker = LeadMaker(seed=12)
        cls.director = UserFactory(groups=["局领导"])
        cls.leader = UserFactory(groups=["小分队组长"])
        # The duplicate was signed first (March) and landed; the lead kept signed in May.
        cls.keep = maker.sign(
            maker.contact(
                moment(date(2025, 2, 1)),
                name="宇通新能源客车项目",
                investor="宇通客车股份有限公司",
                source=Source.INDUSTRY_CHAIN,
                leader="",
            ),
            moment(date(2025, 5, 20)),
            contract_amount=Decimal("500.00"),
        )
        merged = maker.contact(
            moment(date(2025, 2, 2)),
            name="新能源客车",
            investor="郑州宇通客车",
            source=Source.CHAMBER,
            leader="王副区长",
        )
        merged = maker.sign(merged, moment(date(2025, 3, 10)), contract_amount=Decimal("300.00"))
        cls.merged = maker.land(
            merged, moment(date(2025, 4, 1)), credit_code=credit_code("91410100170010540")
        )
        activity_create(
            lead=cls.merged,
            actor=cls.director,
            kind=ActivityKind.SITE_VISIT,
            occurred_on=date(2025, 3, 1),
            summary="实地考察",
        )

    def fresh(self, lead):
        return Lead.all_objects.get(pk=lead.pk)

    def merge(self, **kwargs):
        return lead_merge(
            keep=self.fresh(self.keep),
            merged=self.fresh(self.merged),
            actor=self.director,
            **kwargs,
        )

    def test_merge_moves_every_related_row_to_the_lead_kept(self):
        before_keep, before_merged = related_counts(self.keep), related_counts(self.merged)
        self.assertTrue(Enterprise.objects.filter(lead=self.merged).exists())
        self.merge()
        after_keep, after_merged = related_counts(self.keep), related_counts(self.merged)
        for label, count in before_merged.items():
            # The merged lead itself now points to the lead kept (已合并).
            itself = 1 if label == "leads.Lead.merged_into" else 0
            with self.subTest(relation=label):
                self.assertEqual(after_merged[label], 0)
                self.assertEqual(after_keep[label], before_keep[label] + count + itself)
        self.assertEqual(Activity.objects.get(summary="实地考察").lead_id, self.keep.pk)
        self.assertEqual(
            Enterprise.objects.get(lead=self.keep).credit_code, self.merged.credit_code
        )

    def test_the_kept_lead_sums_both_leads_instalments_and_undo_restores_them(self):
        merged = self.fresh(self.merged)
        lead_add_paid_in(
            lead=merged, on=date(2025, 4, 2), amount=Decimal("40.25"), kind="other", actor=None
        )
        lead_plan_node(
            lead=self.fresh(self.merged), node="started", on=date(2026, 3, 1), actor=None
        )
        lead_set_key(lead=self.fresh(self.merged), is_key=True, actor=self.director)
        merged_sum = self.fresh(self.merged).paid_in
        self.merge()
        keep = self.fresh(self.keep)
        self.assertEqual(
            keep.paid_in, PaidIn.objects.filter(lead=keep).aggregate(s=Sum("amount"))["s"]
        )
        self.assertEqual(keep.paid_in, merged_sum)
        self.assertEqual((keep.is_key, keep.planned_started_on), (True, date(2026, 3, 1)))
        self.assertFalse(PaidIn.objects.filter(lead=self.merged).exists())
        lead_merge_undo(merge=LeadMerge.objects.get(), actor=self.director)
        keep = self.fresh(self.keep)
        self.assertEqual((keep.paid_in, keep.is_key, keep.planned_started_on), (None, False, None))
        self.assertEqual(self.fresh(self.merged).paid_in, merged_sum)
        self.assertEqual(
            PaidIn.objects.filter(lead=self.merged).aggregate(s=Sum("amount"))["s"], merged_sum
        )

    def test_merged_lead_stays_as_a_record_left_out_of_lists_and_counts(self):
        merge = self.merge()
        merged = self.fresh(self.merged)
        self.assertEqual(merged.merged_into_id, self.keep.pk)
        self.assertEqual(merge.keep_id, self.keep.pk)
        self.assertFalse(Lead.objects.filter(pk=merged.pk).exists())
        self.assertEqual(Lead.objects.filter(investor_key=merged.investor_key).count(), 1)
        # Its code finds the lead kept in the list's search.
        found = LeadFilter({"q": merged.code}, queryset=Lead.objects.all()).qs
        self.assertEqual(list(found), [self.fresh(self.keep)])

    def test_default_fields_are_those_the_kept_lead_lacks_and_chosen_fields_win(self):
        self.merge(fields=["name", "chamber"])
        keep = self.fresh(self.keep)
        self.assertEqual(keep.name, "新能源客车")
        self.assertEqual(keep.chamber_id, self.merged.chamber_id)
        self.assertEqual(keep.investor, "宇通客车股份有限公司")
        self.assertEqual(keep.name_key, "新能源客车")

    def test_default_merge_takes_the_blank_fields_like_the_chamber_link(self):
        self.merge()
        keep = self.fresh(self.keep)
        self.assertEqual(keep.chamber_id, self.merged.chamber_id)
        self.assertEqual(keep.leader, "王副区长")
        self.assertEqual(keep.name, "宇通新能源客车项目")

    def test_both_leads_get_a_history_row_naming_the_other(self):
        self.merge()
        keep_reason = (
            Lead.history.filter(id=self.keep.pk).latest("history_id").history_change_reason
        )
        merged_reason = (
            Lead.history.filter(id=self.merged.pk).latest("history_id").history_change_reason
        )
        self.assertIn(self.merged.code, keep_reason)
        self.assertIn(self.keep.code, merged_reason)

    def test_the_report_counts_the_kept_lead_once_with_the_earliest_signing(self):
        def signed(year, month):
            return monthly_report_build(Period.month(year, month), today=TODAY)

        self.assertEqual(signed(2025, 3).month_totals.signed.count, 1)
        self.assertEqual(signed(2025, 5).month_totals.signed.count, 1)
        self.assertEqual(signed(2025, 5).ytd_totals.signed.count, 2)
        self.merge()
        march, may = signed(2025, 3), signed(2025, 5)
        self.assertEqual(march.month_totals.signed.count, 1)
        self.assertEqual(march.month_totals.signed.amount, Decimal("300.00"))
        self.assertEqual(may.month_totals.signed.count, 0)
        self.assertEqual(may.ytd_totals.signed.count, 1)
        self.assertEqual(may.ytd_totals.landed.count, 1)
        self.assertEqual(sum(row.ytd.signed.count for row in may.by_team), 1)
        self.assertEqual(sum(row.ytd.signed.count for row in may.by_industry), 1)
        keep = self.fresh(self.keep)
        self.assertEqual(keep.first_signed_on, date(2025, 3, 10))
        self.assertEqual(keep.first_landed_on, date(2025, 4, 1))

    def test_the_ranking_credits_the_merged_project_once(self):
        keep = self.fresh(self.keep)
        AnnualTarget.objects.create(
            year=2025, team_id=keep.credit_team_id, signed_amount=Decimal("1000.00")
        )

        def ranked(report):
            return next(
                row
                for row in report.ranking
                if row.scope == "team" and row.name == keep.credit_team.name
            )

        before = ranked(monthly_report_build(Period.month(2025, 5), today=TODAY))
        self.assertEqual(before.actual.signed.count, 2)
        self.merge()
        after = ranked(monthly_report_build(Period.month(2025, 5), today=TODAY))
        self.assertEqual(after.actual.signed.count, 1)
        self.assertEqual(after.actual.signed.amount, Decimal("300.00"))

    def test_a_drop_of_the_duplicate_is_not_a_drop_of_the_project(self):
        dup = self.maker.sign(
            self.maker.contact(
                moment(date(2025, 2, 3)), name="宇通客车二号", investor="宇通客车有限公司"
            ),
            moment(date(2025, 3, 12)),
        )
        self.maker.drop(dup, moment(date(2025, 6, 2)))
        self.assertEqual(
            monthly_report_build(
                Period.month(2025, 6), today=TODAY
            ).signed_then_dropped.month.count,
            1,
        )
        lead_merge(keep=self.fresh(self.keep), merged=self.fresh(dup), actor=self.director)
        june = monthly_report_build(Period.month(2025, 6), today=TODAY)
        self.assertEqual(june.signed_then_dropped.month.count, 0)

    def test_undo_puts_everything_back(self):
        before_keep, before_merged = related_counts(self.keep), related_counts(self.merged)
        keep_before = self.fresh(self.keep)
        merge = self.merge(fields=["name"])
        merged = lead_merge_undo(merge=merge, actor=self.director)
        self.assertIsNone(merged.merged_into_id)
        self.assertTrue(Lead.objects.filter(pk=self.merged.pk).exists())
        self.assertEqual(related_counts(self.keep), before_keep)
        self.assertEqual(related_counts(self.merged), before_merged)
        keep = self.fresh(self.keep)
        for name in (
            "name",
            "name_key",
            "chamber_id",
            "leader",
            "first_signed_on",
            "first_landed_on",
        ):
            with self.subTest(field=name):
                self.assertEqual(getattr(keep, name), getattr(keep_before, name))
        self.assertIsNotNone(LeadMerge.objects.get(pk=merge.pk).undone_at)
        with self.assertRaises(LeadServiceError):
            lead_merge_undo(merge=merge, actor=self.director)

    def test_undo_is_refused_once_the_kept_lead_changed(self):
        merge = self.merge()
        lead_update(lead=self.fresh(self.keep), notes="合并后又改了")
        with self.assertRaises(EditConflict):
            lead_merge_undo(merge=merge, actor=self.director)
        self.assertEqual(self.fresh(self.merged).merged_into_id, self.keep.pk)

    def test_only_a_director_merges_or_undoes(self):
        with self.assertRaises(LeadServiceError):
            lead_merge(
                keep=self.fresh(self.keep), merged=self.fresh(self.merged), actor=self.leader
            )
        self.assertIsNone(self.fresh(self.merged).merged_into_id)
        merge = self.merge()
        with self.assertRaises(LeadServiceError):
            lead_merge_undo(merge=merge, actor=self.leader)

    def test_a_stale_copy_is_refused(self):
        stale = self.fresh(self.keep)
        lead_update(lead=self.fresh(self.keep), notes="他人刚改过")
        with self.assertRaises(EditConflict):
            lead_merge(keep=stale, merged=self.fresh(self.merged), actor=self.director)
        self.assertEqual(StageTransition.objects.filter(lead=self.keep).count(), 2)
        self.assertIsNone(self.fresh(self.merged).merged_into_id)

    def test_a_lead_is_not_merged_twice_nor_into_itself(self):
        self.merge()
        with self.assertRaises(LeadServiceError):
            self.merge()
        with self.assertRaises(LeadServiceError):
            lead_merge(
                keep=self.fresh(self.keep), merged=self.fresh(self.keep), actor=self.director
            )

    def test_merging_the_kept_lead_on_moves_the_leads_merged_into_it(self):
        self.merge()
        third = self.maker.contact(moment(date(2025, 2, 4)), name="第三条", investor="别的公司")
        lead_merge(keep=third, merged=self.fresh(self.keep), actor=self.director)
        self.assertEqual(self.fresh(self.merged).merged_into_id, third.pk)
        self.assertEqual(Lead.objects.filter(stage=Stage.LANDED, pk=third.pk).count(), 0)
        self.assertEqual(
            Enterprise.objects.get(credit_code=self.merged.credit_code).lead_id, third.pk
        )

    def test_undo_of_a_merge_whose_kept_lead_was_merged_on_is_refused(self):
        first = self.merge()
        third = self.maker.contact(moment(date(2025, 2, 4)), name="第三条", investor="别的公司")
        second = lead_merge(keep=third, merged=self.fresh(self.keep), actor=self.director)
        with self.assertRaises(EditConflict):
            lead_merge_undo(merge=first, actor=self.director)
        # The later merge is undone; the leads merged into the lead it kept go back with it.
        lead_merge_undo(merge=second, actor=self.director)
        self.assertEqual(self.fresh(self.merged).merged_into_id, self.keep.pk)
        self.assertTrue(Lead.objects.filter(pk=self.keep.pk).exists())
        # The kept lead has changed since the first merge (merged on, then back): refused.
        with self.assertRaises(EditConflict):
            lead_merge_undo(merge=first, actor=self.director)
