"""The report workbook's 督办清单 sheet: the late nodes on the day the workbook is built."""

from __future__ import annotations

from django.utils import timezone

from leads.overdue import overdue_first, overdue_nodes
from leads.reports.figures import MonthlyReport
from leads.reports.sheet_layout import COUNT, DATE, WRAP, Sheet

HEADERS = (
    ("序号", 6),
    ("项目编号", 15),
    ("项目名称", 28),
    ("负责小分队", 14),
    ("分包领导", 12),
    ("督办事项", 16),
    ("计划/时限日期", 13),
    ("逾期天数", 10),
    ("计划调整次数", 10),
    ("最新督办意见", 36),
    ("办理期限", 12),
)
NOTE = (
    "说明：逾期节点指计划签约、落地、开工、投产日期已过而尚未完成的节点（签约、落地以项目当前所处阶段为准，"
    "终止的项目不列入）；签约超时限未落地指停留“签约”阶段超过该阶段时限的项目。本表为制表当日的督办清单，"
    "封存的通报保留封存时的清单。"
)


def overdue_sheet(sheet: Sheet, report: MonthlyReport, listed: int | None = None) -> None:
    """Write 督办清单: a row per late node (the first `listed`), most late first, as of today,
    and the definition."""
    today = timezone.localdate()
    if listed is None:
        nodes = overdue_nodes(today=today)
        total = len(nodes)
    else:
        nodes, total = overdue_first(listed, today=today)
    row = sheet.title(report, f"督办清单（截至 {today:%Y-%m-%d}）", len(HEADERS))
    for column, (label, _width) in enumerate(HEADERS, start=1):
        sheet.header(row, column, label)
    header_rows = f"{row}:{row}"
    for number, item in enumerate(nodes, start=1):
        row += 1
        values = (
            (number, COUNT),
            (item.code, None),
            (item.name, None),
            (item.team or "—", None),
            (item.leader or "—", None),
            (item.kind_label, None),
            (item.planned_on, DATE),
            (item.days_late, COUNT),
            (item.slips, COUNT),
            (item.note, None),
            (item.note_deadline, DATE),
        )
        sheet.put_row(row, values)
    row += 2
    if total > len(nodes):
        rest = (
            f"本表列出逾期最久的前 {len(nodes)} 项（共 {total} 项）；"
            "完整清单请在“督办清单”页面导出。"
        )
        sheet.text(row, 1, rest, WRAP, to_column=len(HEADERS))
        row += 1
    sheet.text(row, 1, NOTE, WRAP, to_column=len(HEADERS), height=48)
    sheet.widths([width for _label, width in HEADERS])
    sheet.page_setup(header_rows)
