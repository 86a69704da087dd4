"""Shared test setup."""

import pytest


@pytest.fixture
def reference_data(db, django_db_blocker):
    """Load the reference fixture (industries, teams, stage owners, groups)."""
    from django.core.management import call_command

    call_command("loaddata", "reference", verbosity=0)
