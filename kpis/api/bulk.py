"""``POST /api/v1/measurements/bulk/``: up to 500 figures, stored together or not at all.

Each row is what ``POST /api/v1/measurements/`` takes (the KPI by id or
``consortium/code``), plus the ``version`` it is based on (0, the default: "there was no
figure yet"; else the version you read). The rows
go through :func:`kpis.reporting.entry.record_measurements`, the entry grid's save path,
one call per reporting unit and stage, all in one transaction: one problem anywhere and
nothing is stored. Every row's problems come back together, keyed ``<index>.<field>``
(``"3.value"``, ``"7.version"``) in the one error shape:

* 403 when you may not enter one of the figures;
* 400 when a row is malformed or breaks its KPI's rules;
* 409 when the only problems are conflicts: a stale ``version`` (someone saved the
  figure since you read it; the error names the current figure), a locked or
  submitted stage.

Queries: the KPIs and the cities of all rows are read once (2), then per unit and
stage the entry service's reads and locks (about 8), and per changed figure its save
and its history row (2); the change log's rows are written once at the end (2). A
whole stage of one city is one unit; nothing is read per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from changelog import log as changelog
from cities import access
from cities.models import City, Membership
from icc_portal.api.errors import ApiError, error_responses
from icc_portal.api.fields import PlainIntegerField
from icc_portal.api.filters import SingleValuedQuery
from icc_portal.figure_changes import FigureChange
from kpis.models import KPI
from kpis.reporting import entry
from kpis.reporting.errors import NON_FIELD, EntryError
from kpis.reporting.rules import DATA_FIELDS
from kpis.vocabulary import ReportingStage

from .measurements import MeasurementSerializer
from .write import (
    FIELD_OF_CODE,
    KPI_REFERENCE_SCHEMA,
    STATE_CODES,
    MeasurementDataSerializer,
    VisibleKPIField,
    ambiguous_code,
    kpi_reference,
    kpi_reference_text,
    no_such_kpi,
    resolve_kpis,
)

MAX_ROWS = 500
DESCRIPTION = (
    "Each row is what `POST /api/v1/measurements/` takes (`kpi`: its id or "
    '`"sern/2.2"`; `city`: its slug), plus the `version` it is based '
    "on (0, the default, for a figure that does not exist yet; else the version you "
    "read). Stored through the entry grid's save path, in one transaction: one problem "
    "anywhere and nothing is stored. Every row's problems come back together, keyed "
    "`<index>.<field>` (`3.value`): 403 when you may not enter one of the figures, 400 "
    "when a row is malformed or breaks its KPI's rules, 409 when the only problems are "
    "conflicts (a stale `version`, a locked or submitted stage)."
)


@extend_schema_field(KPI_REFERENCE_SCHEMA)
class KPIReferenceField(serializers.Field):
    """A KPI's id or ``consortium/code``, read but not looked up (the view reads every
    row's KPIs in one query)."""

    default_error_messages = VisibleKPIField.default_error_messages

    def to_internal_value(self, data):
        reference = kpi_reference(data)
        if reference is None or (isinstance(reference, int) and not 1 <= reference < 2**63):
            self.fail("incorrect_type")
        return reference

    def to_representation(self, value):
        return kpi_reference_text(value)


class BulkRowSerializer(MeasurementDataSerializer):
    """One figure of a bulk write: which KPI, city and stage, and the version it is based on."""

    kpi = KPIReferenceField(help_text='KPI id, or its consortium slug and code ("sern/2.2")')
    city = serializers.CharField(
        allow_null=True,
        required=False,
        default=None,
        help_text="City slug; null for a KPI the consortium reports once.",
    )
    stage = serializers.ChoiceField(choices=ReportingStage.choices)
    version = PlainIntegerField(
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        default=0,
        help_text="The version you read; 0 (the default) for a figure that does not exist yet.",
    )


class BulkRequestSerializer(serializers.Serializer):
    figures = BulkRowSerializer(many=True, min_length=1, max_length=MAX_ROWS)


BulkResultSerializer = inline_serializer(
    "BulkResult",
    {
        "results": inline_serializer(
            "BulkRow",
            {
                "index": serializers.IntegerField(help_text="The row's place in `figures`."),
                "change": serializers.ChoiceField(
                    choices=[FigureChange.CREATED, FigureChange.UPDATED, FigureChange.UNCHANGED]
                ),
                "measurement": MeasurementSerializer(
                    allow_null=True, help_text="Null for a row that stores nothing."
                ),
            },
            many=True,
        )
    },
)


class BulkRefused(ApiError):
    """The rows' problems, keyed ``<index>.<field>``; its status says which kind they are."""


