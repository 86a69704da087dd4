"""Top-level URLs: the admin, login pages and the apps' pages, included by name."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "招商引资线索管理"
admin.site.site_title = "招商引资线索管理"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("leads/", include("leads.pages.urls")),
    path("reports/", include("leads.reports.urls")),
    path("audit/", include("audit.urls")),
    path("aftercare/", include("aftercare.pages.urls")),
    path("", include("chambers.urls")),
    path("", include("leads.pages.dashboard_urls")),
]
