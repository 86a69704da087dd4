"""Forms of the 督办 and node-plan pages: a 督办 note, a planned node date, the key-project flag."""

from django import forms

from leads.choices import Node

DATE_INVALID = "日期格式不正确，请按 2026-03-05 的格式填写。"


class SupervisionForm(forms.Form):
    """A 督办 note with its deadline (局领导); the service checks the rest."""

    node = forms.ChoiceField(
        label="督办节点", choices=[("", "不限节点"), *Node.choices], required=False
    )
    note = forms.CharField(
        label="督办意见",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写督办意见。"},
    )
    deadline = forms.DateField(
        label="办理期限",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请填写办理期限。", "invalid": DATE_INVALID},
    )


class PlanNodeForm(forms.Form):
    """A new planned date for one node; a change of an existing plan needs a reason."""

    node = forms.ChoiceField(
        label="节点", choices=Node.choices, error_messages={"required": "请选择节点。"}
    )
    on = forms.DateField(
        label="计划日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": DATE_INVALID},
        help_text="留空表示取消该节点的计划。",
    )
    reason = forms.CharField(
        label="调整原因", required=False, max_length=500, help_text="调整已有计划时必填。"
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class SetKeyForm(forms.Form):
    """List a project as a key project (重点项目) or take it off the list."""

    is_key = forms.TypedChoiceField(
        label="重点项目",
        choices=[("1", "列为重点项目"), ("0", "取消重点项目")],
        coerce=lambda value: value == "1",
        error_messages={"required": "请选择是否列为重点项目。"},
    )
    reason = forms.CharField(label="原因", required=False, max_length=500)
