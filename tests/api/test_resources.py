"""Every resource lists, retrieves by its natural key, filters and orders (SERN demo data)."""

import pytest
from django.utils import timezone

from kpis.models import KPI, Measurement
from solutions.models import Activity, Solution

pytestmark = pytest.mark.django_db

API = "/api/v1/"


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_root_lists_every_resource(anonymous, sern):
    body = anonymous.get(API).json()
    assert set(body) == {
        "programmes",
        "consortia",
        "cities",
        "solutions",
        "activities",
        "kpis",
        "measurements",
        "progress",
        "changes",
    }


# ----------------------------------------------------------------- programmes, consortia


def test_programmes_list_and_lookup_by_slug(anonymous, sern):
    assert [row["slug"] for row in results(anonymous.get(f"{API}programmes/"))] == ["icc"]
    body = anonymous.get(f"{API}programmes/icc/").json()
    assert body["name"] == "Intelligent Cities Challenge"
    assert anonymous.get(f"{API}programmes/?slug=icc").json()["count"] == 1
    assert anonymous.get(f"{API}programmes/?slug=nope").json()["count"] == 0


def test_consortium_by_slug_lists_its_members(anonymous, sern):
    body = anonymous.get(f"{API}consortia/sern/").json()
    assert body["programme"] == "icc"
    assert body["is_published"] is True
    assert {member["city"] for member in body["members"]} == {
        "cervia",
        "ravenna",
        "trollhattan",
        "vanersborg",
    }
    assert {"city", "city_name", "country", "role"} == set(body["members"][0])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("programme=icc", ["sern"]),
        ("programme=mission", []),
        ("city=ravenna", ["sern"]),
        ("city=bologna", []),
        ("is_published=true", ["sern"]),
        ("is_published=false", []),
    ],
)
def test_consortia_filters(anonymous, sern, query, expected):
    assert [row["slug"] for row in results(anonymous.get(f"{API}consortia/?{query}"))] == expected


# ----------------------------------------------------------------- cities


def test_city_by_slug(anonymous, sern):
    body = anonymous.get(f"{API}cities/cervia/").json()
    assert body == {
        "slug": "cervia",
        "name": "Cervia",
        "country": "IT",
        "region": "Emilia-Romagna",
        "population": 28700,
        "population_year": None,
        "programme_role": "core",
        "consortia": ["sern"],
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["cervia", "ravenna", "trollhattan", "vanersborg"]),
        ("country=IT", ["cervia", "ravenna"]),
        ("country=se", ["trollhattan", "vanersborg"]),
        ("consortium=sern", ["cervia", "ravenna", "trollhattan", "vanersborg"]),
        ("consortium=letsgov", []),
        ("programme=icc", ["cervia", "ravenna", "trollhattan", "vanersborg"]),
        ("programme_role=mentor", []),
        ("ordering=-name", ["vanersborg", "trollhattan", "ravenna", "cervia"]),
        ("country=SE&ordering=-population", ["trollhattan", "vanersborg"]),
    ],
)
def test_cities_filters_and_ordering(anonymous, sern, query, expected):
    assert [row["slug"] for row in results(anonymous.get(f"{API}cities/?{query}"))] == expected


# ----------------------------------------------------------------- solutions, activities


def test_solution_by_id_with_its_cities(anonymous, sern):
    solution = Solution.objects.get(consortium=sern, number=2)
    body = anonymous.get(f"{API}solutions/{solution.pk}/").json()
    assert body["consortium"] == "sern"
    assert body["number"] == 2
    assert body["implementing_cities"] == ["cervia", "ravenna", "trollhattan"]
    assert body["ambition_statement"] in {1, 2, None}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [1, 2, 3]),
        ("consortium=sern", [1, 2, 3]),
        ("consortium=sern&number=2", [2]),
        ("city=vanersborg", [1, 3]),
        ("city=trollhattan", [1, 2, 3]),
        ("programme=icc&ordering=-number", [3, 2, 1]),
        ("theme=no-such-theme", []),
    ],
)
def test_solutions_filters(anonymous, sern, query, expected):
    assert [row["number"] for row in results(anonymous.get(f"{API}solutions/?{query}"))] == expected


def test_activities_filter_by_solution_code_and_status(anonymous, sern):
    all_rows = results(anonymous.get(f"{API}activities/?page_size=100"))
    assert len(all_rows) == Activity.objects.count() == 18
    first = results(anonymous.get(f"{API}activities/?consortium=sern&solution=1"))
    assert {row["solution"] for row in first} == {1}
    assert len(first) == Activity.objects.filter(solution__number=1).count()
    one = results(anonymous.get(f"{API}activities/?consortium=sern&code=1.3"))
    assert [(row["solution"], row["code"]) for row in one] == [(1, "1.3")]
    planned = results(anonymous.get(f"{API}activities/?status=planned"))
    assert {row["status"] for row in planned} == {"planned"}
    assert len(planned) == Activity.objects.filter(status="planned").count()
    activity = Activity.objects.get(solution__number=1, code="1.3")
    assert anonymous.get(f"{API}activities/{activity.pk}/").json()["title"] == activity.title


