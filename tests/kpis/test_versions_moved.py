"""Every kind of change that can alter a page moves the version of exactly the consortia
it touches (:mod:`changelog.versions`), and the next request on the same cache shows it.

Generated from the change log's own lists: a test per model of
``changelog.signals.DEFINITION_MODELS`` and ``FIGURE_FIELDS`` (a model added to them
without an entry in ``EDITS`` fails here), per review action and per write path (grid,
API, bulk, import, admin, ``load_demo``). A definition moves every consortium's version
(coarse, never stale); a figure moves its own consortium's only.

After each change the pages kept before it are read again on the same cache, and each
must equal a fresh render (``tests/helpers/readers.py``). The change log's receivers are
connected anew for each test (``changelog.signals.connect``, twice), so these tests check
what it registers, not only what the app registered when it started.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from changelog.models import Change
from changelog.signals import DEFINITION_MODELS, FIGURE_FIELDS
from changelog.versions import consortium_version
from cities.models import City, CityCoordinator, Membership, Partner, SteeringCommitteeMember
from kpis.models import KPI, FrameworkReference, Measurement
from kpis.reporting import review
from roadmaps.models import ThreeYearPlan
from solutions.models import Solution
from tests.cities.factories import (
    CityFactory,
    ConsortiumFactory,
    MembershipFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.helpers.api import client_for
from tests.helpers.forms import read_admin_form
from tests.helpers.readers import read, stale_reads
from tests.helpers.signals import connected_anew
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.solutions.factories import SolutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _receivers_connected_anew():
    with connected_anew():
        yield


PAGES = [
    "/?consortium=sern",
    "/?consortium=sern&stage=midway",
    "/cities/ravenna/",
    "/solutions/sern/2/",
    "/kpis/sern/2.2/",
]


@pytest.fixture
def world(sern, sern_steering, sern_coordinator_ravenna, site_admin):
    """SERN, and another consortium with an approved figure of its own, in place before
    any version is read."""
    other_city = CityFactory(name="Lugo", slug="lugo")
    other = ConsortiumFactory(name="Romagna Faentina", slug="romagna-faentina")
    MembershipFactory(consortium=other, city=other_city)
    other_kpi = KPIFactory(solution=SolutionFactory(consortium=other, implementing_cities=[]))
    other_figure = MeasurementFactory(kpi=other_kpi, city=other_city, value=Decimal("5"))
    steering = Client()
    steering.force_login(sern_steering)
    return SimpleNamespace(
        sern=sern,
        other=other,
        other_figure=other_figure,
        ravenna=City.objects.get(slug="ravenna"),
        steering=steering,
        steering_user=sern_steering,
        coordinator=sern_coordinator_ravenna,
        admin=site_admin,
    )


def versions(world) -> tuple[int, int]:
    return (
        consortium_version(world.sern.pk).position,
        consortium_version(world.other.pk).position,
    )


def kept_pages(world) -> None:
    for url in PAGES:
        read(world.steering, url, "en")


def assert_pages_follow(world) -> None:
    """The pages kept before the change, read again on the same cache: as fresh."""
    bodies = {(url, "en", "steering"): read(world.steering, url, "en") for url in PAGES}
    assert stale_reads({"steering": world.steering}, bodies) == []


# --- Definitions: one edit per model of the change log's lists ------------------------------
# Each entry prepares what the change needs (a user, a city: their own rows are changes
# too) and returns the change itself, made after the versions are read.


def _edit(label: str, field: str, value, **lookup) -> Callable:
    def prepare(world):
        row = apps.get_model(label).objects.filter(**lookup).order_by("pk").first()
        assert row is not None, f"the demo data has no {label} to edit"

        def change():
            setattr(row, field, value)
            row.save()

        return change

    return prepare


def _city_joins(world):
    """An existing city joins SERN: no City row is written, only the Membership."""
    newcomer = CityFactory(name="Faenza", slug="faenza")
    return lambda: Membership.objects.create(consortium=world.sern, city=newcomer)


def _coordinator_added(world):
    user = UserFactory()
    return lambda: CityCoordinator.objects.create(user=user, city=world.ravenna)


def _steering_member_added(world):
    user = UserFactory()
    return lambda: SteeringCommitteeMember.objects.create(user=user, consortium=world.sern)


def _token_made(world):
    from rest_framework.authtoken.models import Token

    return lambda: Token.objects.create(user=world.coordinator)


def _token_limits_set(world):
    from icc_portal.api.models import TokenLimits

    return lambda: TokenLimits.objects.create(user=world.coordinator, read="30/minute")


def _partner_added(world):
    user = UserFactory()
    return lambda: Partner.objects.create(user=user, consortium=world.sern)


def _framework_reference_added(world):
    kpi = KPI.objects.get(solution__consortium=world.sern, code="2.2")
    return lambda: FrameworkReference.objects.create(
        kpi=kpi, framework=FrameworkReference.Framework.CITYKEYS, code="PE-GOV-01", label="Open"
    )


EDITS: dict[str, Callable] = {
    # A programme's words for its stages show on every page of its consortia.
    "cities.Programme": _edit("cities.Programme", "midway_label_en", "Halfway there"),
    "cities.Consortium": _edit("cities.Consortium", "vision", "A sea of lights", slug="sern"),
    "cities.Membership": _city_joins,
    "cities.City": _edit("cities.City", "name", "Ravenna Felix", slug="ravenna"),
    "cities.CityCoordinator": _coordinator_added,
    "cities.SteeringCommitteeMember": _steering_member_added,
    "cities.Partner": _partner_added,
    "solutions.Theme": _edit("solutions.Theme", "name", "Lights and harbours"),
    "solutions.AmbitionStatement": _edit("solutions.AmbitionStatement", "text", "Light it up"),
    "solutions.Solution": _edit("solutions.Solution", "title", "Lamps", number=2),
    "solutions.Activity": _edit("solutions.Activity", "title", "Plant a hundred lime trees"),
    "kpis.KPI": _edit("kpis.KPI", "target_text", "Every street lit", code="2.2"),
    "kpis.FrameworkReference": _framework_reference_added,
    "roadmaps.Phase": _edit("roadmaps.Phase", "name", "Lanterns"),
    "roadmaps.GovernanceBody": _edit("roadmaps.GovernanceBody", "name", "Lamp council"),
    "roadmaps.GovernanceRole": _edit("roadmaps.GovernanceRole", "role", "Lamplighter"),
    "roadmaps.Commitment": _edit("roadmaps.Commitment", "text", "Open the school yards"),
    "roadmaps.ThreeYearPlan": _edit(
        "roadmaps.ThreeYearPlan", "ambition", "A harbour of light", city__slug="ravenna"
    ),
    "roadmaps.PlanTarget": _edit("roadmaps.PlanTarget", "commitment", "Two new lamps a year"),
    "roadmaps.Lesson": _edit("roadmaps.Lesson", "text", "Ask the lamplighters first"),
    # Who a token is and its limits are kept under the definitions' version.
    "authtoken.Token": _token_made,
    "api.TokenLimits": _token_limits_set,
}

#: The fields whose change rewrites the figures below them (a row per figure as well).
FIGURE_EDITS: dict[str, Callable] = {
    "cities.Consortium": _edit("cities.Consortium", "is_published", False, slug="sern"),
    "solutions.Solution": _edit("solutions.Solution", "number", 9, number=2),
    "kpis.KPI": _edit("kpis.KPI", "code", "2.9", code="2.2"),
    "cities.City": _edit("cities.City", "country", "SM", slug="ravenna"),
}


@pytest.mark.parametrize("label", DEFINITION_MODELS)
def test_a_definition_changed_moves_every_consortiums_version_and_the_pages_follow(world, label):
    assert label in EDITS, f"{label} is in the change log's list, but no test changes it"
    change = EDITS[label](world)
    kept_pages(world)
    before = versions(world)

    change()

    after = versions(world)
    assert after[0] > before[0], f"{label}: SERN's version did not move"
    assert after[1] > before[1], f"{label}: the other consortium's version did not move"
    assert_pages_follow(world)


#: Rows that figures protect from deletion: a new one, with nothing below it, is deleted.
UNREFERENCED: dict[str, Callable] = {
    "cities.Programme": lambda world: ProgrammeFactory(),
    "cities.Consortium": lambda world: ConsortiumFactory(),
    "cities.City": lambda world: CityFactory(name="Bagnacavallo", slug="bagnacavallo"),
    "solutions.Solution": lambda world: SolutionFactory(consortium=world.sern, number=99),
    "kpis.KPI": lambda world: KPIFactory(
        solution=Solution.objects.get(consortium=world.sern, number=2), code="2.99"
    ),
}


@pytest.mark.parametrize("label", DEFINITION_MODELS)
def test_a_definition_deleted_moves_every_consortiums_version_and_writes_one_row(world, label):
    EDITS[label](world)()  # a row of the model is there (some are made by the edit)
    if label in UNREFERENCED:
        row = UNREFERENCED[label](world)
    else:
        row = apps.get_model(label).objects.order_by("pk").last()
    before = versions(world)
    position = Change.objects.order_by("-id").values_list("id", flat=True).first()

    row.delete()

    after = versions(world)
    assert after[0] > before[0] and after[1] > before[1], f"{label}: a version did not move"
    definitions = Change.objects.filter(id__gt=position, reason=Change.Reason.DEFINITION)
    assert definitions.exists(), f"{label}: no definition row"


@pytest.mark.parametrize("cities", ["lead_cities", "implementing_cities"])
@pytest.mark.parametrize("action", ["add", "remove", "clear"])
def test_the_cities_of_a_solution_changed_move_every_consortiums_version(world, cities, action):
    solution = Solution.objects.get(consortium=world.sern, number=2)
    related = getattr(solution, cities)
    if action == "add":
        change = lambda: related.add(world.ravenna)  # noqa: E731
    else:
        related.add(world.ravenna)
        change = (
            getattr(related, action)
            if action == "clear"
            else (lambda: related.remove(world.ravenna))
        )
    before = versions(world)
    position = Change.objects.order_by("-id").values_list("id", flat=True).first()

    change()

    after = versions(world)
    assert after[0] > before[0] and after[1] > before[1]
    rows = Change.objects.filter(id__gt=position)
    assert list(rows.values_list("reason", flat=True)) == [Change.Reason.DEFINITION]


def test_a_user_made_an_admin_or_deleted_moves_every_version_a_login_does_not(world):
    user = UserFactory()
    before = versions(world)
    user.last_login = user.date_joined
    user.save(update_fields=["last_login"])
    assert versions(world) == before, "a login changes nothing anyone sees"

    user.is_superuser = True
    user.save()
    promoted = versions(world)
    assert promoted[0] > before[0] and promoted[1] > before[1]

    user.delete()
    deleted = versions(world)
    assert deleted[0] > promoted[0] and deleted[1] > promoted[1]


@pytest.mark.parametrize("label", sorted(FIGURE_FIELDS))
def test_a_change_above_the_figures_writes_a_row_for_each_of_them(world, label):
    assert label in FIGURE_EDITS, f"{label} rewrites figures, but no test changes it"
    change = FIGURE_EDITS[label](world)
    before = versions(world)
    position = Change.objects.order_by("-id").values_list("id", flat=True).first()

    change()

    rows = Change.objects.filter(id__gt=position, measurement_id__isnull=False)
    assert rows.exists(), f"{label}: no figure row"
    assert set(rows.values_list("consortium_id", flat=True)) == {world.sern.pk}
    after = versions(world)
    assert after[0] > before[0]


def test_every_listed_model_has_an_edit_and_nothing_else_does():
    assert set(EDITS) == set(DEFINITION_MODELS)
    assert set(FIGURE_EDITS) == set(FIGURE_FIELDS)


# --- What the issue found: a city joining, a plan edited -----------------------------------


def test_an_existing_city_joining_shows_on_the_overview_kept_before(world):
    change = _city_joins(world)
    before = read(world.steering, "/?consortium=sern", "en")
    change()
    after = read(world.steering, "/?consortium=sern", "en")
    assert "Faenza" not in before
    assert "Faenza" in after


def test_a_city_leaving_is_gone_from_the_overview_kept_before(world):
    kept_pages(world)
    Membership.objects.filter(consortium=world.sern, city__slug="cervia").delete()
    assert ">Cervia<" not in read(world.steering, "/?consortium=sern", "en")
    assert_pages_follow(world)


def test_a_three_year_plan_edited_shows_on_the_city_page_kept_before(world):
    plan = ThreeYearPlan.objects.get(consortium=world.sern, city=world.ravenna)
    assert "A harbour of light" not in read(world.steering, "/cities/ravenna/", "en")
    plan.ambition = "A harbour of light"
    plan.save()
    assert "A harbour of light" in read(world.steering, "/cities/ravenna/", "en")


# --- A city in two consortia --------------------------------------------------------------


@pytest.fixture
def two_consortia(world):
    """Ravenna in SERN and in a second consortium (created after SERN, so a larger id),
    reporting a figure there; the steering client sits on both committees."""
    second = ConsortiumFactory(name="Adriatic Lights", slug="adriatic-lights")
    Membership.objects.create(consortium=second, city=world.ravenna)
    solution = SolutionFactory(
        consortium=second, number=1, title="Harbour lights", implementing_cities=[world.ravenna]
    )
    kpi = KPIFactory(solution=solution, code="1.1", name="Lamps lit in the harbour")
    figure = MeasurementFactory(kpi=kpi, city=world.ravenna, stage="final", value=Decimal("37"))
    SteeringCommitteeMember.objects.create(user=world.steering_user, consortium=second)
    return SimpleNamespace(consortium=second, figure=figure)


def test_a_figure_changed_in_the_second_consortium_shows_on_the_city_page(world, two_consortia):
    assert world.sern.pk < two_consortia.consortium.pk
    first = read(world.steering, "/cities/ravenna/", "en")
    assert "Lamps lit in the harbour" in first
    assert ">37<" in first.replace(" ", "")

    figure = two_consortia.figure
    figure.value = Decimal("4242")
    figure.save()

    html = read(world.steering, "/cities/ravenna/", "en")
    assert "4,242" in html
    assert_pages_follow(world)


def test_a_browser_revalidating_the_city_page_sees_a_change_in_the_second_consortium(
    world, two_consortia
):
    # The page's parts follow each consortium's figures; its ETag must too, or a browser
    # holding the page is told 304 and keeps the old figure.
    first = world.steering.get("/cities/ravenna/", HTTP_ACCEPT_LANGUAGE="en")
    assert first.status_code == 200
    held = first["ETag"]
    assert world.steering.get("/cities/ravenna/", HTTP_IF_NONE_MATCH=held).status_code == 304
    two_consortia.figure.value = Decimal("4242")
    two_consortia.figure.save()
    again = world.steering.get("/cities/ravenna/", HTTP_IF_NONE_MATCH=held)
    assert again.status_code == 200
    assert again["ETag"] != held
    assert "4,242" in again.content.decode()


def test_a_figure_changed_in_sern_shows_on_the_city_page_of_two_consortia(world, two_consortia):
    read(world.steering, "/cities/ravenna/", "en")
    figure = Measurement.objects.get(kpi__code="2.2", city=world.ravenna, stage="final")
    Measurement.objects.filter(pk=figure.pk).update(review_state="draft")
    figure.refresh_from_db()
    figure.value = Decimal("4343")
    figure.save()
    assert "4,343" in read(world.steering, "/cities/ravenna/", "en")


# --- Figures: every write path and every review action --------------------------------------


def _figure_moves_only_sern(world, write: Callable[[], None]) -> None:
    kept_pages(world)
    before = versions(world)
    write()
    after = versions(world)
    assert after[0] > before[0], "SERN's version did not move"
    assert after[1] == before[1], "the other consortium's version moved"
    assert_pages_follow(world)


BASELINE = {"city": "ravenna", "stage": "baseline", "status": "reported"}


def a_draft_row(world, code: str = "2.2") -> KPI:
    return KPI.objects.get(solution__consortium=world.sern, code=code)


def test_a_figure_entered_in_the_grid_moves_sern_only(world):
    kpi = a_draft_row(world)
    coordinator = Client()
    coordinator.force_login(world.coordinator)
    url = "/cities/ravenna/report/baseline/"

    def write():
        response = coordinator.post(
            url,
            {
                f"kpi{kpi.pk}-status": "reported",
                f"kpi{kpi.pk}-value": "4242",
                f"kpi{kpi.pk}-version": "0",
            },
        )
        assert response.status_code in (200, 302), response.content[:1000]
        assert Measurement.objects.filter(kpi=kpi, city=world.ravenna, stage="baseline").exists()

    _figure_moves_only_sern(world, write)


def test_a_figure_entered_through_the_api_moves_sern_only(world):
    kpi = a_draft_row(world)
    api = client_for(world.coordinator)  # its token is a definition: made before

    def write():
        response = api.post(
            "/api/v1/measurements/",
            {
                "kpi": kpi.pk,
                "city": "ravenna",
                "stage": "baseline",
                "status": "reported",
                "value": "4242",
            },
            format="json",
        )
        assert response.status_code == 201, response.content

    _figure_moves_only_sern(world, write)


def test_figures_entered_in_bulk_move_sern_only(world):
    kpi = a_draft_row(world)
    api = client_for(world.coordinator)  # its token is a definition: made before

    def write():
        response = api.post(
            "/api/v1/measurements/bulk/",
            {
                "figures": [
                    {**BASELINE, "kpi": kpi.pk, "value": "4242"},
                    {**BASELINE, "kpi": a_draft_row(world, "2.1").pk, "value": "3"},
                ]
            },
            format="json",
        )
        assert response.status_code == 200, response.content

    _figure_moves_only_sern(world, write)


def test_figures_imported_from_the_template_move_sern_only(world):
    from openpyxl import load_workbook

    coordinator = Client()
    coordinator.force_login(world.coordinator)
    template = coordinator.get("/cities/ravenna/report/baseline/template/xlsx/")
    assert template.status_code == 200
    workbook = load_workbook(io.BytesIO(template.content))
    sheet = workbook[workbook.sheetnames[0]]
    sheet["G5"] = 4242
    stream = io.BytesIO()
    workbook.save(stream)
    api = client_for(world.coordinator)  # its token is a definition: made before

    def write():
        upload = io.BytesIO(stream.getvalue())
        response = api.post(
            "/api/v1/imports/",
            {"file": upload, "city": "ravenna", "stage": "baseline", "dry_run": "false"},
            format="multipart",
        )
        assert response.status_code == 200, response.content

    _figure_moves_only_sern(world, write)


def test_a_figure_edited_in_the_admin_moves_sern_only(world):
    admin = Client()
    admin.force_login(world.admin)
    figure = Measurement.objects.get(kpi__code="2.2", city=world.ravenna, stage="final")
    url = f"/admin/kpis/measurement/{figure.pk}/change/"
    form = read_admin_form(admin.get(url).content.decode())
    form.update(value=["4242"])

    def write():
        response = admin.post(url, form)
        assert response.status_code == 302, response.content.decode()[:2000]
        figure.refresh_from_db()
        assert figure.value == 4242

    _figure_moves_only_sern(world, write)


def test_load_demo_with_a_figure_changed_moves_sern_and_the_pages_follow(world, tmp_path):
    sern_yaml = Path(settings.BASE_DIR) / "data" / "sern.yaml"
    text = sern_yaml.read_text(encoding="utf-8")
    changed = tmp_path / "sern.yaml"
    changed.write_text(text.replace("Measuring quality of Life", "Measuring joy of Life"))
    assert changed.read_text() != text
    kept_pages(world)
    before = versions(world)

    call_command("load_demo", "--no-accounts", str(changed), stdout=io.StringIO())

    assert versions(world)[0] > before[0]
    assert_pages_follow(world)


def _reopened_and_corrected(world):
    review.reopen_stage(
        user=world.steering_user,
        consortium=world.sern,
        city=world.ravenna,
        stage="final",
        comment="Check 2.2",
    )
    figure = Measurement.objects.get(kpi__code="2.2", city=world.ravenna, stage="final")
    figure.value = Decimal("4242")
    figure.save()


REVIEW_ACTIONS = {
    "submit": lambda world: review.submit_stage(
        user=world.coordinator, consortium=world.sern, city=world.ravenna, stage="final"
    ),
    "return": lambda world: review.return_stage(
        user=world.steering_user,
        consortium=world.sern,
        city=world.ravenna,
        stage="final",
        comment="Say where 4242 comes from",
    ),
    "approve": lambda world: review.approve_stage(
        user=world.steering_user, consortium=world.sern, city=world.ravenna, stage="final"
    ),
    "reopen": lambda world: review.reopen_stage(
        user=world.steering_user,
        consortium=world.sern,
        city=world.ravenna,
        stage="final",
        comment="Again",
    ),
}

#: What must happen before each action (the stage in the state it acts on).
BEFORE = {
    "submit": ["reopened"],
    "return": ["reopened", "submit"],
    "approve": ["reopened", "submit"],
    "reopen": [],
}


@pytest.mark.parametrize("action", sorted(REVIEW_ACTIONS))
def test_every_review_action_writes_a_row_per_figure_and_moves_sern_only(world, action):
    for step in BEFORE[action]:
        _reopened_and_corrected(world) if step == "reopened" else REVIEW_ACTIONS[step](world)
    position = Change.objects.order_by("-id").values_list("id", flat=True).first()
    final = set(
        Measurement.objects.filter(city=world.ravenna, stage="final").values_list("pk", flat=True)
    )

    _figure_moves_only_sern(world, lambda: REVIEW_ACTIONS[action](world))

    rows = Change.objects.filter(id__gt=position, measurement_id__isnull=False)
    assert set(rows.values_list("measurement_id", flat=True)) == final
    reason = {"submit": "submitted", "return": "returned", "approve": "approved"}.get(
        action, "reopened"
    )
    assert set(rows.values_list("reason", flat=True)) == {reason}


def test_a_figure_of_the_other_consortium_leaves_sern_at_its_version(world):
    before = versions(world)
    world.other_figure.value = Decimal("6")
    world.other_figure.save()
    after = versions(world)
    assert after[0] == before[0]
    assert after[1] > before[1]


def test_a_solution_of_the_other_consortium_is_a_definition_for_everyone(world):
    before = versions(world)
    Solution.objects.filter(consortium=world.other).first().save()
    after = versions(world)
    assert after[0] > before[0] and after[1] > before[1]
