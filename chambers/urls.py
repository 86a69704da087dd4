"""URLs of the chamber and entrepreneur pages, under /chambers/ and /entrepreneurs/."""

from django.urls import path

from chambers import views

app_name = "chambers"

urlpatterns = [
    path("chambers/", views.chamber_list_view, name="chamber_list"),
    path("chambers/<int:pk>/", views.chamber_detail_view, name="chamber_detail"),
    path("entrepreneurs/", views.entrepreneur_list_view, name="entrepreneur_list"),
    path("entrepreneurs/<int:pk>/", views.entrepreneur_detail_view, name="entrepreneur_detail"),
]
