"""The finder on generated data: every known group found, no false group from a held set."""

import importlib
import random

from django.apps import apps
from django.core.management import call_command
from django.test import TestCase

from leads.dedup.finder import duplicate_groups, similar_partner_q
from leads.dedup.normal import names_similar
from leads.models import Lead, NotDuplicateSource
from leads.services import lead_merge, not_duplicate_record
from tests.factories import UserFactory, credit_code, make_lead
from tests.leads.dedup.test_normal import DIFFERENT_INVESTORS

migration = importlib.import_module("leads.migrations.0011_duplicates")

# Known groups: each is one project typed several ways.
GROUPS = [
    [("宇通客车股份有限公司", "新能源客车项目"), ("郑州宇通客车", "宇通新能源客车"),
     ("河南省郑州市宇通客车有限公司", "新能源客车")],
    [("深圳华创集团有限公司", "智能装备产业园"), ("深圳市华创集团", "智能装备产业园项目")],
    [("ABC科技（深圳）有限公司", "研发中心"), ("ＡＢＣ科技有限公司", "华南研发中心")],
    [("西门子（中国）有限公司", "数字化工厂"), ("西门子有限公司", "数字化工厂（一期）")],
]  # fmt: skip


class FinderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        rng = random.Random(7)
        entries = [(index, investor, name) for index, group in enumerate(GROUPS)
                   for investor, name in group]  # fmt: skip
        # The held set: near misses of one another, and the same investor's distinct projects.
        held = [
            (None, investor, f"同名项目{number}")
            for number, pair in enumerate(DIFFERENT_INVESTORS)
            for investor in pair
        ]
        held += [
            (None, "宇通客车股份有限公司", "氢燃料重卡"),
            (None, "宇通客车股份有限公司", "校车"),
        ]
        held += [(None, f"普通公司{n}", f"普通项目{n}") for n in range(30)]
        everything = entries + held
        rng.shuffle(everything)
        cls.expected = {}
        for group, investor, name in everything:
            lead = make_lead(investor=investor, name=name)
            if group is not None:
                cls.expected.setdefault(group, set()).add(lead.code)
        # Same credit code, names unalike: a group of its own.
        code = credit_code("91410100170010540")
        first = make_lead(investor="甲", name="甲项目", stage="landed", credit_code=code)
        second = make_lead(investor="乙", name="乙项目", stage="landed", credit_code=code)
        cls.expected["credit"] = {first.code, second.code}

    def found(self):
        groups, total = duplicate_groups()
        self.assertEqual(total, len(groups))
        return sorted(sorted(lead.code for lead in group.leads) for group in groups)

    def test_every_known_group_is_found_and_nothing_else(self):
        self.assertEqual(self.found(), sorted(sorted(codes) for codes in self.expected.values()))

    def test_a_dismissed_group_stays_dismissed_until_a_new_duplicate_joins(self):
        codes = self.expected[1]
        leads = list(Lead.objects.filter(code__in=codes))
        director = UserFactory(groups=["局领导"])
        not_duplicate_record(
            lead=leads[0], others=leads[1:], actor=director, source=NotDuplicateSource.FINDER
        )
        self.assertNotIn(sorted(codes), self.found())
        newcomer = make_lead(investor="华创集团", name="智能装备产业园")
        self.assertIn(sorted({*codes, newcomer.code}), self.found())

    def test_a_merged_lead_leaves_its_group(self):
        codes = sorted(self.expected[1])
        keep, merged = (Lead.objects.get(code=code) for code in codes)
        lead_merge(keep=keep, merged=merged, actor=UserFactory(groups=["局领导"]))
        self.assertNotIn(codes, self.found())

    def test_the_finder_reads_a_fixed_number_of_queries(self):
        # The keys held not yet folded (counted), the candidates (by investor and
        # by credit code, each with a subquery of the keys held), the finder's
        # dismissals, the groups' leads, the pairs confirmed on entry.
        with self.assertNumQueries(6):
            duplicate_groups()

    def test_the_migration_fills_the_keys_of_existing_leads(self):
        Lead.all_objects.update(investor_key="", name_key="", credit_key="")
        migration.fill_keys(apps, None)
        self.assertEqual(self.found(), sorted(sorted(codes) for codes in self.expected.values()))
        lead = Lead.objects.get(investor="郑州宇通客车", name="宇通新能源客车")
        self.assertEqual((lead.investor_key, lead.name_key), ("宇通客车", "宇通新能源客车"))


class SimilarPartnerQueryTests(TestCase):
    """The finder's SQL prefilter reads exactly the leads `names_similar` pairs."""

    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        names = ["厂", "厂", "客车", "新能源客车", "宇通新能源客车项目", "重卡", "100%园区",
                 "100园区", "a_b", "axb", "产业园", "产业园二期", "X"]  # fmt: skip
        for name in names:
            make_lead(investor="同一家公司", name=name)
        make_lead(investor="另一家公司", name="客车")

    def test_the_prefilter_equals_the_rule(self):
        leads = list(Lead.objects.values_list("pk", "investor_key", "name_key"))
        paired = {
            first
            for first, investor, name in leads
            for second, other_investor, other_name in leads
            if first != second and investor == other_investor and names_similar(name, other_name)
        }
        self.assertEqual(
            set(Lead.objects.filter(similar_partner_q()).values_list("pk", flat=True)), paired
        )
        self.assertGreater(len(paired), 6)
