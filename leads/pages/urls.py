"""URLs of the lead pages, under /leads/."""

from django.urls import path

from leads.excel import views as excel_views
from leads.pages import duplicates, edit_views, key_views, overdue_views, views

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
    path("<int:pk>/milestones/", edit_views.milestone_record_view, name="record_milestone"),
    path("<int:pk>/paid-in/", edit_views.paid_in_add_view, name="add_paid_in"),
    path("<int:pk>/supervise/", overdue_views.supervision_add, name="add_supervision"),
    path("<int:pk>/key/", key_views.set_key, name="set_key"),
    path("<int:pk>/plan-node/", key_views.plan_node, name="plan_node"),
    path("overdue-nodes/", overdue_views.overdue_list, name="overdue_nodes"),
    path("overdue-nodes/export/", overdue_views.overdue_export, name="overdue_nodes_export"),
    path("key-projects/", key_views.key_projects, name="key_projects"),
    path("key-projects/export/", key_views.key_projects_export, name="key_projects_export"),
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
