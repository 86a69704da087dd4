"""LeadImporter: the lead workbook's import, used by the admin, the staff pages and the command."""

import gc
from contextlib import contextmanager

from crm.spreadsheets.importers import WorkbookImporter
from crm.spreadsheets.reader import Sheet, read_sheet, sheet_titles
from leads.excel.claims import claim_creations
from leads.excel.columns import lead_workbook_columns
from leads.excel.paid_in import PAID_IN_SHEET, paid_in_headers
from leads.excel.plan import LeadPlanner
from leads.excel.sql import write_cache
from leads.excel.write import write_plan
from leads.resources import REQUIRED_COLUMNS, lead_columns


class LeadImporter(WorkbookImporter):
    kind = "leads"
    permission = "leads.import_lead"
    title = "招商线索"
    notes = """
导入规则：
1. 第1行为表头，列的顺序可以调整，但列名须与模板一致；数据从第2行开始。
   必须有的列：项目名称、投资方、所属产业、线索来源、当前阶段；其余列可以没有，
   没有的列保持系统中的原值（新建的线索该项为空）。模板以外的列会被忽略，并给出提示。
2. 全部行校验通过后才会写入；任何一行有误，整个文件都不会写入。
   出错的行会在“错误说明”列中标出，改正后可直接重新上传。
3. 有项目编号的行更新该编号的线索；
   没有编号的行按“投资方+项目名称”匹配已有线索，匹配不到则新建并自动编号。
4. 同一文件重复导入不会产生任何变化。更新已有线索时，空白单元格保持系统中的原值（不会清空）。
5. 当前阶段按系统的阶段规则推进（与在系统中逐条操作相同），并记录阶段变更历史，渠道为“Excel导入”。
   导入不会替您填写日期：当前阶段为签约或落地（或经过签约）的行须填写签约日期，
   落地的行还须填写落地日期；考察日期、意向日期没有填写的保持空白。
6. 终止原因可写成“落户他地：郑州市”或“落户他地（苏州）”，落户地即取括号或冒号后的地点；
   同时填写了落户地一列的，两处须一致。
7. 新建的已终止线索按“终止前阶段”记录可恢复到的阶段（须有该阶段所需的数据），未填则为接洽。
8. 责任人填写姓名或用户名；有同名用户时须填写用户名。
9. 单元格不能是 Excel 错误值（如 #VALUE!、#N/A）或合并单元格，文字不能超过 32,767 个字符。
10. 开工日期、投产日期只能在项目落地后填写，按阶段日期的顺序且不晚于今天；
    已登记的日期只有局领导可以更正。
    计划开工日期、计划投产日期每次修改都保留一个计划版本，调整原因记为“Excel导入：文件名”。
    重点项目填写“是”或“否”，修改需要“可标记重点项目”权限。
11. 到位资金(万元)一列是各笔到位资金的合计，只读：留空或与合计一致即可，不一致的行会报错。
    到位资金请在名为“到位资金”的工作表中逐笔填写（项目编号、到位日期、金额(万元)、类别、备注），
    可与“招商线索”工作表放在同一工作簿中，也可以单独一个工作簿只含“到位资金”工作表。
    每行新增一笔到位资金：项目须已签约或落地，到位日期不晚于今天、不早于签约日期，
    金额大于0且最多两位小数。
    已登记过的同一笔（项目编号、到位日期、金额、类别、备注都相同）视为未变，不会重复登记；
    到位资金登记后不能通过导入修改或删除。两个工作表一起校验，任何一处有误都不会写入。
"""

    def columns(self):
        return lead_workbook_columns()

    def required_headers(self):
        headers = dict(lead_columns())
        return [headers[name] for name in REQUIRED_COLUMNS]

    def read(self, data: bytes) -> Sheet:
        """Return the lead sheet, with the 到位资金 sheet as its companion when the file has one.

        A workbook with only a 到位资金 sheet imports instalments alone: its
        lead sheet is empty.
        """
        titles = sheet_titles(data)
        if PAID_IN_SHEET not in titles:
            return super().read(data)
        others = [title for title in titles if title != PAID_IN_SHEET]
        if others:
            sheet = read_sheet(
                data,
                columns=self.headers(),
                required=self.required_headers(),
                exclude=(PAID_IN_SHEET,),
            )
        else:
            sheet = Sheet(title=self.title, headers=[], columns={})
        paid_in = read_sheet(
            data,
            columns=paid_in_headers(),
            required=paid_in_headers(required_only=True),
            title=PAID_IN_SHEET,
            allow_empty=bool(others),
        )
        sheet.companions[PAID_IN_SHEET] = paid_in
        sheet.warnings += [f"“{PAID_IN_SHEET}”工作表：{text}" for text in paid_in.warnings]
        return sheet

    def plan(self, sheet, *, actor, at, progress):
        with collector_paused():
            planner = LeadPlanner(actor=actor, at=at, progress=progress, reason=self.note)
            return planner.plan(sheet)

    def write(self, plan, *, actor, at, note):
        with collector_paused(), write_cache():
            claim_creations(plan, at=at)
            write_plan(plan, actor=actor, at=at, note=note)


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector while a workbook is planned or written.

    The import holds every row and its plans (small objects with no cycles
    among them) until they are written; the collector would otherwise scan
    them all again each time enough new ones pile up, which measured a
    quarter of the planning time at 20,000 rows. Memory is unaffected:
    objects without cycles are freed by reference counting as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
