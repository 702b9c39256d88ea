"""Pages kept by data version: every kind of change moves the version of the consortium
it touches, in its own transaction, and the very next request shows it.

The cache is Django's (local memory in tests, one per process): the same code reads and
writes Redis when ``CACHE_URL`` says so (``tests/api/test_shared_cache.py`` serves two
workers on one Redis). Each test starts with an empty cache (``tests/conftest.py``).
"""

from __future__ import annotations

import re

import pytest

from changelog.versions import consortium_version, definitions_version
from cities.models import City, Consortium, Membership
from kpis.models import KPI, Measurement
from kpis.reporting.missing import missing_kpis
from kpis.reporting.review import approve_stage, submit_stage
from roadmaps.models import Commitment
from solutions.models import Activity
from tests.kpis.factories import MeasurementFactory

pytestmark = pytest.mark.django_db


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def steering_client(client, sern_steering):
    client.force_login(sern_steering)
    return client


def a_figure(sern) -> Measurement:
    return (
        Measurement.objects.filter(
            kpi__solution__consortium=sern, city__slug="ravenna", value__isnull=False
        )
        .select_related("kpi", "city")
        .order_by("pk")
        .first()
    )


def test_a_figure_changed_shows_on_the_next_request_of_every_page(steering_client, sern):
    figure = a_figure(sern)
    urls = [
        f"/?consortium=sern&stage={figure.stage}",
        "/cities/ravenna/",
        f"/kpis/{figure.kpi_id}/",
    ]
    for url in urls:  # built and kept, then read from the cache
        assert not re.search(r"4[,. \u202f\u00a0]?242", page(steering_client, url))
        page(steering_client, url)
    version = consortium_version(sern.pk)

    figure.value = 4242
    figure.save()

    assert consortium_version(sern.pk).position > version.position
    for url in urls:
        assert re.search(r"4[,. \u202f\u00a0]?242", page(steering_client, url)), url


def test_a_figure_of_another_consortium_leaves_sern_at_its_version(sern):
    other = MeasurementFactory()  # in a consortium of its own
    version = consortium_version(sern.pk)
    other.value = (other.value or 0) + 1
    other.save()
    assert consortium_version(sern.pk) == version
    assert consortium_version(other.kpi.solution.consortium_id).position > version.position


def test_a_review_moves_the_version_and_a_partner_sees_the_approved_figure(
    client, sern, sern_partner, sern_steering, sern_coordinator_ravenna
):
    figure = a_figure(sern)
    ravenna = figure.city
    Measurement.objects.filter(pk=figure.pk).update(review_state="draft")  # as if reopened
    Measurement.objects.filter(
        kpi__solution__consortium=sern, city=ravenna, stage=figure.stage
    ).update(review_state="draft")
    from kpis.models import StageReview

    StageReview.objects.filter(consortium=sern, city=ravenna, stage=figure.stage).delete()
    figure.refresh_from_db()
    figure.value = 4242
    figure.save()
    client.force_login(sern_partner)
    url = f"/kpis/{figure.kpi_id}/"
    assert not re.search(r"4[,. \u202f\u00a0]?242", page(client, url))  # a draft: not shown
    version = consortium_version(sern.pk)

    submit_stage(
        user=sern_coordinator_ravenna,
        consortium=sern,
        city=ravenna,
        stage=figure.stage,
        confirm_missing=_missing(sern, ravenna, figure.stage, "submit", sern_coordinator_ravenna),
    )
    approve_stage(
        user=sern_steering,
        consortium=sern,
        city=ravenna,
        stage=figure.stage,
        confirm_missing=_missing(sern, ravenna, figure.stage, "approve", sern_steering),
    )

    assert consortium_version(sern.pk).position > version.position
    assert re.search(r"4[,. \u202f\u00a0]?242", page(client, url))


def _missing(consortium, city, stage, action, user) -> int:
    """How many figures are missing, as the review asks the reviewer to confirm."""
    return len(missing_kpis(consortium, city, stage))


def test_a_kpi_target_edited_shows_on_the_overview_and_the_kpi_page(steering_client, sern):
    kpi = KPI.objects.filter(solution__consortium=sern, parent__isnull=True).first()
    urls = ["/?consortium=sern", f"/kpis/{kpi.pk}/"]
    for url in urls:
        page(steering_client, url)
    before = definitions_version()
    kpi.target_text = "Every street lit by a moonbeam"
    kpi.save()
    assert definitions_version().position > before.position
    for url in urls:
        assert "Every street lit by a moonbeam" in page(steering_client, url), url


