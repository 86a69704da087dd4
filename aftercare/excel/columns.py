"""The columns of the problem ledger, shared by the import, the export and the template."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from aftercare.choices import Category, FeedbackWay, ProblemChannel, Rating, Status
from crm.spreadsheets.cells import ChoiceParser, clean_text, parse_date
from crm.spreadsheets.writer import Column


@dataclass(frozen=True)
class LedgerColumn:
    field: str
    header: str
    kind: str = "text"
    width: int = 14
    choices: tuple = ()
    help: str = ""

    @cached_property
    def parse(self):
        if self.kind == "date":
            return parse_date
        if self.choices:
            return ChoiceParser(self.choices)
        return clean_text


LEDGER = [
    LedgerColumn("code", "诉求编号", help="留空则新建并自动编号；填写已有编号则更新该诉求。"),
    LedgerColumn("enterprise", "企业名称", width=28, help="必填；系统中没有的企业将新建。"),
    LedgerColumn("credit_code", "统一社会信用代码", width=22, help="选填；填写时按代码匹配企业。"),
    LedgerColumn("raised_on", "反映日期", "date", help="必填。"),
    LedgerColumn("raised_via", "反映渠道", choices=tuple(ProblemChannel.choices)),
    LedgerColumn("category", "诉求类别", choices=tuple(Category.choices)),
    LedgerColumn("description", "诉求内容", width=40),
    LedgerColumn(
        "unit",
        "责任单位",
        width=18,
        help="填写系统中的单位或小分队名称（先按单位匹配），或区外/其他部门的单位名称。",
    ),
    LedgerColumn("handler", "经办人", help="系统用户名或姓名。"),
    LedgerColumn("deadline", "办理时限", "date", help="留空则按诉求类别的默认时限计算。"),
    LedgerColumn("status", "办理状态", choices=tuple(Status.choices), help="留空为待办。"),
    LedgerColumn("resolution", "办理结果", width=30, help="已办结、已销号必填。"),
    LedgerColumn("resolved_on", "办结日期", "date", help="已办结、已销号必填。"),
    LedgerColumn("explanation", "政策解释", width=30, help="记录在案必填。"),
    LedgerColumn("review_on", "复核日期", "date", help="记录在案必填。"),
    LedgerColumn("escalated_to", "上报单位", help="已上报必填。"),
    LedgerColumn("escalated_on", "上报日期", "date", help="已上报必填。"),
    LedgerColumn("escalation_answer", "上级答复", width=30),
    LedgerColumn("feedback_on", "反馈日期", "date", help="已销号必填。"),
    LedgerColumn("feedback_way", "反馈方式", choices=tuple(FeedbackWay.choices)),
    LedgerColumn("rating", "企业评价", choices=tuple(Rating.choices)),
    LedgerColumn("closed_on", "销号日期", "date", help="已销号必填。"),
]
HEADERS = {column.field: column.header for column in LEDGER}
REQUIRED = ("enterprise", "raised_on", "raised_via", "category", "description", "unit")


def workbook_columns() -> list[Column]:
    """Return the ledger's columns as the spreadsheet layer's Column (template, export)."""
    return [
        Column(
            column.header,
            kind=column.kind,
            width=column.width,
            help=column.help,
            options=(lambda c=column: [str(label) for _v, label in c.choices])
            if column.choices
            else None,
            required=column.field in REQUIRED,
        )
        for column in LEDGER
    ]
