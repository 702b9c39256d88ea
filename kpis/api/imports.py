"""``POST /api/v1/imports/``: the entry grid's spreadsheet import over the API.

The same import as the "Upload" page (:mod:`kpis.exchange.imports`): the file is read,
each row judged by the write service, and with ``dry_run=false`` the accepted rows are
stored through it, as drafts, with history. This module only translates: multipart in,
the preview out as JSON, a refused file in the API's error shape (400, 413 for a file
too large), a user who may not enter figures here 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cities import access
from cities.models import Consortium
from icc_portal.api.csv import CSV_MEDIA_TYPE, streaming_csv
from icc_portal.api.errors import Conflict, PayloadTooLarge, error_responses
from icc_portal.api.filters import SingleValuedQuery, given_values
from kpis.exchange import template
from kpis.exchange.bounds import FileRefused, check_size
from kpis.exchange.imports import (
    IMPORT_VERDICTS,
    ImportChanged,
    Preview,
    apply_upload,
    preview_upload,
)
from kpis.reporting.grid import city_grid, consortium_grid
from kpis.vocabulary import ReportingStage

from .write import VisibleCitySlugField


class VisibleConsortiumSlugField(serializers.SlugRelatedField):
    """A consortium slug; one the caller may not read is no consortium at all."""

    queryset = Consortium.objects.all()

    def get_queryset(self):
        request = self.context.get("request")
        return access.visible_consortia(request.user if request is not None else None)


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The filled-in template: the .xlsx downloaded from the entry grid, or a "
        ".csv with its columns."
    )
    city = VisibleCitySlugField(
        slug_field="slug",
        required=False,
        allow_null=True,
        default=None,
        help_text="City slug: the city's entry grid. Leave out for the consortium's own.",
    )
    consortium = VisibleConsortiumSlugField(
        slug_field="slug",
        required=False,
        allow_null=True,
        default=None,
        help_text="Consortium slug, for the figures it reports once (instead of city).",
    )
    stage = serializers.ChoiceField(choices=ReportingStage.choices)
    dry_run = serializers.BooleanField(
        default=True, help_text="true (default): only the preview; false: store the accepted rows."
    )

    def validate(self, attrs):
        if (attrs.get("city") is None) == (attrs.get("consortium") is None):
            raise serializers.ValidationError(
                {"city": [_("Name either a city or a consortium.")]}, code="unit_required"
            )
        return attrs


class TemplateQuerySerializer(ImportRequestSerializer):
    """The unit and stage of a template, as the import takes them."""

    file = None
    dry_run = None


class ImportProblemSerializer(serializers.Serializer):
    cell = serializers.CharField(help_text='e.g. "G7"; empty for the row as a whole')
    field = serializers.CharField()
    message = serializers.CharField()
    code = serializers.CharField()


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row number in the file")
    kpi = serializers.IntegerField(allow_null=True, help_text="KPI id")
    kpi_code = serializers.CharField()
    status = serializers.ChoiceField(choices=[*IMPORT_VERDICTS])
    old = serializers.CharField(help_text="The figure stored now, in words")
    new = serializers.CharField(help_text="The figure after the import, in words")
    cell = serializers.CharField(help_text="The first problem's cell, if refused")
    message = serializers.CharField(help_text="The first problem's message, if refused")
    code = serializers.CharField(help_text="The first problem's code, if refused")
    problems = ImportProblemSerializer(many=True)


class ImportCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    refused = serializers.IntegerField()


class ImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    applied = serializers.BooleanField()
    file_type = serializers.ChoiceField(choices=["xlsx", "csv"])
    stored = serializers.IntegerField(help_text="Figures stored (0 in a dry run)")
    counts = ImportCountsSerializer()
    rows = ImportRowSerializer(many=True)


def preview_body(preview: Preview, *, dry_run: bool) -> dict:
    rows = []
    for row in preview.rows:
        first = row.problems[0] if row.problems else None
        rows.append(
            {
                "row": row.number,
                "kpi": row.kpi.pk if row.kpi is not None else None,
                "kpi_code": row.code,
                "status": row.status,
                "old": str(row.old),
                "new": str(row.new),
                "cell": first.cell if first else "",
                "message": first.message if first else "",
                "code": first.code if first else "",
                "problems": [
                    {
                        "cell": problem.cell,
                        "field": problem.field,
                        "message": problem.message,
                        "code": problem.code,
                    }
                    for problem in row.problems
                ],
            }
        )
    return {
        "dry_run": dry_run,
        "applied": preview.applied,
        "file_type": preview.kind,
        "stored": preview.stored,
        "counts": preview.counts,
        "rows": rows,
    }


class ImportEndpoint(APIView):
    """Import a filled-in template: a preview (``dry_run=true``), or store its accepted rows."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import a spreadsheet of figures",
        description="Upload the entry grid's template (XLSX, or CSV with the same columns) "
        "for a city (`city`) or for the figures a consortium reports once (`consortium`) "
        "at a `stage`. Every row is judged as the entry grid judges it: `created`, "
        "`updated` (with the figure now and after), `unchanged`, or `refused` with the cell "
        "and the grid's message. A row names its KPI by `kpi_id`, or with that left empty "
        "by `kpi_code` (`2.2` or `sern/2.2`); given both, they must agree (`kpi_mismatch`). "
        "With `dry_run=true` (the default) nothing is stored; with "
        "`dry_run=false` the accepted rows are stored as drafts in one change, refused "
        "rows left out. A file that is not this page's template (wrong type, another "
        "city's or stage's, a renamed sheet, merged cells, too many rows) is a 400 with "
        "the reason under `errors.file`; one over 5 MB a 413.",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={200: ImportResultSerializer, **error_responses(400, 401, 403, 409, 413, 429)},
    )
    def post(self, request, *args, **kwargs):
        SingleValuedQuery().check(request, self)
        serializer = ImportRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        try:
            if data["city"] is not None:
                grid = city_grid(user, data["city"], data["stage"])
            else:
                grid = consortium_grid(user, data["consortium"], data["stage"])
            check_size(data["file"].size)
            content = data["file"].read()
            if data["dry_run"]:
                preview = preview_upload(user=user, grid=grid, content=content)
            else:
                preview = apply_upload(user=user, grid=grid, content=content)
        except DjangoPermissionDenied as error:
            message = str(error) or _("You may not enter figures here.")
            raise exceptions.PermissionDenied(message) from error
        except FileRefused as refused:
            if refused.code in ("too_large", "too_large_unpacked"):
                raise PayloadTooLarge(
                    refused.message, code=refused.code, errors={"file": [refused.message]}
                ) from refused
            raise exceptions.ValidationError(
                {"file": [ErrorDetail(refused.message, refused.code)]}
            ) from refused
        except ImportChanged as changed:
            message = _("The figures changed while the file was imported; nothing was stored.")
            raise Conflict(message, code="stale") from changed
        return Response(preview_body(preview, dry_run=data["dry_run"]))


