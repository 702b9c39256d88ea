"""Writing measurements over the API: request shapes, ETags, and the entry service's errors.

Every write goes through :func:`kpis.reporting.entry.record_measurements`, the save path of the
entry grid, so the API applies the same rules and says the same things. This module
only translates: JSON in, ``RowInput`` to the service, its outcome or typed error out as
an HTTP answer in the API's error shape.

Conflicts
    A measurement's ETag is ``"measurement-<id>-v<version>"`` after a write, and the
    same followed by ``-<digest>`` on a read (:mod:`icc_portal.api.conditional`); either
    works in ``If-Match``, which compares the version. PUT/PATCH with ``If-Match``
    that no longer matches gets 412 (checked first, before the body: RFC 9110 13.2.2);
    without ``If-Match`` the body's ``version`` is the version the change is based on,
    and a stale one gets 409; with neither, 428. Nothing is ever overwritten silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.permissions import SAFE_METHODS, BasePermission

from cities import access
from cities.models import City, Membership
from icc_portal.api.errors import (
    Conflict,
    PreconditionFailed,
    PreconditionRequired,
    error_responses,
)
from icc_portal.api.fields import PlainDecimalField, PlainIntegerField
from icc_portal.numbers import parse_plain
from kpis.models import KPI, Measurement
from kpis.reporting import entry
from kpis.reporting.errors import NON_FIELD, EntryError, StaleVersion
from kpis.reporting.rules import DATA_FIELDS, NOT_A_NUMBER
from kpis.vocabulary import ReportingStage

NO_NUL = RegexValidator(r"^[^\x00]*$", _("Null characters are not allowed."), code="null")
#: A figure's ETag: its id and version, and on a read a digest of the reader's view
#: (see ``icc_portal.api.conditional``). ``If-Match`` compares the id and version.
ETAG_PATTERN = re.compile(r'^"measurement-(?P<pk>\d+)-v(?P<version>\d+)(?:-[0-9a-f]+)?"$')


# --------------------------------------------------------------------------- errors


#: Entry-service codes that mean "the figure's state forbids this", not "bad input".
STATE_CODES = {"locked", "under_review"}


#: Where the service's errors about the row as a whole belong in an API request.
FIELD_OF_CODE = {
    "unknown_kpi": "kpi",
    "composite": "kpi",
    "other_consortium": "kpi",
    "city_required": "city",
    "not_reported_here": "city",
}


def _field_name(field: str, code: str) -> str:
    if field == NON_FIELD:
        return FIELD_OF_CODE.get(code, "non_field_errors")
    return field


def _as_errors(error: EntryError) -> dict[str, list[ErrorDetail]]:
    """The service's errors of one row (and of the call) as field -> messages with codes."""
    errors: dict[str, list[ErrorDetail]] = {}
    for problem in error.error_list:
        detail = ErrorDetail(problem.message, problem.code)
        errors.setdefault(_field_name(problem.field, problem.code), []).append(detail)
    return errors


def _first_message(errors: dict[str, list[ErrorDetail]]) -> tuple[str, str]:
    for messages in errors.values():
        if messages:
            return str(messages[0]), messages[0].code
    return _("Invalid input."), "invalid"


def etag_of(measurement: Measurement) -> str:
    return f'"measurement-{measurement.pk}-v{measurement.version}"'


def _raise_from_entry(error: EntryError, *, stale_status: type) -> None:
    errors = _as_errors(error)
    if isinstance(error, StaleVersion):
        current = next(iter(error.current.values()), None)
        message, _code = _first_message(errors)
        raise stale_status(
            message,
            code="stale",
            errors={"version": [message]},
            etag=etag_of(current) if current is not None else "",
        )
    codes = {detail.code for messages in errors.values() for detail in messages}
    if codes & STATE_CODES:
        message, code = _first_message(errors)
        raise Conflict(message, code=code, errors=errors)
    raise exceptions.ValidationError(errors)


