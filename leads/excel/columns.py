"""The columns of the lead workbook: headers from LeadResource, cell types, help and dropdowns."""

from crm.spreadsheets.writer import Column
from leads.choices import PIPELINE_STAGE_CHOICES, OriginType, Source, Stage
from leads.models import Industry, Lead, TaskTeam, Unit
from leads.resources import lead_columns

# The referring chamber model, reached through the lead's
# foreign keys: leads never imports the chambers app, which depends on it.
Chamber = Lead.chamber.field.related_model

KINDS = {
    "planned_investment": "amount",
    "contract_amount": "amount",
    "paid_in": "amount",
    "visited_on": "date",
    "intent_on": "date",
    "signed_on": "date",
    "landed_on": "date",
    "next_follow_up": "date",
    "started_on": "date",
    "in_production_on": "date",
    "planned_started_on": "date",
    "planned_in_production_on": "date",
}
WIDTHS = {"name": 28, "investor": 28, "registered_name": 28, "credit_code": 22, "notes": 40}
REQUIRED = {"name", "investor", "industry", "source"}
WIDTHS["drop_reason"] = 24
WIDTHS["credit_unit"] = 20
DATE_HELP = "日期，如 2026-03-05、2026/3/5、2026.3.5 或 2026年3月5日。"
AMOUNT_HELP = "单位万元，可写 3000、3,000万 或 1.2亿（=12000）。"
HELP = {
    "code": "已有线索填写系统编号（如 ZS-2026-0001）即更新该线索；新线索留空，系统自动编号。"
    "未填编号时，按“投资方+项目名称”匹配已有线索。",
    "name": "项目名称。",
    "investor": "投资方（企业全称）。",
    "origin": "投资方所在地，如 深圳、江苏苏州。",
    "origin_type": "资金来源类别。",
    "industry": "十大重点产业之一，可写产业全称或常用别名。",
    "source": "线索来源。",
    "chamber": "线索来源为“商会推介”时必填，须为系统中已有的商会名称。",
    "entrepreneur": "线索来源为“回乡创业”时必填，须为系统中已有的企业家姓名；"
    "同名时写成“姓名（企业名称）”。",
    "stage": "新线索留空即为“接洽”。导入按阶段规则推进：进入意向须填计划投资额，"
    "进入签约须填签约日期和签约投资额，进入落地须填落地企业名称和统一社会信用代码；终止须填终止原因。"
    "导入不能退回阶段。",
    "team": "通常留空，由阶段的负责小分队自动接手；指定其他小分队需要“可指定负责小分队”权限。",
    "leader": "包抓该项目的区级领导。",
    "credit_unit": "首谈/引进该项目的单位（街道/乡镇、部门、十大产业牵头单位），"
    "须为系统中已有的单位名称；可不填。月度通报“按引进单位”据此统计。",
    "owner": "线索的责任人：填写系统用户的姓名或用户名；有同名用户时须填写用户名。",
    "visited_on": "考察日期（可不填，导入不会自动填写）。" + DATE_HELP,
    "intent_on": "意向日期（可不填，导入不会自动填写）。" + DATE_HELP,
    "planned_investment": AMOUNT_HELP,
    "contract_amount": AMOUNT_HELP,
    "signed_on": "进入或经过签约的行必填，导入不会以今天代替。" + DATE_HELP,
    "landed_on": "落地的行必填，导入不会以今天代替。" + DATE_HELP,
    "registered_name": "落地注册的企业名称。",
    "credit_code": "18位统一社会信用代码（GB 32100-2015，含校验位）。",
    "paid_in": "各笔到位资金之和（万元），只读：导出时写入合计，导入时须与合计一致或留空；"
    "到位资金请在“到位资金”工作表中逐笔登记。",
    "started_on": "项目落地后填写，不能早于落地日期、不能晚于今天；"
    "已登记的开工日期只有局领导可以更正。" + DATE_HELP,
    "in_production_on": "开工后填写，不能早于开工日期、不能晚于今天；"
    "已登记的投产日期只有局领导可以更正。" + DATE_HELP,
    "planned_started_on": "修改已有计划时记录一个计划版本，"
    "调整原因为“Excel导入：文件名”。" + DATE_HELP,
    "planned_in_production_on": "修改规则同计划开工日期。" + DATE_HELP,
    "is_key": "填写“是”或“否”（也可写 Y/N、TRUE/FALSE、1/0）；"
    "修改需要“可标记重点项目”权限（局领导）。",
    "drop_reason": "终止时必填；为“落户他地”时还须填写落户地，"
    "可写在落户地一列，或写成“落户他地：郑州市”“落户他地（苏州）”。",
    "lost_to": "终止原因为“落户他地”时，项目最终落户的地方。",
    "dropped_from": "新建已终止的线索时可填：终止前所处的阶段（恢复时回到该阶段），"
    "须有该阶段所需的数据；不填为接洽。",
    "next_follow_up": DATE_HELP,
    "notes": "备注。",
}


def _labels(choices):
    return lambda: [str(label) for _value, label in choices]


OPTIONS = {
    "industry": lambda: list(Industry.objects.values_list("name", flat=True)),
    "source": _labels(Source.choices),
    "origin_type": _labels(OriginType.choices),
    "stage": _labels(Stage.choices),
    "dropped_from": _labels(PIPELINE_STAGE_CHOICES),
    "team": lambda: list(TaskTeam.objects.filter(active=True).values_list("name", flat=True)),
    "chamber": lambda: list(Chamber.objects.values_list("name", flat=True)),
    "credit_unit": lambda: list(Unit.objects.filter(active=True).values_list("name", flat=True)),
    "is_key": lambda: ["是", "否"],
}


def lead_workbook_columns() -> list[Column]:
    """Return the lead workbook's columns, in order."""
    return [
        Column(
            header=header,
            kind=KINDS.get(name, "text"),
            width=WIDTHS.get(name, 14),
            help=HELP.get(name, ""),
            options=OPTIONS.get(name),
            required=name in REQUIRED,
        )
        for name, header in lead_columns()
    ]
