"""ChamberResource and EntrepreneurResource: the columns of the chamber and entrepreneur workbooks.

As for leads, imports run through the workbook importers in
`chambers.excel` (tolerant parsing, all-or-nothing, history rows).
"""

from import_export import fields, resources, widgets

from chambers.models import Chamber, ChamberKind, Entrepreneur
from crm.spreadsheets.admin_bridge import ImportThroughPlanMixin
from crm.spreadsheets.widgets import ChoiceLabelWidget


class ChamberResource(ImportThroughPlanMixin, resources.ModelResource):
    name = fields.Field(attribute="name", column_name="商会名称")
    kind = fields.Field(
        attribute="kind", column_name="类别", widget=ChoiceLabelWidget(ChamberKind.choices)
    )
    location = fields.Field(attribute="location", column_name="所在地")
    contact_person = fields.Field(attribute="contact_person", column_name="联系人")
    phone = fields.Field(attribute="phone", column_name="联系电话")

    workbook_kind = "chambers"

    class Meta:
        model = Chamber
        fields = ("name", "kind", "location", "contact_person", "phone")
        export_order = fields
        import_id_fields = ("name",)
        skip_unchanged = True
        report_skipped = True


class EntrepreneurResource(ImportThroughPlanMixin, resources.ModelResource):
    name = fields.Field(attribute="name", column_name="姓名")
    hometown = fields.Field(attribute="hometown", column_name="籍贯")
    current_city = fields.Field(attribute="current_city", column_name="所在城市")
    company = fields.Field(attribute="company", column_name="企业名称")
    chamber = fields.Field(
        attribute="chamber",
        column_name="所属商会",
        widget=widgets.ForeignKeyWidget(Chamber, "name"),
    )
    phone = fields.Field(attribute="phone", column_name="联系电话")

    workbook_kind = "entrepreneurs"

    class Meta:
        model = Entrepreneur
        fields = ("name", "hometown", "current_city", "company", "chamber", "phone")
        export_order = fields
        import_id_fields = ("name", "company")
        skip_unchanged = True
        report_skipped = True

    def get_export_queryset(self, request=None):
        return Entrepreneur.objects.select_related("chamber")


def resource_columns(resource) -> list[tuple[str, str]]:
    """Return (attribute, Chinese header) of a resource's columns, in workbook order."""
    return [(name, resource.fields[name].column_name) for name in resource._meta.fields]