def record(*, user, stage: str, city: City | None, row: entry.RowInput, stale_status=Conflict):
    """Store one figure through the entry service; returns its ``RowOutcome``."""
    try:
        (outcome,) = entry.record_measurements(user=user, stage=stage, city=city, rows=[row])
    except DjangoPermissionDenied as error:
        raise exceptions.PermissionDenied(str(error) or None) from error
    except EntryError as error:
        _raise_from_entry(error, stale_status=stale_status)
    return outcome


# --------------------------------------------------------------------------- request shapes


def _not_a_number() -> str:
    return NOT_A_NUMBER % {"example": "1234.5"}


class FigureNumberField(PlainDecimalField):
    """A figure's number: a JSON number, or text read by the entry grid's rule.

    Text is ASCII digits with an optional sign and one decimal point (``"-1234.5"``,
    see :func:`icc_portal.numbers.parse_plain`); what the grid refuses and
    Python's ``Decimal`` would take (``"１２"``, ``"1_000"``, ``"1e3"``) is refused
    with the grid's message.
    """

    default_error_messages = {
        **PlainDecimalField.default_error_messages,
        "invalid": lazy(_not_a_number, str)(),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        if isinstance(data, str):
            try:
                data = parse_plain(data)
            except ValueError:
                self.fail("invalid")
        return super().to_internal_value(data)


#: A KPI named by its code: ``<consortium slug>/<code>`` ("sern/2.2"). Written without
#: named groups so that the schema can carry it: OpenAPI patterns are ECMA-262 regexes,
#: and JavaScript refuses Python's ``(?P<name>…)``.
KPI_CODE = re.compile(r"^([-a-zA-Z0-9_]+)/([^/\s]+)$")
#: How the schema declares a KPI reference: its id, or its consortium and code.
KPI_REFERENCE_SCHEMA = {
    "oneOf": [
        {"type": "integer", "minimum": 1},
        {"type": "string", "pattern": KPI_CODE.pattern},
    ],
    "description": 'KPI: its id (12) or its consortium slug and code ("sern/2.2").',
}


def kpi_reference(data) -> int | tuple[str, str] | None:
    """An id (a JSON integer, or ASCII digits as text) or a ``(consortium, code)`` pair;
    ``None`` when ``data`` is neither."""
    if isinstance(data, bool):
        return None
    if isinstance(data, int):
        return data
    if isinstance(data, str):
        if re.fullmatch(r"[0-9]+", data):
            return int(data)
        match = KPI_CODE.match(data.strip())
        if match:
            consortium, code = match.groups()
            return consortium, code
    return None


def kpi_reference_text(reference: int | tuple[str, str]) -> str:
    return str(reference) if isinstance(reference, int) else "/".join(reference)


def no_such_kpi(reference: int | tuple[str, str]) -> str:
    """The message for a KPI that is not there, or not yours to read (DRF's for an id)."""
    if isinstance(reference, int):
        return serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"].format(
            pk_value=reference
        )
    return _("There is no KPI “%(kpi)s”.") % {"kpi": kpi_reference_text(reference)}


@extend_schema_field(KPI_REFERENCE_SCHEMA)
class VisibleKPIField(serializers.Field):
    """A KPI, by id or by ``consortium/code`` (both name the same KPI; there is one field,
    so nothing to reconcile). A KPI of a consortium the caller may not read is answered as
    no KPI at all: same message, nothing about it named (its code, its reporting level…).
    A code shared by two solutions of one consortium is refused, naming their ids.
    """

    default_error_messages = {
        "incorrect_type": gettext_lazy(
            'Name the KPI by its id (12) or by its consortium and code ("sern/2.2").'
        ),
    }

    def to_internal_value(self, data):
        reference = kpi_reference(data)
        if reference is None:
            self.fail("incorrect_type")
        request = self.context.get("request")
        user = request.user if request is not None else None
        found = resolve_kpis(user, [reference])
        kpi = found.get(reference)
        if kpi is None:
            raise serializers.ValidationError(no_such_kpi(reference), code="does_not_exist")
        if isinstance(kpi, list):
            raise serializers.ValidationError(ambiguous_code(reference, kpi), code="ambiguous")
        return kpi

    def to_representation(self, value):
        return value.pk


