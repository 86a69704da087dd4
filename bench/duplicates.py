"""Time the duplicate finder and the entry check on a large database.

Usage:
    .venv/bin/python bench/duplicates.py [--leads 100000] [--groups 1000] [--investors 30000]
        [--runs 5] [--reseed]

Seeds (once, reused on later runs) `--leads` leads by bulk insert, with
their matching keys computed by the one normal form (`lead_keys`): the
other leads spread over `--investors` investors (30,000: nearly every lead
shares its investor with others, candidates the finder must read and
reject; more investors is closer to a bureau's ledger) and `--groups` known
duplicate groups typed in different ways. Reseeds when the sizes change.
Folds the keys held (`leads.dedup.buckets`, as the worker does once the finder
asks), then times the finder (`duplicate_groups`, what /leads/duplicates/ runs),
the check one create runs (`lead_likely_duplicates`) and, as a baseline,
the raw COUNT(*) over the leads; checks the finder found the known groups;
on PostgreSQL prints the plan of its read of the leads of the investor keys held.

Database: DATABASE_URL if set, else the SQLite file bench/out/duplicates.sqlite3.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
OUT.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'duplicates.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.test_settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from leads.choices import Source, Stage  # noqa: E402
from leads.dedup.buckets import buckets_fold, held_keys, similar_partner_q  # noqa: E402
from leads.dedup.finder import duplicate_groups  # noqa: E402
from leads.dedup.matches import lead_likely_duplicates  # noqa: E402
from leads.dedup.normal import lead_keys  # noqa: E402
from leads.models import Industry, Lead, StageOwner  # noqa: E402

BATCH = 5000
# One project typed several ways (the variants of tests/leads/dedup/test_normal.py).
VARIANTS = [
    ("{0}客车股份有限公司", "新能源客车{1}项目"),
    ("河南省郑州市{0}客车有限公司", "{0}新能源客车{1}"),
    ("郑州{0}客车", "新能源客车{1}"),
]


def _lead(number, investor, name, industry, team, now) -> Lead:
    lead = Lead(
        code=f"ZS-D-{number:07d}",
        name=name,
        investor=investor,
        industry=industry,
        source=Source.OWN,
        stage=Stage.CONTACT,
        stage_entered_at=now,
        team=team,
    )
    for key, value in lead_keys(investor, name, "").items():
        setattr(lead, key, value)
    return lead


def seed(count: int, groups: int, investors: int, rng: random.Random) -> None:
    """Bulk-insert `count` leads, `groups` known duplicate groups among them."""
    call_command("migrate", verbosity=0)
    call_command("loaddata", "reference", verbosity=0)
    industries = list(Industry.objects.all())
    team = StageOwner.objects.get(stage=Stage.CONTACT).team
    now = timezone.now()
    batch, number = [], 0
    for group in range(groups):
        brand = f"品牌{group}"
        for investor, name in VARIANTS[: rng.choice((2, 3))]:
            batch.append(
                _lead(number, investor.format(brand), name.format(brand, group),
                      rng.choice(industries), team, now)
            )  # fmt: skip
            number += 1
    while number < count:
        investor = f"基准投资集团{rng.randrange(investors)}有限公司"
        batch.append(
            _lead(number, investor, f"基准项目{number}号", rng.choice(industries), team, now)
        )
        number += 1
        if len(batch) >= BATCH:
            Lead.objects.bulk_create(batch)
            batch = []
    Lead.objects.bulk_create(batch)


def _stamped(stamp: Path, sizes: str) -> bool:
    return stamp.exists() and stamp.read_text() == sizes


def timed(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=1_000)
    parser.add_argument("--investors", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    sizes = f"{args.leads}/{args.groups}/{args.investors}"
    database = str(connection.settings_dict["NAME"]).replace("/", "_")
    stamp = OUT / f"duplicates-{connection.vendor}-{database}.txt"
    if args.reseed or Lead.all_objects.count() != args.leads or not _stamped(stamp, sizes):
        Lead.all_objects.all().delete()
        start = time.perf_counter()
        seed(args.leads, args.groups, args.investors, random.Random(12))
        stamp.write_text(sizes)
        print(f"seeded {args.leads} leads in {time.perf_counter() - start:.1f} s")
    # What the worker does once the finder asks: the keys the seed's inserts held, folded.
    buckets_fold()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) leads_lead")
    count_ms, _ = timed(lambda: Lead.objects.count(), args.runs)
    finder_ms, (groups, total) = timed(lambda: duplicate_groups(limit=100), args.runs)
    check_ms, found = timed(
        lambda: lead_likely_duplicates(investor="品牌7客车有限公司", name="新能源客车7"), args.runs
    )
    print(f"{connection.vendor}, {Lead.objects.count()} live leads, median of {args.runs} runs:")
    print(f"  COUNT(*) baseline        {count_ms:8.1f} ms")
    print(f"  finder (all groups)      {finder_ms:8.1f} ms  ({total} groups, {len(groups)} loaded)")
    print(f"  entry check (one lead)   {check_ms:8.1f} ms  ({len(found)} likely duplicates)")
    if total < args.groups:
        sys.exit(f"the finder found {total} groups, {args.groups} were seeded")
    if connection.vendor == "postgresql":
        investor_keys, _credit_keys = held_keys()
        held = Lead.objects.filter(investor_key__in=investor_keys).filter(similar_partner_q())
        sql, params = held.values_list("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            print("  plan of the leads of the investor keys held:")
            for (line,) in cursor.fetchall():
                print(f"    {line}")


if __name__ == "__main__":
    main()
