"""The open data's addresses: the page, each consortium's catalogue, each dataset's files
(a stage's CSV and XLSX, a city's CSV).

They are the stable URLs data portals harvest: never moved, never renamed.
"""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("open-data/", views.open_data_page, name="open-data"),
    path(
        "open-data/<slug:slug>/catalog", views.CatalogueView.as_view(), name="open-data-catalogue"
    ),
    re_path(
        r"^open-data/(?P<slug>[-a-zA-Z0-9_]+)/catalog\.(?P<suffix>jsonld|ttl|rdf)$",
        views.CatalogueView.as_view(),
        name="open-data-catalogue-as",
    ),
    re_path(
        r"^open-data/(?P<slug>[-a-zA-Z0-9_]+)/cities/(?P<city>[-a-zA-Z0-9_]+)\.csv$",
        views.CityDownloadView.as_view(),
        name="open-data-city-download",
    ),
    re_path(
        r"^open-data/(?P<slug>[-a-zA-Z0-9_]+)/(?P<stage>[a-z]+)\.(?P<fmt>csv|xlsx)$",
        views.DownloadView.as_view(),
        name="open-data-download",
    ),
]
