from django.urls import path

from . import views

urlpatterns = [
    path(
        "solutions/<slug:consortium>/<int:number>/",
        views.SolutionDetailView.as_view(),
        name="solution-detail",
    ),
]
