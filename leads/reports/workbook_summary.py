"""The workbook's first sheet, 汇总: the figures, landing rate, backlog, trend charts and notes."""

from __future__ import annotations

from leads.reports.definitions import DEFINITIONS
from leads.reports.figures import MonthlyReport, growth
from leads.reports.page import (
    AFTER_LANDING_MEASURES,
    GROWTH_WINDOWS,
    RATE_ROWS,
    after_landing_value,
)
from leads.reports.sheet_layout import BOLD, COUNT, MONEY, PERCENT, RATE, WRAP, Sheet

MEASURES = [
    ("签约项目数（个）", "signed", "count", COUNT),
    ("签约金额", "signed", "amount", MONEY),
    ("落地项目数（个）", "landed", "count", COUNT),
    ("落地金额（签约投资额）", "landed", "amount", MONEY),
    ("落地项目的累计到位资金（不按到位日期）", "landed", "paid_in", MONEY),
]


def summary_sheet(sheet: Sheet, report: MonthlyReport) -> None:
    """Write 汇总: one block after the other, each starting two rows below the last."""
    row = sheet.title(report, "汇总", 7)
    row = _figures(sheet, report, row)
    row = _after_landing_figures(sheet, report, row)
    row = _landing_rate(sheet, report, row + 2)
    row = _rates(sheet, report, row + 2)
    row = _backlog_total(sheet, report, row + 2)
    row = _trend(sheet, report, row + 2)
    _notes(sheet, row)
    sheet.widths([24, 16, 16, 14, 16, 16, 14])
    sheet.page_setup()


def _header_row(sheet: Sheet, row: int, labels: list[str]) -> int:
    for column, label in enumerate(labels, start=1):
        sheet.header(row, column, label)
    return row


def _figures(sheet: Sheet, report: MonthlyReport, row: int) -> int:
    """Write the period's and year's figures with last year's and 同比; return the last row."""
    headers = ["指标", "本期", "上年同期", "同比(%)", "本年累计", "上年同期累计", "同比(%)"]
    _header_row(sheet, row, headers)
    for label, kind, measure, number_format in MEASURES:
        row += 1

        def value(totals, kind=kind, measure=measure):
            return getattr(getattr(totals, kind), measure)

        sheet.put(row, 1, label)
        windows = ("month", "last_year_month", "ytd", "last_year_ytd")
        values = [value(getattr(report, f"{w}_totals")) for w in windows]
        _growth_cells(sheet, row, values, number_format)
    return row


def _growth_cells(sheet: Sheet, row: int, values: list, number_format: str) -> None:
    """Write this period, last year, 同比, YTD, last YTD, 同比 from column 2 of `row`."""
    now, before, ytd, ytd_before = values
    sheet.put(row, 2, now, number_format)
    sheet.put(row, 3, before, number_format)
    sheet.put(row, 4, growth(now, before), PERCENT)
    sheet.put(row, 5, ytd, number_format)
    sheet.put(row, 6, ytd_before, number_format)
    sheet.put(row, 7, growth(ytd, ytd_before), PERCENT)


def _after_landing_figures(sheet: Sheet, report: MonthlyReport, row: int) -> int:
    """Write dated 到位资金, 开工 and 投产 below the figures, same columns; return the last row."""
    for label, figure, measure in AFTER_LANDING_MEASURES:
        row += 1
        sheet.put(row, 1, label)
        values = [after_landing_value(report, figure, measure, w) for w in GROWTH_WINDOWS]
        _growth_cells(sheet, row, values, COUNT if measure == "count" else MONEY)
    return row


def _rates(sheet: Sheet, report: MonthlyReport, row: int) -> int:
    """Write the 四率: numerator, denominator, percent (one place), each with its label."""
    row = _header_row(sheet, row, ["四率（截至本期末）", "分子", "数值", "分母", "数值", "比率(%)"])
    for key, name, numerator, denominator in RATE_ROWS:
        row += 1
        rate = report.after_landing.rates[key]
        number_format = MONEY if key == "paid_in" else COUNT
        sheet.put(row, 1, name)
        sheet.put(row, 2, numerator)
        sheet.put(row, 3, rate.numerator, number_format)
        sheet.put(row, 4, denominator)
        sheet.put(row, 5, rate.denominator, number_format)
        sheet.put(row, 6, rate.percent, RATE)
    return row


def _landing_rate(sheet: Sheet, report: MonthlyReport, row: int) -> int:
    rate = report.landing_rate
    row = _header_row(sheet, row, ["落地率", "本年累计签约（个）", "其中已落地（个）", "落地率(%)"])
    row += 1
    sheet.put(row, 1, "本年累计")
    sheet.put(row, 2, rate.signed_count, COUNT)
    sheet.put(row, 3, rate.landed_count, COUNT)
    sheet.put(row, 4, rate.percent, PERCENT)
    return row


def _backlog_total(sheet: Sheet, report: MonthlyReport, row: int) -> int:
    row = _header_row(sheet, row, ["签约未落地", "项目数（个）", "其中超期（个）", "签约金额"])
    row += 1
    sheet.put(row, 1, f"截至 {report.as_of:%Y-%m-%d}")
    sheet.put(row, 2, len(report.backlog), COUNT)
    sheet.put(row, 3, report.overdue_count, COUNT)
    sheet.put(row, 4, report.backlog.amount, MONEY)
    return row


def _trend(sheet: Sheet, report: MonthlyReport, row: int) -> int:
    """Write the 12-month table and its two charts, on a page of their own; return the next row."""
    trend_header = _header_row(
        sheet,
        row,
        ["月份", "签约项目数", "落地项目数", "签约金额", "落地金额", "落地项目累计到位资金"],
    )
    for point in report.trend:
        row += 1
        sheet.put(row, 1, point.period.short_label)
        sheet.put(row, 2, point.signed.count, COUNT)
        sheet.put(row, 3, point.landed.count, COUNT)
        sheet.put(row, 4, point.signed.amount, MONEY)
        sheet.put(row, 5, point.landed.amount, MONEY)
        sheet.put(row, 6, point.landed.paid_in, MONEY)
    last = row
    # The two charts print together on the second page, the notes on the third.
    sheet.page_break_after(row)
    row += 1
    for title, axis, first in (
        ("近12个月签约、落地项目数", "项目数（个）", 2),
        ("近12个月签约、落地金额", "金额（万元）", 4),
    ):
        series = [
            {
                "name": sheet.cell_ref(trend_header, column),
                "values": sheet.cells(trend_header + 1, last, column),
            }
            for column in (first, first + 1)
        ]
        categories = sheet.cells(trend_header + 1, last, 1)
        sheet.bar_chart(row, title=title, axis_title=axis, series=series, categories=categories)
        row += 17
    sheet.page_break_after(row)
    return row + 1


def _notes(sheet: Sheet, row: int) -> None:
    sheet.text(row, 1, "说明", BOLD)
    for term, text in DEFINITIONS:
        row += 1
        sheet.text(row, 1, term, WRAP)
        sheet.text(row, 2, text, WRAP, to_column=7, height=15 * (1 + len(text) // 60))
