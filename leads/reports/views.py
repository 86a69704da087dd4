"""The monthly report page and its downloads (Excel, JSON)."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from crm.spreadsheets.signals import export_sent
from leads.reports.definitions import DEFINITIONS
from leads.reports.links import current_backlog_url, landing_rate_landed_url
from leads.reports.monthly import monthly_report_build
from leads.reports.page import neighbour_months, summary_rows, trend_charts
from leads.reports.period import PeriodError, period_from_query
from leads.reports.sections import report_sections_build
from leads.reports.serialise import report_data
from leads.reports.workbook import build_monthly_workbook

# The report lists leads (the backlog), so it asks what the lead list asks: 查看线索.
VIEW_PERM = "leads.view_lead"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BACKLOG_ROWS_SHOWN = 300


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def monthly(request):
    """Render the report of ?month=YYYY-MM or ?from=&to= (default: the current month)."""
    try:
        period = period_from_query(request.GET)
    except PeriodError as error:
        context = {"error": str(error), "query": request.GET, "definitions": DEFINITIONS}
        return render(request, "reports/monthly.html", context, status=400)
    report = monthly_report_build(period)
    previous_month, next_month = neighbour_months(period)
    context = {
        "report": report,
        "query": request.GET,
        "download_query": request.GET.urlencode(),
        "summary": summary_rows(report),
        "charts": trend_charts(report),
        "landing_rate_url": landing_rate_landed_url(report.ytd),
        "backlog_url": current_backlog_url(report.as_of)
        if report.as_of == timezone.localdate()
        else "",
        "backlog_shown": report.backlog[:BACKLOG_ROWS_SHOWN],
        "previous_month": previous_month,
        "next_month": next_month,
        "definitions": DEFINITIONS,
        "sections": report_sections_build(report),
    }
    return render(request, "reports/monthly.html", context)


def _report_or_error(request):
    try:
        return monthly_report_build(period_from_query(request.GET)), None
    except PeriodError as error:
        return None, HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def monthly_xlsx(request):
    """Download the report as the print-ready workbook."""
    report, error = _report_or_error(request)
    if error:
        return error
    response = HttpResponse(content_type=XLSX)
    filename = f"签约落地通报_{report.period.key.replace('/', '_')}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    build_monthly_workbook(report).save(response)
    export_sent(request=request, kind="monthly_report", rows=len(report.backlog), filename=filename)
    return response


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def monthly_json(request):
    """Return the report as JSON, the same data as the management command prints."""
    report, error = _report_or_error(request)
    if error:
        return error
    export_sent(request=request, kind="monthly_report", rows=len(report.backlog), note="JSON")
    return JsonResponse(report_data(report), json_dumps_params={"ensure_ascii": False})
