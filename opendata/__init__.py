"""Open data: a DCAT-AP catalogue per consortium that offers its approved figures, the
/open-data/ page and the datasets' files (see docs/open-data.md)."""
