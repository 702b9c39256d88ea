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
    assert (error["code"], error["detail"]) == (
        "permission_denied",
        "You may not enter one of these figures; nothing was stored.",
    )
    assert error["errors"] == {
        "1.non_field_errors": ["You may not enter figures for KPI 2.1 here."]
    }
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


# --------------------------------------------------------------------------- the request's shape

REQUIRED = "This field is required."
INCORRECT_TYPE = 'Name the KPI by its id (12) or by its consortium and code ("sern/2.2").'


@pytest.mark.parametrize(
    ("body", "code", "errors"),
    [
        ({}, "required", {"figures": [REQUIRED]}),
        ({"figures": None}, "null", {"figures": ["This field may not be null."]}),
        (
            {"figures": []},
            "min_length",
            {"figures": ["Ensure this field has at least 1 elements."]},
        ),
        (
            {"figures": "x"},
            "not_a_list",
            {"figures": ['Expected a list of items but got type "str".']},
        ),
        (
            [],
            "invalid",
            {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
        ),
        (
            {"figures": ["x", {"kpi": 0, "stage": "baseline", "status": "reported"}]},
            "invalid",
            {
                "0.non_field_errors": ["Invalid data. Expected a dictionary, but got str."],
                "1.kpi": [INCORRECT_TYPE],
            },
        ),
    ],
)
def test_a_malformed_request_says_what_is_wrong_one_level_deep(ravenna_client, body, code, errors):
    """The list itself under ``figures``, a body that is no object under
    ``non_field_errors``, a row's fields under ``<index>.<field>``: never nested."""
    error = assert_error_shape(ravenna_client.post(URL, body, format="json"), 400)
    assert (error["code"], error["errors"]) == (code, errors)


@pytest.mark.parametrize(
    ("reference", "errors"),
    [
        (0, [INCORRECT_TYPE]),
        (2**63, [INCORRECT_TYPE]),
        (2**63 - 1, [f'Invalid pk "{2**63 - 1}" - object does not exist.']),
    ],
)
def test_an_id_out_of_the_databases_range_is_no_id_at_all(ravenna_client, sern, reference, errors):
    body = {"figures": [row(kpi(sern, "2.1"), kpi=reference)]}
    error = assert_error_shape(ravenna_client.post(URL, body, format="json"), 400, "0.kpi")
    assert error["errors"] == {"0.kpi": errors}


@pytest.mark.parametrize("reference", [1, 12, 2**63 - 1, "12", "sern/2.2"])
def test_a_kpi_reference_reads_back_as_it_was_given(reference):
    from kpis.api.bulk import KPIReferenceField

    field = KPIReferenceField()
    assert field.to_representation(field.run_validation(reference)) == str(reference)


@pytest.mark.parametrize("reference", [0, -1, 2**63, True, "2.2"])
def test_a_kpi_reference_out_of_range_is_refused_as_no_reference(reference):
    from rest_framework.exceptions import ValidationError

    from kpis.api.bulk import KPIReferenceField

    with pytest.raises(ValidationError) as refused:
        KPIReferenceField().run_validation(reference)
    assert refused.value.detail == [INCORRECT_TYPE]
    assert refused.value.get_codes() == ["incorrect_type"]


# --------------------------------------------------------------------------- KPIs and cities


def hidden_city():
    """A city only a consortium the Ravenna coordinator may not read has."""
    from tests.cities.factories import ConsortiumFactory, MembershipFactory

    return MembershipFactory(
        consortium=ConsortiumFactory(is_published=False), city__slug="hidden-town"
    ).city


def twin_of_2_2(sern) -> tuple[KPI, KPI]:
    """A second KPI 2.2 in SERN, of another solution: the code names two KPIs."""
    original = kpi(sern, "2.2")
    other = sern.solutions.exclude(pk=original.solution_id).first()
    twin = KPI.objects.create(solution=other, code="2.2", name="Twin", value_type="count")
    return original, twin


@pytest.mark.parametrize(
    ("case", "code", "field", "message"),
    [
        ("unknown code", "does_not_exist", "0.kpi", "There is no KPI “sern/9.9”."),
        ("ambiguous code", "ambiguous", "0.kpi", None),
        ("unknown city", "does_not_exist", "0.city", "Object with slug=atlantis does not exist."),
        (
            "hidden city",
            "does_not_exist",
            "0.city",
            "Object with slug=hidden-town does not exist.",
        ),
        (
            "city for a consortium's KPI",
            "consortium_level",
            "0.city",
            "KPI 3.1 is reported once by the consortium: leave the city empty.",
        ),
        (
            "no city for a city's KPI",
            "city_required",
            "0.city",
            "KPI 2.1 is reported by each city: name the city.",
        ),
        ("composite KPI", "composite", "0.kpi", "KPI 1.3 is reported through its parts."),
    ],
)
def test_a_row_naming_no_kpi_or_city_of_yours_says_which_and_why(
    ravenna_client, sern, case, code, field, message
):
    """Each refusal with the single write's words and code, under the row's field."""
    figure = {
        "unknown code": lambda: row(kpi(sern, "2.1"), kpi="sern/9.9"),
        "ambiguous code": lambda: row(kpi(sern, "2.1"), kpi="sern/2.2"),
        "unknown city": lambda: row(kpi(sern, "2.1"), city="atlantis"),
        "hidden city": lambda: row(kpi(sern, "2.1"), city=hidden_city().slug),
        "city for a consortium's KPI": lambda: row(kpi(sern, "3.1")),
        "no city for a city's KPI": lambda: row(kpi(sern, "2.1"), city=None),
        "composite KPI": lambda: row(kpi(sern, "1.3")),
    }[case]
    if case == "ambiguous code":
        original, twin = twin_of_2_2(sern)
        ids = sorted([original.pk, twin.pk])
        message = f"Two KPIs of sern have the code 2.2: name it by its id ({ids[0]}, {ids[1]})."
    count = Measurement.objects.count()

    error = assert_error_shape(
        ravenna_client.post(URL, {"figures": [figure()]}, format="json"), 400, field
    )

    assert (error["code"], error["errors"]) == (code, {field: [message]})
    assert Measurement.objects.count() == count


def test_every_rows_kpi_and_city_problems_come_back_together(ravenna_client, sern):
    original, twin = twin_of_2_2(sern)
    body = {
        "figures": [
            row(kpi(sern, "2.1"), kpi="sern/9.9"),
            row(kpi(sern, "2.1"), kpi="sern/2.2"),
            row(kpi(sern, "2.1"), city="atlantis"),
            row(kpi(sern, "2.4")),
            row(kpi(sern, "3.1")),
        ]
    }
    error = assert_error_shape(ravenna_client.post(URL, body, format="json"), 400)
    assert error["code"] == "does_not_exist"
    assert list(error["errors"]) == ["0.kpi", "1.kpi", "2.city", "4.city"]
    assert error["errors"]["1.kpi"][0].startswith("Two KPIs of sern have the code 2.2")


def test_a_coordinator_of_an_unpublished_consortium_writes_its_figures(ravenna_client, sern):
    """KPIs and cities are those the writer may read, not those anyone may."""
    type(sern).objects.filter(pk=sern.pk).update(is_published=False)
    response = ravenna_client.post(
        URL, {"figures": [row(kpi(sern, "2.1"), value="7")]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["change"] == "created"
    stored = Measurement.objects.get(kpi__code="2.1", city__slug="ravenna", stage="baseline")
    assert stored.value == Decimal(7)


# --------------------------------------------------------------------------- the refusal's status


def test_stale_locked_and_under_review_together_are_one_409_named_stale(ravenna_client, sern):
    """The whole request's code is ``stale`` when any row is stale, whichever row comes
    first; every conflict is listed."""
    from kpis.models import StageReview
    from kpis.reporting.rules import LOCK_MESSAGES

    StageReview.objects.create(
        consortium=sern, city=sern.cities.get(slug="ravenna"), stage="baseline", state="submitted"
    )
    count = Measurement.objects.count()
    body = {
        "figures": [
            row(kpi(sern, "2.2"), stage="final", value="20", version=1),  # approved
            row(kpi(sern, "2.1")),  # the stage is under review
            row(kpi(sern, "2.4"), version=4),  # no figure: deleted since
        ]
    }

    error = assert_error_shape(
        ravenna_client.post(URL, body, format="json"), 409, "0.non_field_errors"
    )

    assert error["code"] == "stale"
    assert error["detail"] == (
        "Some figures changed or are locked since you read them; nothing was stored."
    )
    assert error["errors"] == {
        "0.non_field_errors": [str(LOCK_MESSAGES["approved"])],
        "1.non_field_errors": [str(LOCK_MESSAGES["under_review"])],
        "2.version": ["This figure was deleted while you were editing; your change was not saved."],
    }
    assert Measurement.objects.count() == count
