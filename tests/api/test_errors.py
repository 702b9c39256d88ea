"""Every error comes back in one shape: {"detail", "code", "errors": {field: [messages]}}."""

import pytest

from tests.helpers.api import assert_error_shape

pytestmark = pytest.mark.django_db

API = "/api/v1/"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("stage=someday", "stage"),
        ("status=zero", "status"),
        ("solution=two", "solution"),
        ("kpi_id=x", "kpi_id"),
        ("level=street", "level"),
        ("updated_since=yesterday", "updated_since"),
        ("review_state=maybe", "review_state"),
    ],
)
def test_bad_filter_value_is_400_with_the_field(anonymous, sern, query, field):
    assert_error_shape(anonymous.get(f"{API}measurements/?{query}"), 400, field)


@pytest.mark.parametrize(
    "url",
    [
        "cities/atlantis/",
        "consortia/nope/",
        "programmes/nope/",
        "solutions/999999/",
        "activities/999999/",
        "kpis/999999/",
        "measurements/999999/",
        "measurements/?page=999",
    ],
)
def test_unknown_objects_are_404(anonymous, sern, url):
    body = assert_error_shape(anonymous.get(f"{API}{url}"), 404)
    assert body["code"] == "not_found"


def test_non_numeric_id_is_404(anonymous, sern):
    assert_error_shape(anonymous.get(f"{API}measurements/abc/"), 404)


def test_writing_to_a_read_only_resource_is_405(partner_client, sern):
    body = assert_error_shape(partner_client.post(f"{API}cities/", {}, format="json"), 405)
    assert body["code"] == "method_not_allowed"


def test_anonymous_write_is_401(anonymous, sern):
    response = anonymous.post(f"{API}measurements/", {}, format="json")
    assert_error_shape(response, 401)


def test_unacceptable_media_type_is_406(anonymous, sern):
    response = anonymous.get(f"{API}cities/", HTTP_ACCEPT="application/xml")
    assert_error_shape(response, 406)


# ----------------------------------------------------------------- strict query parameters


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page_size=abc", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=-5", "page_size"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("solution=0.5", "solution"),
        ("solution=0.0", "solution"),
        ("solution=1.0", "solution"),
        ("stage=final&stage=midway", "stage"),
        ("page_size=5&page_size=6", "page_size"),
    ],
)
def test_malformed_paging_and_repeated_parameters_are_400(anonymous, sern, query, field):
    assert_error_shape(anonymous.get(f"{API}measurements/?{query}"), 400, field)


@pytest.mark.parametrize("number", ["0.0", "1.0", "1e0", " 1.", "1_0"])
def test_the_csv_twin_refuses_a_solution_that_is_no_whole_number(anonymous, sern, number):
    # The fuzzer's find: Django's integer field reads "0.0" as 0, the schema says integer.
    response = anonymous.get(f"{API}measurements.csv", {"solution": number})
    assert_error_shape(response, 400, "solution")


def test_a_whole_solution_number_still_filters_the_csv(anonymous, sern):
    response = anonymous.get(f"{API}measurements.csv", {"solution": "2"})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("id,consortium,solution,")
    assert len(lines) > 1
    assert {line.split(",")[2] for line in lines[1:]} == {"2"}


def test_yes_no_filter_takes_true_or_false_only(anonymous, sern):
    assert_error_shape(anonymous.get(f"{API}consortia/?is_published=maybe"), 400, "is_published")
    assert anonymous.get(f"{API}consortia/?is_published=true").json()["count"] == 1


def test_empty_values_mean_not_given(anonymous, sern):
    everything = anonymous.get(f"{API}measurements/").json()["count"]
    query = "stage=&solution=&page=&page_size=&updated_since=&city=&ordering=&format="
    assert anonymous.get(f"{API}measurements/?{query}").json()["count"] == everything


def test_a_nul_character_in_a_text_filter_matches_nothing(anonymous, sern):
    response = anonymous.get(f"{API}measurements/", {"city": "raven\x00na"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_unknown_api_urls_are_json_404(anonymous, db):
    for url in [
        "/api/v1/kpis/1.5/",
        "/api/v1/nothing-here/",
        "/api/v2/",
        "/api/v1/cities/a%00b/",
        "/api/v1/programmes/a%0Ab/",
    ]:
        body = assert_error_shape(anonymous.get(url), 404)
        assert body["code"] == "not_found"


def test_integers_beyond_the_database_range_are_400_not_500(anonymous, sern):
    huge = str(10**30)
    assert_error_shape(anonymous.get(f"{API}measurements/?kpi_id={huge}"), 400, "kpi_id")
    assert_error_shape(anonymous.get(f"{API}measurements/?kpi_id=-{huge}&format=csv"), 400)
    assert_error_shape(anonymous.get(f"{API}measurements/{huge}/"), 404)


def test_unknown_api_url_takes_writes_without_csrf_as_404(sern_partner):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(sern_partner)
    assert_error_shape(client.put("/api/v1/nothing-here/abc/", {}, format="json"), 404)


@pytest.mark.parametrize(
    "path",
    [
        "measurements/?kpi_cod=2.2",
        "measurements/?utm=a&utm=b",
        "measurements/1/?stagee=final",
        "progress/?consortium=sern&levl=city",
        "changes/?since_=x",
        "kpis/?cursor=x",  # cursor pages are the measurements' alone
        "progress/?consortium=sern&ordering=kpi",  # progress has no ordering
        "health/?probe=1",
    ],
)
def test_unknown_parameters_are_a_400_that_lists_the_known_ones(anonymous, sern, path):
    body = assert_error_shape(anonymous.get(f"{API}{path}"), 400)
    assert body["code"] == "unknown_parameter"
    assert "Known here:" in body["detail"] and "format" in body["detail"]
    unknown = path.split("?")[1].split("&")[-1].split("=")[0]
    assert list(body["errors"]) == [unknown]


def test_the_known_parameters_of_a_list_are_all_accepted(anonymous, sern):
    query = "ordering=id&page=1&page_size=5&format=json&stage=final&kpi=2.2&city=ravenna"
    assert anonymous.get(f"{API}measurements/?{query}").status_code == 200
    assert anonymous.get(f"{API}measurements/?format=api").status_code == 200


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("measurements/?ordering=secret", "Cannot order by secret"),
        ("measurements/?ordering=id,-nope", "Cannot order by -nope"),
        ("cities/?ordering=", None),
        ("cities/?ordering=,,,,", 'Cannot order by "", "", "", "", ""'),
        ("cities/?ordering=name&ordering=-slug", None),  # a list, as some clients send it
    ],
)
def test_ordering_takes_only_the_fields_it_knows(anonymous, sern, path, message):
    response = anonymous.get(f"{API}{path}")
    if message is None:
        assert response.status_code == 200
        return
    body = assert_error_shape(response, 400, "ordering")
    assert body["errors"]["ordering"][0].startswith(message)
    allowed = "-updated_at" if path.startswith("measurements") else "-population"
    assert allowed in body["errors"]["ordering"][0]
