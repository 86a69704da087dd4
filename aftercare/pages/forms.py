"""Forms of the ledger pages: enterprise, problem, and one form per move."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftercare.choices import FeedbackWay, Rating, Status
from aftercare.models import Enterprise, Problem
from leads.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class EnterpriseForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Enterprise
        fields = [
            "name",
            "credit_code",
            "address",
            "contact_person",
            "phone",
            "district_leader",
            "liaison",
            "above_scale",
            "key_enterprise",
            "from_investment",
        ]


class ProblemForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Problem
        fields = [
            "enterprise",
            "raised_on",
            "raised_via",
            "category",
            "description",
            "responsible_team",
            "responsible_unit",
            "responsible_unit_name",
            "handler",
            "deadline",
        ]
        widgets = {
            "raised_on": DATE,
            "deadline": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"deadline": _("留空则按诉求类别的默认时限计算。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].required = False
        self.fields["raised_on"].required = False
        self.fields["handler"].queryset = get_user_model().objects.filter(is_active=True)
        # Active units only, but a problem keeps the (now inactive) unit it already has.
        current = self.instance.responsible_unit_id if self.instance.pk else None
        self.fields["responsible_unit"].queryset = Unit.objects.filter(
            Q(active=True) | Q(pk=current)
        )

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self._meta.fields}
        return fields


def _text(label, required=True):
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": 3}))


def _date(label, required=False):
    return forms.DateField(label=label, required=required, widget=DATE)


class MoveForm(VersionMixin):
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AcceptForm(MoveForm):
    handler = forms.ModelChoiceField(
        label=_("经办人"), queryset=get_user_model().objects.filter(is_active=True), required=False
    )
    escalation_answer = _text(_("上级答复"), required=False)


class ResolveForm(MoveForm):
    resolution = _text(_("办理结果"))
    resolved_on = _date(_("办结日期（默认今天）"))
    escalation_answer = _text(_("上级答复"), required=False)


class RecordForm(MoveForm):
    explanation = _text(_("政策解释（向企业所作的说明）"))
    review_on = _date(_("复核日期（条件可能具备时）"), required=True)


class EscalateForm(MoveForm):
    escalated_to = forms.CharField(label=_("上报单位"), max_length=200)
    escalated_on = _date(_("上报日期（默认今天）"))


class CloseForm(MoveForm):
    feedback_on = _date(_("反馈日期"), required=True)
    feedback_way = forms.ChoiceField(label=_("反馈方式"), choices=FeedbackWay.choices)
    rating = forms.ChoiceField(
        label=_("企业评价"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        help_text=_("企业不满意的，诉求将退回办理中重新办理。"),
    )


MOVE_FORMS = {
    Status.IN_PROGRESS: AcceptForm,
    Status.RESOLVED: ResolveForm,
    Status.ON_RECORD: RecordForm,
    Status.ESCALATED: EscalateForm,
    Status.CLOSED: CloseForm,
}
# Button labels of the moves on the problem page.
MOVE_LABELS = {
    Status.IN_PROGRESS: _("受理办理"),
    Status.RESOLVED: _("办结"),
    Status.ON_RECORD: _("记录在案"),
    Status.ESCALATED: _("上报"),
    Status.CLOSED: _("反馈并销号"),
}
