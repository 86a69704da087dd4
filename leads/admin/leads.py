"""Admin for leads, whose stage moves only by the service (the change-stage view)."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from crm.spreadsheets.admin import WorkbookAdminMixin
from leads.admin.activities import ActivityInline, activity_save
from leads.admin.history import StageTransitionInline
from leads.admin.milestones import PaidInInline
from leads.choices import Channel
from leads.excel.export import export_leads
from leads.models import Activity, Lead
from leads.pages.stage_form import LeadStageForm
from leads.permissions import check_lead_allows
from leads.resources import LeadResource
from leads.selectors import lead_can_change
from leads.services import (
    SERVICE_FIELDS,
    DuplicateSuspected,
    LeadServiceError,
    lead_create_checked,
    lead_update_checked,
    likely_duplicates_of,
)

CONFIRM = "confirm_not_duplicate"


class LeadAdminForm(forms.ModelForm):
    # The version the user read, so that saving over a newer edit is refused.
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_not_duplicate = forms.BooleanField(
        label=_("确认不是重复（仍然新建）"),
        required=False,
        help_text=_(
            "与已有线索投资方相同且项目名称相近，或统一社会信用代码相同时，须勾选才能保存。"
        ),
    )

    class Meta:
        model = Lead
        fields = [
            "name", "investor", "origin", "origin_type", "industry", "source", "chamber",
            "entrepreneur", "leader", "owner", "planned_investment", "contract_amount",
            "visited_on", "intent_on", "signed_on", "landed_on", "registered_name",
            "credit_code", "drop_reason", "lost_to", "next_follow_up", "notes",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["expected_version"] = self.instance.version
        self.duplicates = []

    def clean(self):
        """Refuse a likely duplicate (疑似重复) unless confirmed; keep those confirmed."""
        cleaned = super().clean()
        lead = self.instance if self.instance.pk else None
        self.duplicates = likely_duplicates_of(lead=lead, fields=cleaned)
        if self.duplicates and not cleaned.get(CONFIRM):
            listed = "；".join(
                f"{other.code} {other.name}（{other.investor}，{other.get_stage_display()}，"
                f"{other.team or '无负责小分队'}，{other.duplicate_reason}）"
                for other in self.duplicates
            )
            self.add_error(
                CONFIRM, _("疑似重复：%(leads)s。核实后勾选本项再保存。") % {"leads": listed}
            )
        return cleaned


@admin.register(Lead)
class LeadAdmin(WorkbookAdminMixin, SimpleHistoryAdmin):
    form = LeadAdminForm
    resource_classes = [LeadResource]
    workbook_export = export_leads
    list_display = [
        "code",
        "name",
        "investor",
        "industry",
        "stage",
        "team",
        "contract_amount",
        "signed_on",
        "landed_on",
    ]
    list_filter = ["stage", "industry", "team", "source", "origin_type", "signed_on", "landed_on"]
    search_fields = ["code", "name", "investor", "registered_name", "credit_code"]
    list_select_related = ["industry", "team"]
    autocomplete_fields = ["chamber", "entrepreneur"]
    readonly_fields = [
        "code",
        "stage_with_action",
        "team",
        "stage_entered_at",
        "dropped_from",
        "paid_in",
        "is_key",
        "started_on",
        "in_production_on",
        "planned_signed_on",
        "planned_landed_on",
        "planned_started_on",
        "planned_in_production_on",
        "version",
        "created",
        "modified",
    ]
    fieldsets = [
        (
            _("基本信息"),
            {
                "fields": [
                    "code",
                    "name",
                    "investor",
                    CONFIRM,
                    "origin",
                    "origin_type",
                    "industry",
                    "source",
                    "chamber",
                    "entrepreneur",
                    "leader",
                    "owner",
                    "next_follow_up",
                    "notes",
                ]
            },
        ),
        (
            _("阶段"),
            {"fields": ["stage_with_action", "team", "stage_entered_at", "dropped_from"]},
        ),
        (
            _("投资与落地"),
            {
                "fields": [
                    "planned_investment",
                    "contract_amount",
                    "paid_in",
                    "visited_on",
                    "intent_on",
                    "signed_on",
                    "landed_on",
                    "registered_name",
                    "credit_code",
                    "drop_reason",
                    "lost_to",
                ]
            },
        ),
        (
            _("落地后（开工、投产、节点计划）"),
            {
                "fields": [
                    "is_key",
                    "started_on",
                    "in_production_on",
                    "planned_signed_on",
                    "planned_landed_on",
                    "planned_started_on",
                    "planned_in_production_on",
                ]
            },
        ),
        (_("系统"), {"fields": ["version", "created", "modified"]}),
    ]
    inlines = [StageTransitionInline, ActivityInline, PaidInInline]

    @admin.display(description=_("当前阶段"))
    def stage_with_action(self, obj):
        if obj.pk is None:
            return _("新建线索从“接洽”开始")
        url = reverse("admin:leads_lead_change_stage", args=[obj.pk])
        return format_html(
            '{} &nbsp; <a class="button" href="{}">{}</a>',
            obj.get_stage_display(),
            url,
            _("变更阶段"),
        )

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/stage/",
                self.admin_site.admin_view(self.change_stage_view),
                name="leads_lead_change_stage",
            )
        ]
        return urls + super().get_urls()

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or lead_can_change(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        # Leads are dropped (终止), not deleted: their history must stay.
        return False

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name]
            for name in form.cleaned_data
            if name not in SERVICE_FIELDS and name not in ("expected_version", CONFIRM)
        }
        confirmed = [other.pk for other in form.duplicates]
        try:
            if change:
                stale = Lead(pk=obj.pk, version=form.cleaned_data.get("expected_version") or 0)
                saved = lead_update_checked(
                    lead=stale, actor=request.user, confirmed=confirmed, **data
                )
            else:
                saved = lead_create_checked(
                    actor=request.user, channel=Channel.ADMIN, confirmed=confirmed, **data
                )
        except DuplicateSuspected as suspected:
            message = _("保存期间出现了新的疑似重复线索：%(codes)s，请核实后重新保存。") % {
                "codes": "、".join(other.code for other in suspected.leads)
            }
            raise LeadAdminRefused(LeadServiceError({CONFIRM: message})) from None
        except LeadServiceError as error:
            # The admin has already validated the form; a refusal here is a
            # conflict or a rule only the service knows. Report it and keep
            # the database unchanged.
            raise LeadAdminRefused(error) from error
        obj.pk = saved.pk
        obj.__dict__.update(saved.__dict__)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except LeadAdminRefused as refused:
            for messages_ in refused.error.message_dict.values():
                for message in messages_:
                    self.message_user(request, message, level=messages.ERROR)
            target = (
                reverse("admin:leads_lead_change", args=[object_id])
                if object_id
                else reverse("admin:leads_lead_add")
            )
            return redirect(target)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance not in instances:
                continue
            if isinstance(instance, Activity):
                data = {**inline_form.cleaned_data, "lead": form.instance}
                activity_save(request, instance, data)
            else:
                instance.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()

    def change_stage_view(self, request, object_id):
        lead = get_object_or_404(Lead, pk=object_id)
        check_lead_allows(request.user, lead, "can_move")
        form = LeadStageForm(request.POST or None, instance=lead)
        if request.method == "POST" and form.is_valid():
            moved = form.change_stage(actor=request.user, channel=Channel.ADMIN)
            if moved is not None:
                self.message_user(
                    request, _("已变更为“%(stage)s”。") % {"stage": moved.get_stage_display()}
                )
                return redirect("admin:leads_lead_change", moved.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": lead,
            "form": form,
            "title": _("变更阶段：%(lead)s") % {"lead": lead},
        }
        return TemplateResponse(request, "admin/leads/lead/change_stage.html", context)


class LeadAdminRefused(Exception):
    def __init__(self, error: LeadServiceError):
        super().__init__(str(error))
        self.error = error
