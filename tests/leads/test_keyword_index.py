"""The keyword search's index (leads.keyword_index): it narrows the leads read and never
changes what the search finds."""

import itertools
from unittest import mock

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q
from django.db.transaction import TransactionManagementError
from django.test import TestCase

from leads import keyword_index
from leads.excel.lead_importer import LeadImporter
from leads.filters import LeadFilter
from leads.models import Lead
from leads.services import lead_update
from leads.tally import triggers_paused
from tests.factories import ensure_stage_owners, make_lead
from tests.roles import RolesMixin
from tests.workbooks import lead_workbook

SQLITE = connection.vendor == "sqlite"

# Texts with what a keyword may meet: Chinese, ASCII in both cases, digits, LIKE's
# wildcards and escape, spaces, full-width signs, one character.
NAMES = [
    "新能源电池项目",
    "Smart Factory 智能工厂",
    "100%_绿色\\园区",
    "鼎盛 物流园",
    "数据中心（二期）",
    "芯",
    "ABC科技abc",
]
INVESTORS = [
    "宁德时代新能源科技股份有限公司",
    "深圳华盛1234有限公司",
    "Tesla Inc.",
    "鼎盛集团",
    "（香港）ab投资",
]
KEYWORDS = [
    "新能源",
    "能源",
    "SMART",
    "smart factory",
    "Factory 智",
    "100%",
    "%_",
    "_绿",
    "\\园",
    "盛 物",
    "（二期）",
    "芯",
    "abc",
    "ABC科",
    "c科技a",
    "宁德时代",
    "华盛1234",
    "tesla inc",
    "无此关键词",
    "能源能源",
    "ZS",
    "司深",  # across two fields of one lead: no match
    "团鼎",  # across two fields: no match
    "x",
    "有限公司",
]


def held_text(lead: Lead) -> str:
    """The lead's text as the index cuts it, written out here in Python: SQLite folds
    the case of ASCII letters only."""
    text = "\x1f".join((lead.code, lead.name, lead.investor))
    if SQLITE:
        return "".join(c.upper() if "a" <= c <= "z" else c for c in text)
    return text.upper()


