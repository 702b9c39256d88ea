from django.urls import path

from . import views

urlpatterns = [
    path("kpis/<int:pk>/", views.KpiDetailView.as_view(), name="kpi-detail"),
    path("kpis/<slug:consortium>/<str:code>/", views.KpiDetailView.as_view(), name="kpi-by-code"),
    path("kpis/<str:code>/", views.KpiDetailView.as_view(), name="kpi-by-bare-code"),
]
