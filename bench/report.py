"""Time the monthly report (JSON form) over 100,000 leads; python bench/report.py --help.

Seeds the leads once with bulk inserts (a benchmark of reading, so the
service layer and field history are skipped; every lead still gets the
StageTransition rows the backlog reads, and the landed ones 开工/投产 dates
and dated 到位资金 instalments summing to their paid_in, see `_after_landing`),
then times, median of several runs:

- baseline `SELECT COUNT(*)` over the lead table;
- baseline: a naive per-lead loop in Python computing the month's totals (and the
  month's 开工 count and dated 到位资金, checked against the report);
- the report built and serialised to JSON (what `monthly_report --format json` prints);
- the Excel workbook built and saved.

Usage:
    python bench/report.py                          # SQLite file /tmp/crm_bench_report.sqlite3
    DATABASE_URL=postgres://u:p@host/db python bench/report.py
    python bench/report.py --leads 100000 --runs 7 --month 2026-03
"""

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Drop this script's folder from the path: bench/import_export.py would shadow
# the django-import-export package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/crm_bench_report.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from leads.choices import OriginType, Source, Stage  # noqa: E402
from leads.models import Industry, Lead, PaidIn, StageOwner, StageTransition  # noqa: E402
from leads.reports.monthly import monthly_report_build  # noqa: E402
from leads.reports.period import Period  # noqa: E402
from leads.reports.serialise import report_data  # noqa: E402
from leads.reports.workbook import build_monthly_workbook  # noqa: E402

FIRST_DAY = date(2024, 1, 1)
LEADERS = ["", "王副区长", "李副区长", "张副区长", "赵副区长"]
BATCH = 5000


def seed(count: int) -> None:
    """Bulk-insert `count` leads with plausible dates, stages, transitions and instalments."""
    rng = random.Random(20260301)
    industries = list(Industry.objects.values_list("pk", flat=True))
    teams = dict(StageOwner.objects.values_list("stage", "team_id"))
    today = timezone.localdate()
    span = (today - FIRST_DAY).days
    stages = [Stage.CONTACT, Stage.VISIT, Stage.INTENT, Stage.SIGNED, Stage.LANDED, Stage.DROPPED]
    weights = [30, 15, 15, 15, 15, 10]
    origins = ["", *OriginType.values]
    sources = [s for s in Source.values if s not in (Source.CHAMBER, Source.RETURNEE)]
    made = Lead.objects.count()
    while made < count:
        leads, plans, paid = [], [], []
        for number in range(made, min(made + BATCH, count)):
            created = FIRST_DAY + timedelta(days=rng.randrange(span))
            stage = rng.choices(stages, weights)[0]
            moments = [_moment(created, rng)]
            fields = {}
            if stage in (Stage.SIGNED, Stage.LANDED, Stage.DROPPED):
                signed = min(created + timedelta(days=rng.randrange(1, 120)), today)
                amount = Decimal(rng.randrange(100, 10**8)) / 100
                fields.update(
                    signed_on=signed,
                    contract_amount=amount,
                    planned_investment=Decimal(rng.randrange(100, 10**8)) / 100,
                    # The counted event, as the pipeline rules record it.
                    first_signed_on=signed,
                    first_signed_amount=amount,
                    first_signed_entered=signed,
                )
                moments.append(_moment(signed, rng))
                if stage in (Stage.LANDED, Stage.DROPPED):
                    later = min(signed + timedelta(days=rng.randrange(1, 300)), today)
                    moments.append(_moment(later, rng))
                    if stage == Stage.LANDED:
                        fields.update(
                            landed_on=later,
                            first_landed_on=later,
                            first_landed_entered=later,
                            registered_name=f"基准测试企业{number}有限公司",
                            credit_code="91350100M000100Y4X",
                        )
                        fields.update(_milestones(later, today, rng))
                    else:
                        fields.update(drop_reason="基准测试", dropped_from=Stage.SIGNED)
                instalments = _instalments(stage, fields, today, rng)
                fields["paid_in"] = sum((amount for _, amount in instalments), Decimal("0.00"))
                paid.append(instalments)
            else:
                paid.append([])
            moments = sorted(min(m, timezone.now()) for m in moments)
            leads.append(
                Lead(
                    code=f"ZS-B-{number:07d}",
                    name=f"基准测试项目{number}",
                    investor=f"基准测试投资方{number % 5000}",
                    industry_id=rng.choice(industries),
                    source=rng.choice(sources),
                    origin_type=rng.choice(origins),
                    stage=stage,
                    stage_entered_at=moments[-1],
                    team_id=teams.get(stage if stage != Stage.DROPPED else Stage.SIGNED),
                    credit_team_id=teams.get(Stage.CONTACT),
                    leader=LEADERS[number % len(LEADERS)],
                    **fields,
                )
            )
            path = [Stage.CONTACT]
            if stage != Stage.CONTACT:
                path.append(stage if stage in (Stage.VISIT, Stage.INTENT) else Stage.SIGNED)
            if stage in (Stage.LANDED, Stage.DROPPED):
                path.append(stage)
            plans.append(list(zip(path, moments, strict=False)))
        with transaction.atomic():
            Lead.objects.bulk_create(leads)
            created_leads = Lead.objects.filter(code__in=[lead.code for lead in leads]).values_list(
                "code", "pk"
            )
            ids = dict(created_leads)
            rows = []
            for lead, plan in zip(leads, plans, strict=True):
                previous = ""
                for to_stage, at in plan:
                    rows.append(
                        StageTransition(
                            lead_id=ids[lead.code],
                            from_stage=previous,
                            to_stage=to_stage,
                            at=at,
                            channel="system",
                        )
                    )
                    previous = to_stage
            StageTransition.objects.bulk_create(rows)
            PaidIn.objects.bulk_create(
                PaidIn(
                    lead_id=ids[lead.code],
                    received_on=on,
                    amount=amount,
                    kind=rng.choice(KINDS),
                    channel="system",
                )
                for lead, instalments in zip(leads, paid, strict=True)
                for on, amount in instalments
            )
        made += len(leads)
        sys.stderr.write(f"  seeded {made} leads\n")


