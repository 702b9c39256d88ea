"""Dashboards: the reads, judging, the matrix and the page rows built from them, the KPI page."""
