"""Settings for the test suite: the real settings, with fast hashing and tasks run inline."""

import os
import tempfile
from pathlib import Path

from hongling.settings import *  # noqa: F401,F403
from hongling.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
AXES_FAILURE_LIMIT = 5

# the demo mark's flag of the test run, apart from a developer's data directory
HONGLING_DEMO_FLAG = Path(tempfile.gettempdir()) / f"hongling-test-demo-flag-{os.getpid()}"

# the home page's parts are computed every time (tests of the cache itself turn it on: tests/test_home_cost.py)
HONGLING_HOME_CACHE = False
