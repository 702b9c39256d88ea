"""Helper code shared by tests of several apps (never a conftest: tests import these)."""
