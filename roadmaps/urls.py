from django.urls import path

from . import views

urlpatterns = [
    path("roadmap/", views.RoadmapView.as_view(), name="roadmap"),
]
