"""Excel downloads of the 督办 list and of the 重点项目推进表 (colour fills as on the page)."""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from crm.spreadsheets.writer import DATE_FORMAT, Column, write_rows
from leads.key_projects import AMBER, GREEN, RED, KeyProjectRow
from leads.nodes import NODE_RULES
from leads.overdue import OverdueRow

OVERDUE_COLUMNS = (
    Column("项目编号", width=16),
    Column("项目名称", width=30),
    Column("重点项目", width=8),
    Column("负责小分队", width=14),
    Column("分包领导", width=12),
    Column("督办事项", width=18),
    Column("计划/时限日期", "date", width=14),
    Column("逾期天数", "integer", width=10),
    Column("计划调整次数", "integer", width=12),
    Column("最新督办意见", width=40),
    Column("办理期限", "date", width=12),
)


def overdue_values(row: OverdueRow) -> tuple:
    """Return one 督办 row's cells in `OVERDUE_COLUMNS` order."""
    return (
        row.code,
        row.name,
        "是" if row.is_key else "否",
        row.team,
        row.leader,
        row.kind_label,
        row.planned_on,
        row.days_late,
        row.slips,
        row.note,
        row.note_deadline,
    )


def write_overdue_workbook(output, rows: Iterable[OverdueRow]) -> int:
    """Write the 督办 rows, in the order given, to `output`; return the count."""
    return write_rows(
        output, title="督办清单", columns=OVERDUE_COLUMNS, rows=map(overdue_values, rows)
    )


FILLS = {
    GREEN: PatternFill("solid", fgColor="C6EFCE"),
    AMBER: PatternFill("solid", fgColor="FFEB9C"),
    RED: PatternFill("solid", fgColor="FFC7CE"),
}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
KEY_HEADERS = (
    ("项目编号", 16),
    ("项目名称", 28),
    ("阶段", 8),
    ("负责小分队", 14),
    ("分包领导", 12),
    ("计划投资额(万元)", 14),
    ("签约投资额(万元)", 14),
    ("到位资金(万元)", 14),
)
NODE_SUBHEADERS = ("计划", "实际", "延误天数")
LEGEND = (
    "颜色说明：绿色 按期完成；黄色 延期完成（延误天数按完成日计）；"
    "红色 逾期未完成（延误天数计至今日）。"
)


def _header(sheet, row: int, column: int, value, *, rows: int = 1, columns: int = 1) -> None:
    if rows > 1 or columns > 1:
        sheet.merge_cells(
            start_row=row,
            start_column=column,
            end_row=row + rows - 1,
            end_column=column + columns - 1,
        )
    for r in range(row, row + rows):
        for c in range(column, column + columns):
            cell = sheet.cell(r, c)
            cell.border, cell.fill, cell.alignment = BORDER, HEADER_FILL, CENTER
            cell.font = Font(bold=True)
    sheet.cell(row, column, value)


def build_key_projects_workbook(rows: list[KeyProjectRow], *, year: int) -> Workbook:
    """Return the 重点项目推进表 of `year`: one row a project, plan vs actual per node, filled."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年重点项目推进表"
    width = len(KEY_HEADERS) + 3 * len(NODE_RULES)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(1, 1, f"{year}年重点项目推进表").font = Font(size=16, bold=True)
    sheet.cell(1, 1).alignment = CENTER
    for column, (label, column_width) in enumerate(KEY_HEADERS, start=1):
        _header(sheet, 2, column, label, rows=2)
        sheet.column_dimensions[get_column_letter(column)].width = column_width
    for index, rule in enumerate(NODE_RULES):
        first = len(KEY_HEADERS) + 1 + 3 * index
        _header(sheet, 2, first, str(rule.node.label), columns=3)
        for offset, label in enumerate(NODE_SUBHEADERS):
            _header(sheet, 3, first + offset, label)
            sheet.column_dimensions[get_column_letter(first + offset)].width = 11
    for number, project in enumerate(rows, start=4):
        _key_row(sheet, number, project)
    legend_row = len(rows) + 5
    sheet.merge_cells(start_row=legend_row, start_column=1, end_row=legend_row, end_column=width)
    sheet.cell(legend_row, 1, LEGEND)
    sheet.freeze_panes = "C4"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "2:3"
    return book


def _key_row(sheet, row: int, project: KeyProjectRow) -> None:
    values = (
        project.code,
        project.name,
        project.stage_label,
        project.team,
        project.leader,
        project.planned_investment,
        project.contract_amount,
        project.paid_in,
    )
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row, column, value)
        cell.border = BORDER
        if column > 5:
            cell.number_format = "#,##0.00"
    for index, node in enumerate(project.nodes):
        first = len(KEY_HEADERS) + 1 + 3 * index
        for offset, value in enumerate((node.planned, node.actual, node.days_late)):
            cell = sheet.cell(row, first + offset, value)
            cell.border = BORDER
            if offset < 2:
                cell.number_format = DATE_FORMAT
            if node.colour:
                cell.fill = FILLS[node.colour]
