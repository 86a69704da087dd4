"""The normal form of investors and project names: real-looking variants match, near misses not."""

import random
from operator import attrgetter

from django.test import SimpleTestCase

from leads.dedup.matches import SAME_CREDIT as SAME_CREDIT_REASON
from leads.dedup.matches import SAME_INVESTOR as SAME_INVESTOR_REASON
from leads.dedup.matches import KeyIndex, Keys, keys_match
from leads.dedup.normal import credit_key, investor_key, lead_keys, name_key, names_similar

# Ways clerks type the same investor.
SAME_INVESTOR = [
    ("宇通客车股份有限公司", "宇通客车有限公司"),
    ("宇通客车股份有限公司", "河南省郑州市宇通客车股份有限公司"),
    ("宇通客车股份有限公司", "郑州宇通客车"),
    ("宇通客车股份有限公司", "宇通客车（集团）有限公司"),
    ("宇通客车股份有限公司", " 宇通 客车 股份 有限公司 "),
    ("深圳华创集团有限公司", "深圳市华创集团"),
    ("深圳华创集团有限公司", "华创有限责任公司"),
    ("ABC科技（深圳）有限公司", "ＡＢＣ科技有限公司"),
    ("ABC科技（深圳）有限公司", "abc科技(深圳)有限公司"),
    ("西门子（中国）有限公司", "西门子有限公司"),
    ("比亚迪股份有限公司", "【比亚迪】股份有限公司"),
    ("Foxconn Co., Ltd.", "FOXCONN LTD"),
    ("广西柳工机械股份有限公司", "广西壮族自治区柳工机械有限公司"),
]
keys_of = attrgetter("investor_key", "name_key", "credit_key")
# Different investors that look alike.
DIFFERENT_INVESTORS = [
    ("华为技术有限公司", "华为终端有限公司"),
    ("中国建筑第三工程局有限公司", "中国建筑第八工程局有限公司"),
    ("宇通客车股份有限公司", "宇通重工股份有限公司"),
    ("郑州宇通客车", "金龙客车"),
    ("深圳华创集团有限公司", "深圳华创新集团有限公司"),
    ("河南中原科技有限公司", "河北中原科技有限公司集团分公司测试"),
]


class InvestorKeyTests(SimpleTestCase):
    def test_variants_of_one_investor_have_one_key(self):
        for first, second in SAME_INVESTOR:
            with self.subTest(first=first, second=second):
                self.assertEqual(investor_key(first), investor_key(second))

    def test_near_misses_keep_different_keys(self):
        for first, second in DIFFERENT_INVESTORS:
            with self.subTest(first=first, second=second):
                self.assertNotEqual(investor_key(first), investor_key(second))

    def test_a_name_that_is_only_a_legal_form_or_a_place_is_kept(self):
        self.assertEqual(investor_key("有限公司"), "有限公司")
        self.assertEqual(investor_key("广东省广州市"), "广东省广州市")
        self.assertEqual(investor_key(""), "")


class NameKeyTests(SimpleTestCase):
    def test_project_names_are_normalised_the_same_way(self):
        self.assertEqual(name_key("宇通新能源客车 项目"), name_key("宇通新能源客车"))
        self.assertEqual(name_key("（郑州）智能装备产业园"), name_key("智能装备产业园项目"))

    def test_similar_names_are_equal_or_one_contains_the_other(self):
        self.assertTrue(names_similar(name_key("新能源客车"), name_key("宇通新能源客车项目")))
        self.assertTrue(names_similar("智能装备产业园", "智能装备产业园"))
        self.assertFalse(names_similar(name_key("新能源客车"), name_key("新能源重卡")))
        # One character is no evidence.
        self.assertFalse(names_similar("厂", "宇通厂"))
        self.assertFalse(names_similar("", "宇通"))


class CreditKeyTests(SimpleTestCase):
    def test_credit_codes_match_exactly_but_for_case_width_and_spaces(self):
        code = "91410100170010543X"
        self.assertEqual(credit_key(" 91410100170010543x "), code)
        self.assertEqual(credit_key("９１４１０１００１７００１０５４３Ｘ"), code)
        self.assertNotEqual(credit_key("91410100170010544X"), code)
        self.assertEqual(credit_key(""), "")


class KeysMatchTests(SimpleTestCase):
    def keys(self, investor, name, code=""):
        return Keys(**lead_keys(investor, name, code))

    def test_same_credit_code_matches_whatever_the_names(self):
        code = "91410100170010543X"
        self.assertTrue(
            keys_match(self.keys("甲公司", "一期", code), self.keys("乙公司", "二期", code))
        )

    def test_same_investor_and_similar_name_matches(self):
        first = self.keys("宇通客车股份有限公司", "新能源客车项目")
        self.assertTrue(keys_match(first, self.keys("郑州宇通客车", "宇通新能源客车")))
        self.assertFalse(keys_match(first, self.keys("郑州宇通客车", "氢燃料重卡")))
        self.assertFalse(keys_match(first, self.keys("金龙客车", "新能源客车项目")))


class KeyIndexTests(SimpleTestCase):
    """The import's index answers as `keys_match` compared with every entry would."""

    def test_the_index_finds_what_the_rule_pairs(self):
        rng = random.Random(3)
        investors = [investor for pair in SAME_INVESTOR + DIFFERENT_INVESTORS for investor in pair]
        names = ["新能源客车", "宇通新能源客车项目", "客车", "厂", "重卡", "产业园", "产业园二期"]
        codes = ["", "", "", "91410100170010543X", "91410100170010544X"]
        entries = [
            Keys(**lead_keys(rng.choice(investors), rng.choice(names), rng.choice(codes)))
            for _ in range(300)
        ]
        index = KeyIndex()
        for number, keys in enumerate(entries):
            held = entries[:number]
            expected = any(keys_match(keys, other) for other in held)
            with self.subTest(entry=number):
                self.assertEqual(
                    bool(index.find(keys.investor_key, keys.name_key, keys.credit_key)), expected
                )
            index.add(keys.investor_key, keys.name_key, keys.credit_key, f"第{number}项")

    def test_the_index_names_the_entry_the_rule_pairs_first(self):
        """With hundreds of names per investor, either way of searching (held names
        scanned, or the name's substrings looked up) names the same entry as the rule
        applied to every held entry in order: the credit code's, else the same name's,
        else the earliest similar name's."""
        rng = random.Random(11)
        alphabet = "新能源客车产业园二期\x00"
        entries = [
            Keys(
                rng.choice(["宇通", "金龙", "比亚迪", ""]),
                "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9))),
                rng.choice(["", "", "", "", "91410100170010543X"]),
            )
            for _ in range(700)
        ]

        def paired(keys, held):
            for other, label in held:
                if keys.credit_key and other.credit_key == keys.credit_key:
                    return f"与{label}{SAME_CREDIT_REASON}"
            same = [(o, label) for o, label in held if o.investor_key == keys.investor_key]
            if not keys.investor_key or not keys.name_key:
                return ""
            for rule in (str.__eq__, names_similar):
                for other, label in same:
                    if rule(keys.name_key, other.name_key):
                        return f"与{label}{SAME_INVESTOR_REASON}"
            return ""

        index, held = KeyIndex(), []
        for number, keys in enumerate(entries):
            with self.subTest(entry=number):
                self.assertEqual(index.find(*keys_of(keys)), paired(keys, held))
            index.add(*keys_of(keys), f"第{number}项")
            held.append((keys, f"第{number}项"))
