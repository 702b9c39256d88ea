"""Reporting: the write path and its rules, the entry grid, forms, review, history, pages."""
