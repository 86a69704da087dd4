"""Shell pages of the project."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    """Render the start page."""
    return render(request, "home.html")
