"""The workbook's sheets added by counting by event and the ranking: 签约后终止与调整说明, 排名."""

from __future__ import annotations

from leads.reports.definitions import DEFINITIONS
from leads.reports.figures import MonthlyReport
from leads.reports.ranking import SCOPE_LABELS
from leads.reports.sheet_layout import COUNT, DATE, MONEY, PERCENT, WRAP, Sheet

EVENT_LABELS = {"signed": "签约", "landed": "落地"}
KIND_LABELS = {"correction": "更正误录", "late_entry": "补录"}


def _note(sheet: Sheet, row: int, width: int, term: str) -> int:
    sheet.text(row, 1, f"说明：{dict(DEFINITIONS)[term]}", WRAP, to_column=width, height=45)
    return row + 2


def dropped_and_adjustments_sheet(sheet: Sheet, report: MonthlyReport) -> None:
    """Write 签约后终止 (count, amount, leads) and the 调整说明 of the period.

    A linear sheet layout: the two tables and their notes follow each other
    down the sheet, written in the order they print.
    """
    width = 9
    row = sheet.title(report, "签约后终止与调整说明", width)
    dropped = report.signed_then_dropped
    for column, label in enumerate(["签约后终止", "项目数（个）", "签约金额"], start=1):
        sheet.header(row, column, label)
    for label, tally in (("本期", dropped.month), ("本年累计", dropped.ytd)):
        row += 1
        sheet.put(row, 1, label)
        sheet.put(row, 2, tally.count, COUNT)
        sheet.put(row, 3, tally.amount, MONEY)
    row += 2
    headers = ["项目编号", "项目名称", "引进小分队", "签约日期", "终止日期", "签约金额", "终止原因"]
    for column, label in enumerate(headers, start=1):
        sheet.header(row, column, label)
    for item in dropped.leads:
        row += 1
        values = [
            (item.code, None),
            (item.name, None),
            (item.team or "—", None),
            (item.signed_on, DATE),
            (item.dropped_on, DATE),
            (item.amount, MONEY),
            (item.reason, None),
        ]
        sheet.put_row(row, values)
    row = _note(sheet, row + 2, width, "签约后终止")
    headers = ["调整说明", "项目编号", "项目名称", "事项", "原计入日期", "金额", "调整日期"]
    headers += ["操作人", "原因"]
    for column, label in enumerate(headers, start=1):
        sheet.header(row, column, label)
    for item in report.corrections:
        row += 1
        locked = "（已封存月份）" if item.locked else ""
        values = [
            (KIND_LABELS[item.kind] + locked, None),
            (item.code, None),
            (item.name, None),
            (("撤销" if item.kind == "correction" else "补计") + EVENT_LABELS[item.event], None),
            (item.event_on, DATE),
            (item.amount, MONEY),
            (item.changed_on, DATE),
            (item.by, None),
            (item.reason, None),
        ]
        sheet.put_row(row, values)
    if not report.corrections:
        row += 1
        sheet.put(row, 1, "本期无调整。")
    _note(sheet, row + 2, width, "调整说明")
    sheet.widths([16, 15, 30, 14, 12, 14, 12, 12, 30])
    sheet.page_setup()


def ranking_sheet(sheet: Sheet, report: MonthlyReport) -> None:
    """Write the ranking (排名): per scope, rank, change, target, actuals, completion, mark."""
    headers = [
        "范围",
        "名次",
        "名次变化",
        "名称",
        "签约金额目标",
        "本年累计签约（个）",
        "本年累计签约金额",
        "本年累计落地（个）",
        "本年累计落地金额",
        "完成率(%)",
        "评价",
    ]
    row = sheet.title(report, "排名（红黑榜）", len(headers))
    for column, label in enumerate(headers, start=1):
        sheet.header(row, column, label)
    header_rows = f"{row}:{row}"
    for item in report.ranking:
        row += 1
        values = [
            (SCOPE_LABELS[item.scope], None),
            (item.rank, COUNT),
            (item.rank_change, COUNT),
            (item.name, None),
            (item.target.signed.amount, MONEY),
            (item.actual.signed.count, COUNT),
            (item.actual.signed.amount, MONEY),
            (item.actual.landed.count, COUNT),
            (item.actual.landed.amount, MONEY),
            (item.percent, PERCENT),
            (item.mark, None),
        ]
        sheet.put_row(row, values, overdue=item.mark == "末位")
    if not report.ranking:
        row += 1
        sheet.put(row, 1, "尚未录入小分队、单位或分包领导的签约金额年度目标，无排名。")
    _note(sheet, row + 2, len(headers), "排名")
    sheet.widths([12, 8, 10, 24, 15, 12, 15, 12, 15, 11, 8])
    sheet.page_setup(header_rows)
