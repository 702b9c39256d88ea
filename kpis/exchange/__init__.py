"""Spreadsheets in, deliverables out: XLSX/CSV templates and their dry-run import, the matrix
and maturity tables as XLSX, CSV, DOCX and PDF, and the consortium's whole deliverable."""
