from django.urls import path

from . import views

urlpatterns = [
    path("", views.OverviewView.as_view(), name="home"),
    path("cities/<slug:slug>/", views.CityDetailView.as_view(), name="city-detail"),
    path(
        "solutions/<slug:consortium>/<int:number>/",
        views.SolutionDetailView.as_view(),
        name="solution-detail",
    ),
    path("programmes/<slug:slug>/", views.ProgrammeDetailView.as_view(), name="programme-detail"),
    path("kpis/<int:pk>/", views.KpiDetailView.as_view(), name="kpi-detail"),
    path("kpis/<slug:consortium>/<str:code>/", views.KpiDetailView.as_view(), name="kpi-by-code"),
    path("kpis/<str:code>/", views.KpiDetailView.as_view(), name="kpi-by-bare-code"),
]
