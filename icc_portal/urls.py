from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("icc_portal.api_urls")),
    path("", include("cities.urls")),
    path("", include("solutions.urls")),
    path("", include("kpis.dashboards.urls")),
    path("", include("kpis.reporting.urls")),
    path("", include("roadmaps.urls")),
]

admin.site.site_header = "ICC Portal"
admin.site.site_title = "ICC Portal admin"
if settings.DEBUG:
    admin.site.index_title = "Consortium administration"
