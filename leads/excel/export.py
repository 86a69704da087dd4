"""Export leads to the lead workbook, streaming: the same columns the import reads."""

from crm.spreadsheets.cells import UserLookup
from leads.choices import OriginType, Source, Stage
from leads.excel.columns import lead_workbook_columns
from leads.excel.paid_in import PAID_IN_SHEET, paid_in_columns
from leads.excel.paid_in import export_rows as paid_in_rows
from leads.models import Lead
from leads.resources import lead_columns

# What each column reads from the database, in workbook order.
SOURCES = {
    "industry": "industry__name",
    "chamber": "chamber__name",
    "entrepreneur": "entrepreneur__name",
    "team": "team__name",
    "credit_unit": "credit_unit__name",
}
LABELS = {
    "origin_type": dict(OriginType.choices),
    "source": dict(Source.choices),
    "stage": dict(Stage.choices),
    "dropped_from": dict(Stage.choices),
    # Written 是 or 否, both: a ledger says plainly which projects are not key ones.
    "is_key": {True: "是", False: "否"},
}


def export_leads(output, queryset=None) -> int:
    """Write the leads of `queryset` (all by default) to an .xlsx at `output`; return the count.

    Memory stays flat: rows are read in chunks and written in XlsxWriter's
    constant-memory mode. Choices are written by label, references by name,
    an entrepreneur as 姓名（企业名称）, the 责任人 by name (or username when
    the name is shared), so the file imports back unchanged. A second sheet,
    到位资金, lists the instalments of those leads (the lead sheet's 到位资金
    is their sum); the import reads both. Text is written
    whole: a text longer than an Excel cell holds refuses the export
    (TextTooLong) instead of being cut.
    """
    from crm.spreadsheets.writer import write_sheets

    queryset = Lead.objects.all() if queryset is None else queryset
    names = [name for name, _header in lead_columns()]
    fields = [SOURCES.get(name, name) for name in names]
    fields.append("entrepreneur__company")
    entrepreneur = names.index("entrepreneur")
    labels = [(names.index(name), mapping) for name, mapping in LABELS.items()]
    # A user by full name where it is unique, else by username (as the import reads them).
    labels.append((names.index("owner"), UserLookup().labels))

    def rows():
        values = queryset.order_by("code").values_list(*fields).iterator(chunk_size=5000)
        for record in values:
            record = list(record)
            company = record.pop()
            if company and record[entrepreneur]:
                record[entrepreneur] = f"{record[entrepreneur]}（{company}）"
            for index, mapping in labels:
                value = record[index]
                if value or value is False:
                    record[index] = str(mapping.get(value, value))
            yield record

    counts = write_sheets(
        output,
        [
            ("招商线索", lead_workbook_columns(), rows()),
            (PAID_IN_SHEET, paid_in_columns(), paid_in_rows(queryset)),
        ],
    )
    return counts[0]
