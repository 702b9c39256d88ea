"""POST /api/v1/measurements/bulk/: many figures through the entry service, all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from changelog import stamp
from changelog.models import Change
from kpis.models import KPI, Measurement
from tests.helpers.api import assert_error_shape, client_for
from tests.kpis.factories import KPIFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/bulk/"


def kpi(sern, code: str) -> KPI:
    return KPI.objects.get(solution__consortium=sern, code=code)


def row(kpi_obj, **fields) -> dict:
    return {
        "kpi": kpi_obj.pk,
        "city": "ravenna",
        "stage": "baseline",
        "status": "reported",
        "value": "1",
        **fields,
    }


def baseline_count() -> int:
    return Measurement.objects.filter(stage="baseline").count()


def test_a_coordinator_enters_several_figures_at_once(ravenna_client, sern):
    before = stamp.current().position
    body = {
        "figures": [
            row(kpi(sern, "2.1"), value="2"),
            row(kpi(sern, "2.2"), value="5", note="Open data portal"),
            row(
                kpi(sern, "2.4"),
                status="not_available",
                value=None,
                reason="Not counted yet",
            ),
        ]
    }
    response = ravenna_client.post(URL, body, format="json")

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [(item["index"], item["change"]) for item in results] == [
        (0, "created"),
        (1, "created"),
        (2, "created"),
    ]
    assert results[1]["measurement"]["note"] == "Open data portal"
    assert results[2]["measurement"]["status"] == "not_available"
    assert {item["measurement"]["review_state"] for item in results} == {"draft"}
    # One change, one batch of rows in the change log, written last.
    assert Change.objects.filter(id__gt=before, measurement_id__isnull=False).count() == 3


def test_the_same_rows_again_change_nothing(ravenna_client, sern):
    body = {"figures": [row(kpi(sern, "2.1"), value="2")]}
    first = ravenna_client.post(URL, body, format="json").json()["results"][0]
    again = ravenna_client.post(
        URL, {"figures": [row(kpi(sern, "2.1"), value="2", version=1)]}, format="json"
    )
    assert again.json()["results"][0]["change"] == "unchanged"
    assert again.json()["results"][0]["measurement"]["version"] == first["measurement"]["version"]


def test_one_bad_row_stores_nothing_and_says_which(ravenna_client, sern):
    count = baseline_count()
    body = {"figures": [row(kpi(sern, "2.1")), row(kpi(sern, "2.2"), value="-3")]}

    body = assert_error_shape(ravenna_client.post(URL, body, format="json"), 400, "1.value")

    assert body["errors"] == {"1.value": ["A count cannot be negative."]}
    assert baseline_count() == count


def test_a_stale_version_is_a_409_for_that_row_and_nothing_is_stored(ravenna_client, sern):
    figure = Measurement.objects.get(kpi__code="2.2", city__slug="ravenna", stage="final")
    figure.review_state = "draft"
    figure.version = 3
    figure.save()
    count = baseline_count()
    body = {
        "figures": [
            row(kpi(sern, "2.1")),
            row(kpi(sern, "2.2"), stage="final", value="20", version=2),
        ]
    }

    error = assert_error_shape(ravenna_client.post(URL, body, format="json"), 409, "1.version")

    assert error["code"] == "stale"
    assert "version 3" in error["errors"]["1.version"][0]
    assert baseline_count() == count
    figure.refresh_from_db()
    assert (figure.value, figure.version) == (Decimal(16), 3)


def test_a_current_version_updates_the_figure(ravenna_client, sern):
    figure = Measurement.objects.get(kpi__code="2.2", city__slug="ravenna", stage="final")
    figure.review_state = "draft"
    figure.save()
    body = {"figures": [row(kpi(sern, "2.2"), stage="final", value="20", version=figure.version)]}
    response = ravenna_client.post(URL, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["change"] == "updated"
    figure.refresh_from_db()
    assert figure.value == Decimal(20)


def test_an_approved_figure_is_locked(ravenna_client, sern):
    figure = Measurement.objects.get(kpi__code="2.2", city__slug="ravenna", stage="final")
    body = {"figures": [row(kpi(sern, "2.2"), stage="final", value="20", version=figure.version)]}
    error = assert_error_shape(
        ravenna_client.post(URL, body, format="json"), 409, "0.non_field_errors"
    )
    assert error["code"] == "locked"
    assert list(error["errors"]) == ["0.non_field_errors"]


def test_another_citys_row_refuses_the_whole_request(ravenna_client, sern):
    count = baseline_count()
    body = {"figures": [row(kpi(sern, "2.1")), row(kpi(sern, "2.1"), city="cervia")]}
    error = assert_error_shape(
        ravenna_client.post(URL, body, format="json"), 403, "1.non_field_errors"
    )
    assert list(error["errors"]) == ["1.non_field_errors"]
    assert baseline_count() == count


@pytest.mark.parametrize("persona", ["sern_partner", None])
def test_readers_may_not_write(request, sern, persona):
    user = request.getfixturevalue(persona) if persona else None
    status = 401 if user is None else 403
    response = client_for(user).post(URL, {"figures": [row(kpi(sern, "2.1"))]}, format="json")
    assert response.status_code == status


def test_a_kpi_of_a_consortium_you_cannot_read_is_no_kpi_at_all(ravenna_client, sern):
    from tests.cities.factories import ConsortiumFactory
    from tests.solutions.factories import SolutionFactory

    hidden = KPIFactory(solution=SolutionFactory(consortium=ConsortiumFactory(is_published=False)))
    error = assert_error_shape(
        ravenna_client.post(URL, {"figures": [row(hidden)]}, format="json"), 400, "0.kpi"
    )
    single = ravenna_client.post(
        "/api/v1/measurements/",
        {
            "kpi": hidden.pk,
            "city": "ravenna",
            "stage": "baseline",
            "status": "reported",
            "value": "1",
        },
        format="json",
    ).json()
    assert error["errors"]["0.kpi"] == single["errors"]["kpi"]


def test_the_request_itself_must_be_a_list_of_one_to_500_rows(ravenna_client, sern):
    for figures in ([], "x", [row(kpi(sern, "2.1"))] * 501):
        assert_error_shape(
            ravenna_client.post(URL, {"figures": figures}, format="json"), 400, "figures"
        )
    body = assert_error_shape(
        ravenna_client.post(URL, {"figures": [{"kpi": "x"}]}, format="json"), 400, "0.kpi"
    )
    assert {"0.kpi", "0.stage", "0.status"} <= set(body["errors"])


def test_a_steering_member_enters_the_consortiums_own_and_a_citys_figures_in_one_go(
    steering_client, sern
):
    body = {
        "figures": [
            row(kpi(sern, "3.1"), city=None, value="4"),
            row(kpi(sern, "3.3"), city=None, stage="midway", value="11", version=0),
        ]
    }
    response = steering_client.post(URL, body, format="json")
    # 3.3 at midway exists (approved): the whole request is refused, 3.1 too.
    assert response.status_code == 409
    assert not Measurement.objects.filter(kpi__code="3.1", stage="baseline").exists()
    del body["figures"][1]
    assert steering_client.post(URL, body, format="json").status_code == 200


@pytest.mark.parametrize("rows", [10, 100])
def test_the_queries_grow_with_the_figures_saved_not_with_checking_them(
    sern, sern_coordinator_ravenna, django_assert_max_num_queries, rows
):
    """Auth and roles (5), KPIs and cities (2), the entry service for the one unit and
    stage (about 10: its KPIs, their cities, composites, the stage's review and its lock,
    the figures' locks), the change log (2; 3 with PostgreSQL's lock); per figure saved,
    its row and its history."""
    from tests.kpis.factories import KPIFactory as Factory
    from tests.solutions.factories import SolutionFactory

    solution = SolutionFactory(consortium=sern, number=9)
    ravenna = sern.cities.get(slug="ravenna")
    solution.implementing_cities.add(ravenna)
    kpis = [Factory(solution=solution, code=f"9.{n}") for n in range(rows)]
    client = client_for(sern_coordinator_ravenna)
    body = {"figures": [row(item, value=str(n)) for n, item in enumerate(kpis)]}
    with django_assert_max_num_queries(23 + 2 * rows):
        response = client.post(URL, body, format="json")
    assert response.status_code == 200, response.content
    assert Measurement.objects.filter(kpi__solution=solution).count() == rows


def test_a_figure_the_database_refuses_stores_nothing(ravenna_client, sern, monkeypatch):
    """A check the rules should have caught: the whole request is refused, no 500."""
    from kpis.reporting import entry

    monkeypatch.setattr(entry, "validate_row", lambda row, **kwargs: [])
    count = baseline_count()
    body = {"figures": [row(kpi(sern, "2.1")), row(kpi(sern, "2.2"), value=None)]}
    error = assert_error_shape(
        ravenna_client.post(URL, body, format="json"), 400, "1.non_field_errors"
    )
    assert error["code"] == "integrity"
    assert baseline_count() == count
