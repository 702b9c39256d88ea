"""drf-spectacular's settings: how the OpenAPI schema of ``/api/v1/`` is made and shown on
``/api/docs/``. Plain data, read by :mod:`icc_portal.settings`."""

from pathlib import Path

SPECTACULAR_SETTINGS = {
    "TITLE": "ICC Portal API",
    # The description on /api/docs/, in Markdown, kept beside the API's code.
    "DESCRIPTION": (Path(__file__).resolve().parent / "api" / "description.md").read_text(
        encoding="utf-8"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "icc_portal.api.schema.allow_empty_query_values",
        "icc_portal.api.schema.document_conditional_reads",
        "icc_portal.api.schema.document_rate_limits",
        "icc_portal.api.schema.add_links",
        "icc_portal.api.schema.add_csv_operations",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "MeasurementStatusEnum": "kpis.models.Measurement.Status",
        "ActivityStatusEnum": "solutions.models.Activity.Status",
        "StageEnum": "kpis.vocabulary.ReportingStage",
        "ProgressStageEnum": "kpis.vocabulary.STAGE_VIEWS",
    },
}
