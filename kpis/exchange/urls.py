"""URLs of the downloads, the deliverable, the templates and the spreadsheet import."""

from django.urls import path

from . import import_views, views

urlpatterns = [
    path(
        "cities/<slug:slug>/maturity/<str:fmt>/",
        views.CityMaturityExport.as_view(),
        name="city-maturity-export",
    ),
    path(
        "consortia/<slug:slug>/maturity/<str:fmt>/",
        views.ConsortiumMaturityExport.as_view(),
        name="consortium-maturity-export",
    ),
    path(
        "consortia/<slug:slug>/matrix/<str:fmt>/",
        views.MatrixExport.as_view(),
        name="matrix-export",
    ),
    path("consortia/<slug:slug>/deliverable/", views.DeliverableView.as_view(), name="deliverable"),
    path(
        "consortia/<slug:slug>/deliverable/<str:fmt>/",
        views.DeliverableExport.as_view(),
        name="deliverable-export",
    ),
    path(
        "cities/<slug:city_slug>/report/<str:stage>/template/<str:fmt>/",
        import_views.TemplateDownload.as_view(),
        name="entry-template",
    ),
    path(
        "consortia/<slug:consortium_slug>/report/<str:stage>/template/<str:fmt>/",
        import_views.TemplateDownload.as_view(),
        name="consortium-entry-template",
    ),
    path(
        "cities/<slug:city_slug>/report/<str:stage>/import/",
        import_views.ImportView.as_view(),
        name="entry-import",
    ),
    path(
        "consortia/<slug:consortium_slug>/report/<str:stage>/import/",
        import_views.ImportView.as_view(),
        name="consortium-entry-import",
    ),
]
