"""Root pytest configuration: environment only. Fixtures belong in tests/conftest.py."""

import os
import tempfile

# Must happen at import time, before pytest-django loads tiaojie.settings.
os.environ.setdefault("TIAOJIE_ENV", "test")
# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Uploaded files of the tests go to a throwaway directory, never into var/private.
os.environ.setdefault("PRIVATE_FILES_ROOT", tempfile.mkdtemp(prefix="tiaojie-private-"))

# The browser fixtures (one Playwright + Chromium for the whole session) are shared by every test package.
pytest_plugins = ["tests.browser"]
