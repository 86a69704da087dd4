"""The admin's import and export: django-import-export's pages, our importer underneath."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import XLSX

from crm.spreadsheets.signals import CHANNEL_ADMIN, export_sent


class WorkbookAdminMixin(ImportExportMixin):
    """Import (preview, then confirm) and export .xlsx workbooks from a model's admin list.

    The confirm runs the whole validation again and writes all rows or none;
    if anything changed since the preview and a row now fails, it writes
    nothing and says so. History rows record who imported what; every
    export and confirmed import is announced through the spreadsheet signals.
    """

    import_formats = [XLSX]
    export_formats = [XLSX]
    # export(output, queryset) -> count: the workbook's own streaming export, so the
    # admin's file has the same escaping, date cells and amounts as every other export.
    workbook_export = None

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if self.workbook_export is None:
            return super().get_export_data(file_format, request, queryset, **kwargs)
        if not self.has_export_permission(request):
            raise PermissionDenied
        buffer = io.BytesIO()
        rows = type(self).workbook_export(buffer, queryset)
        selected = request.POST.getlist("export_items")
        export_sent(
            kind=self.workbook_kind(),
            rows=rows,
            channel=CHANNEL_ADMIN,
            request=request,
            filename=self.get_export_filename(request, queryset, file_format),
            note=f"选中的 {len(selected)} 条" if selected else "",
        )
        return buffer.getvalue()

    def workbook_kind(self) -> str:
        """Return the workbook's kind ("leads", "chambers" …) as its resource names it."""
        resource = self.resource_classes[0] if self.resource_classes else None
        return getattr(resource, "workbook_kind", "") or self.opts.model_name

    def generate_log_entries(self, result, request):
        # The field history (simple-history) and the stage transitions
        # already record every row an import wrote, with its user.
        return None

    def process_result(self, result, request):
        info = self.get_model_info()
        if result.has_errors() or result.has_validation_errors():
            lines = [str(error.error) for error in result.base_errors]
            for row in result.invalid_rows:
                for column, errors in row.error_dict.items():
                    lines.extend(f"[{column}] {message}" for message in errors)
            messages.error(request, "导入失败，未写入任何数据：" + "；".join(lines[:10]))
            return HttpResponseRedirect(reverse(f"admin:{info[0]}_{info[1]}_import"))
        totals = result.totals
        messages.success(
            request,
            f"导入完成：新建 {totals['new']} 条，更新 {totals['update']} 条，"
            f"未变 {totals['skip']} 条。",
        )
        return HttpResponseRedirect(reverse(f"admin:{info[0]}_{info[1]}_changelist"))
