"""Code the tests share (imported by tests, never a conftest)."""
