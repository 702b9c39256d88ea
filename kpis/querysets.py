"""Reads that cross relations: each brings what a page needs in a fixed number of queries."""

from __future__ import annotations

from django.db import models

from cities.access import visible_measurements_filter


class MeasurementQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeasurementQuerySet:
        """Only the figures this user may read (approved ones for anonymous visitors)."""
        return self.filter(visible_measurements_filter(user))
