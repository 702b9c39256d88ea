"""Measurement rows read as tuples, shown exactly as ``MeasurementSerializer`` shows them.

The list, its CSV and the change feed read thousands of figures as plain tuples straight
from the database driver (no model instances) and turn them into the serializer's shape
here, so every one of them shows a figure the same way.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.utils import timezone

from icc_portal.numbers import plain
from kpis.managers import driver_bool, driver_decimal, driver_rows

#: A list row's fields and where they are read from, in ``MeasurementSerializer`` order.
LIST_LOOKUPS = {
    "id": "id",
    "consortium": "kpi__solution__consortium__slug",
    "solution": "kpi__solution__number",
    "kpi": "kpi_id",
    "kpi_code": "kpi__code",
    "city": "city__slug",
    "country": "city__country",
    "stage": "stage",
    "status": "status",
    "value": "value",
    "boolean_value": "boolean_value",
    "text_value": "text_value",
    "reason": "reason",
    "note": "note",
    "evidence_url": "evidence_url",
    "as_of": "as_of",
    "review_state": "review_state",
    "version": "version",
    "updated_at": "updated_at",
}


def instance_values(measurement) -> tuple:
    """A measurement instance as a ``LIST_LOOKUPS`` tuple (its related rows read through
    the instance: select them with it)."""
    values = []
    for lookup in LIST_LOOKUPS.values():
        value = measurement
        for name in lookup.split("__"):
            value = getattr(value, name) if value is not None else None
        values.append(value)
    return tuple(values)


def list_rows(rows: Iterable[tuple]) -> Iterator[dict]:
    """``LIST_LOOKUPS`` tuples as the serializer would show them.

    The values may be Django's (``Decimal``, ``date``, aware ``datetime``) or the
    database driver's own (see ``RawRows``): numbers as int/float/str, yes/no as 0/1,
    naive timestamps in UTC on SQLite.
    """
    zone = timezone.get_current_timezone()
    for values in rows:
        row = dict(zip(LIST_LOOKUPS, values, strict=True))
        row["value"] = plain(driver_decimal(row["value"])) or None
        row["boolean_value"] = driver_bool(row["boolean_value"])
        as_of = row["as_of"]
        row["as_of"] = as_of if isinstance(as_of, str) or as_of is None else as_of.isoformat()
        row["updated_at"] = local_datetime(row["updated_at"], zone)
        yield row


class RawRows:
    """A values_list queryset paged by the database driver, without Django's conversions.

    A page of 100 rows costs the database half a millisecond and Django's per-value
    converters three times that; ``list_rows`` reads the driver's values directly
    (as the dashboards do, ``managers.driver_rows``).
    """

    def __init__(self, queryset) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, window: slice) -> list[tuple]:
        return driver_rows(self.queryset[window])

    def after(self, position: int, limit: int) -> list[tuple]:
        """The first ``limit`` rows with an id above ``position``, in id order (a cursor page)."""
        return driver_rows(self.queryset.filter(pk__gt=position).order_by("pk")[:limit])


def local_datetime(moment, zone=None) -> str:
    """A timestamp as DRF's DateTimeField writes it: ISO 8601 in the site's time zone.

    ``moment`` may also be what SQLite's driver returns: a naive datetime (or its text)
    in UTC, as Django stores it.
    """
    if isinstance(moment, str):
        moment = datetime.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    text = moment.astimezone(zone or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
