"""Benchmark the lead workbook's import and export against the stock library and the floor.

    python bench/import_export.py            # 100,000 rows (takes a few minutes)
    python bench/import_export.py --rows 20000 --stock-slice 5000

Generates a realistic N-row lead workbook (Chinese text, every column) and,
each step in its own subprocess on a fresh copy of a migrated SQLite
database (or the PostgreSQL database in BENCH_DATABASE_URL, emptied before
each import step), times:

  (a) our import into an empty database, history and stage transitions included;
  (b) a stock django-import-export ModelResource import of the same rows with
      default settings, on a slice (--stock-slice rows), extrapolated linearly;
  (c) the floor: python-calamine parse plus a raw executemany insert of the rows;
  (d) a stock ModelResource export of the imported leads to .xlsx;
  (e) the floor: XlsxWriter in constant-memory mode writing the same rows;
  (f) our export of the imported leads;
  (g) openpyxl's bare read-only parse of the same workbook (every cell of every
      sheet read as a value, nothing else): issue 14's yardstick for the import.

and prints seconds, rows per second, peak memory (ru_maxrss of the step's
process) and the ratios the targets are stated in.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file's name would shadow the django-import-export package it measures.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

ENV = {
    "DJANGO_SETTINGS_MODULE": "crm.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "benchmark-only-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_HTTPS": "0",
    "CRM_IMPORT_MAX_ROWS": "1000000",
    "CRM_IMPORT_MAX_BYTES": str(500 * 1024 * 1024),
}

CITIES = [
    "深圳",
    "上海",
    "杭州",
    "苏州",
    "广州",
    "成都",
    "武汉",
    "西安",
    "厦门",
    "宁波",
    "香港",
    "新加坡",
]
ORIGIN_TYPE = {"深圳": "省外境内", "香港": "境外", "新加坡": "境外"}
WORDS = [
    "华创",
    "远景",
    "恒通",
    "瑞丰",
    "鼎盛",
    "星河",
    "东方",
    "汇智",
    "中科",
    "海纳",
    "天合",
    "金石",
]
TRADES = [
    "新能源",
    "智能装备",
    "生物医药",
    "新材料",
    "电子信息",
    "食品加工",
    "现代物流",
    "文旅康养",
]
PROJECTS = ["产业园", "生产基地", "研发中心", "区域总部", "智能工厂", "扩产项目", "供应链中心"]
SOURCES = [
    "产业链招商",
    "商会推介",
    "回乡创业",
    "500强及龙头企业",
    "节会招商",
    "上级推介",
    "自主对接",
]
STAGES = ["接洽"] * 40 + ["考察"] * 20 + ["意向"] * 15 + ["签约"] * 15 + ["落地"] * 7 + ["终止"] * 3
LEADERS = ["王建国", "李志强", "张丽华", "刘海涛", "陈明", "杨帆"]


def credit_code(rng: random.Random) -> str:
    from leads.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

    body = "91" + "".join(rng.choice("0123456789") for _ in range(6))
    body += "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
    return body + credit_code_check_char(body)


def generate_rows(count: int, industries: list[str], chambers: list[str], entrepreneurs: list[str]):
    """Yield `count` realistic lead rows in workbook column order."""
    rng = random.Random(2026)
    today = date.today()
    for number in range(1, count + 1):
        city = rng.choice(CITIES)
        word = rng.choice(WORDS)
        trade = rng.choice(TRADES)
        stage = rng.choice(STAGES)
        source = rng.choice(SOURCES)
        planned = round(rng.uniform(500, 200000), 2)
        row = {
            "项目编号": f"ZS-2025-{number:06d}",
            "项目名称": f"{word}{trade}{rng.choice(PROJECTS)}（{number}期）",
            "投资方": f"{city}{word}{trade}集团有限公司",
            "投资方所在地": city,
            "资金来源类别": ORIGIN_TYPE.get(city, "省外境内"),
            "所属产业": rng.choice(industries),
            "线索来源": source,
            "推介商会": rng.choice(chambers) if source == "商会推介" else None,
            "回乡企业家": rng.choice(entrepreneurs) if source == "回乡创业" else None,
            "当前阶段": stage,
            "负责小分队": None,
            "分包领导": rng.choice(LEADERS),
            "计划投资额(万元)": planned if stage != "接洽" else None,
            "签约投资额(万元)": None,
            "签约日期": None,
            "落地日期": None,
            "落地企业名称": None,
            "统一社会信用代码": None,
            "到位资金(万元)": None,
            "终止原因": "投资方战略调整，项目暂缓" if stage == "终止" else None,
            "下次跟进日期": today + timedelta(days=rng.randint(1, 60)),
            "备注": f"{city}客商，{trade}方向，已对接{rng.randint(1, 9)}次。",
        }
        if stage in ("签约", "落地"):
            signed = today - timedelta(days=rng.randint(30, 700))
            row["签约投资额(万元)"] = round(planned * rng.uniform(0.5, 1.0), 2)
            row["签约日期"] = signed
            if stage == "落地":
                row["落地日期"] = signed + timedelta(days=rng.randint(1, 29))
                row["落地企业名称"] = f"{word}{trade}（本区）有限公司{number}"
                row["统一社会信用代码"] = credit_code(rng)
                row["到位资金(万元)"] = round(row["签约投资额(万元)"] * 0.3, 2)
        yield row


PAID_IN_HEADERS = ["项目编号", "到位日期", "金额(万元)", "类别", "备注"]


def write_workbook(path: Path, rows, headers: list[str]) -> None:
    from crm.spreadsheets.writer import Column, write_sheets

    kinds = {h: "date" for h in ("考察日期", "意向日期", "签约日期", "落地日期", "下次跟进日期")}
    kinds.update({h: "amount" for h in headers if h.endswith("(万元)")})
    columns = [Column(h, kind=kinds.get(h, "text")) for h in headers]
    # A landed row's 到位资金 arrived as one instalment, on the 到位资金 sheet (the
    # lead sheet's column is the sum of instalments and must agree with it).
    instalments: list = []

    def lead_rows():
        for r in rows:
            if r.get("到位资金(万元)"):
                paid = [r["项目编号"], r["落地日期"], r["到位资金(万元)"], "注册资本实缴", ""]
                instalments.append(paid)
            # Columns the generated ledger leaves blank (e.g. 责任人, 落户地) are written empty.
            yield [r.get(h) for h in headers]

    paid_kinds = {"到位日期": "date", "金额(万元)": "amount"}
    paid_columns = [Column(h, kind=paid_kinds.get(h, "text")) for h in PAID_IN_HEADERS]
    # The list is read only once the lead sheet is written, and so filled.
    sheets = [("招商线索", columns, lead_rows()), ("到位资金", paid_columns, iter(instalments))]
    write_sheets(path, sheets)


# -- steps, each run in its own process ---------------------------------------------


def django_setup():
    import django

    django.setup()


def step_ours_import(work: Path, args) -> dict:
    from leads.excel.lead_importer import LeadImporter

    data = (work / "leads.xlsx").read_bytes()
    started = time.perf_counter()
    report = LeadImporter().run(data, filename="bench.xlsx")
    seconds = time.perf_counter() - started
    # The import's peak, before the counts below: SQLite reads the tables for them through
    # its memory map (PRAGMA mmap_size), and the pages read count in the resident size.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert report.ok, report.error_lines()[:5]
    from leads.models import Lead, StageTransition

    return {
        "seconds": seconds,
        "peak_mb": peak_mb,
        "rows": args.rows,
        "note": f"{report.summary()}; {Lead.history.count()} history rows, "
        f"{StageTransition.objects.count()} transitions",
    }


def stock_resource():
    from import_export import fields, resources, widgets

    from chambers.models import Chamber
    from leads.models import Industry, Lead
    from leads.resources import LeadResource

    class LabelWidget(widgets.Widget):
        def __init__(self, choices):
            super().__init__()
            self.codes = {str(label): value for value, label in choices}
            self.labels = {value: str(label) for value, label in choices}

        def clean(self, value, row=None, **kwargs):
            return self.codes.get(value, value or "")

        def render(self, value, obj=None, **kwargs):
            return self.labels.get(value, value or "")

    class StockLeadResource(resources.ModelResource):
        """The stock path: default settings, row by row, FKs by name, choices by label."""

        industry = fields.Field(
            attribute="industry",
            column_name="所属产业",
            widget=widgets.ForeignKeyWidget(Industry, "name"),
        )
        chamber = fields.Field(
            attribute="chamber",
            column_name="推介商会",
            widget=widgets.ForeignKeyWidget(Chamber, "name"),
        )

        class Meta:
            model = Lead
            fields = tuple(LeadResource._meta.fields)
            import_id_fields = ("code",)

        def before_save_instance(self, instance, row, **kwargs):
            # The one thing the stock path cannot know: the stage a dropped lead left.
            if instance.stage == "dropped" and not instance.dropped_from:
                instance.dropped_from = "contact"

    resource = StockLeadResource()
    for name, header in [
        (n, LeadResource.fields[n].column_name) for n in LeadResource._meta.fields
    ]:
        field = resource.fields.get(name)
        if field is not None:
            field.column_name = header
    for name in ("stage", "source", "origin_type"):
        choices = Lead._meta.get_field(name).choices
        resource.fields[name].widget = LabelWidget(choices)
    for name in ("origin", "leader", "registered_name", "credit_code", "drop_reason", "notes"):
        # NOT NULL text columns: a blank cell is the empty string.
        resource.fields[name].widget = widgets.CharWidget(allow_blank=True)
    resource.fields.pop("entrepreneur", None)
    resource.fields.pop("team", None)
    return resource


def step_stock_import(work: Path, args) -> dict:
    import tablib

    resource = stock_resource()
    started = time.perf_counter()
    dataset = tablib.Dataset().load((work / "slice.xlsx").read_bytes(), format="xlsx")
    result = resource.import_data(dataset, dry_run=False)
    seconds = time.perf_counter() - started
    assert not result.has_errors(), result.row_errors()[:3]
    return {
        "seconds": seconds,
        "rows": len(dataset),
        "extrapolate": args.rows / len(dataset),
        "note": f"{len(dataset)}-row slice, extrapolated to {args.rows} rows",
    }


def step_floor_import(work: Path, args) -> dict:
    import io

    import python_calamine
    from django.db import connection, transaction

    from chambers.models import Chamber, Entrepreneur
    from leads.models import Industry, Lead

    started = time.perf_counter()
    workbook = python_calamine.CalamineWorkbook.from_filelike(
        io.BytesIO((work / "leads.xlsx").read_bytes())
    )
    grid = workbook.get_sheet_by_index(0).to_python()
    industries = dict(Industry.objects.values_list("name", "pk"))
    chambers = dict(Chamber.objects.values_list("name", "pk"))
    people = dict(Entrepreneur.objects.values_list("name", "pk"))
    codes = {}
    for name in ("stage", "source", "origin_type"):
        codes[name] = {str(label): value for value, label in Lead._meta.get_field(name).choices}
    sqlite = connection.vendor == "sqlite"

    def day(value):
        if value == "":
            return None
        return value.isoformat() if sqlite else value

    def amount(value):
        return None if value == "" else value

    now = "2026-01-01 00:00:00" if sqlite else "2026-01-01T00:00:00+08:00"
    # The cells by their header (the ledger's columns are the Resource's, in its order).
    at = {header: index for index, header in enumerate(grid[0])}

    def cell(row, header):
        return row[at[header]]

    params = []
    for c in grid[1:]:
        stage = codes["stage"][cell(c, "当前阶段")]
        params.append(
            (
                now,
                now,
                cell(c, "项目编号"),
                cell(c, "项目名称"),
                cell(c, "投资方"),
                cell(c, "投资方所在地"),
                codes["origin_type"].get(cell(c, "资金来源类别"), ""),
                industries[cell(c, "所属产业")],
                codes["source"][cell(c, "线索来源")],
                chambers.get(cell(c, "推介商会")),
                people.get(cell(c, "回乡企业家")),
                stage,
                now,
                cell(c, "分包领导"),
                amount(cell(c, "计划投资额(万元)")),
                amount(cell(c, "签约投资额(万元)")),
                day(cell(c, "签约日期")),
                day(cell(c, "落地日期")),
                cell(c, "落地企业名称"),
                cell(c, "统一社会信用代码"),
                amount(cell(c, "到位资金(万元)")),
                cell(c, "终止原因"),
                "",
                "contact" if stage == "dropped" else "",
                day(cell(c, "下次跟进日期")),
                cell(c, "备注"),
                0,
                False,
                "",
                "",
                "",
            )
        )
    sql = (
        "INSERT INTO leads_lead (created, modified, code, name, investor, origin, origin_type,"
        " industry_id, source, chamber_id, entrepreneur_id, stage, stage_entered_at, leader,"
        " planned_investment, contract_amount, signed_on, landed_on, registered_name,"
        " credit_code, paid_in, drop_reason, lost_to, dropped_from, next_follow_up, notes,"
        " version, is_key, credit_key, investor_key, name_key) VALUES ("
        + ", ".join(["%s"] * 31)
        + ")"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(params), 5000):
            cursor.executemany(sql, params[start : start + 5000])
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(params), "note": "calamine + executemany, one table"}


def step_stock_export(work: Path, args) -> dict:
    from import_export.formats.base_formats import XLSX

    from leads.models import Lead

    resource = stock_resource()
    started = time.perf_counter()
    dataset = resource.export(Lead.objects.all())
    data = XLSX().export_data(dataset)
    (work / "stock-export.xlsx").write_bytes(data)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(dataset), "note": "ModelResource.export + XLSX"}


def step_floor_export(work: Path, args) -> dict:
    import xlsxwriter

    from leads.excel.export import SOURCES
    from leads.models import Lead
    from leads.resources import lead_columns

    fields = [SOURCES.get(name, name) for name, _h in lead_columns()]
    rows = list(Lead.objects.order_by("code").values_list(*fields))
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(str(work / "floor-export.xlsx"), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    for index, row in enumerate(rows):
        for column, value in enumerate(row):
            if value is not None and value != "":
                sheet.write(index, column, value)
    workbook.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(rows), "note": "rows pre-read; write() per cell"}


def step_ours_export(work: Path, args) -> dict:
    from leads.excel.export import export_leads

    started = time.perf_counter()
    count = export_leads(work / "our-export.xlsx")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": count, "note": "reads the database, labels, escapes"}


def step_openpyxl_parse(work: Path, args) -> dict:
    from openpyxl import load_workbook

    started = time.perf_counter()
    book = load_workbook(work / "leads.xlsx", read_only=True, data_only=True)
    cells = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += len(row)
    book.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": args.rows, "note": f"{cells} cells read"}


STEPS = {
    "a": ("our import", step_ours_import, "empty"),
    "b": ("stock import", step_stock_import, "empty"),
    "c": ("floor import", step_floor_import, "empty"),
    "f": ("our export", step_ours_export, "imported"),
    "d": ("stock export", step_stock_export, "imported"),
    "e": ("floor export", step_floor_export, "imported"),
    "g": ("openpyxl parse", step_openpyxl_parse, "none"),
}


def run_step(letter: str, work: Path, args) -> dict:
    django_setup()
    result = STEPS[letter][1](work, args)
    result.setdefault("peak_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


# -- the driver -----------------------------------------------------------------------


def database_url(work: Path, name: str) -> str:
    return os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{work / name}"


def manage(work: Path, db: str, *command: str) -> None:
    env = {**os.environ, **ENV, "DATABASE_URL": db}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *command], check=True, env=env)


def prepare(work: Path, args) -> None:
    template = database_url(work, "template.sqlite3")
    manage(work, template, "migrate", "--noinput", "-v0")
    manage(work, template, "loaddata", "reference", "-v0")
    script = (
        "from chambers.models import Chamber, Entrepreneur\n"
        "for i in range(20):\n"
        "    c, _ = Chamber.objects.get_or_create(name=f'深圳第{i}商会', kind='hometown')\n"
        "    Entrepreneur.objects.get_or_create(name=f'企业家{i}', company=f'公司{i}', chamber=c)\n"
    )
    manage(work, template, "shell", "-c", script)
    os.environ.update(ENV)
    os.environ["DATABASE_URL"] = template
    django_setup()
    from leads.models import Industry
    from leads.resources import lead_columns

    headers = [header for _n, header in lead_columns()]
    industries = list(Industry.objects.values_list("name", flat=True))
    chambers = [f"深圳第{i}商会" for i in range(20)]
    people = [f"企业家{i}" for i in range(20)]
    started = time.perf_counter()
    write_workbook(
        work / "leads.xlsx", generate_rows(args.rows, industries, chambers, people), headers
    )
    write_workbook(
        work / "slice.xlsx",
        generate_rows(min(args.stock_slice, args.rows), industries, chambers, people),
        headers,
    )
    size = (work / "leads.xlsx").stat().st_size / 2**20
    print(
        f"generated {args.rows} rows x {len(headers)} columns ({size:.1f} MB) "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


def fresh_database(work: Path, name: str) -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        manage(
            work,
            os.environ["BENCH_DATABASE_URL"],
            "shell",
            "-c",
            (
                "from django.db import connection\n"
                "with connection.cursor() as c:\n"
                "    c.execute('TRUNCATE leads_lead, leads_historicallead,'\n"
                "              ' leads_stagetransition CASCADE')\n"
            ),
        )
        return os.environ["BENCH_DATABASE_URL"]
    shutil.copy(work / "template.sqlite3", work / name)
    return database_url(work, name)


def spawn(letter: str, work: Path, db: str, args) -> dict:
    env = {**os.environ, **ENV, "DATABASE_URL": db}
    command = [
        sys.executable,
        __file__,
        "--step",
        letter,
        "--work",
        str(work),
        "--rows",
        str(args.rows),
        "--stock-slice",
        str(args.stock_slice),
    ]
    output = subprocess.run(command, check=False, env=env, capture_output=True, text=True)
    if output.returncode:
        sys.exit(f"step ({letter}) failed:\n{output.stderr[-3000:]}")
    result = json.loads(output.stdout.strip().splitlines()[-1])
    result["seconds_full"] = result["seconds"] * result.get("extrapolate", 1)
    print(
        f"({letter}) {STEPS[letter][0]:<13} {result['seconds_full']:8.1f} s "
        f"{args.rows / result['seconds_full']:9.0f} rows/s  peak {result['peak_mb']:6.0f} MB"
        f"  — {result['note']}",
        flush=True,
    )
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--stock-slice", type=int, default=10_000)
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--steps", default="abcdefg", help="run only these steps, e.g. acg")
    args = parser.parse_args()
    if args.step:
        print(json.dumps(run_step(args.step, Path(args.work), args)))
        return

    work = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    try:
        prepare(work, args)
        results = {}
        for letter in ("a", "b", "c"):
            if letter in args.steps:
                db = fresh_database(work, f"{letter}.sqlite3")
                results[letter] = spawn(letter, work, db, args)
        if set(args.steps) & set("def"):
            imported = fresh_database(work, "exported.sqlite3")
            spawn("a", work, imported, args)
            for letter in ("f", "d", "e"):
                if letter in args.steps:
                    results[letter] = spawn(letter, work, imported, args)
        if "g" in args.steps:
            results["g"] = spawn("g", work, database_url(work, "unused.sqlite3"), args)
        t = {letter: result["seconds_full"] for letter, result in results.items()}
        print()
        for num, den, label, target in (
            ("b", "a", "import: stock / ours", "target >= 10x"),
            ("a", "c", "import: ours / floor", "target <= 4x"),
            ("a", "g", "import: ours / openpyxl's bare parse", "target <= 0.8x"),
            ("d", "f", "export: stock / ours", "target >= 7x"),
            ("f", "e", "export: ours / floor", "target <= 1.3x"),
        ):
            if num in t and den in t:
                print(f"{label} = {t[num] / t[den]:.2f}x  ({target})")
        peaks = [results[letter]["peak_mb"] for letter in ("a", "f") if letter in results]
        if peaks:
            print(f"peak memory of our import and export: {max(peaks):.0f} MB  (target < 500 MB)")
    finally:
        if args.keep:
            print(f"working folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
