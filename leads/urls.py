"""URLs of the lead pages, under /leads/."""

from django.urls import path

from leads import views
from leads.excel import views as excel_views

app_name = "leads"

urlpatterns = [
    path("", views.lead_list, name="list"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("import/", excel_views.import_upload, name="import"),
    path("import/<int:pk>/", excel_views.import_job, name="import_job"),
    path("import/<int:pk>/errors/", excel_views.import_job_errors, name="import_job_errors"),
    path("export/", excel_views.lead_export, name="export"),
    path("template/", excel_views.import_template, name="template"),
]
