"""Shared test setup."""

import pytest

# The browser fixtures (browser, page, screenshot) for every test package.
pytest_plugins = ["tests.browser_fixtures"]


@pytest.fixture
def reference_data(db, django_db_blocker):
    """Load the reference fixture (industries, teams, stage owners, groups)."""
    from django.core.management import call_command

    call_command("loaddata", "reference", verbosity=0)
