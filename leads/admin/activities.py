"""Admin for activities (跟进记录): the forms, the inline on a lead, and the activity list."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.utils.translation import gettext_lazy as _

from leads.models import Activity
from leads.services.activities import (
    UNCHANGED,
    activity_create,
    activity_rule_errors,
    activity_update,
)

ACTIVITY_FIELDS = ("lead", "occurred_on", "kind", "participants", "summary", "next_step")


class ActivityAdminForm(forms.ModelForm):
    """Show the activity rules' messages on the fields, before anything is saved."""

    def _post_clean(self):
        super()._post_clean()
        for field, messages_ in activity_rule_errors(self.instance).items():
            for message in messages_:
                self.add_error(field, message)


class ActivityCreateForm(ActivityAdminForm):
    next_follow_up = forms.DateField(
        label=_("下次跟进日期"),
        required=False,
        widget=AdminDateWidget,
        help_text=_("填写则同时更新线索的下次跟进日期。"),
    )


def activity_save(request, activity: Activity, data: dict) -> Activity:
    """Save an activity from an admin form through the activity services."""
    fields = {name: value for name, value in data.items() if name in ACTIVITY_FIELDS}
    if activity.pk is None:
        follow_up = data.get("next_follow_up") or UNCHANGED
        return activity_create(actor=request.user, next_follow_up=follow_up, **fields)
    return activity_update(activity=activity, **fields)


class ActivityInline(admin.StackedInline):
    model = Activity
    form = ActivityAdminForm
    extra = 0
    fields = ["occurred_on", "kind", "participants", "summary", "next_step", "created_by"]
    readonly_fields = ["created_by"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["lead", "occurred_on", "kind", "participants", "created_by"]
    list_filter = ["kind", "occurred_on"]
    search_fields = ["lead__code", "lead__name", "summary", "participants"]
    autocomplete_fields = ["lead"]
    readonly_fields = ["created_by"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # Only a new activity may move the lead's next follow-up, as on the pages.
        kwargs["form"] = ActivityAdminForm if obj else ActivityCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        fields = [*ACTIVITY_FIELDS, "created_by"]
        return fields if obj else [*fields, "next_follow_up"]

    def save_model(self, request, obj, form, change):
        saved = activity_save(request, obj, form.cleaned_data)
        obj.pk = saved.pk
        obj.__dict__.update(saved.__dict__)