def ambiguous_code(reference: tuple[str, str], kpis: list[KPI]) -> str:
    return _("Two KPIs of %(consortium)s have the code %(code)s: name it by its id (%(ids)s).") % {
        "consortium": reference[0],
        "code": reference[1],
        "ids": ", ".join(str(kpi.pk) for kpi in sorted(kpis, key=lambda kpi: kpi.pk)),
    }


def resolve_kpis(user, references) -> dict:
    """The visible KPIs named by ``references`` (ids and ``(consortium, code)`` pairs), in
    one query: reference -> KPI, or a list of KPIs for a code two solutions share; a
    reference to nothing the user may read is left out."""
    references = set(references)
    ids = {
        reference for reference in references if isinstance(reference, int) and reference < 2**63
    }
    codes = {reference for reference in references if not isinstance(reference, int)}
    wanted = Q(pk__in=ids) if ids else Q()
    for consortium, code in codes:
        wanted |= Q(solution__consortium__slug=consortium, code=code)
    if not ids and not codes:
        return {}
    visible = access.visible_consortia_filter(user, "solution__consortium__")
    found: dict = {}
    for kpi in KPI.objects.filter(visible).filter(wanted).select_related("solution__consortium"):
        if kpi.pk in ids:
            found[kpi.pk] = kpi
        key = (kpi.solution.consortium.slug, kpi.code)
        if key in codes:
            earlier = found.get(key)
            found[key] = kpi if earlier is None else [*_as_list(earlier), kpi]
    return found


def _as_list(found) -> list:
    return found if isinstance(found, list) else [found]


class VisibleCitySlugField(serializers.SlugRelatedField):
    """A city slug; a city only in consortia the caller may not read is no city at all."""

    queryset = City.objects.all()

    def get_queryset(self):
        request = self.context.get("request")
        user = request.user if request is not None else None
        readable = Membership.objects.filter(
            access.visible_consortia_filter(user, "consortium__"), city=OuterRef("pk")
        )
        return super().get_queryset().filter(Exists(readable))


class MeasurementDataSerializer(serializers.Serializer):
    """The figure itself: what a coordinator enters on the grid."""

    status = serializers.ChoiceField(choices=Measurement.Status.choices)
    value = FigureNumberField(
        max_digits=20,
        decimal_places=4,
        allow_null=True,
        required=False,
        default=None,
        help_text='A number, as a string ("12.5") or a JSON number: the answer of a count, '
        "number or percentage KPI (its `value_type`: a count whole and not negative, a "
        "percentage 0 to 100), or a number beside a yes/no answer (respondents, say). A "
        "reported figure holds at least one answer — `value`, `boolean_value` or "
        "`text_value`, as its KPI's `value_type` says; none unless `status` is `reported`.",
    )
    boolean_value = serializers.BooleanField(
        allow_null=True,
        required=False,
        default=None,
        help_text="The answer of a yes/no KPI (`value_type` boolean); refused for any other "
        "KPI. Only with `status` reported.",
    )
    text_value = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        validators=[NO_NUL],
        help_text="The answer in words: of a text KPI (`value_type` text), or of a count, "
        "number or percentage KPI answered in words instead of a number (then `value` is "
        "null), or words beside a yes/no answer. Only with `status` reported.",
    )
    reason = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        validators=[NO_NUL],
        help_text="Why the figure is not available or not applicable.",
    )
    note = serializers.CharField(allow_blank=True, required=False, default="", validators=[NO_NUL])
    evidence_url = serializers.CharField(
        allow_blank=True, required=False, default="", validators=[NO_NUL]
    )
    as_of = serializers.DateField(allow_null=True, required=False, default=None)


