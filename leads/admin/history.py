"""Read-only admin for what happened: stage transitions and import jobs."""

from django.contrib import admin

from leads.models import ImportJob, StageTransition


class StageTransitionInline(admin.TabularInline):
    model = StageTransition
    fields = ["at", "from_stage", "to_stage", "from_team", "to_team", "actor", "channel", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["at", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StageTransition)
class StageTransitionAdmin(admin.ModelAdmin):
    list_display = ["lead", "from_stage", "to_stage", "at", "actor", "channel", "to_team"]
    list_filter = ["to_stage", "channel", "at"]
    search_fields = ["lead__code", "lead__name", "note"]
    list_select_related = ["lead", "actor", "to_team"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["created", "kind", "filename", "status", "done", "total", "created_by"]
    list_filter = ["kind", "status"]
    fields = [
        "kind",
        "filename",
        "size",
        "status",
        "phase",
        "done",
        "total",
        "report",
        "created_by",
        "created",
        "modified",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
