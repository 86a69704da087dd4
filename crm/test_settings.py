"""Settings for the test suite: the real settings with a fast password hasher."""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-only-key-not-for-deployment-0123456789abcdefghijkl"
)
os.environ.setdefault("DJANGO_HTTPS", "0")

from crm.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collectstatic before tests: WhiteNoise looks files up per request instead of
# scanning STATIC_ROOT at start-up (tests/test_project.py checks the real setup).
WHITENOISE_AUTOREFRESH = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile

    # A file, not Django's shared-cache in-memory test database: there a second
    # writer fails at once with "database table is locked" instead of waiting
    # its turn as on a real SQLite file, and the concurrency tests run threads.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"crm-test-{os.getpid()}.sqlite3")
    }
