"""LeadResource: the columns of the lead workbook (台账), and the admin's import and export.

The Resource declares the columns, in order, with their Chinese headers.
Imports, in the admin as on the staff pages and the command line, run
through `leads.excel` (python-calamine, reference data read once, bulk
writes that apply the pipeline rules of `leads.services`); the stock
row-by-row path of django-import-export would save leads without them.
"""

from import_export import fields, resources, widgets

from crm.spreadsheets.admin_bridge import ImportThroughPlanMixin
from crm.spreadsheets.cells import UserLookup
from crm.spreadsheets.widgets import ChoiceLabelWidget
from leads.models import AnnualTarget, Industry, Lead, TaskTeam, Unit


class LeadResource(ImportThroughPlanMixin, resources.ModelResource):
    code = fields.Field(attribute="code", column_name="项目编号")
    name = fields.Field(attribute="name", column_name="项目名称")
    investor = fields.Field(attribute="investor", column_name="投资方")
    origin = fields.Field(attribute="origin", column_name="投资方所在地")
    origin_type = fields.Field(
        attribute="origin_type",
        column_name="资金来源类别",
        widget=ChoiceLabelWidget(Lead._meta.get_field("origin_type").choices),
    )
    industry = fields.Field(
        attribute="industry",
        column_name="所属产业",
        widget=widgets.ForeignKeyWidget(Industry, "name"),
    )
    source = fields.Field(
        attribute="source",
        column_name="线索来源",
        widget=ChoiceLabelWidget(Lead._meta.get_field("source").choices),
    )
    chamber = fields.Field(
        attribute="chamber",
        column_name="推介商会",
        widget=widgets.ForeignKeyWidget(Lead.chamber.field.related_model, "name"),
    )
    entrepreneur = fields.Field(attribute="entrepreneur", column_name="回乡企业家")
    stage = fields.Field(
        attribute="stage", column_name="当前阶段", widget=ChoiceLabelWidget(Lead.STAGE)
    )
    team = fields.Field(
        attribute="team",
        column_name="负责小分队",
        widget=widgets.ForeignKeyWidget(TaskTeam, "name"),
    )
    leader = fields.Field(attribute="leader", column_name="分包领导")
    owner = fields.Field(attribute="owner", column_name="责任人")
    credit_unit = fields.Field(
        attribute="credit_unit",
        column_name="引进单位",
        widget=widgets.ForeignKeyWidget(Unit, "name"),
    )
    planned_investment = fields.Field(
        attribute="planned_investment",
        column_name="计划投资额(万元)",
        widget=widgets.DecimalWidget(),
    )
    contract_amount = fields.Field(
        attribute="contract_amount", column_name="签约投资额(万元)", widget=widgets.DecimalWidget()
    )
    visited_on = fields.Field(
        attribute="visited_on", column_name="考察日期", widget=widgets.DateWidget("%Y-%m-%d")
    )
    intent_on = fields.Field(
        attribute="intent_on", column_name="意向日期", widget=widgets.DateWidget("%Y-%m-%d")
    )
    signed_on = fields.Field(
        attribute="signed_on", column_name="签约日期", widget=widgets.DateWidget("%Y-%m-%d")
    )
    landed_on = fields.Field(
        attribute="landed_on", column_name="落地日期", widget=widgets.DateWidget("%Y-%m-%d")
    )
    registered_name = fields.Field(attribute="registered_name", column_name="落地企业名称")
    credit_code = fields.Field(attribute="credit_code", column_name="统一社会信用代码")
    paid_in = fields.Field(
        attribute="paid_in", column_name="到位资金(万元)", widget=widgets.DecimalWidget()
    )
    started_on = fields.Field(
        attribute="started_on", column_name="开工日期", widget=widgets.DateWidget("%Y-%m-%d")
    )
    in_production_on = fields.Field(
        attribute="in_production_on", column_name="投产日期", widget=widgets.DateWidget("%Y-%m-%d")
    )
    planned_started_on = fields.Field(
        attribute="planned_started_on",
        column_name="计划开工日期",
        widget=widgets.DateWidget("%Y-%m-%d"),
    )
    planned_in_production_on = fields.Field(
        attribute="planned_in_production_on",
        column_name="计划投产日期",
        widget=widgets.DateWidget("%Y-%m-%d"),
    )
    is_key = fields.Field(attribute="is_key", column_name="重点项目")
    drop_reason = fields.Field(attribute="drop_reason", column_name="终止原因")
    lost_to = fields.Field(attribute="lost_to", column_name="落户地")
    dropped_from = fields.Field(
        attribute="dropped_from",
        column_name="终止前阶段",
        widget=ChoiceLabelWidget(Lead._meta.get_field("dropped_from").choices),
    )
    next_follow_up = fields.Field(
        attribute="next_follow_up",
        column_name="下次跟进日期",
        widget=widgets.DateWidget("%Y-%m-%d"),
    )
    notes = fields.Field(attribute="notes", column_name="备注")

    workbook_kind = "leads"

    class Meta:
        model = Lead
        fields = (
            "code", "name", "investor", "origin", "origin_type", "industry", "source", "chamber",
            "entrepreneur", "stage", "team", "leader", "owner", "credit_unit", "planned_investment",
            "contract_amount", "visited_on", "intent_on", "signed_on", "landed_on",
            "registered_name", "credit_code", "paid_in", "started_on", "in_production_on",
            "planned_started_on", "planned_in_production_on", "is_key", "drop_reason", "lost_to",
            "dropped_from", "next_follow_up", "notes",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def dehydrate_entrepreneur(self, lead):
        return str(lead.entrepreneur) if lead.entrepreneur_id else ""

    def dehydrate_is_key(self, lead):
        return "是" if lead.is_key else "否"

    def dehydrate_owner(self, lead):
        if not hasattr(self, "_users"):
            self._users = UserLookup()
        return self._users.label(lead.owner_id)

    def get_export_queryset(self, request=None):
        return Lead.objects.select_related("industry", "chamber", "entrepreneur", "team", "owner")


# The columns every lead workbook must have; the others may be left out, and
# a left-out column keeps what the system holds.
REQUIRED_COLUMNS = ("name", "investor", "industry", "source", "stage")


def lead_columns() -> list[tuple[str, str]]:
    """Return (attribute, Chinese header) of every lead column, in workbook order."""
    return [(name, LeadResource.fields[name].column_name) for name in LeadResource._meta.fields]


class AnnualTargetResource(ImportThroughPlanMixin, resources.ModelResource):
    """The annual target workbook: one row per year and scope (全区, 产业, 小分队, 单位, 分包领导).

    A row with no scope (所属产业, 负责小分队, 单位, 分包领导 all blank) is the
    district's (全区) target.
    """

    year = fields.Field(attribute="year", column_name="年度", widget=widgets.IntegerWidget())
    industry = fields.Field(
        attribute="industry",
        column_name="所属产业",
        widget=widgets.ForeignKeyWidget(Industry, "name"),
    )
    team = fields.Field(
        attribute="team",
        column_name="负责小分队",
        widget=widgets.ForeignKeyWidget(TaskTeam, "name"),
    )
    unit = fields.Field(
        attribute="unit",
        column_name="单位",
        widget=widgets.ForeignKeyWidget(Unit, "name"),
    )
    leader = fields.Field(attribute="leader", column_name="分包领导")
    signed_count = fields.Field(
        attribute="signed_count", column_name="签约项目数", widget=widgets.IntegerWidget()
    )
    signed_amount = fields.Field(
        attribute="signed_amount", column_name="签约金额(万元)", widget=widgets.DecimalWidget()
    )
    landed_count = fields.Field(
        attribute="landed_count", column_name="落地项目数", widget=widgets.IntegerWidget()
    )
    landed_amount = fields.Field(
        attribute="landed_amount", column_name="落地金额(万元)", widget=widgets.DecimalWidget()
    )

    workbook_kind = "targets"

    class Meta:
        model = AnnualTarget
        fields = (
            "year", "industry", "team", "unit", "leader", "signed_count", "signed_amount",
            "landed_count", "landed_amount",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("year", "industry", "team", "unit", "leader")
        skip_unchanged = True
        report_skipped = True

    def get_export_queryset(self, request=None):
        return AnnualTarget.objects.select_related("industry", "team")


def target_columns() -> list[tuple[str, str]]:
    """Return (attribute, Chinese header) of every annual target column, in workbook order."""
    return [
        (name, AnnualTargetResource.fields[name].column_name)
        for name in AnnualTargetResource._meta.fields
    ]
