from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from notices.language import switch_language

# Which app serves which path (URLs and their names are a public contract: moving a view
# never changes them):
#   /admin/, /accounts/login/ …        Django (admin, auth)
#   /i18n/setlang/                     notices.language (the switch, kept on the profile)
#   /api/v1/, /api/schema/, /api/docs/ icc_portal.api.urls (the router, schema, docs)
#   /, /cities/<slug>/, /solutions/<consortium>/<number>/, /kpis/…
#                                      kpis.dashboards (every dashboard page)
#   /report/, …/report/<stage>/, …/changes/, /measurements/<id>/history/
#                                      kpis.reporting (the entry grid, review, history)
#   …/maturity/, …/matrix/, …/deliverable/, …/template/, …/import/
#                                      kpis.exchange (spreadsheets in, deliverables out)
#   /roadmap/                          roadmaps
#   /accounts/profile/                 notices
#   /open-data/, …/catalog, …/<stage>.csv   opendata (the DCAT-AP catalogues and files)
urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", switch_language, name="set_language"),
    path("", include("icc_portal.api.urls")),
    path("", include("kpis.dashboards.urls")),
    path("", include("kpis.reporting.urls")),
    path("", include("kpis.exchange.urls")),
    path("", include("roadmaps.urls")),
    path("", include("notices.urls")),
    path("", include("opendata.urls")),
]

# Errors no view answered: the API's error body under /api/, a styled page elsewhere.
handler400 = "icc_portal.errors.bad_request"
handler403 = "icc_portal.errors.permission_denied"
handler404 = "icc_portal.errors.page_not_found"
handler500 = "icc_portal.errors.server_error"

admin.site.site_header = _("ICC Portal")
admin.site.site_title = _("ICC Portal administration")
admin.site.index_title = _("Consortium administration")
