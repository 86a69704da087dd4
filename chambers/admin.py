"""Admin for chambers of commerce and returning entrepreneurs."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from chambers.excel import export_chambers, export_entrepreneurs
from chambers.models import Chamber, Entrepreneur
from chambers.resources import ChamberResource, EntrepreneurResource
from crm.spreadsheets.admin import WorkbookAdminMixin


class EntrepreneurInline(admin.TabularInline):
    model = Entrepreneur
    fields = ["name", "company", "current_city", "phone"]
    extra = 0
    show_change_link = True


@admin.register(Chamber)
class ChamberAdmin(WorkbookAdminMixin, SimpleHistoryAdmin):
    resource_classes = [ChamberResource]
    workbook_export = export_chambers
    list_display = ["name", "kind", "location", "contact_person", "phone", "liaison"]
    list_filter = ["kind"]
    search_fields = ["name", "location", "contact_person"]
    inlines = [EntrepreneurInline]


@admin.register(Entrepreneur)
class EntrepreneurAdmin(WorkbookAdminMixin, SimpleHistoryAdmin):
    resource_classes = [EntrepreneurResource]
    workbook_export = export_entrepreneurs
    list_display = ["name", "hometown", "current_city", "company", "chamber", "phone"]
    list_filter = ["chamber"]
    search_fields = ["name", "company", "current_city", "hometown"]
    autocomplete_fields = ["chamber"]
