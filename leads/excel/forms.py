"""The upload form of the import page."""

from django import forms
from django.conf import settings

from crm.spreadsheets.importers import importer_for
from leads.models import ImportJob


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容", choices=ImportJob.Kind.choices)
    file = forms.FileField(
        label="Excel 工作簿（.xlsx）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = [
            (kind, label)
            for kind, label in ImportJob.Kind.choices
            if user.has_perm(importer_for(kind).permission)
        ]
        self.fields["kind"].choices = self.kinds

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.CRM_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"文件大小 {upload.size / 2**20:.1f} MB 超过上限 {limit / 2**20:.1f} MB，"
                "请拆分后分批导入。"
            )
        return upload
