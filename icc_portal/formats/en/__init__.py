"""Formats for this language: see icc_portal/formats/__init__.py."""
