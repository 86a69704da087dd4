"""The annual target workbook (年度目标): template, import and export.

One row per year and scope: the whole district (全区, 所属产业, 负责小分队,
单位 and 分包领导 all left blank), one industry, one task team, one unit
(单位) or one 分包领导. A row updates the target of the same year and scope,
or creates it; blank figures keep the stored value (a new target starts at 0).
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import F

from crm.spreadsheets.cells import CellError, NameLookup, clean_text, parse_amount
from crm.spreadsheets.results import RowError
from crm.spreadsheets.simple import SimpleImporter, Spec
from crm.spreadsheets.writer import Column, write_rows
from leads.models import AnnualTarget, Industry, IndustryAlias, TaskTeam, Unit
from leads.resources import target_columns

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_COUNT = 2_147_483_647
DISTRICT = "全区"
_COUNT_RE = re.compile(r"^(-?\d+(?:\.\d+)?)(项|个|家)?$")
# The scope columns of a target; a row fills at most one.
SCOPES = ("industry_id", "team_id", "unit_id", "leader")
_YEAR_RE = re.compile(r"^(\d+)(?:\.0+)?年?(度)?$")


def parse_year(value) -> int | None:
    """Return the year in `value` (2026, 2026年, ２０２６); None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("年度应为四位年份，如 2026。")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "")
    if not text:
        return None
    match = _YEAR_RE.match(text)
    if not match or len(match.group(1)) != 4:
        raise CellError(f"无法识别的年度“{text}”，请填写四位年份，如 2026。")
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CellError(f"年度“{year}”超出范围，应在 {FIRST_YEAR} 至 {LAST_YEAR} 年之间。")
    return year


def parse_count(value) -> int | None:
    """Return the project count in `value` (12, １２, 12项, 12个); None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("项目数应为整数。")
    if isinstance(value, int | float):
        text = format(value, ".15g")
    else:
        text = unicodedata.normalize("NFKC", clean_text(value))
        text = re.sub(r"[\s,]", "", text)
        if not text:
            return None
    match = _COUNT_RE.match(text)
    if not match:
        raise CellError(f"无法识别的项目数“{text}”，请填写整数，如 12。")
    number = float(match.group(1)) if "." in match.group(1) else int(match.group(1))
    if number < 0:
        raise CellError("项目数不能为负数。")
    if number != int(number):
        raise CellError(f"项目数“{text}”应为整数。")
    if number > MAX_COUNT:
        raise CellError("项目数过大。")
    return int(number)


class TargetImporter(SimpleImporter):
    kind = "targets"
    title = "年度目标"
    model = AnnualTarget
    key = ("year", "industry_id", "team_id", "unit_id", "leader")
    permission = "leads.import_annualtarget"
    notes = """
导入规则：
1. 每行是某一年度的一项目标：所属产业、负责小分队、单位、分包领导都留空为全区目标；
   只填其中一列为该产业、小分队、单位或分包领导的目标；一行只能填写其中一列。
2. 按“年度+所属产业+负责小分队+单位+分包领导”匹配：已有的目标更新（空白单元格保持原值），
   没有的新建（空白的数字记为0）。
3. 所属产业须为系统中的产业名称或产业别名；负责小分队、单位须为系统中已有的名称；
   分包领导填写领导姓名，与线索的“分包领导”一致。