def test_activities_filter_by_planned_dates(anonymous, sern):
    rows = results(anonymous.get(f"{API}activities/?planned_after=2099-01-01"))
    assert rows == []


# ----------------------------------------------------------------- KPIs


def test_kpi_by_code_with_target_and_parts(anonymous, sern):
    rows = results(anonymous.get(f"{API}kpis/?consortium=sern&code=2.2"))
    assert len(rows) == 1
    kpi = rows[0]
    assert kpi["target_value"] == "2"
    assert kpi["target_scope"] == "country"
    assert kpi["target_text"] == "2 per country"
    assert kpi["solution"] == 2
    composite = results(anonymous.get(f"{API}kpis/?code=1.3"))[0]
    assert composite["parts"] == ["1.3a", "1.3b"]
    part = anonymous.get(f"{API}kpis/{KPI.objects.get(code='1.3a').pk}/").json()
    assert part["parent"] == "1.3"


@pytest.mark.parametrize(
    ("query", "model_filter"),
    [
        ("solution=2", {"solution__number": 2}),
        ("reporting_level=consortium", {"reporting_level": "consortium"}),
        ("value_type=count", {"value_type": "count"}),
        ("target_scope=country", {"target_scope": "country"}),
        (
            "city=vanersborg",
            {
                "solution__implementing_cities__slug": "vanersborg",
                "reporting_level": "city",
                "parts__isnull": True,
            },
        ),
        ("level=consortium", {"reporting_level": "consortium"}),
        ("city=ravenna&level=consortium", {"pk": None}),
    ],
)
def test_kpis_filters(anonymous, sern, query, model_filter):
    rows = results(anonymous.get(f"{API}kpis/?page_size=100&{query}"))
    expected = set(KPI.objects.filter(**model_filter).values_list("pk", flat=True))
    assert {row["id"] for row in rows} == expected
    assert expected or model_filter == {"pk": None}


# ----------------------------------------------------------------- measurements


def test_measurement_fields_and_plain_decimals(anonymous, sern):
    rows = results(anonymous.get(f"{API}measurements/?city=ravenna&kpi=2.2&stage=final"))
    assert rows == [
        {
            "id": rows[0]["id"],
            "consortium": "sern",
            "solution": 2,
            "kpi": KPI.objects.get(code="2.2").pk,
            "kpi_code": "2.2",
            "city": "ravenna",
            "country": "IT",
            "stage": "final",
            "status": "reported",
            "value": "16",
            "boolean_value": None,
            "text_value": "",
            "reason": "",
            "note": rows[0]["note"],
            "evidence_url": "",
            "as_of": None,
            "review_state": "approved",
            "version": 1,
            "updated_at": rows[0]["updated_at"],
        }
    ]


def test_the_issue_example_filter(anonymous, sern):
    url = (
        f"{API}measurements/?consortium=sern&city=ravenna&stage=final&solution=2&kpi=2.2"
        "&country=IT&status=reported"
    )
    rows = results(anonymous.get(url))
    assert [(row["city"], row["kpi_code"], row["value"]) for row in rows] == [
        ("ravenna", "2.2", "16")
    ]


@pytest.mark.parametrize(
    ("query", "model_filter"),
    [
        ("consortium=sern", {"kpi__solution__consortium__slug": "sern"}),
        ("programme=icc", {"kpi__solution__consortium__programme__slug": "icc"}),
        ("city=ravenna", {"city__slug": "ravenna"}),
        ("country=SE", {"city__country": "SE"}),
        ("country=se", {"city__country": "SE"}),
        ("stage=midway", {"stage": "midway"}),
        ("solution=3", {"kpi__solution__number": 3}),
        ("kpi=1.5c", {"kpi__code": "1.5c"}),
        ("status=not_available", {"status": "not_available"}),
        ("review_state=approved", {"review_state": "approved"}),
        ("level=consortium", {"city__isnull": True}),
        ("level=city", {"city__isnull": False}),
    ],
)
def test_measurements_filters(anonymous, sern, query, model_filter):
    rows = results(anonymous.get(f"{API}measurements/?page_size=500&{query}"))
    expected = set(Measurement.objects.filter(**model_filter).values_list("pk", flat=True))
    assert expected
    assert {row["id"] for row in rows} == expected


