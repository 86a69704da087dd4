"""Forms shared by the admin and the staff pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from leads.choices import Stage
from leads.models import Lead, TaskTeam
from leads.services import LeadServiceError, lead_change_stage

STAGE_DATA_FIELDS = (
    "visited_on",
    "intent_on",
    "planned_investment",
    "signed_on",
    "contract_amount",
    "landed_on",
    "registered_name",
    "credit_code",
    "drop_reason",
    "lost_to",
)


class LeadStageForm(forms.ModelForm):
    """Ask for what a stage change needs and perform it through the service.

    Blank data fields leave the lead's current values as they are; the
    service's errors are shown on the fields they name.
    """

    to_stage = forms.ChoiceField(label=_("目标阶段"), choices=Stage.choices)
    note = forms.CharField(
        label=_("说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("退回、终止时必须说明原因。"),
    )
    assign_team = forms.ModelChoiceField(
        label=_("指定负责小分队"),
        queryset=TaskTeam.objects.filter(active=True),
        required=False,
        help_text=_("留空则交给目标阶段的负责小分队。"),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Lead
        fields = STAGE_DATA_FIELDS
        widgets = {
            "visited_on": forms.DateInput(attrs={"type": "date"}),
            "intent_on": forms.DateInput(attrs={"type": "date"}),
            "signed_on": forms.DateInput(attrs={"type": "date"}),
            "landed_on": forms.DateInput(attrs={"type": "date"}),
            "drop_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in STAGE_DATA_FIELDS:
            self.fields[name].required = False
        if not self.is_bound:
            self.initial["expected_version"] = self.instance.version

    def _post_clean(self):
        # The service validates the lead as a whole; do not validate the
        # instance here, or stage rules would be checked twice, differently.
        pass

    def change_stage(self, *, actor, channel) -> Lead | None:
        """Perform the stage change; return the lead, or None with errors on the form."""
        data = {
            name: value
            for name in STAGE_DATA_FIELDS
            if (value := self.cleaned_data.get(name)) not in (None, "")
        }
        stale = Lead(pk=self.instance.pk, version=self.cleaned_data["expected_version"])
        try:
            return lead_change_stage(
                lead=stale,
                to_stage=self.cleaned_data["to_stage"],
                actor=actor,
                channel=channel,
                note=self.cleaned_data.get("note", ""),
                team=self.cleaned_data.get("assign_team"),
                **data,
            )
        except LeadServiceError as error:
            for field, messages in error.message_dict.items():
                target = field if field in self.fields else None
                if field == "stage":
                    target = "to_stage"
                for message in messages:
                    self.add_error(target, message if target else f"{message}")
            return None
