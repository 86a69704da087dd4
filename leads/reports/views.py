"""The monthly report page, its downloads (Excel, JSON), locking (封存) and the ranking page.

A locked period serves its newest locked version (or `?version=N`);
`?live=1` computes the figures afresh.
"""

import io
import json
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from crm.numbers import whole_number
from crm.snapshot import read_snapshot
from crm.spreadsheets.signals import export_sent
from leads.reports.definitions import DEFINITIONS
from leads.reports.locks import (
    LOCK_PERM,
    LockError,
    PeriodOnly,
    report_lock,
    report_snapshot_get,
    report_versions,
)
from leads.reports.monthly import backlog_report_build, monthly_report_build
from leads.reports.page import body_context, neighbour_months, ranking_by_scope, ranking_period
from leads.reports.period import PeriodError, period_from_query
from leads.reports.serialise import report_data
from leads.reports.workbook import build_backlog_workbook, build_monthly_workbook

# The report lists leads (the backlog), so it asks what the lead list asks: 查看线索.
VIEW_PERM = "leads.view_lead"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _served(request, period):
    """Return the locked version the request is served (None for live figures)."""
    if request.GET.get("live"):
        return None
    version = request.GET.get("version", "")
    return report_snapshot_get(period, whole_number(version))


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def monthly(request):
    """Render the report of ?month=YYYY-MM or ?from=&to= (default: the current month)."""
    try:
        period = period_from_query(request.GET)
    except PeriodError as error:
        context = {"error": str(error), "query": request.GET, "definitions": DEFINITIONS}
        return render(request, "reports/monthly.html", context, status=400)
    locked = _served(request, period)
    # The body reads the backlog's rows while it renders: one snapshot for all of it.
    with read_snapshot():
        context = {} if locked else body_context(monthly_report_build(period))
        context.setdefault("report", PeriodOnly(period))
        previous_month, next_month = neighbour_months(period)
        context.update(
            query=request.GET,
            download_query=_query_without(request, "version", "live"),
            live_query=_query_without(request, "version") + "&live=1",
            locked=locked,
            versions=report_versions(period),
            previous_month=previous_month,
            next_month=next_month,
            definitions=DEFINITIONS,
        )
        return render(request, "reports/monthly.html", context)


def _period_or_error(request):
    try:
        return period_from_query(request.GET), None
    except PeriodError as error:
        return None, HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def monthly_xlsx(request):
    """Download the report as the print-ready workbook (the locked file when locked)."""
    period, error = _period_or_error(request)
    if error:
        return error
    response = HttpResponse(content_type=XLSX)
    locked = _served(request, period)
    suffix = f"_封存第{locked.version}版" if locked else ""
    filename = f"签约落地通报_{period.key.replace('/', '_')}{suffix}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    if locked:
        response.write(bytes(locked.workbook))
        rows = _backlog_size(locked)
    else:
        buffer = io.BytesIO()
        with read_snapshot():
            report = monthly_report_build(period)
            rows = build_monthly_workbook(report, buffer)
        response.write(buffer.getvalue())
    export_sent(request=request, kind="monthly_report", rows=rows, filename=filename)
    return response


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def monthly_backlog_xlsx(request):
    """Download the period's 签约未落地 list, every row (a workbook lists the longest waiting
    first, up to `LISTED_ROWS`). A locked period: its locked workbook, which lists every row."""
    period, error = _period_or_error(request)
    if error:
        return error
    if _served(request, period):
        return redirect(f"{reverse('reports:monthly_xlsx')}?{request.GET.urlencode()}")
    filename = f"签约未落地清单_{period.key.replace('/', '_')}.xlsx"
    buffer = io.BytesIO()
    with read_snapshot():
        report = backlog_report_build(period)
        build_backlog_workbook(report, buffer)
        rows = len(report.backlog)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    export_sent(
        request=request, kind="monthly_report", rows=rows, filename=filename, note="签约未落地清单"
    )
    return response


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def monthly_json(request):
    """Return the report as JSON, the same data as the management command prints."""
    period, error = _period_or_error(request)
    if error:
        return error
    locked = _served(request, period)
    if locked:
        export_sent(request=request, kind="monthly_report", rows=_backlog_size(locked), note="JSON")
        return HttpResponse(locked.json_text, content_type="application/json")
    with read_snapshot():
        data = report_data(monthly_report_build(period))
    export_sent(request=request, kind="monthly_report", rows=len(data["backlog"]), note="JSON")
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_POST
@login_required
def monthly_lock(request):
    """Lock the period's report as it stands now (局领导), then show it."""
    if not request.user.has_perm(LOCK_PERM):
        raise PermissionDenied
    period, error = _period_or_error(request)
    if error:
        return error
    try:
        snapshot = report_lock(period=period, actor=request.user, reason=request.POST.get("reason"))
    except LockError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"已封存{period.label}通报第 {snapshot.version} 版。")
    return redirect(f"{reverse('reports:monthly')}?{request.GET.urlencode()}")


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def ranking(request):
    """Render the ranking (红黑榜) of ?year=&month= (default: the current month)."""
    try:
        period = ranking_period(request.GET)
    except PeriodError as error:
        context = {"error": str(error), "definitions": DEFINITIONS}
        return render(request, "reports/ranking.html", context, status=400)
    with read_snapshot():
        report = monthly_report_build(period)
        context = {
            "report": report,
            "scopes": ranking_by_scope(report),
            "definitions": [item for item in DEFINITIONS if item[0] == "排名"],
        }
        return render(request, "reports/ranking.html", context)


def _backlog_size(locked) -> int:
    """Return how many 签约未落地 projects a locked version lists (what its export counts)."""
    return len(json.loads(locked.json_text).get("backlog", []))