class MeasurementBulkView(APIView):
    """Enter or change many figures at once, all or nothing."""

    query_parameters: tuple = ()

    @extend_schema(
        operation_id="measurements_bulk",
        summary="Enter or change up to 500 figures, all or nothing",
        description=DESCRIPTION,
        request={"application/json": BulkRequestSerializer},
        responses={
            (200, "application/json"): BulkResultSerializer,
            **error_responses(400, 401, 403, 409, 413, 429),
        },
    )
    def post(self, request):
        SingleValuedQuery().check(request, self)
        shape = BulkRequestSerializer(data=request.data)
        if not shape.is_valid():
            raise exceptions.ValidationError(_keyed_shape_errors(shape.errors))
        rows = shape.validated_data["figures"]
        problems = Problems()
        kpis, cities = self.resolve(request.user, rows, problems)
        problems.raise_if_any()

        groups: dict[tuple, list[tuple[int, entry.RowInput]]] = defaultdict(list)
        for index, row in enumerate(rows):
            kpi, city = kpis[row["kpi"]], cities.get(row["city"])
            if kpi.reporting_level == KPI.ReportingLevel.CONSORTIUM:
                city = None
            data = {name: row[name] for name in DATA_FIELDS}
            row_input = entry.RowInput(kpi=kpi, expected_version=row["version"], key=index, **data)
            groups[(city, row["stage"])].append((index, row_input))

        outcomes: dict[int, entry.RowOutcome] = {}
        with transaction.atomic(), changelog.batch():
            for (city, stage), members in groups.items():
                try:
                    stored = entry.record_measurements(
                        user=request.user,
                        stage=stage,
                        city=city,
                        rows=[row_input for _index, row_input in members],
                    )
                except DjangoPermissionDenied as error:
                    for index, _row in members:
                        problems.add(index, NON_FIELD, str(error), "permission_denied")
                    continue
                except EntryError as error:
                    problems.add_entry_error(error)
                    continue
                outcomes.update({outcome.key: outcome for outcome in stored})
            problems.raise_if_any()  # rolls every group back

        context = {"request": request}
        return Response(
            {
                "results": [
                    {
                        "index": index,
                        "change": outcomes[index].change,
                        "measurement": (
                            MeasurementSerializer(outcomes[index].measurement, context=context).data
                            if outcomes[index].measurement is not None
                            else None
                        ),
                    }
                    for index in range(len(rows))
                ]
            }
        )

    @staticmethod
    def resolve(user, rows, problems: Problems) -> tuple[dict, dict[str, City]]:
        """The rows' KPIs (by the reference each row gives: an id or ``consortium/code``)
        and cities in two queries; one the user may not read is no KPI (no city) at all,
        with the single write's own words."""
        found = resolve_kpis(user, {row["kpi"] for row in rows})
        slugs = {row["city"] for row in rows if row["city"]}
        readable = Membership.objects.filter(
            access.visible_consortia_filter(user, "consortium__"), city=OuterRef("pk")
        )
        cities = {city.slug: city for city in City.objects.filter(Exists(readable), slug__in=slugs)}
        kpis: dict[int, KPI] = {}
        for index, row in enumerate(rows):
            kpi = found.get(row["kpi"])
            if kpi is None:
                problems.add(index, "kpi", no_such_kpi(row["kpi"]), "does_not_exist")
                continue
            if isinstance(kpi, list):
                problems.add(index, "kpi", ambiguous_code(row["kpi"], kpi), "ambiguous")
                continue
            kpis[row["kpi"]] = kpi
            if row["city"] and row["city"] not in cities:
                message = serializers.SlugRelatedField.default_error_messages[
                    "does_not_exist"
                ].format(slug_name="slug", value=row["city"])
                problems.add(index, "city", message, "does_not_exist")
            elif kpi.reporting_level == KPI.ReportingLevel.CONSORTIUM and row["city"]:
                message = _(
                    "KPI %(code)s is reported once by the consortium: leave the city empty."
                ) % {"code": kpi.code}
                problems.add(index, "city", message, "consortium_level")
        return kpis, cities


class Problems:
    """Every row's problems, keyed ``<index>.<field>``, raised together with one status."""

    def __init__(self) -> None:
        self.errors: dict[str, list[exceptions.ErrorDetail]] = {}

    def add(self, index: Hashable, field: str, message: str, code: str) -> None:
        field = FIELD_OF_CODE.get(code, "non_field_errors") if field == NON_FIELD else field
        key = f"{index}.{field}" if index is not None else field
        self.errors.setdefault(key, []).append(exceptions.ErrorDetail(message, code))

    def add_entry_error(self, error: EntryError) -> None:
        for problem in error.error_list:
            self.add(problem.key, problem.field, problem.message, problem.code)

    def codes(self) -> set[str]:
        return {detail.code for details in self.errors.values() for detail in details}

    def raise_if_any(self) -> None:
        if not self.errors:
            return
        codes = self.codes()
        first = next(iter(self.errors.values()))[0]
        if "permission_denied" in codes:
            refused = BulkRefused(
                _("You may not enter one of these figures; nothing was stored."),
                code="permission_denied",
                errors=self.errors,
            )
            refused.status_code = status.HTTP_403_FORBIDDEN
            raise refused
        if codes <= STATE_CODES | {"stale"}:
            refused = BulkRefused(
                _("Some figures changed or are locked since you read them; nothing was stored."),
                code="stale" if "stale" in codes else first.code,
                errors=self.errors,
            )
            refused.status_code = status.HTTP_409_CONFLICT
            raise refused
        raise exceptions.ValidationError(self.errors)


def _keyed_shape_errors(errors) -> dict:
    """The request serializer's errors as ``<index>.<field>`` -> messages.

    DRF nests a list's errors by row (``{"figures": {"3": {"value": [...]}}}``) and says
    what is wrong with the list itself under ``non_field_errors``; the error shape wants
    one level of field -> messages.
    """
    keyed: dict = {}
    for name, value in errors.items():
        if name != "figures" or not isinstance(value, dict | list):
            keyed[name] = value
            continue
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            keyed["figures"] = value  # about the list itself: missing, not a list
            continue
        rows = value.items() if isinstance(value, dict) else enumerate(value)
        for index, row_errors in rows:
            if index == "non_field_errors":
                keyed["figures"] = row_errors
            elif isinstance(row_errors, dict):
                for field, messages in row_errors.items():
                    keyed[f"{index}.{field}"] = messages
            elif row_errors:
                keyed[f"{index}"] = row_errors if isinstance(row_errors, list) else [row_errors]
    return keyed
