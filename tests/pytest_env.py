"""Test-run environment: a plugin (`-p tests.pytest_env`) loaded before Django reads settings."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")
# Plain static storage: the pages render without a collectstatic manifest.
os.environ.setdefault("STATIC_MANIFEST", "0")
# The tests run in one process: its memory is the cache every request reads, so sessions
# are read from it as with a shared cache (icc_portal.settings.session_engine).
os.environ.setdefault("WEB_CONCURRENCY", "1")
