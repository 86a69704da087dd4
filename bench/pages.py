"""Time the staff pages on a large database: median and 95th percentile per page.

Usage:
    .venv/bin/python bench/pages.py [--leads 100000] [--runs 30] [--reseed]

Seeds (once, reused on later runs) a database of `--leads` leads with
bench/seed.py (every stage, with transitions, field history, activities,
instalments, merged leads), plus one lead worked through the services. The
detail timing cycles through leads of every stage and merged ones. Then renders each page
through Django's test client, logged in as a 局领导 (the widest view), and
prints the timings, next to two baselines measured in the same run: a trivial
page (the login form: no lead queries) and the raw `COUNT(*)` over the leads.

Database: DATABASE_URL if set, else the SQLite file bench/out/pages.sqlite3.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from itertools import cycle
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Drop this script's folder from the path: bench/import_export.py would shadow
# the django-import-export package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
OUT.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'pages.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.test_settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.seed import seed_database  # noqa: E402
from leads.choices import ActivityKind, Channel, Source, Stage  # noqa: E402
from leads.models import Industry, Lead, TaskTeam  # noqa: E402
from leads.services import lead_change_stage, lead_create  # noqa: E402
from leads.services.activities import activity_create  # noqa: E402
from tests.factories import UserFactory, credit_code  # noqa: E402


def worked_lead(director) -> Lead:
    """Return a lead taken from 接洽 to 落地 through the services, with activities."""
    lead = Lead.objects.filter(name="基准详情项目").first()
    if lead:
        return lead
    start = timezone.now() - timedelta(days=200)
    lead = lead_create(
        actor=director,
        channel=Channel.WEB,
        name="基准详情项目",
        investor="基准详情集团",
        industry=Industry.objects.first(),
        source=Source.OWN,
        at=start,
    )
    steps = [
        (Stage.VISIT, {}),
        (Stage.INTENT, {"planned_investment": Decimal("30000")}),
        (Stage.SIGNED, {"contract_amount": Decimal("28000")}),
        (
            Stage.LANDED,
            {"registered_name": "基准详情（本区）有限公司", "credit_code": credit_code()},
        ),
    ]
    for offset, (stage, data) in enumerate(steps, start=1):
        lead = lead_change_stage(
            lead=lead,
            to_stage=stage,
            actor=director,
            channel=Channel.WEB,
            at=start + timedelta(days=40 * offset),
            **data,
        )
    for index in range(20):
        activity_create(lead=lead, actor=director, kind=ActivityKind.CALL, summary=f"第{index}次")
    return lead


def detail_sample(rng: random.Random, per_stage: int = 10) -> list[int]:
    """Return the ids of `per_stage` random leads of every stage (and merged ones, if any):
    each detail timing opens the next of them, so no one lead's page is all that is timed."""
    pks = []
    for stage in Stage.values:
        ids = list(Lead.objects.filter(stage=stage).values_list("pk", flat=True)[:2000])
        pks += rng.sample(ids, min(per_stage, len(ids)))
    pks += list(
        Lead.all_objects.filter(merged_into__isnull=False).values_list("pk", flat=True)[:per_stage]
    )
    rng.shuffle(pks)
    return pks


