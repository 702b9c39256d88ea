"""A consortium's next round (``Consortium.previous_round``, ``kpis.rounds``): started from
the admin with what carries over chosen (never figures), and read beside the previous
round: a city's and a KPI's pages show the previous round's final next to the new
baseline where the KPI carries over (matched by code)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from cities.models import Consortium, Membership, Partner, SteeringCommitteeMember
from datafiles.loader import DataFileError, load_file
from kpis.models import KPI, Measurement
from kpis.rounds import start_next_round
from solutions.models import Solution
from tests.cities.factories import CityFactory, MembershipFactory, PartnerFactory, UserFactory
from tests.helpers.readers import fresh, read
from tests.kpis.factories import MeasurementFactory

pytestmark = pytest.mark.django_db

ACTION = {"action": "start_next_round", "_selected_action": None}


def admin_client(site_admin) -> Client:
    client = Client()
    client.force_login(site_admin)
    return client


def test_the_admin_asks_what_carries_over_before_starting_the_next_round(sern, site_admin):
    client = admin_client(site_admin)
    page = client.post(
        "/admin/cities/consortium/", {**ACTION, "_selected_action": sern.pk}
    ).content.decode()
    assert "Start the next round of SERN" in page
    for field in ("name", "slug", "framework", "memberships", "roles"):
        assert f'name="{field}"' in page
    assert Consortium.objects.count() == 1  # nothing started yet


def test_starting_the_next_round_carries_over_what_was_chosen_and_never_figures(
    sern, site_admin, sern_steering
):
    PartnerFactory(user=UserFactory(username="analyst"), consortium=sern, organisation="Uni")
    KPI.objects.filter(solution__consortium=sern, code="1.1").update(
        target_basis=KPI.TargetBasis.CHANGE, target_value=50
    )  # +50 % from each city's baseline
    client = admin_client(site_admin)
    response = client.post(
        "/admin/cities/consortium/",
        {
            **ACTION,
            "_selected_action": sern.pk,
            "start": "1",
            "name": "SERN, second round",
            "short_name": "SERN 2",
            "slug": "sern-2",
            "framework": "on",
            "memberships": "on",
            "roles": "on",
        },
    )
    new = Consortium.objects.get(slug="sern-2")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/cities/consortium/{new.pk}/change/"
    assert new.previous_round == sern and new.programme_id == sern.programme_id
    assert not new.is_published
    assert sorted(new.cities.values_list("slug", flat=True)) == sorted(
        sern.cities.values_list("slug", flat=True)
    )
    assert SteeringCommitteeMember.objects.filter(consortium=new, user=sern_steering).exists()
    assert Partner.objects.get(consortium=new).organisation == "Uni"
    codes = set(KPI.objects.filter(solution__consortium=new).values_list("code", flat=True))
    assert codes == set(
        KPI.objects.filter(solution__consortium=sern).values_list("code", flat=True)
    )
    solution_2 = Solution.objects.get(consortium=new, number=2)
    assert sorted(solution_2.implementing_cities.values_list("slug", flat=True)) == sorted(
        Solution.objects.get(consortium=sern, number=2).implementing_cities.values_list(
            "slug", flat=True
        )
    )
    carried = KPI.objects.get(solution__consortium=new, code="1.1")
    assert (carried.target_basis, carried.target_value) == ("change", 50)
    assert not Measurement.objects.filter(kpi__solution__consortium=new).exists()
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any("no figures carried over" in message for message in messages)


def test_a_next_round_may_start_empty_and_keeps_the_previous_one_untouched(sern):
    figures = Measurement.objects.filter(kpi__solution__consortium=sern).count()
    started = start_next_round(
        previous=sern, name="Empty", slug="empty", framework=False, memberships=False, roles=False
    )
    assert started.consortium.previous_round == sern
    assert not Membership.objects.filter(consortium=started.consortium).exists()
    assert not Solution.objects.filter(consortium=started.consortium).exists()
    assert Measurement.objects.filter(kpi__solution__consortium=sern).count() == figures


def test_the_next_rounds_slug_must_be_new(sern, site_admin):
    page = admin_client(site_admin).post(
        "/admin/cities/consortium/",
        {**ACTION, "_selected_action": sern.pk, "start": "1", "name": "Again", "slug": "sern"},
    )
    assert "Another consortium has this slug already." in page.content.decode()
    assert Consortium.objects.count() == 1


def test_a_coordinator_may_not_start_a_round(sern, sern_coordinator_ravenna):
    client = Client()
    client.force_login(sern_coordinator_ravenna)
    response = client.post(
        "/admin/cities/consortium/",
        {**ACTION, "_selected_action": sern.pk, "start": "1", "name": "X", "slug": "x"},
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Consortium.objects.filter(slug="x").exists()


# --- The previous round's final beside the new baseline ------------------------------------


@pytest.fixture
def second_round(sern):
    started = start_next_round(previous=sern, name="SERN, second round", slug="sern-2")
    new = started.consortium
    new.is_published = True
    new.save()
    kpi = KPI.objects.get(solution__consortium=new, code="1.1")
    MeasurementFactory(kpi=kpi, city=sern.cities.get(slug="ravenna"), stage="baseline", value=4)
    return new


def test_a_citys_page_shows_the_previous_rounds_final_beside_the_new_baseline(second_round):
    page = read(Client(), "/cities/ravenna/", "en")
    sections = {
        part.split("</h2>", 1)[0]: part
        for part in page.split('<h2 class="consortium-heading">')[1:]
    }
    new, old = sections["SERN, second round"], sections["SERN – Sweden Emilia Romagna Network"]
    assert "Final of the previous round (SERN): 3" in new  # Ravenna's SERN final of 1.1
    assert "Final of the previous round (SERN): N/A" in new  # 1.4: not available there
    assert "Final of the previous round" not in old


def test_a_kpis_page_shows_each_citys_previous_final_beside_its_baseline(second_round):
    page = read(Client(), "/kpis/sern-2/1.1/", "it")
    assert "Finale del round precedente (SERN): 3" in page
    assert "Finale del round precedente (SERN): 10" in page  # Trollhättan
    assert "Final of the previous round" not in read(Client(), "/kpis/sern/1.1/", "en")


def test_a_draft_final_of_the_previous_round_stays_hidden_from_anonymous_readers(second_round):
    final = Measurement.objects.get(
        kpi__solution__consortium__slug="sern", kpi__code="1.1", city__slug="ravenna", stage="final"
    )
    final.review_state = Measurement.ReviewState.DRAFT
    final.value = Decimal("9")
    final.save()
    page = read(Client(), "/kpis/sern-2/1.1/", "en")
    assert "Final of the previous round (SERN): 9" not in page
    assert "Final of the previous round (SERN): 10" in page


def test_the_consortia_api_names_the_previous_round(second_round):
    body = Client().get("/api/v1/consortia/sern-2/").json()
    assert body["previous_round"] == "sern"
    assert Client().get("/api/v1/consortia/sern/").json()["previous_round"] is None


# --- The demo: SERN's second ICC round ------------------------------------------------------


def test_the_demo_holds_serns_second_icc_round_from_the_seed(sern):
    call_command("load_demo", "data/sern-2023.yaml", "--no-accounts", stdout=io.StringIO())
    second = Consortium.objects.get(slug="sern-2023")
    assert second.previous_round == sern and second.programme.slug == "icc"
    populations = dict(second.cities.values_list("slug", "population"))
    assert populations == {"cervia": 28700, "vanersborg": 40000, "trollhattan": 59000}
    [solution] = Solution.objects.filter(consortium=second)
    assert solution.title == "Local Green Deal"
    assert solution.implementing_cities.count() == 3
    assert not Measurement.objects.filter(kpi__solution__consortium=second).exists()
    page = read(Client(), "/cities/cervia/", "en")
    assert "Local Green Deal" in page


def test_a_data_file_naming_an_unknown_previous_round_is_refused(tmp_path, db):
    path = tmp_path / "round.yaml"
    text = open("data/sern-2023.yaml", encoding="utf-8").read()
    path.write_text(text.replace("previous_round: sern", "previous_round: sren"), "utf-8")
    with pytest.raises(DataFileError, match="previous_round: no consortium 'sren' is loaded"):
        load_file(path)
    assert not Consortium.objects.filter(slug="sern-2023").exists()


@pytest.mark.parametrize("url", ["/kpis/sern-2/1.1/", "/cities/ravenna/"])
def test_a_previous_rounds_final_changed_shows_on_the_new_rounds_kept_pages(second_round, url):
    """The new round's pages show the previous round's finals: their kept parts follow a
    change in the previous round's figures at once (read again on the same cache)."""
    reader = Client()
    assert "Final of the previous round (SERN): 3" in read(reader, url, "en")

    final = Measurement.objects.get(
        kpi__solution__consortium__slug="sern", kpi__code="1.1", city__slug="ravenna", stage="final"
    )
    final.value = 5
    final.save()

    again = read(reader, url, "en")
    assert "Final of the previous round (SERN): 5" in again
    assert again == fresh(reader, url, "en")


def test_a_previous_rounds_own_final_changed_shows_on_the_new_rounds_kept_city_page(
    second_round,
):
    """A consortium-level KPI's final (no city: SERN's own 3.4) is shown on the next round's
    city pages, also of a city that joined in the next round (SERN's figures are no page
    of its own): a correction to it follows at once, though no figure of the city moved."""
    newcomer = CityFactory(slug="newcomer", name="Newcomer")
    MembershipFactory(consortium=second_round, city=newcomer)
    Solution.objects.get(consortium=second_round, number=3).implementing_cities.add(newcomer)
    reader = Client()
    page = read(reader, "/cities/newcomer/", "en")
    assert page.count("Final of the previous round (SERN): 48") == 1

    own = Measurement.objects.get(
        kpi__solution__consortium__slug="sern", kpi__code="3.4", city=None, stage="final"
    )
    own.value = 52
    own.save()

    again = read(reader, "/cities/newcomer/", "en")
    assert "Final of the previous round (SERN): 52" in again
    assert "Final of the previous round (SERN): 48" not in again
    assert again == fresh(reader, "/cities/newcomer/", "en")
