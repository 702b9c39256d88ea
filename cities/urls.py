from django.urls import path

from . import views

urlpatterns = [
    path("", views.OverviewView.as_view(), name="home"),
    path("cities/<slug:slug>/", views.CityDetailView.as_view(), name="city-detail"),
]
