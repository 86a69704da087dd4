"""URLs of the lead pages, under /leads/."""

from django.urls import path

from leads.excel import views as excel_views
from leads.pages import duplicates, edit_views, views

app_name = "leads"

urlpatterns = [
    path("", views.lead_list, name="list"),
    path("board/", views.lead_board, name="board"),
    path("board/dropped/", views.lead_board_dropped, name="board_dropped"),
    path("new/", edit_views.lead_create_view, name="create"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/edit/", edit_views.lead_edit_view, name="edit"),
    path("<int:pk>/stage/<str:to_stage>/", edit_views.lead_stage_view, name="change_stage"),
    path("<int:pk>/activities/", edit_views.activity_add_view, name="add_activity"),
    path("duplicates/", duplicates.duplicate_list, name="duplicates"),
    path("duplicates/dismiss/", duplicates.duplicate_dismiss, name="duplicates_dismiss"),
    path("duplicates/merge/", duplicates.lead_merge_view, name="merge"),
    path("merges/<int:pk>/undo/", duplicates.lead_merge_undo_view, name="merge_undo"),
    path("import/", excel_views.import_upload, name="import"),
    path("import/<int:pk>/", excel_views.import_job, name="import_job"),
    path("import/<int:pk>/errors/", excel_views.import_job_errors, name="import_job_errors"),
    path("export/", excel_views.lead_export, name="export"),
    path("template/", excel_views.import_template, name="template"),
    path("targets/export/", excel_views.target_export, name="targets_export"),
]