KINDS = ["registered_capital", "fixed_assets", "other"]


def _milestones(landed: date, today: date, rng: random.Random) -> dict:
    """Return 开工/投产 dates of a landed lead: about 60 % started, 60 % of those in production."""
    fields = {}
    if rng.random() < 0.6:
        started = min(landed + timedelta(days=rng.randrange(0, 180)), today)
        fields["started_on"] = started
        if rng.random() < 0.6:
            fields["in_production_on"] = min(
                started + timedelta(days=rng.randrange(30, 400)), today
            )
    return fields


def _instalments(stage: str, fields: dict, today: date, rng: random.Random) -> list:
    """Return (received_on, amount) instalments: most landed leads get one to four, dated
    between the signing and today; some signed leads one; 2 % of signed leads an undated
    carried-over amount (received_on NULL, as migration 0009 leaves them)."""
    if stage == Stage.LANDED and rng.random() < 0.85:
        count = rng.randint(1, 4)
    elif stage == Stage.SIGNED and rng.random() < 0.2:
        count = 1
    else:
        return []
    if stage == Stage.SIGNED and rng.random() < 0.1:
        return [(None, Decimal(rng.randrange(100, 10**6)) / 100)]
    first, span = fields["signed_on"], (today - fields["signed_on"]).days
    return sorted(
        (
            first + timedelta(days=rng.randrange(span + 1)),
            Decimal(rng.randrange(100, 3 * 10**6)) / 100,
        )
        for _ in range(count)
    )


def _moment(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(
        datetime.combine(day, clock(9)) + timedelta(minutes=rng.randrange(600))
    )


def naive_month_totals(period: Period) -> dict:
    """Baseline: fetch every lead and total the month in a Python loop (counted events)."""
    totals = {"signed": [0, Decimal(0)], "landed": [0, Decimal(0)], "ytd_signed": Decimal(0)}
    year_to_date = period.year_to_date
    for signed_on, landed_on, amount in Lead.objects.values_list(
        "first_signed_on", "first_landed_on", "first_signed_amount"
    ).iterator(chunk_size=5000):
        if signed_on is not None and period.contains(signed_on):
            totals["signed"][0] += 1
            totals["signed"][1] += amount
        if signed_on is not None and year_to_date.contains(signed_on):
            totals["ytd_signed"] += amount
        if landed_on is not None and period.contains(landed_on):
            totals["landed"][0] += 1
            totals["landed"][1] += amount
    totals["started"] = sum(
        1
        for day in Lead.objects.values_list("started_on", flat=True).iterator(chunk_size=5000)
        if period.contains(day)
    )
    totals["paid_in"] = sum(
        (
            amount
            for day, amount in PaidIn.objects.values_list("received_on", "amount").iterator(
                chunk_size=5000
            )
            if period.contains(day)
        ),
        Decimal("0.00"),
    )
    return totals


def say(text: str) -> None:
    sys.stdout.write(text + "\n")


def timed(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--month", default="")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if not Industry.objects.exists():
        call_command("loaddata", "reference", verbosity=0)
    start = time.perf_counter()
    seed(args.leads)
    seeding = time.perf_counter() - start
    today = timezone.localdate()
    period = Period.parse_month(args.month) if args.month else Period.month(today.year, today.month)

    def json_report():
        return json.dumps(report_data(monthly_report_build(period)), ensure_ascii=False)

    def workbook():
        buffer = io.BytesIO()
        build_monthly_workbook(monthly_report_build(period)).save(buffer)
        return buffer

    count_time, leads = timed(lambda: Lead.objects.count(), args.runs)
    naive_time, naive = timed(lambda: naive_month_totals(period), args.runs)
    json_time, text = timed(json_report, args.runs)
    xlsx_time, _ = timed(workbook, max(3, args.runs // 2))
    data = json.loads(text)
    assert data["month_totals"]["signed"]["count"] == naive["signed"][0]
    assert data["month_totals"]["landed"]["amount"] == f"{naive['landed'][1]:.2f}"
    # Exact to the cent over the whole year, SQLite included (sums in integer cents).
    assert data["ytd_totals"]["signed"]["amount"] == f"{naive['ytd_signed']:.2f}"
    assert data["milestones"]["started"]["month"]["count"] == naive["started"]
    assert data["paid_in_totals"]["month"] == f"{naive['paid_in']:.2f}"

    say(
        f"database: {connection.vendor}; leads: {leads}; transitions: "
        f"{StageTransition.objects.count()}; month {period.key}; seeding took {seeding:.1f} s"
    )
    say(
        f"backlog rows: {len(data['backlog'])}; "
        f"signed this year: {data['ytd_totals']['signed']['count']}; "
        f"instalments: {PaidIn.objects.count()}; started: "
        f"{Lead.objects.filter(started_on__isnull=False).count()}; "
        f"rates: {[(k, v['percent']) for k, v in data['rates'].items()]}"
    )
    say(f"{'measure (median of runs)':44} seconds")
    say(f"{'baseline SELECT COUNT(*)':44} {count_time:.3f}")
    say(f"{'baseline naive per-lead Python loop':44} {naive_time:.3f}")
    say(f"{'monthly report, JSON':44} {json_time:.3f}")
    say(f"{'monthly report, Excel workbook':44} {xlsx_time:.3f}")
    say(f"target: JSON under 1 s -> {'met' if json_time < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
