"""The portal's URLs plus the bench's anchors (``bench.settings`` only, never production).

* ``/bench/bare/``: a bare view, a plain ``HttpResponse`` through the same middleware;
* ``/bench/table/<rows>x<columns>/``: a bare Django template table of that many cells,
  rendered from a Python list with no database (the printing cost of a matrix page).
"""

from functools import cache

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from icc_portal import urls as portal

TABLE = (
    "<!doctype html><title>table</title><table>{% for row in rows %}<tr>"
    "{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}</table>"
)
#: The largest table served (the 200-city overview is 100 × 211).
MAX_CELLS = 50_000


@cache
def table_template():
    return engines["django"].from_string(TABLE)


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


def table(request, rows: int, columns: int):
    if rows * columns > MAX_CELLS:
        return HttpResponse("too large", status=400, content_type="text/plain")
    data = [[f"{row}.{column}" for column in range(columns)] for row in range(rows)]
    return HttpResponse(table_template().render({"rows": data}))


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/table/<int:rows>x<int:columns>/", table),
    *portal.urlpatterns,
]

handler400 = portal.handler400
handler403 = portal.handler403
handler404 = portal.handler404
handler500 = portal.handler500