#: The XLSX template is sent as bytes: the type every generated client reads as a file
#: (openapi-python-client reads no spreadsheet type); its name ends in ``.xlsx``.
BINARY_MEDIA_TYPE = "application/octet-stream"


class ImportTemplateEndpoint(APIView):
    """The entry grid's "Download template", with a token: the file the import takes."""

    query_parameters = ("city", "consortium", "stage")
    #: ``xlsx`` or ``csv``: one route each (``template.xlsx``, ``template.csv``).
    file_type = "xlsx"

    def get(self, request, *args, **kwargs):
        SingleValuedQuery().check(request, self)
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        query = TemplateQuerySerializer(
            data=given_values(request, ("city", "consortium")), context={"request": request}
        )
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            if data["city"] is not None:
                unit, grid = data["city"], city_grid(request.user, data["city"], data["stage"])
            else:
                unit = data["consortium"]
                grid = consortium_grid(request.user, unit, data["stage"])
            if not grid.enterable_rows:
                raise DjangoPermissionDenied
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(_("You may not enter figures here.")) from error
        filename = f"{unit.slug}-{data['stage']}-template"
        if self.file_type == "csv":
            rows = template.template_csv_rows(grid, grid.enterable_rows)
            return streaming_csv(template.CSV_COLUMNS, rows, filename=f"{filename}.csv")
        content = template.template_workbook(grid, grid.enterable_rows)
        response = HttpResponse(content, content_type=BINARY_MEDIA_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response

    def perform_content_negotiation(self, request, force=False):
        """A file answers whatever the client accepts (errors are JSON)."""
        return super().perform_content_negotiation(request, force=True)


TEMPLATE_DESCRIPTION = (
    "The file the entry grid's *Download template* gives: one row per KPI you may enter "
    "for the city (`city`) or for the figures the consortium reports once (`consortium`) "
    "at `stage`, with the figures stored now and their versions. Fill it in and send it to "
    "`POST /api/v1/imports/`. 403 when you may enter none of the unit's figures; no "
    "conditional reads (the file names the moment it was made)."
)


class ImportTemplateXlsx(ImportTemplateEndpoint):
    file_type = "xlsx"

    @extend_schema(
        operation_id="imports_template_xlsx",
        summary="Download the import template of a unit and stage (XLSX)",
        description=TEMPLATE_DESCRIPTION,
        parameters=[TemplateQuerySerializer],
        responses={
            (200, BINARY_MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="The XLSX workbook, as bytes."
            ),
            **error_responses(400, 401, 403, 429),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ImportTemplateCsv(ImportTemplateEndpoint):
    file_type = "csv"

    @extend_schema(
        operation_id="imports_template_csv",
        summary="Download the import template of a unit and stage (CSV)",
        description=TEMPLATE_DESCRIPTION,
        parameters=[TemplateQuerySerializer],
        responses={
            (200, CSV_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.STR, description="CSV"),
            **error_responses(400, 401, 403, 429),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
