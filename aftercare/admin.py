"""Admin for enterprises, problems and the category deadlines (限时)."""

from django.contrib import admin

from aftercare.models import CategoryDeadline, Enterprise, Problem, ProblemStatusChange
from aftercare.services import enterprise_create, enterprise_update, problem_update


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "district_leader", "liaison", "from_investment"]
    list_filter = ["above_scale", "key_enterprise", "from_investment"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["lead"]

    def save_model(self, request, obj, form, change):
        """Save through the enterprise services, so the version moves on every change."""
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            enterprise_update(
                enterprise=Enterprise.objects.get(pk=obj.pk), actor=request.user, **fields
            )
        else:
            obj.pk = enterprise_create(actor=request.user, **form.cleaned_data).pk


class StatusChangeInline(admin.TabularInline):
    model = ProblemStatusChange
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "actor", "channel", "rating", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    """Ordinary fields are editable; the status moves only on the problem page (one service)."""

    list_display = ["code", "enterprise", "category", "responsible", "deadline", "status"]
    list_filter = ["status", "category", "responsible_team", "responsible_unit"]
    list_select_related = ["enterprise", "responsible_team", "responsible_unit"]
    search_fields = ["code", "enterprise__name", "description"]
    raw_id_fields = ["enterprise"]
    readonly_fields = [
        "code",
        "status",
        "resolution",
        "resolved_on",
        "explanation",
        "review_on",
        "escalated_to",
        "escalated_on",
        "escalation_answer",
        "feedback_on",
        "feedback_way",
        "rating",
        "closed_on",
        "reopen_count",
        "version",
    ]
    inlines = [StatusChangeInline]

    @admin.display(description="责任单位")
    def responsible(self, problem):
        return problem.responsible_name

    def has_add_permission(self, request):
        # New problems are registered on the ledger pages (code, history row, deadline).
        return False

    def save_model(self, request, obj, form, change):
        """Save through problem_update, so the version moves and stale pages are refused."""
        stored = Problem.objects.get(pk=obj.pk)
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        problem_update(problem=stored, actor=request.user, **fields)


@admin.register(CategoryDeadline)
class CategoryDeadlineAdmin(admin.ModelAdmin):
    list_display = ["category", "days"]
    list_editable = ["days"]
