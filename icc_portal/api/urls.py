"""The API: one router for /api/v1/, the schema, its interactive docs, the API access page."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from cities.api import CityViewSet, ConsortiumViewSet
from kpis.api.bulk import MeasurementBulkView
from kpis.api.changes import ChangesViewSet
from kpis.api.imports import ImportEndpoint, ImportTemplateCsv, ImportTemplateXlsx
from kpis.api.kpis import KPIViewSet
from kpis.api.measurements import MeasurementViewSet
from kpis.api.programmes import ProgrammeViewSet
from kpis.api.progress import ProgressViewSet
from kpis.api.stages import REVIEW_ACTIONS, StageActionView, StageReviewView
from solutions.api import ActivityViewSet, SolutionViewSet

from .views import ApiRootView, ApiTokenView, HealthView, api_not_found

router = DefaultRouter()
router.APIRootView = ApiRootView
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("consortia", ConsortiumViewSet, basename="consortium")
router.register("cities", CityViewSet, basename="city")
router.register("solutions", SolutionViewSet, basename="solution")
router.register("activities", ActivityViewSet, basename="activity")
router.register("kpis", KPIViewSet, basename="kpi")
router.register("measurements", MeasurementViewSet, basename="measurement")
router.register("progress", ProgressViewSet, basename="progress")
router.register("changes", ChangesViewSet, basename="change")

app_name = "api"

urlpatterns = [
    path("api/v1/health/", HealthView.as_view(), name="health"),
    path("api/v1/imports/", ImportEndpoint.as_view(), name="imports"),
    path("api/v1/imports/template.xlsx", ImportTemplateXlsx.as_view(), name="import-template"),
    path("api/v1/imports/template.csv", ImportTemplateCsv.as_view(), name="import-template-csv"),
    # A stage's review: the consortium's own figures, or a city's.
    path(
        "api/v1/reviews/<slug:consortium>/<str:stage>/",
        StageReviewView.as_view(),
        name="stage-review",
    ),
    path(
        "api/v1/reviews/<slug:consortium>/<str:stage>/cities/<slug:city>/",
        StageReviewView.as_view(),
        name="stage-review-city",
    ),
    *(
        path(
            f"api/v1/reviews/<slug:consortium>/<str:stage>/{action}/",
            StageActionView.as_view(action_name=action),
            name=f"stage-{action}",
        )
        for action in REVIEW_ACTIONS
    ),
    *(
        path(
            f"api/v1/reviews/<slug:consortium>/<str:stage>/cities/<slug:city>/{action}/",
            StageActionView.as_view(action_name=action),
            name=f"stage-{action}-city",
        )
        for action in REVIEW_ACTIONS
    ),
    # Before the router, whose measurement detail route would take "bulk" for an id.
    path("api/v1/measurements/bulk/", MeasurementBulkView.as_view(), name="measurement-bulk"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script at ?script: no inline script (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("accounts/api-token/", ApiTokenView.as_view(), name="token"),
    # Anything else under /api/ is a 404 in the API's error shape, not an HTML page.
    re_path(r"^api/[\s\S]*/$", api_not_found),
    # ... and so is a path with a format suffix no route knows (``/measurements/x.csv``),
    # rather than a redirect to the same path with a slash.
    re_path(r"^api/v1/[^/]+(?:/[^/]+)*\.[^/]*$", api_not_found),
]
