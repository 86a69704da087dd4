"""The chamber and entrepreneur workbooks: template, import and export."""

from chambers.models import Chamber, ChamberKind, Entrepreneur
from chambers.resources import ChamberResource, EntrepreneurResource, resource_columns
from crm.spreadsheets.cells import ChoiceParser, NameLookup
from crm.spreadsheets.simple import SimpleImporter, Spec
from crm.spreadsheets.writer import Column, write_rows

WIDTHS = {"name": 24, "company": 30, "location": 16}


class ChamberImporter(SimpleImporter):
    kind = "chambers"
    title = "商会协会"
    model = Chamber
    key = ("name",)
    permission = "chambers.import_chamber"
    notes = (
        "按商会名称匹配：已有的商会更新（空白单元格保持原值），没有的新建。"
        "任何一行有误则整个文件不写入。"
    )

    def specs(self):
        headers = dict(resource_columns(ChamberResource))
        return [
            Spec(headers["name"], "name", required=True),
            Spec(headers["kind"], "kind", ChoiceParser(ChamberKind.choices), required=True),
            Spec(headers["location"], "location"),
            Spec(headers["contact_person"], "contact_person"),
            Spec(headers["phone"], "phone"),
        ]

    def columns(self):
        options = {"kind": lambda: [str(label) for _v, label in ChamberKind.choices]}
        required = {"name", "kind"}
        return [
            Column(
                header,
                width=WIDTHS.get(name, 14),
                options=options.get(name),
                required=name in required,
            )
            for name, header in resource_columns(ChamberResource)
        ]


class EntrepreneurImporter(SimpleImporter):
    kind = "entrepreneurs"
    title = "回乡企业家"
    model = Entrepreneur
    key = ("name", "company")
    permission = "chambers.import_entrepreneur"
    notes = (
        "按“姓名+企业名称”匹配：已有的更新（空白单元格保持原值），没有的新建。"
        "所属商会须为系统中已有的商会名称。任何一行有误则整个文件不写入。"
    )

    def specs(self):
        headers = dict(resource_columns(EntrepreneurResource))
        chambers = NameLookup(dict(Chamber.objects.values_list("name", "pk")), "商会")
        return [
            Spec(headers["name"], "name", required=True),
            Spec(headers["hometown"], "hometown"),
            Spec(headers["current_city"], "current_city"),
            Spec(headers["company"], "company"),
            Spec(headers["chamber"], "chamber_id", chambers),
            Spec(headers["phone"], "phone"),
        ]

    def fill(self, values):
        return {k: v for k, v in values.items() if not (k == "chamber_id" and v is None)}

    def columns(self):
        options = {"chamber": lambda: list(Chamber.objects.values_list("name", flat=True))}
        return [
            Column(
                header,
                width=WIDTHS.get(name, 14),
                options=options.get(name),
                required=name == "name",
            )
            for name, header in resource_columns(EntrepreneurResource)
        ]


def export_chambers(output, queryset=None) -> int:
    """Write chambers to an .xlsx at `output` in the workbook's columns; return the row count."""
    queryset = Chamber.objects.all() if queryset is None else queryset
    labels = dict(ChamberKind.choices)
    rows = (
        (name, str(labels.get(kind, kind)), location, contact, phone)
        for name, kind, location, contact, phone in queryset.order_by("name").values_list(
            "name", "kind", "location", "contact_person", "phone"
        )
    )
    importer = ChamberImporter()
    return write_rows(output, title=importer.title, columns=importer.columns(), rows=rows)


def export_entrepreneurs(output, queryset=None) -> int:
    """Write entrepreneurs to an .xlsx at `output`; return the row count."""
    queryset = Entrepreneur.objects.all() if queryset is None else queryset
    rows = queryset.order_by("name", "company").values_list(
        "name", "hometown", "current_city", "company", "chamber__name", "phone"
    )
    importer = EntrepreneurImporter()
    return write_rows(output, title=importer.title, columns=importer.columns(), rows=rows)
