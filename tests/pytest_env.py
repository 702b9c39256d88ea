"""Test-run environment: a plugin (`-p tests.pytest_env`) loaded before Django reads settings."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")
os.environ.setdefault("TESTING", "1")
