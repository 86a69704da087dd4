"""Forms of the staff pages: lead create/edit, activities, the stage move."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from crm.templatetags.crm_format import person
from leads.choices import PIPELINE, Stage, stage_index
from leads.models import Activity, Lead, TaskTeam
from leads.pages.stage_form import STAGE_DATA_FIELDS, LeadStageForm
from leads.selectors import lead_available_moves, lead_move_fields, stage_data_fields
from leads.services import LeadServiceError

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

LEAD_FIELDS = [
    "name",
    "investor",
    "origin",
    "origin_type",
    "industry",
    "source",
    "chamber",
    "entrepreneur",
    "leader",
    "owner",
    "planned_investment",
    "next_follow_up",
    "notes",
]
# Optional data the edit form offers from a stage on (no rule needs it). None
# now: 到位资金 is entered as dated instalments (leads.services.lead_add_paid_in).
EDIT_OPTIONAL: dict[str, tuple[str, ...]] = {}


def stage_edit_fields(stage: str) -> list[str]:
    """Return the stage data staff may correct once a lead has reached `stage`.

    What the stage records by the rules (`stage_data_fields`), not already on
    the form, plus its optional data; the service re-checks the rules.
    """
    names = [*stage_data_fields(stage), *EDIT_OPTIONAL.get(stage, ())]
    return [name for name in names if name not in LEAD_FIELDS]


EDIT_EXTRA_FIELDS = [name for stage in PIPELINE for name in stage_edit_fields(stage)]
DATE_FIELDS = ("visited_on", "intent_on", "signed_on", "landed_on")


def add_service_errors(form: forms.Form, error: LeadServiceError, fields=None) -> None:
    """Show a service's field messages on the form fields they name, the rest on top.

    `fields` maps a service's field name to the form's, when they differ
    (None: shown on top).
    """
    for field, messages in error.message_dict.items():
        field = (fields or {}).get(field, field)
        shown = field in form.fields and not form.fields[field].widget.is_hidden
        target = field if shown else None
        for message in messages:
            form.add_error(target, message)


def label_blank_choices(form: forms.Form, label: str = "请选择") -> None:
    """Replace Django's "---------" blank choice with a Chinese prompt."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label is not None:
                field.empty_label = label
        elif isinstance(field, forms.ChoiceField) and not isinstance(
            field, forms.MultipleChoiceField
        ):
            field.choices = [(v, label if v == "" else text) for v, text in field.choices]


class ServiceValidatedForm(forms.ModelForm):
    """A ModelForm that leaves model validation to the service it feeds."""

    def _post_clean(self):
        # The services validate the whole lead (stage rules, constraints);
        # validating here too would show the same error twice.
        pass


class LeadCreateForm(ServiceValidatedForm):
    class Meta:
        model = Lead
        fields = LEAD_FIELDS
        widgets = {"next_follow_up": DATE, "notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "name": _("如“某某集团华东生产基地”。"),
            "investor": _("投资主体全称。"),
            "planned_investment": _("单位：万元，保留两位小数。"),
            "chamber": _("线索来源为“商会推介”时必填。"),
            "entrepreneur": _("线索来源为“回乡创业”时必填。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "owner" in self.fields:
            self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True)
            self.fields["owner"].label_from_instance = person
        label_blank_choices(self)


class LeadEditForm(LeadCreateForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    assign_team = forms.ModelChoiceField(
        label=_("负责小分队"),
        queryset=TaskTeam.objects.filter(active=True),
        required=False,
        help_text=_("局领导可改派负责小分队，阶段不变。"),
    )

    class Meta(LeadCreateForm.Meta):
        fields = LEAD_FIELDS + EDIT_EXTRA_FIELDS
        widgets = {
            **LeadCreateForm.Meta.widgets,
            **{name: DATE for name in DATE_FIELDS},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version
            self.initial["assign_team"] = self.instance.team_id
        reached = self.instance.dropped_from or self.instance.stage
        for stage in PIPELINE[stage_index(reached) + 1 :]:
            for name in stage_edit_fields(stage):
                del self.fields[name]
        if lead_available_moves(lead=self.instance, user=user).can_assign_team:
            self.fields["assign_team"].empty_label = None
        else:
            del self.fields["assign_team"]

    def lead_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}


class ActivityForm(forms.ModelForm):
    next_follow_up = forms.DateField(
        label=_("下次跟进日期"),
        required=False,
        widget=DATE,
        help_text=_("同时更新线索的下次跟进日期；留空则清除。"),
    )
    field_order = ["occurred_on", "kind", "participants", "next_follow_up", "summary", "next_step"]

    def __init__(self, *args, lead: Lead | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        label_blank_choices(self)
        if lead is not None and not self.is_bound:
            self.initial["next_follow_up"] = lead.next_follow_up

    class Meta:
        model = Activity
        fields = ["occurred_on", "kind", "participants", "summary", "next_step"]
        widgets = {
            "occurred_on": DATE,
            "summary": forms.Textarea(attrs={"rows": 2}),
            "next_step": forms.Textarea(attrs={"rows": 1}),
        }


class StageMoveForm(LeadStageForm):
    """LeadStageForm showing only what the chosen move needs."""

    def __init__(self, *args, lead: Lead, to_stage: str, user, **kwargs):
        super().__init__(*args, instance=lead, **kwargs)
        self.initial.setdefault("to_stage", to_stage)
        self.fields["to_stage"].widget = forms.HiddenInput()
        move = lead_move_fields(lead=lead, to_stage=to_stage)
        for name in STAGE_DATA_FIELDS:
            if name not in move.asked:
                del self.fields[name]
        for name in move.asked:
            field = self.fields[name]
            if name in DATE_FIELDS:
                field.widget = DATE
            if name == move.defaulted:
                field.help_text = _("留空则为今天。")
            elif name in move.required:
                field.help_text = _("进入“%(stage)s”必填。") % {"stage": Stage(to_stage).label}
        label_blank_choices(self, label=_("不指定"))
        if not lead_available_moves(lead=lead, user=user).can_assign_team:
            del self.fields["assign_team"]
        if move.reason_needed:
            self.fields["note"].help_text = _("请说明原因。")

    def change_stage(self, *, actor, channel) -> Lead | None:
        """Perform the move; on refusal show the errors of hidden fields on top."""
        lead = super().change_stage(actor=actor, channel=channel)
        if lead is None:
            for name in ("to_stage", "expected_version"):
                for message in self.errors.pop(name, []):
                    self.add_error(None, message)
        return lead