4. 项目数为不小于0的整数；金额单位为万元，可填“1.2亿”。
5. 任何一行有误则整个文件不写入；同一文件重复导入不会产生任何变化。
"""

    def specs(self):
        headers = dict(target_columns())
        industries = dict(Industry.objects.values_list("name", "pk"))
        self.industry_names = {pk: name for name, pk in industries.items()}
        aliases = dict(IndustryAlias.objects.values_list("name", "industry_id"))
        teams = dict(TaskTeam.objects.values_list("name", "pk"))
        self.team_names = {pk: name for name, pk in teams.items()}
        units = dict(Unit.objects.values_list("name", "pk"))
        self.unit_names = {pk: name for name, pk in units.items()}
        return [
            Spec(headers["year"], "year", parse_year, required=True),
            Spec(headers["industry"], "industry_id", NameLookup(aliases | industries, "产业")),
            Spec(headers["team"], "team_id", NameLookup(teams, "小分队")),
            Spec(headers["unit"], "unit_id", NameLookup(units, "单位")),
            Spec(headers["leader"], "leader", clean_text),
            Spec(headers["signed_count"], "signed_count", parse_count),
            Spec(headers["signed_amount"], "signed_amount", parse_amount),
            Spec(headers["landed_count"], "landed_count", parse_count),
            Spec(headers["landed_amount"], "landed_amount", parse_amount),
        ]

    def check(self, row, values, labels):
        given = [name for name in SCOPES if values.get(name)]
        if len(given) > 1:
            return [
                RowError(
                    row,
                    labels[given[-1]],
                    f"一行只能是一项目标：{'、'.join(labels[name] for name in SCOPES)}"
                    "只能填写其中一列，全区目标都留空。",
                )
            ]
        return []

    def describe(self, values):
        names = {
            "industry_id": self.industry_names,
            "team_id": self.team_names,
            "unit_id": self.unit_names,
        }
        scope = DISTRICT
        for name in SCOPES:
            if values.get(name):
                scope = names[name].get(values[name], "") if name in names else values[name]
                break
        year = values.get("year")
        return f"{year or ''} {scope}".strip()

    def fill(self, values):
        # A blank figure of a new target takes the model's default (0).
        return {name: value for name, value in values.items() if value is not None}

    def columns(self):
        helps = {
            "year": "四位年份，如 2026。",
            "industry": "产业目标填写产业名称；其他目标留空。",
            "team": "小分队目标填写小分队名称；其他目标留空。",
            "unit": "单位目标填写单位名称（街道/乡镇、部门、牵头单位）；其他目标留空。",
            "leader": "分包领导目标填写领导姓名；其他目标留空。",
            "signed_amount": "单位：万元，可填“1.2亿”。",
            "landed_amount": "单位：万元，可填“1.2亿”。",
        }
        kinds = {
            "year": "integer",
            "signed_count": "integer",
            "landed_count": "integer",
            "signed_amount": "amount",
            "landed_amount": "amount",
        }
        options = {
            "industry": lambda: list(Industry.objects.values_list("name", flat=True)),
            "team": lambda: list(
                TaskTeam.objects.filter(active=True).values_list("name", flat=True)
            ),
            "unit": lambda: list(Unit.objects.filter(active=True).values_list("name", flat=True)),
        }
        return [
            Column(
                header,
                kind=kinds.get(name, "text"),
                width=30 if name in ("industry", "team", "unit") else 16,
                help=helps.get(name, ""),
                options=options.get(name),
                required=name == "year",
            )
            for name, header in target_columns()
        ]


def export_targets(output, queryset=None, *, year: int | None = None) -> int:
    """Write annual targets to an .xlsx at `output` in the import's columns; return the row count.

    District targets come first in each year, then industries in their
    display order, then task teams, units and 分包领导 by name.
    """
    queryset = AnnualTarget.objects.all() if queryset is None else queryset
    if year is not None:
        queryset = queryset.filter(year=year)
    rows = queryset.order_by(
        "-year",
        "leader",
        F("unit__name").asc(nulls_first=True),
        F("team__name").asc(nulls_first=True),
        F("industry__order").asc(nulls_first=True),
        "industry__name",
    ).values_list(
        "year",
        "industry__name",
        "team__name",
        "unit__name",
        "leader",
        "signed_count",
        "signed_amount",
        "landed_count",
        "landed_amount",
    )
    importer = TargetImporter()
    return write_rows(output, title=importer.title, columns=importer.columns(), rows=rows)