def test_measurements_filter_by_kpi_id_and_updated_since(anonymous, sern):
    kpi = KPI.objects.get(code="2.1")
    rows = results(anonymous.get(f"{API}measurements/?kpi_id={kpi.pk}"))
    assert {row["kpi_code"] for row in rows} == {"2.1"}
    future = (timezone.now() + timezone.timedelta(days=1)).isoformat()
    assert anonymous.get(f"{API}measurements/", {"updated_since": future}).json()["count"] == 0


def test_measurements_default_order_is_by_id_so_pages_are_stable(anonymous, sern):
    rows = results(anonymous.get(f"{API}measurements/?page_size=500"))
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)


def test_measurements_in_reading_order(anonymous, sern):
    query = "kpi=1.1&city=trollhattan&ordering=kpi__code,city__slug,stage_rank"
    rows = results(anonymous.get(f"{API}measurements/?{query}"))
    assert [row["stage"] for row in rows] == ["midway", "final"]


def test_measurements_ordering(anonymous, sern):
    rows = results(anonymous.get(f"{API}measurements/?ordering=-value&status=reported"))
    values = [float(row["value"]) for row in rows if row["value"] is not None]
    assert values == sorted(values, reverse=True)
    rows = results(anonymous.get(f"{API}measurements/?ordering=-stage_rank,kpi__code"))
    assert rows[0]["stage"] == "final"


def test_page_number_pagination_with_a_capped_page_size(anonymous, sern):
    first = anonymous.get(f"{API}measurements/?page_size=10&page=1").json()
    assert first["count"] == Measurement.objects.count() == 84
    assert len(first["results"]) == 10
    assert "page=2" in first["next"]
    # Without a page number, figures come in cursor pages (tests/api/test_cursor_pages.py).
    assert "cursor=" in anonymous.get(f"{API}measurements/?page_size=10").json()["next"]
    last = anonymous.get(f"{API}measurements/?page_size=10&page=9").json()
    assert len(last["results"]) == 4
    assert last["next"] is None
    default = anonymous.get(f"{API}measurements/").json()
    assert len(default["results"]) == 50


def test_page_size_is_capped(anonymous, sern, settings):
    from icc_portal.api.pagination import Pagination

    assert Pagination.max_page_size == 500
    Pagination.max_page_size = 20
    try:
        body = anonymous.get(f"{API}measurements/?page_size=100000").json()
    finally:
        Pagination.max_page_size = 500
    assert len(body["results"]) == 20


def test_health_is_the_cheapest_endpoint(anonymous, db):
    response = anonymous.get(f"{API}health/")
    assert response.json() == {"status": "ok"}


def test_a_list_row_is_the_detail_of_the_same_figure(partner_client, sern):
    """The list reads tuples for speed; it must say exactly what the detail says."""
    from rest_framework import serializers

    for row in results(partner_client.get(f"{API}measurements/?page_size=500")):
        assert partner_client.get(f"{API}measurements/{row['id']}/").json() == row
    moment = Measurement.objects.first().updated_at
    from kpis.api.rows import local_datetime

    assert local_datetime(moment) == serializers.DateTimeField().to_representation(moment)


def test_activities_and_kpis_filter_by_solution_id(anonymous, sern):
    solution = Solution.objects.get(consortium=sern, number=2)
    activities = results(anonymous.get(f"{API}activities/?solution_id={solution.pk}"))
    assert activities and {row["solution_id"] for row in activities} == {solution.pk}
    kpis = results(anonymous.get(f"{API}kpis/?solution_id={solution.pk}&page_size=100"))
    assert {row["code"] for row in kpis} == set(
        KPI.objects.filter(solution=solution).values_list("code", flat=True)
    )


def test_activities_planned_before(anonymous, sern):
    assert results(anonymous.get(f"{API}activities/?planned_before=1990-01-01")) == []
    rows = results(anonymous.get(f"{API}activities/?planned_before=2099-01-01&page_size=100"))
    assert len(rows) == Activity.objects.exclude(planned_start=None).count()


def test_kpis_of_a_city_are_the_ones_it_reports_and_level_consortium_the_consortiums_own(
    anonymous, sern
):
    from cities.models import City
    from kpis.reporting.missing import unit_kpis

    ravenna = City.objects.get(slug="ravenna")
    reported = results(anonymous.get(f"{API}kpis/?page_size=100&city=ravenna"))
    assert {row["id"] for row in reported} == {kpi.pk for kpi in unit_kpis(sern, ravenna)}
    assert {row["reporting_level"] for row in reported} == {"city"}
    own = results(anonymous.get(f"{API}kpis/?page_size=100&consortium=sern&level=consortium"))
    assert own and {row["id"] for row in own} == {kpi.pk for kpi in unit_kpis(sern, None)} | {
        row["id"] for row in own if row["parts"]
    }
