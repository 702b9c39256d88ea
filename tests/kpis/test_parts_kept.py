"""A figure saved rebuilds only the parts that show it (``changelog.versions.part_version``):
a city's page is kept under its own figures' rows and its consortia's own (city-less)
ones, a KPI's page under its solution's rows; a figure of another city or solution
leaves them kept. Read on one cache, never cleared between reads: a part left kept must
still equal a fresh render, and a part that shows the figure must show it at once.
"""

from __future__ import annotations

import pytest
from django.test import Client

from kpis.models import KPI, Measurement
from tests.helpers.readers import fresh, read

pytestmark = pytest.mark.django_db


@pytest.fixture
def steering(sern, sern_steering):
    client = Client()
    client.force_login(sern_steering)
    return client


def save(figure_filter: dict, value) -> Measurement:
    figure = Measurement.objects.filter(**figure_filter).order_by("pk").first()
    figure.value = value
    figure.save()
    return figure


#: A kept part read after a figure elsewhere: the versions, the part's version, the
#: page's per-request reads (the city page's entry links read the city's consortia).
LEFT_KEPT = 3


def test_a_figure_of_another_city_leaves_a_city_page_kept(steering, django_assert_max_num_queries):
    for url in ("/cities/cervia/", "/cities/ravenna/"):
        read(steering, url, "en")
    save({"city__slug": "ravenna", "kpi__code": "2.2", "stage": "final"}, 4343)

    with django_assert_max_num_queries(LEFT_KEPT):
        cervia = read(steering, "/cities/cervia/", "en")
    assert cervia == fresh(steering, "/cities/cervia/", "en")
    ravenna = read(steering, "/cities/ravenna/", "en")
    assert "4,343" in ravenna or "4343" in ravenna
    assert ravenna == fresh(steering, "/cities/ravenna/", "en")


def test_a_figure_of_another_solution_leaves_a_kpi_page_kept(
    steering, django_assert_max_num_queries
):
    for url in ("/kpis/sern/1.1/", "/kpis/sern/2.2/"):
        read(steering, url, "en")
    save({"city__slug": "ravenna", "kpi__code": "2.2", "stage": "final"}, 4343)

    with django_assert_max_num_queries(LEFT_KEPT):
        other = read(steering, "/kpis/sern/1.1/", "en")
    assert other == fresh(steering, "/kpis/sern/1.1/", "en")
    own = read(steering, "/kpis/sern/2.2/", "en")
    assert "4,343" in own or "4343" in own
    assert own == fresh(steering, "/kpis/sern/2.2/", "en")


def test_the_consortiums_own_figure_shows_on_every_city_page(steering, sern):
    kpi = KPI.objects.filter(solution__consortium=sern, reporting_level="consortium").first()
    assert kpi is not None, "SERN reports some KPIs once for the consortium"
    urls = ["/cities/cervia/", "/cities/vanersborg/"]
    for url in urls:
        read(steering, url, "en")
    figure = Measurement.objects.filter(kpi=kpi, city=None, stage="final").first()
    figure.value = 4343
    figure.save()
    for url in urls:
        page = read(steering, url, "en")
        assert "4,343" in page or "4343" in page, url
        assert page == fresh(steering, url, "en"), url


def test_a_definition_changed_rebuilds_the_parts_too(steering, sern):
    read(steering, "/cities/cervia/", "en")
    read(steering, "/kpis/sern/1.1/", "en")
    kpi = KPI.objects.get(solution__consortium=sern, code="1.1")
    kpi.target_text = "Every department on board"
    kpi.save()
    for url in ("/cities/cervia/", "/kpis/sern/1.1/"):
        assert read(steering, url, "en") == fresh(steering, url, "en"), url


def test_a_figure_rebuilds_only_its_solutions_part_of_the_overview(steering, monkeypatch):
    from kpis.dashboards import build

    built = []
    solution_part = build.solution_part

    def spy(frame, solution, **options):
        built.append(solution.number)
        return solution_part(frame, solution, **options)

    monkeypatch.setattr(build, "solution_part", spy)
    url = "/?consortium=sern&stage=final"
    read(steering, url, "en")
    assert sorted(built) == [1, 2, 3]
    built.clear()

    save({"city__slug": "ravenna", "kpi__code": "2.2", "stage": "final"}, 4343)
    page = read(steering, url, "en")
    assert built == [2]
    assert "4,343" in page or "4343" in page
    assert page == fresh(steering, url, "en")


@pytest.mark.parametrize("stage", ["baseline", "midway", "final"])
@pytest.mark.parametrize("reader", ["steering", "coordinator", "anonymous"])
def test_the_overview_put_together_from_parts_is_the_matrix_built_whole(
    sern, sern_steering, sern_coordinator_ravenna, rf, stage, reader
):
    """Parts kept (read from the cache) and put together print what one build prints:
    rows, column headings, each column's summary, the review marker, the size."""
    from django.contrib.auth.models import AnonymousUser
    from django.core.cache import cache

    from kpis.dashboards import build, readers, views
    from kpis.dashboards.matrix import composed

    user = {
        "steering": sern_steering,
        "coordinator": sern_coordinator_ravenna,
        "anonymous": AnonymousUser(),
    }[reader]
    save({"city__slug": "ravenna", "kpi__code": "2.2", "stage": "final"}, 4343)
    request = rf.get("/")
    request.user = user
    whole = build.consortium_matrix(readers.matrix_inputs(user, sern, requested_stage=stage))
    frame = readers.overview_frame(user, sern, requested_stage=stage)
    cache.clear()
    views.overview_matrix(request, sern, frame)  # builds and keeps every part
    kept = views.overview_matrix(request, sern, frame)  # every part from the cache
    assert kept.rows == []  # nothing but the HTML came back
    for matrix in (kept,):
        assert str(matrix.body_html) == str(whole.body_html)
        assert str(matrix.header_html) == str(whole.header_html)
        assert str(matrix.summary_html) == str(whole.summary_html)
        assert matrix.has_unapproved == whole.has_unapproved
        assert matrix.is_large == whole.is_large and matrix.has_rows == whole.has_rows
    assert composed(stage, whole.columns, []).has_rows is False
