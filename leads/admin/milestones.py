"""Admin for what follows 落地: 到位资金 instalments (added by the service), node plans, 督办.

All three are append-only records: instalments are added through
`lead_add_paid_in` and never changed or deleted here; node plans and 督办
notes are written by their services and only listed.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db.models import Sum
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from leads.choices import Channel
from leads.models import NodePlan, PaidIn, SupervisionNote
from leads.services import LeadServiceError, lead_add_paid_in
from leads.services.milestones import plan_paid_in

# Where the service's errors are shown on the form.
FORM_FIELD_FOR = {"on": "received_on"}


class ReadOnlyAdmin(admin.ModelAdmin):
    """List and show rows that only services write."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaidInInline(admin.TabularInline):
    model = PaidIn
    fields = ["received_on", "amount", "kind", "note", "actor", "channel", "created"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["received_on", "id"]
    verbose_name_plural = _("到位资金（逐笔，合计即线索的到位资金）")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PaidInAdminForm(forms.ModelForm):
    class Meta:
        model = PaidIn
        fields = ["lead", "received_on", "amount", "kind", "note"]

    def clean(self):
        """Check the instalment by the service's rules (`plan_paid_in`), errors on their fields."""
        data = super().clean()
        lead = data.get("lead")
        if lead is None or self.errors:
            return data
        total = PaidIn.objects.filter(lead=lead).aggregate(total=Sum("amount"))["total"]
        plan = plan_paid_in(
            lead,
            on=data.get("received_on"),
            amount=data.get("amount"),
            kind=data.get("kind") or "",
            note=data.get("note") or "",
            total=total or Decimal("0"),
        )
        for name, message in plan.errors.items():
            self.add_error(FORM_FIELD_FOR.get(name, name), message)
        return data


class PaidInRefused(Exception):
    def __init__(self, error: LeadServiceError):
        super().__init__(str(error))
        self.error = error


@admin.register(PaidIn)
class PaidInAdmin(admin.ModelAdmin):
    form = PaidInAdminForm
    list_display = ["lead", "received_on", "amount", "kind", "actor", "channel", "created"]
    list_filter = ["kind", "channel", "received_on"]
    search_fields = ["lead__code", "lead__name", "note"]
    list_select_related = ["lead", "actor"]
    autocomplete_fields = ["lead"]
    readonly_fields = ["actor", "channel", "created"]

    def has_change_permission(self, request, obj=None):
        # Append-only: an instalment recorded wrongly is answered by 局领导, not edited away.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            saved = lead_add_paid_in(
                lead=data["lead"],
                on=data["received_on"],
                amount=data["amount"],
                kind=data["kind"],
                note=data.get("note") or "",
                actor=request.user,
                channel=Channel.ADMIN,
            )
        except LeadServiceError as error:
            # Checked on the form already: a refusal here is a concurrent change.
            raise PaidInRefused(error) from error
        obj.pk = saved.pk
        obj.__dict__.update(saved.__dict__)

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except PaidInRefused as refused:
            for field_messages in refused.error.message_dict.values():
                for message in field_messages:
                    self.message_user(request, message, level=messages.ERROR)
            return redirect("admin:leads_paidin_add")


@admin.register(NodePlan)
class NodePlanAdmin(ReadOnlyAdmin):
    list_display = ["lead", "node", "planned_on", "previous_on", "reason", "actor", "channel", "at"]
    list_filter = ["node", "channel", "at"]
    search_fields = ["lead__code", "lead__name", "reason"]
    list_select_related = ["lead", "actor"]


@admin.register(SupervisionNote)
class SupervisionNoteAdmin(ReadOnlyAdmin):
    list_display = ["lead", "node", "deadline", "actor", "at"]
    list_filter = ["node", "deadline"]
    search_fields = ["lead__code", "lead__name", "note"]
    list_select_related = ["lead", "actor"]