def out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def timed(function, runs: int) -> tuple[float, float]:
    """Return the median and 95th percentile of `runs` calls, in milliseconds."""
    function()  # warm caches and connections
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the database as it is (e.g. one bench/report.py seeded), never reseed",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--only", default="", help="time only the pages whose name contains this text"
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if args.reseed:
        call_command("flush", interactive=False, verbosity=0)
    if Lead.all_objects.count() < args.leads and not args.reuse:
        took = seed_database(args.leads)
        out(f"seeded {args.leads} leads in {took:.1f} s")
    from django.contrib.auth.models import Group, User

    director = User.objects.filter(username="bench-director").first()
    if director is None:
        # A database seeded by another benchmark (bench/report.py): add the reader.
        if not Group.objects.filter(name="局领导").exists():
            call_command("loaddata", "reference", verbosity=0)
        director = UserFactory(username="bench-director", groups=["局领导"])
    lead = worked_lead(director)
    team = TaskTeam.objects.order_by("pk").values_list("pk", flat=True).first()
    details = detail_sample(random.Random(args.seed))
    client = Client()
    client.force_login(director)

    def page(url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    def pages(pks):
        urls = iter(f"/leads/{pk}/" for pk in cycle(pks))

        def get():
            url = next(urls)
            response = client.get(url)
            assert response.status_code in (200, 302), (url, response.status_code)

        return get

    def raw_count():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM leads_lead")
            cursor.fetchone()

    anonymous = Client()
    ended = f"{timezone.localdate().replace(day=1) - timedelta(days=1):%Y-%m}"
    checks = [
        ("baseline: raw SELECT COUNT(*) over leads", raw_count),
        ("baseline: trivial page (login form)", lambda: anonymous.get("/accounts/login/")),
        ("dashboard /", page("/")),
        ("board /leads/board/", page("/leads/board/")),
        ("board filtered (industry, stalled)", page("/leads/board/?industry=1&stalled=true")),
        ("board filtered (stalled)", page("/leads/board/?stalled=true")),
        ("board filtered (industry)", page("/leads/board/?industry=1")),
        ("board filtered (stage)", page("/leads/board/?stage=signed")),
        ("list filtered (industry)", page("/leads/?industry=1")),
        ("list filtered (stage)", page("/leads/?stage=signed")),
        ("list /leads/", page("/leads/")),
        ("list filtered + sorted + page 50", page("/leads/?stage=signed&o=-amount&page=50")),
        ("list sorted by amount", page("/leads/?o=-amount")),
        ("list page 200", page("/leads/?page=200")),
        ("list text search", page("/leads/?q=鼎盛")),
        # A keyword nothing matches: the leads holding its rarest two characters
        # (leads.keyword_index), none here.
        ("list text search, no match", page("/leads/?q=无此关键词")),
        ("list text search, no match, two characters", page("/leads/?q=无此")),
        # One investor's leads (about one in 100,000): each pair of its characters is
        # held by many leads.
        ("list text search, few matches", page("/leads/?q=鼎盛1234有限")),
        ("detail /leads/<id>/ (the worked lead)", page(f"/leads/{lead.pk}/")),
        (f"detail, {len(details)} leads of every stage", pages(details)),
        ("chambers /chambers/", page("/chambers/")),
        ("overdue list /leads/overdue-nodes/", page("/leads/overdue-nodes/")),
        ("overdue list, one team", page(f"/leads/overdue-nodes/?team={team}")),
        ("overdue list sorted by team", page("/leads/overdue-nodes/?o=team")),
        ("overdue list sorted by team, page 20", page("/leads/overdue-nodes/?o=-team&page=20")),
        ("overdue list sorted by node", page("/leads/overdue-nodes/?o=-node")),
        ("overdue list sorted by code", page("/leads/overdue-nodes/?o=code")),
        ("overdue list sorted by days, least first", page("/leads/overdue-nodes/?o=days")),
        # 分包领导 is in no index: every late row is read and sorted.
        ("overdue list sorted by leader (reads all)", page("/leads/overdue-nodes/?o=leader")),
        ("key projects /leads/key-projects/", page("/leads/key-projects/")),
        # Compares every lead's keys: not flat in the table (docs/benchmarks.md).
        ("duplicates /leads/duplicates/", page("/leads/duplicates/")),
        ("report page /reports/monthly/", page("/reports/monthly/")),
        (f"report page, month just ended ({ended})", page(f"/reports/monthly/?month={ended}")),
        ("report JSON, month just ended", page(f"/reports/monthly/json/?month={ended}")),
        ("ranking /reports/ranking/ (builds the report)", page("/reports/ranking/")),
    ]
    checks = [(name, f) for name, f in checks if args.only in name or name.startswith("baseline")]
    vendor = connection.vendor
    total = Lead.objects.count()
    out(f"{vendor}, {total} leads, {args.runs} runs per page")
    out(f"{'page':45} {'median ms':>10} {'p95 ms':>10}")
    for name, function in checks:
        median, p95 = timed(function, args.runs)
        out(f"{name:45} {median:10.1f} {p95:10.1f}")


if __name__ == "__main__":
    main()
