"""python manage.py export_leads --out FILE [--stage signed ...] [--industry ID] [--q TEXT] ..."""

from django.core.management.base import CommandError
from django.http import QueryDict

from crm.spreadsheets.commands import ExportCommand
from crm.spreadsheets.writer import TextTooLong
from leads.excel.export import export_leads
from leads.filters import LeadFilter
from leads.models import Lead

# Options that may repeat, as in the lead list's query string.
MULTIPLE = ("stage", "industry", "source")
SINGLE = (
    "q",
    "team",
    "origin_type",
    "chamber",
    "entrepreneur",
    "leader",
    "signed_on_after",
    "signed_on_before",
    "landed_on_after",
    "landed_on_before",
    "next_follow_up_after",
    "next_follow_up_before",
    "stalled",
)


class Command(ExportCommand):
    help = "Export leads, filtered like the lead list, to an .xlsx workbook."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        for name in MULTIPLE:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, action="append")
        for name in SINGLE:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name)

    def write(self, path, options):
        query = QueryDict(mutable=True)
        for name in MULTIPLE:
            query.setlist(name, options.get(name) or [])
        for name in SINGLE:
            if options.get(name) is not None:
                query[name] = options[name]
        lead_filter = LeadFilter(query or None, queryset=Lead.objects.all())
        if query and not lead_filter.is_valid():
            errors = "; ".join(
                f"--{field}: {' '.join(messages)}" for field, messages in lead_filter.errors.items()
            )
            raise CommandError(f"筛选条件有误：{errors}")
        try:
            return export_leads(path, lead_filter.qs)
        except TextTooLong as error:
            raise CommandError(error.message) from None
