"""URLs of the ledger pages, under /aftercare/."""

from django.urls import path

from aftercare.pages import edit_views, excel_views, views

app_name = "aftercare"

urlpatterns = [
    path("", views.problem_list_view, name="problem_list"),
    path("problems/new/", edit_views.problem_create_view, name="problem_create"),
    path("problems/<int:pk>/", views.problem_detail_view, name="problem_detail"),
    path("problems/<int:pk>/edit/", edit_views.problem_edit_view, name="problem_edit"),
    path(
        "problems/<int:pk>/status/<str:to_status>/",
        views.problem_move_view,
        name="problem_move",
    ),
    path("enterprises/", views.enterprise_list_view, name="enterprise_list"),
    path("enterprises/new/", edit_views.enterprise_create_view, name="enterprise_create"),
    path("enterprises/<int:pk>/", views.enterprise_detail_view, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", edit_views.enterprise_edit_view, name="enterprise_edit"),
    path("import/", excel_views.import_view, name="import"),
    path("import/errors/", excel_views.import_errors_view, name="import_errors"),
    path("template/", excel_views.template_view, name="template"),
    path("export/", excel_views.export_view, name="export"),
    path("ledger/", excel_views.ledger_view, name="ledger"),
]
