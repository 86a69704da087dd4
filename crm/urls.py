"""Top-level URLs: the admin, login pages and the apps' pages."""

from django.contrib import admin
from django.urls import include, path

from crm import views

admin.site.site_header = "招商引资线索管理"
admin.site.site_title = "招商引资线索管理"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("leads/", include("leads.urls")),
    path("reports/", include("leads.reports_urls")),
    path("audit/", include("audit.urls")),
    path("", include("chambers.urls")),
    path("", views.home, name="home"),
]