def test_a_city_renamed_shows_on_the_overview_and_its_page(steering_client, sern):
    for url in ("/?consortium=sern", "/cities/ravenna/"):
        page(steering_client, url)
    ravenna = City.objects.get(slug="ravenna")
    ravenna.name = "Ravenna Felix"
    ravenna.save()
    for url in ("/?consortium=sern", "/cities/ravenna/"):
        assert "Ravenna Felix" in page(steering_client, url), url


def test_a_membership_changed_shows_on_the_overview(steering_client, sern):
    before = page(steering_client, "/?consortium=sern")
    newcomer = City.objects.create(name="Nova Urbs", slug="nova-urbs", country="IT")
    Membership.objects.create(consortium=sern, city=newcomer)
    assert "Nova Urbs" not in before
    assert "Nova Urbs" in page(steering_client, "/?consortium=sern")


def test_an_activity_edited_shows_on_the_city_page(steering_client, sern):
    activity = Activity.objects.filter(
        solution__consortium=sern, solution__implementing_cities__slug="ravenna"
    ).first()
    page(steering_client, "/cities/ravenna/")
    activity.title = "Plant a hundred lime trees"
    activity.save()
    assert "Plant a hundred lime trees" in page(steering_client, "/cities/ravenna/")


def test_a_roadmap_commitment_edited_shows_on_the_city_page(steering_client, sern):
    commitment = Commitment.objects.filter(consortium=sern, city__isnull=False).first()
    if commitment is None:
        pytest.skip("the demo data has no city commitment")
    url = f"/cities/{commitment.city.slug}/"
    page(steering_client, url)
    version = consortium_version(sern.pk)
    commitment.text = "Open every school yard on Sundays"
    commitment.save()
    assert consortium_version(sern.pk).position > version.position
    assert "Open every school yard on Sundays" in page(steering_client, url)


def test_a_consortium_unpublished_is_gone_for_an_anonymous_visitor_at_once(client, sern):
    url = f"/kpis/{KPI.objects.filter(solution__consortium=sern).first().pk}/"
    assert client.get(url).status_code == 200
    sern = Consortium.objects.get(pk=sern.pk)
    sern.is_published = False
    sern.save()
    assert client.get(url).status_code == 404


def test_a_page_read_again_at_the_same_version_is_answered_304(steering_client, sern):
    first = steering_client.get("/?consortium=sern")
    etag = first["ETag"]
    again = steering_client.get("/?consortium=sern", headers={"if-none-match": etag})
    assert again.status_code == 304
    figure = a_figure(sern)
    figure.value = 4242
    figure.save()
    after = steering_client.get("/?consortium=sern", headers={"if-none-match": etag})
    assert after.status_code == 200
    assert after["ETag"] != etag


@pytest.mark.parametrize("url", ["/cities/ravenna/", "/kpis/sern/2.2/", "/solutions/sern/2/"])
def test_every_kept_page_answers_a_current_etag_with_304(steering_client, sern, url):
    etag = steering_client.get(url)["ETag"]
    assert steering_client.get(url, headers={"if-none-match": etag}).status_code == 304


def test_another_reader_never_gets_a_304_for_my_etag(client, steering_client, sern, sern_partner):
    etag = steering_client.get("/?consortium=sern")["ETag"]
    client.force_login(sern_partner)
    assert client.get("/?consortium=sern", headers={"if-none-match": etag}).status_code == 200


def test_two_consortia_at_one_version_keep_their_own_overviews(client, sern):
    """A definition change (here an API token made) moves every consortium to one version:
    the kept overview of one must never answer for the other. Its key holds the
    consortium, not only the version, the reader's view and the stage."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    other = MeasurementFactory(stage="final", value=37)  # a consortium of its own
    other.kpi.name = "Lamps lit in the harbour"
    other.kpi.save()
    consortium = other.kpi.solution.consortium
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    Token.objects.create(user=admin)
    assert consortium_version(sern.pk) == consortium_version(consortium.pk)
    client.force_login(admin)
    sern_overview = page(client, "/?consortium=sern&stage=final")
    other_overview = page(client, f"/?consortium={consortium.slug}&stage=final")
    assert "Lamps lit in the harbour" not in sern_overview
    assert "Lamps lit in the harbour" in other_overview
    assert "Lamps lit in the harbour" not in page(client, "/?consortium=sern&stage=final")
