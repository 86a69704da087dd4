"""Seed a benchmark database with N realistic leads: python bench/seed.py --leads N.

Uses DATABASE_URL (default: the SQLite file bench/out/seed.sqlite3). Writes,
for ten years of a city's leads (`--years`):

- the reference data, users in every role (the demo's), chambers,
  entrepreneurs, units and annual targets, through the services;
- N leads in every stage, old ones mostly landed or dropped, recent ones
  mostly in the pipeline, with the rows the services write for each: the
  lead as it stands (counted events, duplicate keys, milestones, planned
  dates), one StageTransition per step (blank → 接洽 → … with the teams that
  took it over), one field-history row per step, activities, node plans,
  dated 到位资金 instalments summing to paid_in, and the aftercare enterprise
  of every landed lead;
- a few merged leads and enterprise problems through the real services
  (`lead_merge`, `problem_create`), so every kind of row exists.

The bulk rows are written with executemany (SQLite) or COPY (PostgreSQL),
the lead tables' secondary indexes dropped first and built again after (the
schema ends exactly as the migrations left it). Appends to a seeded database:
`--leads` is the total wanted.

    python bench/seed.py --leads 1000000
    DATABASE_URL=postgres://crm:crm@localhost/crm_bench python bench/seed.py --leads 100000

Other benchmarks import `seed_database(count)`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'seed.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from aftercare.models import Enterprise  # noqa: E402
from leads.choices import LOST_TO_OTHER_PLACE, ActivityKind, Channel, OriginType, Source, Stage  # noqa: E402
from leads.dedup.normal import lead_keys  # noqa: E402
from leads.demo.names import DROP_REASONS, LEADERS  # noqa: E402
from leads.demo.people import demo_chambers, demo_entrepreneurs, demo_users  # noqa: E402
from leads.demo.targets import demo_targets, demo_units  # noqa: E402
from leads.models import (  # noqa: E402
    Activity,
    Industry,
    Lead,
    NodePlan,
    PaidIn,
    StageOwner,
    StageTransition,
    TaskTeam,
)
from leads.services.counting import record_events  # noqa: E402
from leads.services.milestones import KEY_PROJECT_AMOUNT  # noqa: E402
from leads.services.reasons import change_reason  # noqa: E402
from leads.tally import triggers_paused  # noqa: E402

CHUNK = 50_000
BULK_TABLES = [Lead, StageTransition, Lead.history.model, Activity, NodePlan, PaidIn, Enterprise]
# Fields a lead only has after 接洽: blank in the history row of its creation.
LATER_FIELDS = [
    "visited_on",
    "intent_on",
    "signed_on",
    "landed_on",
    "contract_amount",
    "paid_in",
    "first_signed_on",
    "first_signed_amount",
    "first_signed_entered",
    "first_landed_on",
    "first_landed_entered",
    "registered_name",
    "credit_code",
    "drop_reason",
    "lost_to",
    "dropped_from",
    "started_on",
    "in_production_on",
    "credit_key",
]


def say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------- bulk writing


class Table:
    """Rows of one model in column order, with ids given here, written in bulk."""

    def __init__(self, model):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self.columns = [f.column for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.convert = [_converter(f) for f in self.fields]
        self.rows: list[tuple] = []
        pk = model._meta.pk.attname
        self.next_id = (model._base_manager.aggregate(m=models.Max(pk))["m"] or 0) + 1
        self.json = [isinstance(f, models.JSONField) for f in self.fields]

    def add(self, **values) -> int:
        pk = self.next_id
        self.next_id += 1
        values.setdefault(self.model._meta.pk.attname, pk)
        row = {**self.defaults, **values}
        self.rows.append(tuple(row[name] for name in self.names))
        return pk

    def flush(self) -> None:
        if not self.rows:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                json_at = [i for i, is_json in enumerate(self.json) if is_json]
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        if json_at:
                            row = list(row)
                            for i in json_at:
                                row[i] = json.dumps(row[i], ensure_ascii=False)
                        copy.write_row(row)
            else:
                convert = self.convert
                marks = ", ".join("%s" for _ in self.columns)
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                    [
                        tuple(v if v is None else c(v) for v, c in zip(row, convert, strict=True))
                        for row in self.rows
                    ],
                )
        self.rows = []


def _same(value):
    return value


def _converter(field):
    """Return how a value of `field` is written on SQLite (as Django's backend writes it)."""
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, ensure_ascii=False)
    if isinstance(field, models.DateTimeField):
        return lambda value: str(value.astimezone(UTC).replace(tzinfo=None))
    if isinstance(field, models.DateField):
        return date.isoformat
    if isinstance(field, models.DecimalField):
        return str
    if isinstance(field, models.BooleanField):
        return int
    return _same


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """Return (name, CREATE statement) of `table`'s indexes that back no constraint."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint WHERE conname = indexname)",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        return list(cursor.fetchall())


class IndexesDropped:
    """Drop the bulk tables' secondary indexes for the load; build them again after."""

    def __enter__(self):
        self.indexes = [i for m in BULK_TABLES for i in _secondary_indexes(m._meta.db_table)]
        with connection.cursor() as cursor:
            for name, _sql in self.indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return self

    def __exit__(self, *exc):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Inside an outer transaction (a test's) the deferred foreign-key checks
                # are still pending, and PostgreSQL builds no index on such a table.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _name, sql in self.indexes:
                cursor.execute(sql)
            if connection.vendor == "postgresql":
                for sql in connection.ops.sequence_reset_sql(no_style(), BULK_TABLES):
                    cursor.execute(sql)
                # What autovacuum does soon after a bulk load, done now so every run
                # measures the same: the visibility map lets the counts read their
                # indexes alone. (VACUUM cannot run inside a transaction, e.g. a test's.)
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
            else:
                cursor.execute("ANALYZE")
        say(f"  indexes built again in {time.perf_counter() - started:.1f} s")
        return False


# ---------------------------------------------------------------- the data


def _counted(fields: dict, stage: str, day: date) -> dict:
    """Return the counted events (统计口径) entering `stage` on `day` records, by the
    pipeline's own rule (`record_events`) on the lead's fields so far."""
    lead = SimpleNamespace(**{"first_signed_on": None, "first_landed_on": None, **fields})
    return record_events(lead, [stage], day)


def _moment(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(
        datetime.combine(day, clock(9)) + timedelta(minutes=rng.randrange(540))
    )


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    """Return an amount in 万元 with cents, between `low` and `high`, skewed to the low end."""
    return (Decimal(int(low + (high - low) * rng.random() ** 3 * 100)) / 100).quantize(
        Decimal("0.01")
    )


class City:
    """Draw one city's leads and write their rows; every draw from one generator."""

    def __init__(self, rng: random.Random, *, years: int):
        self.rng = rng
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.first_day = self.today - timedelta(days=365 * years)
        self.industries = list(Industry.objects.values_list("pk", flat=True))
        self.owners = dict(StageOwner.objects.values_list("stage", "team_id"))
        self.teams = list(TaskTeam.objects.order_by("pk").values_list("pk", flat=True))
        self.members = {
            team.pk: [u.pk for u in team.members.all()] or [None]
            for team in TaskTeam.objects.prefetch_related("members")
        }
        self.units = list(Lead.credit_unit.field.related_model.objects.values_list("pk", flat=True))
        chambers = Lead.chamber.field.related_model.objects.values_list("pk", flat=True)
        self.chambers = list(chambers)
        entrepreneurs = Lead.entrepreneur.field.related_model.objects.values_list("pk", flat=True)
        self.entrepreneurs = list(entrepreneurs)
        self.sources = Source.values
        self.leaders = ["", *LEADERS]
        self.tables = {
            model: Table(model) for model in BULK_TABLES if model is not Lead.history.model
        }
        self.codes: dict[int, int] = {}
        year_counts = Lead.all_objects.filter(code__startswith="ZS-").values_list("code", flat=True)
        for code in year_counts.iterator():
            year, _, number = code[3:].partition("-")
            if year.isdigit() and number.isdigit():
                self.codes[int(year)] = max(self.codes.get(int(year), 0), int(number))

    def _final(self, created: date) -> str:
        """Old leads have mostly ended (落地 or 终止); recent ones are mostly in the pipeline."""
        age = (self.today - created).days
        if age > 730:
            weights = (4, 2, 2, 5, 47, 40)
        elif age > 180:
            weights = (18, 12, 12, 18, 25, 15)
        else:
            weights = (45, 20, 15, 10, 5, 5)
        return self.rng.choices(Stage.values, weights)[0]

    def _path(self, final: str) -> list[str]:
        """Return the stages the lead went through, 接洽 first (some skip 考察 or 意向)."""
        rng = self.rng
        order = [Stage.CONTACT, Stage.VISIT, Stage.INTENT, Stage.SIGNED, Stage.LANDED]
        if final == Stage.DROPPED:
            end = rng.choice(order[:4])
            path = order[: order.index(end) + 1]
        else:
            path = order[: order.index(final) + 1]
        # Some skip 考察 or 意向 on the way; the last stage reached is never skipped.
        path = [
            s for s in path[:-1] if s not in (Stage.VISIT, Stage.INTENT) or rng.random() < 0.85
        ] + path[-1:]
        return [*path, Stage.DROPPED] if final == Stage.DROPPED else path

    def lead(self) -> None:
        rng, today = self.rng, self.today
        created = self.first_day + timedelta(days=rng.randrange((today - self.first_day).days + 1))
        final = self._final(created)
        path = self._path(final)
        days = [created]
        for _ in path[1:]:
            days.append(min(days[-1] + timedelta(days=rng.randrange(3, 90)), today))
        moments = [_moment(d, rng) for d in days]
        for i in range(1, len(moments)):
            moments[i] = max(moments[i], moments[i - 1] + timedelta(seconds=1))
        moments = [
            min(m, self.now - timedelta(seconds=len(moments) - i)) for i, m in enumerate(moments)
        ]
        pk = self.tables[Lead].next_id
        year = created.year
        self.codes[year] = self.codes.get(year, 0) + 1
        number = self.codes[year]
        source = rng.choice(self.sources)
        capture = rng.choice(self.teams)
        industry = rng.choice(self.industries)
        investor = f"{rng.choice(CITY_WORDS)}{rng.choice(FIRM_WORDS)}{number % 9973}有限公司"
        name = f"{rng.choice(PROJECT_WORDS)}项目{year}{number}"
        team = (
            capture
            if len(path) == 1
            else self.owners.get(path[-1] if final != Stage.DROPPED else path[-2], capture)
        )
        fields = dict(
            created=moments[0],
            modified=moments[-1],
            code=f"ZS-{year}-{number:04d}",
            name=name,
            investor=investor,
            origin=rng.choice(["深圳", "上海", "北京", "杭州", "福州", "厦门", "香港", ""]),
            origin_type=rng.choice(["", *OriginType.values]),
            source=source,
            chamber_id=rng.choice(self.chambers)
            if source == Source.CHAMBER and self.chambers
            else None,
            entrepreneur_id=(
                rng.choice(self.entrepreneurs)
                if source == Source.RETURNEE and self.entrepreneurs
                else None
            ),
            stage=final,
            stage_entered_at=moments[-1],
            leader=rng.choice(self.leaders),
            industry_id=industry,
            team_id=team,
            credit_team_id=capture,
            credit_unit_id=rng.choice(self.units) if self.units and rng.random() < 0.7 else None,
            owner_id=rng.choice(self.members[team]),
            planned_investment=_amount(rng, 100, 500_000) if rng.random() < 0.8 else None,
            version=len(path),
            next_follow_up=(
                today + timedelta(days=rng.randrange(-30, 60))
                if final not in (Stage.LANDED, Stage.DROPPED)
                else None
            ),
        )
        by_stage = dict(zip(path, days, strict=True))
        if Stage.VISIT in by_stage:
            fields["visited_on"] = by_stage[Stage.VISIT]
        if Stage.INTENT in by_stage:
            fields["intent_on"] = by_stage[Stage.INTENT]
        if Stage.SIGNED in by_stage:
            amount = _amount(rng, 100, 1_000_000)
            signed = by_stage[Stage.SIGNED]
            # Marked 重点 as 局领导 would mark the projects proposed to them.
            fields.update(
                signed_on=signed, contract_amount=amount, is_key=amount >= KEY_PROJECT_AMOUNT
            )
            fields.update(_counted(fields, Stage.SIGNED, signed))
        if final == Stage.LANDED:
            landed = by_stage[Stage.LANDED]
            fields.update(
                landed_on=landed,
                registered_name=f"{name}（本区）有限公司",
                credit_code=f"91350100M{pk:08d}X",
            )
            fields.update(_counted(fields, Stage.LANDED, landed))
            if rng.random() < 0.6:
                fields["started_on"] = min(landed + timedelta(days=rng.randrange(0, 180)), today)
                if rng.random() < 0.6:
                    fields["in_production_on"] = min(
                        fields["started_on"] + timedelta(days=rng.randrange(30, 400)), today
                    )
        if final == Stage.DROPPED:
            reason = rng.choice(DROP_REASONS)
            fields.update(drop_reason=reason, dropped_from=path[-2])
            if reason == LOST_TO_OTHER_PLACE:
                fields["lost_to"] = rng.choice(["苏州工业园区", "合肥高新区", "东莞松山湖"])
        fields.update(lead_keys(investor, name, fields.get("credit_code", "")))
        plans = self._plans(fields, final)
        fields.update({f"planned_{node}_on": on for node, on, _at in plans})
        instalments = self._instalments(final, fields)
        if instalments:
            fields["paid_in"] = sum((a for _d, a in instalments), Decimal("0.00"))
        self.tables[Lead].add(**fields)
        previous, previous_team = "", None
        for stage, at in zip(path, moments, strict=True):
            to_team = previous_team if stage == Stage.DROPPED else self.owners.get(stage, capture)
            if not previous:
                to_team = capture
            self.tables[StageTransition].add(
                lead_id=pk,
                from_stage=previous,
                to_stage=stage,
                at=at,
                channel=Channel.WEB,
                actor_id=rng.choice(self.members[to_team or capture]),
                from_team_id=previous_team,
                to_team_id=to_team,
                data={},
            )
            previous, previous_team = stage, to_team
        for node, on, at in plans:
            self.tables[NodePlan].add(
                lead_id=pk, node=node, planned_on=on, at=at, channel=Channel.WEB, reason=""
            )
        for on, amount in instalments:
            self.tables[PaidIn].add(
                lead_id=pk,
                received_on=on,
                amount=amount,
                kind=rng.choice(PAID_KINDS),
                channel=Channel.WEB,
                created=moments[-1],
            )
        for _ in range(min(int(rng.expovariate(0.5)), 12)):
            on = days[0] + timedelta(days=rng.randrange((days[-1] - days[0]).days + 30))
            self.tables[Activity].add(
                lead_id=pk,
                created=_moment(min(on, today), rng),
                modified=moments[-1],
                occurred_on=min(on, today),
                kind=rng.choice(ActivityKind.values),
                summary=rng.choice(SUMMARIES),
                created_by_id=fields["owner_id"],
            )
        if final == Stage.LANDED:
            self.tables[Enterprise].add(
                name=fields["registered_name"],
                credit_code=fields["credit_code"],
                from_investment=True,
                lead_id=pk,
                created=moments[-1],
                modified=moments[-1],
            )

    def _plans(self, fields: dict, final: str) -> list[tuple[str, date, datetime]]:
        """Return the planned dates (node, day, when planned) of a lead still on its way."""
        rng, today = self.rng, self.today
        nodes = {Stage.INTENT: "signed", Stage.SIGNED: "landed"}
        if final == Stage.LANDED and "started_on" not in fields:
            nodes[final] = "started"
        node = nodes.get(final)
        if node is None or rng.random() < 0.4:
            return []
        return [(node, today + timedelta(days=rng.randrange(-60, 180)), fields["stage_entered_at"])]

    def _instalments(self, final: str, fields: dict) -> list[tuple[date, Decimal]]:
        rng = self.rng
        if final == Stage.LANDED and rng.random() < 0.85:
            count = rng.randint(1, 4)
        elif final == Stage.SIGNED and rng.random() < 0.2:
            count = 1
        else:
            return []
        first = fields["signed_on"]
        span = (self.today - first).days
        return sorted(
            (first + timedelta(days=rng.randrange(span + 1)), _amount(rng, 10, 30_000))
            for _ in range(count)
        )

    def flush(self) -> None:
        for table in self.tables.values():
            table.flush()


def _history(first_id: int, last_id: int) -> None:
    """Write one field-history row per stage change of leads first_id..last_id, in SQL:
    the lead as it stood after that change (the creation's row without the later fields)."""
    history = Lead.history.model
    lead_columns = {f.column for f in Lead._meta.concrete_fields}
    q = connection.ops.quote_name
    columns, values = [], []
    for field in history._meta.concrete_fields:
        column = field.column
        if column in ("history_id",):
            continue
        if column == "stage":
            value = "t.to_stage"
        elif column == "stage_entered_at" or column == "history_date":
            value = "t.at"
        elif column == "history_type":
            value = "CASE WHEN t.from_stage = '' THEN '+' ELSE '~' END"
        elif column == "history_user_id":
            value = "t.actor_id"
        elif column == "history_change_reason":
            value = (
                "CASE "
                + " ".join(
                    f"WHEN t.from_stage = '{a}' AND t.to_stage = '{b}' THEN %s"
                    for a, b in REASON_PAIRS
                )
                + " END"
            )
        elif column in lead_columns:
            value = f"l.{q(column)}"
            if field.attname in LATER_FIELDS or column in LATER_FIELDS:
                blank = "NULL" if field.null else "''"
                value = f"CASE WHEN t.from_stage = '' THEN {blank} ELSE {value} END"
        else:
            continue
        columns.append(q(column))
        values.append(value)
    sql = (
        f"INSERT INTO {q(history._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} "
        f"FROM {q(StageTransition._meta.db_table)} t JOIN {q(Lead._meta.db_table)} l "
        "ON l.id = t.lead_id WHERE t.lead_id BETWEEN %s AND %s ORDER BY t.id"
    )
    params = [
        change_reason("create") if not a else change_reason("move", a, b) for a, b in REASON_PAIRS
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, first_id, last_id])


REASON_PAIRS = [("", Stage.CONTACT.value)] + [
    (a, b)
    for a in (Stage.CONTACT, Stage.VISIT, Stage.INTENT, Stage.SIGNED)
    for b in (Stage.VISIT, Stage.INTENT, Stage.SIGNED, Stage.LANDED, Stage.DROPPED)
    if Stage.values.index(b) > Stage.values.index(a)
]
CITY_WORDS = [
    "深圳",
    "上海",
    "北京",
    "杭州",
    "苏州",
    "广州",
    "成都",
    "武汉",
    "福州",
    "厦门",
    "香港",
]
FIRM_WORDS = ["华创", "鼎盛", "新能", "智造", "恒达", "瑞丰", "博远", "中科", "海川", "金桥"]
PROJECT_WORDS = [
    "新能源电池",
    "智能装备",
    "生物医药",
    "电子信息",
    "新材料",
    "文旅综合体",
    "冷链物流",
    "总部经济",
]
SUMMARIES = [
    "电话跟进项目进展",
    "上门拜访投资方",
    "陪同考察园区",
    "洽谈投资协议条款",
    "对接用地需求",
]
PAID_KINDS = ["registered_capital", "fixed_assets", "other"]


def _reference(rng: random.Random) -> None:
    """Reference data, people, chambers, units and targets, through the demo's services."""
    call_command("migrate", verbosity=0)
    if not Industry.objects.exists():
        call_command("loaddata", "reference", verbosity=0)
    if not User.objects.filter(username="demo").exists():
        users = demo_users(rng)
        chambers = demo_chambers(rng, users)
        demo_entrepreneurs(rng, chambers)
        demo_targets(timezone.localdate(), demo_units())


def _services(rng: random.Random, count: int) -> None:
    """Merge a few leads and raise enterprise problems through the real services."""
    from aftercare.choices import Category
    from aftercare.services import problem_create
    from leads.services.merge import lead_merge

    director = User.objects.get(username="demo")
    live = Lead.objects.filter(stage=Stage.CONTACT).order_by("pk").values_list("pk", flat=True)
    pks = list(live[: 2 * max(5, count // 20_000)])
    for keep, merged in zip(pks[::2], pks[1::2], strict=False):
        lead_merge(
            keep=Lead.objects.get(pk=keep), merged=Lead.objects.get(pk=merged), actor=director
        )
    enterprises = list(
        Enterprise.objects.order_by("?").values_list("pk", flat=True)[: max(20, count // 500)]
    )
    for pk in enterprises:
        problem_create(
            actor=director,
            enterprise_id=pk,
            category=rng.choice(Category.values),
            description="企业反映用地、用工等问题，请协调解决",
            raised_via="visit",
            responsible_unit_name="区自然资源局",
        )


def seed_database(count: int, *, years: int = 10, seed: int = 20261202) -> float:
    """Seed until the database holds `count` leads; return the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(seed)
    _reference(rng)
    have = Lead.all_objects.count()
    if have >= count:
        return 0.0
    # A bulk load may skip SQLite's syncs (not inside a transaction, e.g. a test's).
    fast = connection.vendor == "sqlite" and not connection.in_atomic_block
    if fast:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -400000")
    city = City(rng, years=years)
    # The stage and report tallies' triggers are off for the load and both tallies counted
    # once after it, from the leads and instalments as written (and their indexes built again).
    with triggers_paused(), IndexesDropped():
        while have < count:
            size = min(CHUNK, count - have)
            with transaction.atomic():
                first = city.tables[Lead].next_id
                for _ in range(size):
                    city.lead()
                city.flush()
                _history(first, city.tables[Lead].next_id - 1)
            have += size
            say(f"  seeded {have} leads ({time.perf_counter() - started:.0f} s)")
    _services(rng, count)
    if fast:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = NORMAL")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    took = seed_database(args.leads, years=args.years, seed=args.seed)
    counts = {m._meta.label: m._base_manager.count() for m in BULK_TABLES}
    sys.stdout.write(f"database: {connection.vendor}; seeding took {took:.1f} s; {counts}\n")


if __name__ == "__main__":
    main()
