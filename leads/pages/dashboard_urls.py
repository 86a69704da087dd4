"""The dashboard at the site's root."""

from django.urls import path

from leads.pages.views import home

urlpatterns = [path("", home, name="home")]