class MeasurementCreateSerializer(MeasurementDataSerializer):
    """A new figure: which KPI, which city (none for the consortium's own), which stage."""

    kpi = VisibleKPIField(help_text='KPI id, or its consortium slug and code ("sern/2.2")')
    city = VisibleCitySlugField(
        slug_field="slug",
        allow_null=True,
        required=False,
        default=None,
        help_text="City slug; null for a KPI the consortium reports once.",
    )
    stage = serializers.ChoiceField(choices=ReportingStage.choices)

    def validate(self, attrs):
        kpi, city = attrs["kpi"], attrs.get("city")
        if kpi.reporting_level == KPI.ReportingLevel.CONSORTIUM and city is not None:
            raise serializers.ValidationError(
                {
                    "city": _(
                        "KPI %(code)s is reported once by the consortium: leave the city empty."
                    )
                    % {"code": kpi.code}
                },
                code="consortium_level",
            )
        return attrs


class MeasurementUpdateSerializer(MeasurementDataSerializer):
    """A change to an existing figure; ``version`` is the one the change is based on."""

    version = PlainIntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        help_text="The version you read. Required unless you send an If-Match header.",
    )


# --------------------------------------------------------------------------- who, and the schema


WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 429)
UPDATE_ERRORS = error_responses(400, 401, 403, 404, 409, 412, 413, 428, 429)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The ETag you read (e.g. "measurement-12-v3"): a stale one gets 412. '
    "Without it, send the version you read in the body.",
)


class CanEnterFigure(BasePermission):
    """Changing a figure: its city's coordinators, or who may report the consortium's own.

    The same ``cities.access`` rules the entry service applies (it checks again when it
    saves); asked here so another city's figure gets 403 before its body is read.
    """

    message = gettext_lazy("You may not enter figures for this city.")

    def has_object_permission(self, request, view, measurement) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if measurement.city_id is not None:
            return access.can_edit_city(request.user, measurement.city)
        solution = measurement.kpi.solution
        lead_city_ids = solution.lead_cities.values_list("pk", flat=True)
        return access.can_report_for_consortium(request.user, solution.consortium, lead_city_ids)


# --------------------------------------------------------------------------- conditions


def if_match_version(request, measurement: Measurement) -> int | None:
    """The version named by ``If-Match``, checked before anything else: 412 when stale.

    ``*`` matches any current version. ``None``: no ``If-Match`` was sent.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    current = etag_of(measurement)
    if header != "*" and not any(
        (match := ETAG_PATTERN.match(tag.strip()))
        and (int(match["pk"]), int(match["version"])) == (measurement.pk, measurement.version)
        for tag in header.split(",")
    ):
        raise PreconditionFailed(
            _("The figure was changed since you read it (its ETag is now %(etag)s).")
            % {"etag": current},
            code="precondition_failed",
            etag=current,
        )
    return measurement.version


def body_version(data: Mapping[str, Any]) -> int:
    """Without ``If-Match``, the body's ``version`` is what a change is based on; 428 if absent."""
    if data.get("version") is None:
        raise PreconditionRequired(
            _("Send the version you read, in the body or as an If-Match header."),
            code="version_required",
            errors={"version": [_("This field is required when no If-Match header is sent.")]},
        )
    return data["version"]


def row_for_update(
    measurement: Measurement, data: Mapping[str, Any], *, partial: bool, version: int
) -> entry.RowInput:
    """PUT replaces every data field (missing ones read as empty); PATCH changes the given."""
    changes = {name: data[name] for name in DATA_FIELDS if name in data}
    if partial:
        return entry.RowInput.from_measurement(measurement, expected_version=version, **changes)
    return entry.RowInput(kpi=measurement.kpi_id, expected_version=version, **changes)
