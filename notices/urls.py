from django.urls import path

from . import views

urlpatterns = [path("accounts/profile/", views.ProfileView.as_view(), name="profile")]
