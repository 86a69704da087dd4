"""Admin for the reference data: units, industries, task teams, stage owners, annual targets."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from crm.spreadsheets.admin import WorkbookAdminMixin
from leads.excel.targets import export_targets
from leads.models import AnnualTarget, Industry, IndustryAlias, StageOwner, TaskTeam, Unit
from leads.resources import AnnualTargetResource


class IndustryAliasInline(admin.TabularInline):
    model = IndustryAlias
    extra = 1


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    """Units (单位) credited with leads and given targets; editable reference data."""

    list_display = ["name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["name", "lead_unit", "order"]
    list_editable = ["order"]
    search_fields = ["name", "aliases__name", "lead_unit"]
    inlines = [IndustryAliasInline]


@admin.register(TaskTeam)
class TaskTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "leader", "active"]
    list_filter = ["active"]
    search_fields = ["name", "leader__username", "leader__last_name"]
    filter_horizontal = ["members"]


@admin.register(StageOwner)
class StageOwnerAdmin(admin.ModelAdmin):
    list_display = ["stage", "team", "sla_days"]
    list_editable = ["team", "sla_days"]


@admin.register(AnnualTarget)
class AnnualTargetAdmin(WorkbookAdminMixin, SimpleHistoryAdmin):
    resource_classes = [AnnualTargetResource]
    workbook_export = export_targets
    list_select_related = ["industry", "team"]
    list_display = [
        "year",
        "scope",
        "signed_count",
        "signed_amount",
        "landed_count",
        "landed_amount",
    ]
    list_filter = ["year", "industry", "team"]

    @admin.display(description=_("范围"))
    def scope(self, obj):
        return obj.industry or obj.team or _("全区")
