"""The entry grid through the HTTP client: what it shows, saving, validation, locale."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import Measurement
from tests.helpers.forms import page_form
from tests.kpis.factories import MeasurementFactory

pytestmark = pytest.mark.django_db


def grid_url(city="ravenna", stage="final"):
    return reverse("entry-grid", args=[city, stage])


def field(kpi, name):
    return f"kpi{kpi.pk}-{name}"


@pytest.fixture
def ravenna_web(client, coordinator_ravenna):
    client.force_login(coordinator_ravenna)
    return client


def save(client, changes, url=None, **headers):
    url = url or grid_url()
    data = page_form(client, url)
    for (kpi, name), value in changes.items():
        data[field(kpi, name)] = value
    return client.post(url, data, **headers)


def stored(kpi, city=None):
    return Measurement.objects.filter(kpi=kpi, city=city).first()


# --- What the grid shows -------------------------------------------------------------------


def test_grid_lists_the_city_kpis_with_target_and_previous_stage(ravenna_web, entry_world):
    kpis = entry_world.kpis
    MeasurementFactory(kpi=kpis.count, city=entry_world.ravenna, stage="midway", value=7)
    html = ravenna_web.get(grid_url()).content.decode()
    for kpi in (kpis.count, kpis.number, kpis.percent, kpis.boolean, kpis.text, kpis.part):
        assert f'id="kpi-{kpi.pk}"' in html
    assert f'id="kpi-{kpis.composite.pk}"' not in html  # reported through its parts
    assert f'id="kpi-{kpis.consortium.pk}"' not in html  # Ravenna does not lead solution 2
    assert "Midway</dt><dd>7" in html
    assert "10,000" in html  # the number KPI's target


def test_grid_inputs_follow_the_value_type(ravenna_web, entry_world):
    html = ravenna_web.get(grid_url()).content.decode()
    kpis = entry_world.kpis
    assert f'name="{field(kpis.count, "value")}"' in html and 'inputmode="decimal"' in html
    assert f'<select name="{field(kpis.boolean, "boolean_value")}"' in html
    assert f'<textarea name="{field(kpis.text, "text_value")}"' in html
    assert f'type="text" name="{field(kpis.count, "evidence_url")}"' in html
    assert f'type="date" name="{field(kpis.count, "as_of")}"' in html
    assert f'<label for="id_{field(kpis.count, "status")}">' in html


def test_lead_city_coordinator_sees_consortium_figures(client, coordinator_cervia, entry_world):
    client.force_login(coordinator_cervia)
    html = client.get(grid_url("cervia")).content.decode()
    assert f'id="kpi-{entry_world.kpis.consortium.pk}"' in html
    assert "Reported once for TN" in html


def test_steering_member_sees_the_grid_read_only(client, steering_member, entry_world):
    client.force_login(steering_member)
    html = client.get(grid_url()).content.decode()
    assert f'name="{field(entry_world.kpis.count, "value")}"' not in html
    assert f'name="{field(entry_world.kpis.consortium, "value")}"' in html  # may report those


def test_returned_comment_shows_on_the_grid(ravenna_web, entry_world, steering_member):
    from kpis.models import StageReview

    StageReview.objects.create(
        consortium=entry_world.consortium,
        city=entry_world.ravenna,
        stage="final",
        state="returned",
        comment="Please add the evidence link for 1.1",
        changed_by=steering_member,
    )
    html = ravenna_web.get(grid_url()).content.decode()
    assert "Returned for changes" in html and "Please add the evidence link for 1.1" in html


# --- Saving ------------------------------------------------------------------------------


def test_one_save_stores_every_changed_row(ravenna_web, entry_world):
    kpis = entry_world.kpis
    response = save(
        ravenna_web,
        {
            (kpis.count, "value"): "3",
            (kpis.count, "note"): "IT, HR, EU office",
            (kpis.count, "evidence_url"): "https://example.org/report.pdf",
            (kpis.count, "as_of"): "2022-11-30",
            (kpis.percent, "value"): "45.5",
            (kpis.boolean, "boolean_value"): "yes",
            (kpis.text, "text_value"): "Draft plans in development",
            (kpis.number, "status"): "not_available",
            (kpis.number, "reason"): "Budget not yet closed",
        },
    )
    assert response.status_code == 302
    city = entry_world.ravenna
    count = stored(kpis.count, city)
    assert (count.status, count.value, count.note) == ("reported", 3, "IT, HR, EU office")
    assert str(count.as_of) == "2022-11-30"
    assert stored(kpis.percent, city).value == Decimal("45.5")
    assert stored(kpis.boolean, city).boolean_value is True
    assert stored(kpis.text, city).text_value == "Draft plans in development"
    assert stored(kpis.number, city).status == "not_available"
    assert stored(kpis.part, city) is None  # not touched: no empty row
    # The redirect names the message's place: a fragment left from an error link (#kpi-3)
    # would otherwise be kept by the browser and scroll the message away.
    assert response.url.endswith("#outcome")
    html = ravenna_web.get(response.url).content.decode()
    assert re.search(
        r'id="outcome"[^>]*><ul class="messages">\s*'
        r'<li class="message message-success">Saved 5 figures.',
        html,
    )


def test_saving_an_unchanged_grid_writes_nothing(ravenna_web, entry_world):
    response = save(ravenna_web, {})
    assert response.status_code == 302
    assert not Measurement.objects.exists()


def test_not_applicable_and_retraction(ravenna_web, entry_world):
    kpis = entry_world.kpis
    save(ravenna_web, {(kpis.count, "status"): "not_applicable"})
    assert stored(kpis.count, entry_world.ravenna).status == "not_applicable"
    save(ravenna_web, {(kpis.count, "status"): "not_reported"})
    measurement = stored(kpis.count, entry_world.ravenna)
    assert measurement.status == "not_reported" and measurement.version == 2


# --- Validation: a clear message beside the field, nothing stored, never a 500 -------------


@pytest.mark.parametrize(
    ("kpi_name", "changes", "field_name", "message"),
    [
        ("count", {"value": "12abc"}, "value", "Enter a number, such as 1,234.5"),
        ("count", {"value": "three"}, "value", "without letters or units"),
        ("count", {"value": "-3"}, "value", "A count cannot be negative."),
        ("count", {"value": "2.5"}, "value", "A count is a whole number."),
        ("percent", {"value": "120"}, "value", "A percentage lies between 0 and 100."),
        ("percent", {"value": "-5"}, "value", "A percentage lies between 0 and 100."),
        ("number", {"value": "99999999999999999"}, "value", "larger than any plausible figure"),
        (
            "count",
            {"value": "4", "status": "not_available", "reason": "No data"},
            "value",
            "Leave this empty when the figure is not available",
        ),
        ("count", {"status": "not_available"}, "reason", "Say why the figure is not available."),
        (
            "count",
            {"value": "4", "evidence_url": "javascript:alert(1)"},
            "evidence_url",
            "starts with http:// or https://",
        ),
        (
            "count",
            {"value": "4", "evidence_url": "ftp://files.example.org/a.pdf"},
            "evidence_url",
            "starts with http:// or https://",
        ),
        ("count", {"value": "4", "as_of": "2999-01-01"}, "as_of", "cannot be in the future"),
        ("count", {"value": "4", "as_of": "31/31/2022"}, "as_of", "Enter a valid date."),
        ("count", {"status": "reported"}, "value", "Enter a value, or choose another status."),
        ("count", {"status": "bogus"}, "status", "Select a valid choice."),
    ],
)
def test_invalid_input_gets_a_message_beside_the_field(
    ravenna_web, entry_world, kpi_name, changes, field_name, message
):
    kpi = getattr(entry_world.kpis, kpi_name)
    other = entry_world.kpis.text
    response = save(
        ravenna_web,
        {(other, "text_value"): "A good row", **{(kpi, name): v for name, v in changes.items()}},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field(kpi, field_name)}-error"' in html
    error = html.split(f'id="id_{field(kpi, field_name)}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error.replace("&quot;", '"').replace("&#x27;", "'")
    assert "Nothing was saved" in html
    assert not Measurement.objects.exists()  # the good row is not stored either


def test_typed_values_are_kept_after_an_error(ravenna_web, entry_world):
    kpis = entry_world.kpis
    response = save(
        ravenna_web,
        {
            (kpis.count, "value"): "12abc",
            (kpis.count, "note"): "my note",
            (kpis.percent, "value"): "33",
        },
    )
    html = response.content.decode()
    assert 'value="12abc"' in html
    assert "my note</textarea>" in html
    assert 'value="33"' in html
    assert 'aria-invalid="true"' in html


def test_unknown_stage_is_404(ravenna_web, entry_world):
    assert ravenna_web.get(grid_url(stage="someday")).status_code == 404
    assert ravenna_web.post(grid_url(stage="someday"), {}).status_code == 404


def test_unknown_city_is_404(ravenna_web, entry_world):
    assert ravenna_web.get(grid_url(city="atlantis")).status_code == 404
    assert ravenna_web.post(grid_url(city="atlantis"), {}).status_code == 404


def test_coordinator_cannot_edit_other_city(ravenna_web, entry_world):
    kpi = entry_world.kpis.count
    assert ravenna_web.get(grid_url("cervia")).status_code == 403
    response = ravenna_web.post(
        grid_url("cervia"),
        {field(kpi, "value"): "3", field(kpi, "status"): "reported", field(kpi, "version"): "0"},
    )
    assert response.status_code == 403
    assert not Measurement.objects.exists()


def test_change_to_an_approved_value_is_refused(ravenna_web, entry_world):
    kpi = entry_world.kpis.count
    measurement = MeasurementFactory(kpi=kpi, city=entry_world.ravenna, value=2)
    html = ravenna_web.get(grid_url()).content.decode()
    assert f'name="{field(kpi, "value")}"' not in html  # shown read-only, locked
    data = page_form(ravenna_web, grid_url())
    data.update(
        {
            field(kpi, "value"): "9",
            field(kpi, "status"): "reported",
            field(kpi, "version"): str(measurement.version),
        }
    )
    response = ravenna_web.post(grid_url(), data)
    assert response.status_code == 400
    assert "This figure is approved and locked." in response.content.decode()
    measurement.refresh_from_db()
    assert measurement.value == 2 and measurement.version == 1


def test_tampered_version_is_a_field_error(ravenna_web, entry_world):
    response = save(
        ravenna_web,
        {(entry_world.kpis.count, "version"): "x", (entry_world.kpis.count, "value"): "5"},
    )
    assert response.status_code == 400
    assert "Enter a whole number." in response.content.decode()
    assert stored(entry_world.kpis.count, entry_world.ravenna) is None  # nothing saved


# --- Numbers in the user's language --------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("it", "1.234,5", Decimal("1234.5")),
        ("it", "1234,5", Decimal("1234.5")),
        ("it", "2.500", Decimal("2500")),
        ("sv", "1 234,5", Decimal("1234.5")),
        ("sv", "1\u00a0234,5", Decimal("1234.5")),
        ("en", "1,234.5", Decimal("1234.5")),
        ("en", "1234.5", Decimal("1234.5")),
    ],
)
def test_numbers_are_read_in_the_users_language(
    ravenna_web, entry_world, language, typed, expected
):
    kpi = entry_world.kpis.number
    ravenna_web.cookies["django_language"] = language
    response = save(ravenna_web, {(kpi, "value"): typed})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert stored(kpi, entry_world.ravenna).value == expected


def test_italian_grid_shows_numbers_the_italian_way(ravenna_web, entry_world):
    MeasurementFactory(
        kpi=entry_world.kpis.number,
        city=entry_world.ravenna,
        value=Decimal("1234.5"),
        review_state="draft",
    )
    ravenna_web.cookies["django_language"] = "it"
    html = ravenna_web.get(grid_url()).content.decode()
    assert 'value="1.234,5"' in html


def test_italian_letters_message_uses_the_italian_example(ravenna_web, entry_world):
    ravenna_web.cookies["django_language"] = "it"
    response = save(ravenna_web, {(entry_world.kpis.number, "value"): "1,2,3"})
    assert response.status_code == 400
    assert "1.234,5" in response.content.decode()


# --- Missing list and links ----------------------------------------------------------------


def test_missing_list_shows_kpis_without_a_figure(ravenna_web, entry_world):
    kpis = entry_world.kpis
    url = reverse("entry-missing", args=["ravenna", "final"])
    html = ravenna_web.get(url).content.decode()
    assert kpis.count.name in html and kpis.part.name in html
    save(ravenna_web, {(kpis.count, "value"): "3"})
    html = ravenna_web.get(url).content.decode()
    assert kpis.count.name not in html and kpis.part.name in html
    assert f"{grid_url()}#kpi-{kpis.part.pk}" in html


def test_missing_list_is_for_grid_users_only(client, partner_user, entry_world):
    url = reverse("entry-missing", args=["ravenna", "final"])
    assert client.get(url).status_code == 302
    client.force_login(partner_user)
    assert client.get(url).status_code == 403


# --- My reporting, the consortium's own grid, badges ----------------------------------------


def test_my_reporting_lists_the_coordinators_city_and_stages(ravenna_web, entry_world):
    html = ravenna_web.get(reverse("entry-home")).content.decode()
    assert grid_url("ravenna", "midway") in html
    assert reverse("entry-missing", args=["ravenna", "final"]) in html
    assert grid_url("cervia", "final") not in html
    assert "Not started" in html


def test_my_reporting_needs_an_account(client, entry_world):
    response = client.get(reverse("entry-home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_consortium_grid_and_missing_list(client, steering_member, entry_world):
    client.force_login(steering_member)
    url = reverse("consortium-entry-grid", args=["test-network", "final"])
    kpi = entry_world.kpis.consortium
    assert save(client, {(kpi, "value"): "4"}, url=url).status_code == 302
    assert stored(kpi).value == 4
    missing = client.get(reverse("consortium-entry-missing", args=["test-network", "final"]))
    assert missing.status_code == 200 and kpi.name not in missing.content.decode()


def test_draft_and_submitted_figures_are_marked(ravenna_web, entry_world):
    kpis, city = entry_world.kpis, entry_world.ravenna
    MeasurementFactory(kpi=kpis.count, city=city, stage="midway", review_state="submitted")
    MeasurementFactory(kpi=kpis.count, city=city, stage="final", review_state="draft")
    html = ravenna_web.get(grid_url()).content.decode()
    assert "review-badge-draft" in html and "review-badge-submitted" in html


def test_my_reporting_leaves_out_member_cities_in_no_solution_for_reviewers(
    client, steering_member, coordinator_ravenna, entry_world
):
    """A steering member sees the cities that report; a city in no solution is not a
    row of "Not started · missing" to them, but its own coordinator still finds it."""
    from cities.models import CityCoordinator
    from tests.cities.factories import CityFactory, MembershipFactory

    ferrara = CityFactory(name="Ferrara", slug="ferrara")
    MembershipFactory(consortium=entry_world.consortium, city=ferrara)
    client.force_login(steering_member)

    html = client.get(reverse("entry-home")).content.decode()

    assert grid_url("ravenna", "final") in html and grid_url("cervia", "final") in html
    assert "Ferrara" not in html
    CityCoordinator.objects.create(user=coordinator_ravenna, city=ferrara)
    client.force_login(coordinator_ravenna)
    assert "Ferrara" in client.get(reverse("entry-home")).content.decode()
