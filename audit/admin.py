"""The audit log in the admin: read-only, for 局领导 and administrators."""

from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "kind",
        "username",
        "ip_address",
        "channel_shown",
        "subject_shown",
        "rows",
        "filename",
    ]
    list_filter = ["kind", "channel", "subject", "at"]
    search_fields = ["username", "filename", "query"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    @admin.display(description="途径", ordering="channel")
    def channel_shown(self, event: AuditEvent) -> str:
        return event.channel_label

    @admin.display(description="对象", ordering="subject")
    def subject_shown(self, event: AuditEvent) -> str:
        return event.subject_label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
