"""The keys held for the finder (leads.dedup.buckets): every key live leads share is held,
whatever writes the leads, so the finder reading only their leads finds what reading every
lead would."""

import random
import re
import threading

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext

from leads.dedup import buckets
from leads.dedup.buckets import buckets_fold, buckets_rebuild
from leads.dedup.finder import duplicate_candidates, duplicate_groups
from leads.dedup.matches import keys_match
from leads.models import DuplicateKey, Lead
from leads.services import lead_merge, lead_merge_undo, lead_update
from leads.tally import triggers_paused
from tests.factories import UserFactory, credit_code, make_lead
from tests.leads.excel.test_concurrency import run_in_threads
from tests.plans import query_plan

INVESTORS = [
    "宇通客车股份有限公司",
    "郑州宇通客车",
    "华创集团",
    "西门子（中国）有限公司",
    "普通公司",
]
NAMES = ["新能源客车", "新能源客车项目", "客车", "研发中心", "数字化工厂", "智能装备产业园", "校车"]
CREDITS = [credit_code(f"9141010017001054{n}") for n in range(3)]


def paired_by_the_rule() -> set[int]:
    """The live leads with a likely duplicate, by `keys_match` applied to every pair."""
    leads = list(Lead.objects.all())
    return {
        lead.pk
        for lead in leads
        for other in leads
        if other.pk != lead.pk and keys_match(lead, other)
    }


def shared_keys() -> tuple[set[str], set[str]]:
    """The investor and credit keys of the leads `keys_match` pairs (the rule, in Python)."""
    leads = list(Lead.objects.all())
    investors, credits = set(), set()
    for lead in leads:
        for other in leads:
            if other.pk != lead.pk and keys_match(lead, other):
                if lead.credit_key and lead.credit_key == other.credit_key:
                    credits.add(lead.credit_key)
                else:
                    investors.add(lead.investor_key)
    return investors, credits


def held() -> tuple[set[str], set[str]]:
    rows = DuplicateKey.objects.values_list("investor_key", "credit_key")
    return {i for i, _c in rows} - {""}, {c for _i, c in rows} - {""}


class HeldKeysTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "reference", verbosity=0)
        cls.director = UserFactory(groups=["局领导"])

    def assert_every_shared_key_held(self):
        investors, credits = shared_keys()
        held_investors, held_credits = held()
        self.assertLessEqual(investors, held_investors)
        self.assertLessEqual(credits, held_credits)
        self.assertEqual({row[0] for row in duplicate_candidates()}, paired_by_the_rule())

    def test_random_writes_through_the_services_keep_every_shared_key_held(self):
        rng = random.Random(14)
        merges = []
        for step in range(70):
            leads = list(Lead.objects.all())
            action = rng.choice(["create"] * 3 + ["rename", "reinvest", "credit", "merge", "undo"])
            if action == "create" or len(leads) < 2:
                fields = {"investor": rng.choice(INVESTORS), "name": rng.choice(NAMES)}
                if rng.random() < 0.3:
                    fields.update(stage="landed", credit_code=rng.choice(CREDITS))
                make_lead(**fields)
            elif action == "rename":
                lead_update(lead=rng.choice(leads), name=rng.choice(NAMES))
            elif action == "reinvest":
                lead_update(lead=rng.choice(leads), investor=rng.choice(INVESTORS))
            elif action == "credit":
                lead_update(lead=rng.choice(leads), credit_code=rng.choice(CREDITS))
            elif action == "merge":
                keep, merged = rng.sample(leads, 2)
                merges.append(lead_merge(keep=keep, merged=merged, actor=self.director))
            elif action == "undo" and merges:
                merge = merges.pop()
                if merge.keep.version == Lead.all_objects.get(pk=merge.keep_id).version:
                    lead_merge_undo(merge=merge, actor=self.director)
            if rng.random() < 0.3:
                buckets_fold()
            with self.subTest(step=step, action=action):
                self.assert_every_shared_key_held()
        self.assertTrue(paired_by_the_rule())

    def test_a_fold_keeps_one_row_per_shared_key_and_drops_the_rest(self):
        pair = [make_lead(investor="华创集团", name=name) for name in ("产业园", "产业园二期")]
        make_lead(investor="华创集团有限公司", name="校车")  # same investor key, not similar
        make_lead(investor="普通公司", name="研发中心")  # alone
        twins = [make_lead(investor=f"甲{n}", name=f"项目{n}", stage="landed",
                           credit_code=CREDITS[0]) for n in range(2)]  # fmt: skip
        self.assertEqual(DuplicateKey.objects.filter(folded=False).count(), 6)
        self.assertEqual(buckets_fold(), 2)
        rows = set(DuplicateKey.objects.values_list("investor_key", "credit_key", "folded"))
        self.assertEqual(rows, {(pair[0].investor_key, "", True), ("", twins[0].credit_key, True)})
        # The pair renamed apart: its key is still held until the next fold drops it.
        lead_update(lead=pair[1], name="研发中心")
        self.assertIn(pair[0].investor_key, held()[0])
        self.assertEqual(duplicate_candidates(), [
            (twin.pk, twin.investor_key, twin.name_key, twin.credit_key) for twin in twins
        ])  # fmt: skip
        buckets_fold()
        self.assertEqual(held(), (set(), {twins[0].credit_key}))

    def test_a_merged_lead_writes_no_key_and_its_undo_writes_its_keys(self):
        keep = make_lead(investor="华创集团", name="产业园")
        merged = make_lead(investor="华创集团", name="产业园项目")
        buckets_fold()
        merge = lead_merge(keep=keep, merged=merged, actor=self.director)
        self.assertFalse(DuplicateKey.objects.filter(folded=False).exists())
        buckets_fold()
        self.assertEqual(held(), (set(), set()))
        lead_merge_undo(merge=merge, actor=self.director)
        self.assertEqual(held()[0], {keep.investor_key})
        self.assertEqual(len(duplicate_groups()[0]), 1)

    def test_a_write_that_moves_no_key_writes_no_row(self):
        lead = make_lead(investor="华创集团", name="产业园")
        buckets_fold()
        lead_update(lead=lead, notes="跟进中")
        self.assertFalse(DuplicateKey.objects.filter(folded=False).exists())

    def test_leads_written_with_the_triggers_paused_are_found_by_the_rebuild(self):
        with triggers_paused():
            Lead.objects.bulk_create([
                Lead(code=f"Q{n}", name=name, investor="华创集团", investor_key="华创集团",
                     name_key=name, origin="深圳", origin_type="other_province",
                     source="industry_chain", industry_id=1)
                for n, name in enumerate(["产业园", "产业园二期", "校车"])
            ])  # fmt: skip
            self.assertFalse(DuplicateKey.objects.exists())
        self.assertEqual(held(), ({"华创集团"}, set()))
        self.assertEqual(len(duplicate_candidates()), 2)
        DuplicateKey.objects.all().delete()
        self.assertEqual(buckets_rebuild(), 1)
        self.assertEqual(held(), ({"华创集团"}, set()))

    def test_the_finder_asks_the_worker_to_fold_past_the_mark(self):
        for n in range(buckets.FOLD_AFTER + 1):
            DuplicateKey.objects.create(investor_key=f"键{n}")
        cache.clear()
        duplicate_groups()  # the test settings' worker runs the task at once
        self.assertFalse(DuplicateKey.objects.exists())

    def test_the_finder_reads_the_leads_of_the_keys_held_through_the_key_indexes(self):
        # Without "credit key not blank" the partial credit index cannot serve the
        # credit read, and SQLite scanned the million leads (0.2 s).
        for n, name in enumerate(["产业园", "产业园二期"]):
            make_lead(investor="华创集团", name=name)
            make_lead(investor=f"甲{n}", name=f"项目{n}", stage="landed", credit_code=CREDITS[1])
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(len(duplicate_candidates()), 4)
        reads = [q["sql"] for q in queries if 'FROM "leads_lead"' in q["sql"]]
        self.assertEqual(len(reads), 2)
        # The investor read, then the credit read: each the leads of its key's index.
        for sql, index in zip(reads, ["lead_dup_investor_idx", "lead_dup_credit_idx"], strict=True):
            plan = query_plan(sql)
            if connection.vendor == "sqlite":
                self.assertNotIn("SCAN leads_lead", plan)
                self.assertIn(f"SEARCH leads_lead USING INDEX {index}", plan)
                continue
            # PostgreSQL, scans priced out: every read of the outer leads is that index.
            scans = [step for step in plan.split("->") if re.search(r"on leads_lead +\(", step)]
            self.assertTrue(scans)
            for step in scans:
                self.assertIn(f"using {index} on leads_lead", step)

    def test_the_installed_triggers_are_those_defined(self):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)",
                    list(buckets.TRIGGERS),
                )
                installed = sorted(row[0] for row in cursor.fetchall())
                self.assertEqual(installed, sorted(buckets._trigger_sql("sqlite")))
            else:
                cursor.execute(
                    "SELECT tgname FROM pg_trigger WHERE tgname = ANY(%s)", [list(buckets.TRIGGERS)]
                )
                self.assertEqual(
                    sorted(row[0] for row in cursor.fetchall()), sorted(buckets.TRIGGERS)
                )
                cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'lead_duplicate_key'")
                (source,) = cursor.fetchone()
                self.assertIn(source.strip(), buckets._trigger_sql("postgresql")[0])


class ConcurrentFoldTests(TransactionTestCase):
    """Writers creating likely duplicates of one another at once, and folds among them."""

    fixtures = ["reference"]

    def test_writers_during_folds_leave_every_shared_key_held(self):
        stop = threading.Event()
        folds = []

        def fold_until_stopped():
            # Folds while the writers write, and at least three times in all.
            while not stop.wait(0.005) or len(folds) < 3:
                folds.append(buckets_fold())
            connection.close()

        folder = threading.Thread(target=fold_until_stopped)
        folder.start()

        def write(index):
            # The same investors and names in every thread: each lead's likely
            # duplicates are written by the other threads, at the same time.
            for step in range(12):
                make_lead(investor=f"投资方{step % 4}有限公司", name=f"项目{step % 3}")
            return index

        results = run_in_threads(3, write)
        stop.set()
        folder.join(timeout=60)
        self.assertEqual(results, [0, 1, 2])
        self.assertGreaterEqual(len(folds), 3)
        investors, _credits = shared_keys()
        self.assertEqual(len(investors), 4)
        self.assertLessEqual(investors, held()[0])
        self.assertEqual({row[0] for row in duplicate_candidates()}, paired_by_the_rule())
        buckets_fold()
        self.assertEqual(held()[0], investors)