def pieces(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def grams_of(lead: Lead) -> set[tuple[str, int]]:
    text = held_text(lead)
    return {(piece, lead.pk) for piece in pieces(text) if "\x1f" not in piece}


def held_grams() -> set[tuple[str, int]]:
    """The (gram, lead) pairs the index holds: SQLite's table, or the grams PostgreSQL's
    index function gives each lead."""
    with connection.cursor() as cursor:
        if SQLITE:
            cursor.execute(f"SELECT gram, lead_id FROM {keyword_index.GRAMS}")
            return set(cursor.fetchall())
        cursor.execute(f"SELECT id, {keyword_index.FUNCTION}(code, name, investor) FROM leads_lead")
        return {(gram, pk) for pk, grams in cursor.fetchall() for gram in grams}


def expected_grams() -> set[tuple[str, int]]:
    return set().union(*(grams_of(lead) for lead in Lead.all_objects.all()))


def found(keyword: str) -> set[int]:
    return set(
        LeadFilter({"q": keyword}, queryset=Lead.objects.all()).qs.values_list("pk", flat=True)
    )


class KeywordIndexTests(RolesMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.make_roles()
        ensure_stage_owners()
        cls.leads = [
            make_lead(name=name, investor=investor)
            for name, investor in itertools.product(NAMES, INVESTORS)
        ]

    def found(self, keyword: str) -> set[int]:
        return found(keyword)

    def scanned(self, keyword: str) -> set[int]:
        """The leads the search kept before the index: every lead's text read."""
        keyword = keyword.strip()
        merged = Lead.all_objects.filter(code__iexact=keyword, merged_into__isnull=False)
        return set(
            Lead.objects.filter(
                Q(code__icontains=keyword)
                | Q(name__icontains=keyword)
                | Q(investor__icontains=keyword)
                | Q(pk__in=merged.values("merged_into"))
            ).values_list("pk", flat=True)
        )

    def assert_finds_what_a_scan_finds(self):
        codes = [self.leads[0].code, self.leads[0].code[-5:], self.leads[0].code.lower()]
        for keyword in [*KEYWORDS, *codes]:
            with self.subTest(keyword=keyword):
                self.assertEqual(self.found(keyword), self.scanned(keyword))

    def held_grams(self) -> set[tuple[str, int]]:
        return held_grams()

    def expected_grams(self) -> set[tuple[str, int]]:
        return expected_grams()

    def test_finds_what_a_scan_finds(self):
        self.assertTrue(self.scanned("能源"))
        self.assertFalse(self.scanned("司深"))
        self.assert_finds_what_a_scan_finds()

    def test_finds_what_a_scan_finds_after_edits_and_deletes(self):
        first, second = self.leads[:2]
        # A lead with no history can be deleted (the services never delete one).
        third = Lead.objects.bulk_create([Lead(**_copy(self.leads[2], code="DEL-1"))])[0]
        self.assertEqual(self.found("DEL-1"), {third.pk})
        lead_update(
            lead=first, actor=self.director, name="氢能装备产业园", investor="Hydrogen 公司"
        )
        Lead.objects.filter(pk=second.pk).update(investor="比亚迪股份")
        third.delete()
        for keyword in ("氢能", "HYDROGEN", "比亚迪", first.name, "新能源电池", "DEL-1"):
            with self.subTest(keyword=keyword):
                self.assertEqual(self.found(keyword), self.scanned(keyword))
        self.assertEqual(self.found("DEL-1"), set())
        self.assertEqual(self.found("比亚迪"), {second.pk})
        self.assertEqual(self.found("氢能装备"), {first.pk})
        self.assert_finds_what_a_scan_finds()

    def test_a_merged_code_finds_the_lead_kept(self):
        from leads.services.merge import lead_merge

        keep, merged = self.leads[0], self.leads[1]
        lead_merge(keep=keep, merged=merged, actor=self.director)
        self.assertEqual(self.found(merged.code), {keep.pk})
        self.assertEqual(self.found(merged.code.lower()), self.scanned(merged.code.lower()))

    def test_the_index_holds_every_lead_s_grams_whatever_writes(self):
        self.assertEqual(self.held_grams(), self.expected_grams())
        lead = self.leads[4]
        lead_update(lead=lead, actor=self.director, name="Abc 新名")
        Lead.objects.filter(pk=self.leads[5].pk).update(code="XY-1", name="改名", investor="q")
        Lead.objects.bulk_create([Lead(**_copy(self.leads[6], code="DEL-2"))])[0].delete()
        Lead.objects.bulk_create([Lead(**_copy(self.leads[7], code="BULK-1", name="批量xyz"))])
        # A field holding the separator (written by raw means): its pieces either side.
        Lead.objects.filter(pk=self.leads[8].pk).update(name="甲\x1f乙丙", investor="")
        self.assertEqual(self.held_grams(), self.expected_grams())
        self.assertEqual(self.found("批量XYZ"), self.scanned("批量XYZ"))
        self.assertEqual(len(self.found("批量XYZ")), 1)

    def test_the_grams_are_those_of_the_form_migration_0034_installed(self):
        """0035 installed a cheaper cut over the index 0034 filled, keeping what it held:
        0034's SQL, written out here, gives each text the same grams."""
        texts = [
            ("ZS-2026-0001", "Smart 智能工厂ab", "（香港）ab投资"),
            ("c", "", "甲\x1f乙丙"),
            ("", "", ""),
            ("Äß鼎", "x\x1f", "\x1fy"),
        ]
        texts += [(lead.code, lead.name, lead.investor) for lead in self.leads]
        with connection.cursor() as cursor:
            for code, name, investor in texts:
                if SQLITE:
                    new = keyword_index._sqlite_grams(["%s", "%s", "%s"])
                    text = "upper(%s || char(31) || %s || char(31) || %s)"
                    gram = f"substr({text}, n, 2)"
                    old = (
                        f"SELECT DISTINCT {gram} FROM {keyword_index.NUMBERS} "
                        f"WHERE n < length({text}) AND instr({gram}, char(31)) = 0"
                    )
                    cursor.execute(
                        f"SELECT gram FROM ({new})", [code, code, name, name, investor, investor]
                    )
                    cut = {gram for (gram,) in cursor.fetchall()}
                    cursor.execute(old, [code, name, investor] * 3)
                    before = {gram for (gram,) in cursor.fetchall()}
                else:
                    text = "upper(%s || chr(31) || %s || chr(31) || %s)"
                    gram = f"substr({text}, i, 2)"
                    cursor.execute(
                        f"SELECT {keyword_index.FUNCTION}(%s, %s, %s), "
                        f"(SELECT coalesce(array_agg(DISTINCT {gram}), '{{}}') "
                        f"FROM generate_series(1, length({text}) - 1) AS i "
                        f"WHERE strpos({gram}, chr(31)) = 0)",
                        [code, name, investor] + [code, name, investor] * 3,
                    )
                    cut, before = map(set, cursor.fetchone())
                with self.subTest(text=(code, name, investor)):
                    self.assertEqual(cut, before)
                    self.assertTrue(
                        cut or not any(len(part) > 1 for part in (code, name, investor))
                    )

    def test_reinstalling_keeps_the_index(self):
        keyword_index.reinstall(connection)
        Lead.objects.filter(pk=self.leads[3].pk).update(name="重装后的名称")
        self.assertEqual(self.held_grams(), self.expected_grams())
        self.assertEqual(self.found("重装后"), {self.leads[3].pk})

    def test_a_bulk_load_fills_the_index_again(self):
        with triggers_paused():
            Lead.objects.filter(pk=self.leads[0].pk).update(name="暂停时改名")
            Lead.objects.bulk_create(
                [Lead(**_copy(self.leads[1], code="BULK-2", name="暂停时新增"))]
            )
            # SQLite's table is behind until the load ends; PostgreSQL's index never is.
            self.assertEqual(self.held_grams() == self.expected_grams(), not SQLITE)
        self.assertEqual(self.held_grams(), self.expected_grams())
        self.assertEqual(self.found("暂停时"), self.scanned("暂停时"))
        self.assertEqual(len(self.found("暂停时")), 2)

    def test_the_index_keeps_the_leads_holding_every_gram_of_the_keyword(self):
        held = {}
        for gram, pk in self.expected_grams():
            held.setdefault(pk, set()).add(gram)
        for keyword in KEYWORDS:
            narrowing = keyword_index.keyword_narrowing(keyword)
            if narrowing is None:
                self.assertEqual(len(keyword), 1, keyword)
                continue
            wanted = pieces(held_text(Lead(code=keyword, name="", investor="")).split("\x1f")[0])
            with self.subTest(keyword=keyword):
                self.assertEqual(
                    set(Lead.objects.filter(narrowing).values_list("pk", flat=True)),
                    {pk for pk, grams in held.items() if wanted <= grams},
                )

    def test_the_search_reads_the_index(self):
        narrowing = keyword_index.keyword_narrowing("宁德时代")
        narrowed = set(Lead.objects.filter(narrowing).values_list("pk", flat=True))
        self.assertEqual(narrowed, {lead.pk for lead in self.leads if "宁德时代" in lead.investor})
        self.assertFalse(
            Lead.objects.filter(keyword_index.keyword_narrowing("无此关键词")).exists()
        )
        queryset = LeadFilter({"q": "宁德时代"}, queryset=Lead.objects.all()).qs.order_by("-id")
        if SQLITE:
            # The leads of the rarest of the keyword's grams are read.
            self.assertIn(f"FROM {keyword_index.GRAMS} g WHERE g.gram = ", str(queryset.query))
            return
        sql, params = Lead.all_objects.filter(narrowing).query.sql_with_params()
        with transaction.atomic(), connection.cursor() as cursor:
            # The table is small: forbid reading it whole or in any index's order, to see
            # that the query's grams are the index's expression (the planner weighs it
            # against the list's other ways at a city's size: docs/benchmarks.md).
            for plan in ("seqscan", "indexscan", "indexonlyscan"):
                cursor.execute(f"SET LOCAL enable_{plan} = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        self.assertIn(keyword_index.INDEX, plan)

    def test_a_keyword_of_common_grams_reads_the_list(self):
        if not SQLITE:
            # PostgreSQL weighs the grams by its statistics of the index's expression.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE leads_lead")
        # 14 of the 35 leads hold each gram of "有限公司"; "宁德时代x" has a gram none holds.
        with mock.patch.object(keyword_index, "RARE", 13):
            self.assertIsNone(keyword_index.keyword_narrowing("有限公司"))
            self.assertIsNotNone(keyword_index.keyword_narrowing("宁德时代x"))
            self.assertEqual(self.found("有限公司"), self.scanned("有限公司"))
        with mock.patch.object(keyword_index, "RARE", 15):
            self.assertIsNotNone(keyword_index.keyword_narrowing("有限公司"))
            self.assertEqual(self.found("有限公司"), self.scanned("有限公司"))

    def test_a_keyword_holding_the_separator_is_read_lead_by_lead(self):
        lead = Lead.objects.bulk_create(
            [Lead(**_copy(self.leads[0], code="SEP-1", name="甲\x1f乙"))]
        )[0]
        self.assertIsNone(keyword_index.keyword_narrowing("甲\x1f乙"))
        self.assertEqual(self.found("甲\x1f乙"), {lead.pk})

    def test_one_character_is_read_lead_by_lead(self):
        self.assertIsNone(keyword_index.keyword_narrowing("芯"))
        self.assertEqual(self.found("芯"), self.scanned("芯"))


def _copy(lead: Lead, **fields) -> dict:
    """The columns of `lead` for a new row written by bulk_create, with `fields`."""
    values = {
        field.attname: getattr(lead, field.attname)
        for field in Lead._meta.concrete_fields
        if not field.primary_key
    }
    values.update(
        fields,
        investor_key=f"{fields.get('code', '')}-key",
        name_key=f"{fields.get('code', '')}-name",
        credit_key="",
    )
    return values


class NewLeadsDeferredTests(TestCase):
    """`keyword_index.new_leads_deferred`: the import's new leads get their grams in one
    statement at the end of its write, on SQLite; edits and deletes keep their triggers."""

    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        ensure_stage_owners()
        cls.existing = make_lead(name="旧名称项目", investor="旧投资方集团")

    def new_lead(self, code: str, name: str) -> Lead:
        return Lead.objects.bulk_create([Lead(**_copy(self.existing, code=code, name=name))])[0]

    def test_an_import_writes_its_new_leads_grams_and_its_edits(self):
        row = {
            "投资方": "深圳华创集团有限公司",
            "所属产业": "工业机器人及智能装备制造",
            "线索来源": "产业链招商",
        }
        data = lead_workbook(
            {**row, "项目名称": "导入新项目甲"},
            {**row, "项目名称": "导入新项目乙"},
            {**row, "项目编号": self.existing.code, "项目名称": "改过的名称"},
        )
        report = LeadImporter().run(data, actor=None, dry_run=False, filename="台账.xlsx")
        self.assertTrue(report.ok, report.error_lines())
        self.assertEqual(held_grams(), expected_grams())
        self.assertEqual(len(found("导入新项目")), 2)
        self.assertEqual(found("改过的"), {self.existing.pk})
        self.assertEqual(found("旧名称"), set())
        # The insert trigger is back: a lead written after the import is found.
        lead = self.new_lead("AFTER-1", "导入之后新增")
        self.assertEqual(found("导入之后"), {lead.pk})
        self.assertEqual(held_grams(), expected_grams())

    def test_the_grams_are_written_at_the_end_of_the_block(self):
        with (
            # Two ids a statement: the new leads' grams in more than one.
            mock.patch.object(keyword_index, "DEFERRED_CHUNK", 2),
            transaction.atomic(),
            keyword_index.new_leads_deferred(connection),
        ):
            first = self.new_lead("DEF-1", "推迟写入甲")
            renamed = self.new_lead("DEF-2", "推迟写入乙")
            Lead.objects.filter(pk=renamed.pk).update(name="块内改名")
            Lead.objects.filter(pk=self.existing.pk).update(investor="块内改投资方")
            self.new_lead("DEF-3", "块内删除").delete()
            fourth = self.new_lead("DEF-4", "推迟写入丁")
            # SQLite's table lacks the new leads until the block ends.
            self.assertEqual(held_grams() == expected_grams(), not SQLITE)
        self.assertEqual(held_grams(), expected_grams())
        self.assertEqual(found("推迟写入"), {first.pk, fourth.pk})
        self.assertEqual(found("块内改名"), {renamed.pk})
        self.assertEqual(found("块内改投资"), {self.existing.pk})
        self.assertEqual(found("块内删除"), set())

    def test_an_error_in_the_block_leaves_the_index_and_its_trigger(self):
        before = held_grams()
        with (
            self.assertRaises(ValueError),
            transaction.atomic(),
            keyword_index.new_leads_deferred(connection),
        ):
            self.new_lead("ERR-1", "出错回滚")
            raise ValueError
        self.assertEqual(held_grams(), before)
        self.assertEqual(found("出错回滚"), set())
        lead = self.new_lead("ERR-2", "出错之后新增")
        self.assertEqual(found("出错之后"), {lead.pk})
        self.assertEqual(held_grams(), expected_grams())

    def test_it_needs_the_writer_s_transaction(self):
        if not SQLITE:
            # PostgreSQL's index needs nothing deferred, in a transaction or not.
            with keyword_index.new_leads_deferred(connection):
                pass
            return
        with (
            mock.patch.object(connection, "in_atomic_block", False),
            self.assertRaises(TransactionManagementError),
            keyword_index.new_leads_deferred(connection),
        ):
            pass
        self.assertEqual(held_grams(), expected_grams())
