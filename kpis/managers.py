"""The measurements' queryset (the model's manager) and reading rows straight from the driver.

Low enough for the model to import: it knows the access rules (:mod:`cities.access`)
and the stage names (:mod:`kpis.vocabulary`), nothing of the pages built on top.

The dashboards read measurements as plain tuples straight from the database driver
(:func:`driver_rows`), not model instances: an overview of 200 cities × 100 KPIs is
20,000 rows, and building that many objects would cost more than the page itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Substr

from cities.access import visible_measurements_filter
from kpis.vocabulary import STAGES

# The statuses that say something; a stored "not yet reported" row is the same as none.
INFORMATIVE_STATUSES = ("reported", "not_available", "not_applicable")

#: Length of a text answer kept for a matrix cell; the full text is on the city page.
MATRIX_TEXT_LENGTH = 80

#: Columns of an overview row, in order (the annotation last, as in the SQL).
OVERVIEW_COLUMNS = (
    "city_id",
    "kpi_id",
    "stage",
    "status",
    "value",
    "boolean_value",
    "review_state",
    "short_text",
)

#: Fields of a detail row (city page, KPI page), as dictionaries.
DETAIL_FIELDS = (
    "id",
    "kpi_id",
    "city_id",
    "stage",
    "status",
    "value",
    "boolean_value",
    "text_value",
    "reason",
    "note",
    "evidence_url",
    "as_of",
    "review_state",
)


class MeasurementQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeasurementQuerySet:
        """Only the figures this user may read (approved ones for anonymous visitors)."""
        return self.filter(visible_measurements_filter(user))

    def informative(self) -> MeasurementQuerySet:
        return self.filter(status__in=INFORMATIVE_STATUSES)

    def for_overview(self, kpi_ids: Iterable[int], stages: Iterable[str]) -> list[tuple]:
        """These KPIs' figures at these stages: tuples in ``OVERVIEW_COLUMNS`` order.

        ``city_id`` is ``None`` for figures the consortium reports once; text answers are
        read where there is no number, cut to ``MATRIX_TEXT_LENGTH`` characters. One
        query, unordered, returned as the driver gives it (see :func:`driver_rows`).
        """
        rows = (
            self.informative()
            .filter(kpi_id__in=list(kpi_ids), stage__in=list(stages))
            .annotate(
                short_text=Case(  # a number needs no words in a matrix cell
                    When(value__isnull=True, then=Substr("text_value", 1, MATRIX_TEXT_LENGTH)),
                    default=Value(""),
                    output_field=models.TextField(),
                )
            )
            .order_by()
        )
        return driver_rows(rows.values_list(*OVERVIEW_COLUMNS))

    def baseline_values(self, kpi_ids: Iterable[int]) -> list[tuple]:
        """``(city_id, kpi_id, value)`` of these KPIs' reported baseline figures.

        The starting points later stages are judged from. One query, as the driver gives it.
        """
        rows = self.filter(
            kpi_id__in=list(kpi_ids), stage="baseline", status="reported", value__isnull=False
        ).order_by()
        return driver_rows(rows.values_list("city_id", "kpi_id", "value"))

    def for_city(self, city, kpi_ids: Iterable[int]):
        """A city's own figures for these KPIs, and the consortium's for those it reports once.

        Dictionaries of ``DETAIL_FIELDS``; one query.
        """
        return (
            self.informative()
            .filter(kpi_id__in=list(kpi_ids))
            .filter(Q(city=city) | Q(city__isnull=True, kpi__reporting_level="consortium"))
            .order_by()
            .values(*DETAIL_FIELDS)
        )

    def for_kpis(self, kpi_ids: Iterable[int]):
        """Every figure of these KPIs at every stage, as dictionaries; one query."""
        return self.informative().filter(kpi_id__in=list(kpi_ids)).order_by().values(*DETAIL_FIELDS)

    def stages_with_figures(self, kpi_ids: Iterable[int]) -> set[str]:
        """The stages at which these KPIs have at least one reported or N/A figure.

        One query of three ``EXISTS``, each stopping at its first row.
        """
        figures = self.filter(kpi_id__in=list(kpi_ids), status__in=("reported", "not_available"))
        flags = (
            self.model.objects.annotate(
                **{stage: models.Exists(figures.filter(stage=stage)) for stage in STAGES}
            )
            .values_list(*STAGES)
            .order_by()[:1]
        )
        # Any row carries the flags; with no measurement at all there is nothing to say.
        found = next(iter(flags), None)
        return {stage for stage, flag in zip(STAGES, found or (), strict=False) if flag}


def driver_rows(queryset) -> list[tuple]:
    """A ``values_list`` queryset's rows as the database driver returns them.

    Django's per-row conversion costs more than the whole matrix built from the rows,
    so the dashboards skip it and convert each *distinct* raw value once with
    :func:`driver_decimal` and :func:`driver_bool`: numbers may come back as ``int``,
    ``float``, ``str`` or ``Decimal`` and yes/no as ``0``/``1`` or ``bool``, by backend.
    Annotations must come last in the field list, as they do in the SQL.
    """
    query = queryset.query
    selected = [*query.values_select, *query.annotation_select]
    if list(queryset._fields) != selected:
        raise ValueError(f"list annotations last: {selected} != {queryset._fields}")
    try:
        sql, params = query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # e.g. ``kpi_id__in=[]``: Django knows without asking
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def driver_decimal(raw) -> Decimal | None:
    """A raw number from :func:`driver_rows` as the Decimal the model field would give."""
    if raw is None or isinstance(raw, Decimal):
        return raw
    if isinstance(raw, float):
        return Decimal(repr(raw))  # the shortest decimal that reads back as this float
    return Decimal(raw)


def driver_bool(raw) -> bool | None:
    return None if raw is None else bool(raw)
