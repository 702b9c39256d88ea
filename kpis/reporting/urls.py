"""URLs of the entry grid, the review actions, history and recent changes."""

from django.urls import path

from . import views

urlpatterns = [
    path("report/", views.EntryHomeView.as_view(), name="entry-home"),
    path(
        "cities/<slug:city_slug>/report/<str:stage>/",
        views.EntryGridView.as_view(),
        name="entry-grid",
    ),
    path(
        "cities/<slug:city_slug>/report/<str:stage>/missing/",
        views.MissingView.as_view(),
        name="entry-missing",
    ),
    path(
        "cities/<slug:city_slug>/report/<str:stage>/review/",
        views.ReviewView.as_view(),
        name="entry-review",
    ),
    path("cities/<slug:city_slug>/changes/", views.ChangesView.as_view(), name="city-changes"),
    path(
        "consortia/<slug:consortium_slug>/report/<str:stage>/",
        views.EntryGridView.as_view(),
        name="consortium-entry-grid",
    ),
    path(
        "consortia/<slug:consortium_slug>/report/<str:stage>/missing/",
        views.MissingView.as_view(),
        name="consortium-entry-missing",
    ),
    path(
        "consortia/<slug:consortium_slug>/report/<str:stage>/review/",
        views.ReviewView.as_view(),
        name="consortium-entry-review",
    ),
    path(
        "consortia/<slug:consortium_slug>/changes/",
        views.ChangesView.as_view(),
        name="consortium-changes",
    ),
    path(
        "measurements/<int:pk>/history/",
        views.MeasurementHistoryView.as_view(),
        name="measurement-history",
    ),
]
