"""URLs of the reports, under /reports/."""

from django.urls import path

from leads.reports import views as report_views

app_name = "reports"

urlpatterns = [
    path("monthly/", report_views.monthly, name="monthly"),
    path("monthly/xlsx/", report_views.monthly_xlsx, name="monthly_xlsx"),
    path("monthly/backlog/xlsx/", report_views.monthly_backlog_xlsx, name="monthly_backlog_xlsx"),
    path("monthly/json/", report_views.monthly_json, name="monthly_json"),
    path("monthly/lock/", report_views.monthly_lock, name="monthly_lock"),
    path("ranking/", report_views.ranking, name="ranking"),
]
