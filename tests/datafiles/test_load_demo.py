"""`load_demo`: loads the SERN and Let's GOv files, is idempotent, and refuses malformed files."""

from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.core.serializers import serialize

from cities.models import City, CityCoordinator, Consortium, Membership
from kpis.models import KPI, Measurement
from roadmaps.models import Commitment, GovernanceRole, Lesson, Phase, ThreeYearPlan
from solutions.models import Activity, Solution

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "data"
SERN_FILE = DATA / "sern.yaml"
LETSGOV_FILE = DATA / "letsgov.yaml"


def load(*args) -> str:
    out = StringIO()
    call_command("load_demo", *map(str, args), stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, str]:
    """Every row of every project model (and its history), serialised."""
    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label in {"cities", "solutions", "kpis", "roadmaps", "auth"}
    ]
    return {model._meta.label: serialize("json", model.objects.order_by("pk")) for model in models}


def test_loads_the_sern_consortium_from_the_default_file():
    load("--no-accounts")
    sern = Consortium.objects.get(slug="sern")
    assert sern.programme.slug == "icc"
    assert sorted(sern.cities.values_list("name", flat=True)) == [
        "Cervia",
        "Ravenna",
        "Trollhättan",
        "Vänersborg",
    ]
    assert sern.ambition_statements.count() == 2
    assert sern.themes.count() == 2
    assert list(sern.solutions.values_list("number", flat=True)) == [1, 2, 3]
    assert Activity.objects.filter(solution__consortium=sern).count() == 18
    assert Phase.objects.filter(consortium=sern).count() == 4
    assert ThreeYearPlan.objects.filter(consortium=sern).count() == 4
    assert Lesson.objects.filter(consortium=sern).count() == 5
    assert Commitment.objects.filter(consortium=sern).exists()
    assert GovernanceRole.objects.filter(body__city__slug="cervia").exists()


def test_populations_come_from_the_seeds_and_none_is_invented():
    load("--no-accounts")
    populations = dict(City.objects.values_list("slug", "population"))
    assert populations == {
        "cervia": 28700,
        "vanersborg": 40000,
        "trollhattan": 59000,
        "ravenna": None,
    }


def test_solution_charters_keep_cost_leads_and_implementing_cities():
    load("--no-accounts")
    open_data = Solution.objects.get(consortium__slug="sern", number=2)
    assert str(open_data.estimated_cost) == "64840.00"
    assert list(open_data.lead_cities.values_list("slug", flat=True)) == ["ravenna"]
    # Trollhättan reports on solution 2, so it implements it (reported figures win).
    assert set(open_data.implementing_cities.values_list("slug", flat=True)) == {
        "ravenna",
        "cervia",
        "trollhattan",
    }
    uprest = Solution.objects.get(consortium__slug="sern", number=3)
    assert str(uprest.estimated_cost) == "280000.00"
    assert set(uprest.lead_cities.values_list("slug", flat=True)) == {"vanersborg", "cervia"}


def test_composite_kpi_becomes_named_parts():
    load("--no-accounts")
    composite = KPI.objects.get(solution__consortium__slug="sern", code="1.5")
    assert list(composite.parts.values_list("code", flat=True)) == ["1.5a", "1.5b", "1.5c"]
    assert not composite.measurements.exists()


def test_second_file_loads_the_lets_gov_network_without_kpis():
    load("--no-accounts", LETSGOV_FILE)
    letsgov = Consortium.objects.get(slug="letsgov")
    assert letsgov.programme.slug == "eu-cities-mission"
    assert letsgov.cities.count() == 9
    assert Membership.objects.get(consortium=letsgov, role="lead").city.name == "Bologna"
    assert not KPI.objects.filter(solution__consortium=letsgov).exists()


def test_loading_twice_leaves_the_database_unchanged():
    load("--no-accounts", SERN_FILE, LETSGOV_FILE)
    before = snapshot()
    output = load("--no-accounts", SERN_FILE, LETSGOV_FILE)
    assert snapshot() == before
    assert output.count("nothing to change") == 2


def test_seed_figures_load_as_approved_with_history():
    load("--no-accounts")
    assert set(Measurement.objects.values_list("review_state", flat=True)) == {"approved"}
    assert Measurement.history.count() == Measurement.objects.count()


def test_a_changed_figure_is_updated_and_its_version_raised(tmp_path):
    load("--no-accounts")
    edited = tmp_path / "sern.yaml"
    text = SERN_FILE.read_text(encoding="utf-8")
    marker = "note: 100 staff actively contributing"
    assert marker in text
    edited.write_text(text.replace('value: "100"', 'value: "101"', 1), encoding="utf-8")
    load("--no-accounts", edited)
    measurement = Measurement.objects.get(kpi__code="1.5c", city__slug="trollhattan", stage="final")
    assert str(measurement.value) == "101.0000"
    assert measurement.version == 2


@pytest.mark.parametrize(
    "replace, expected",
    [
        (('kpi: "2.2"', 'kpi: "9.9"'), "unknown KPI code '9.9'"),
        (("stage: final", "stage: halfway"), "stage"),
        (('value: "16"', 'value: "sixteen"'), "'sixteen' is not a number"),
        (("city: ravenna", "city: atlantis"), "unknown city 'atlantis'"),
        (("  - slug: cervia\n", "  - slug: cervia\n    mayor: x\n"), "unknown key 'mayor'"),
        (("country: SE", "country: sweden"), "country"),
    ],
)
def test_malformed_file_names_file_entry_and_problem_and_writes_nothing(
    tmp_path, replace, expected
):
    text = SERN_FILE.read_text(encoding="utf-8")
    old, new = replace
    assert old in text
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        load("--no-accounts", broken)
    message = str(error.value)
    assert str(broken) in message
    assert expected in message
    assert "nothing was written" in message
    assert not Consortium.objects.exists()
    assert not City.objects.exists()


def test_invalid_yaml_is_reported_with_its_line(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("programme:\n  slug: icc\n  name: [unclosed\n", encoding="utf-8")
    with pytest.raises(
        CommandError, match=r"broken.yaml, line 4, column 1: file: is not valid YAML"
    ):
        load(broken)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        load(tmp_path / "nope.yaml")


def test_malformed_second_file_rolls_back_only_itself(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("programme: {slug: x, name: X}\ncities: []\n", encoding="utf-8")
    with pytest.raises(CommandError, match="consortium"):
        load("--no-accounts", SERN_FILE, broken)
    assert Consortium.objects.filter(slug="sern").exists()
    assert not Consortium.objects.filter(slug="x").exists()


def test_demo_accounts_are_created_in_debug_mode(settings):
    settings.DEBUG = True
    output = load()
    assert settings.DEMO_PASSWORD in output
    users = set(get_user_model().objects.values_list("username", flat=True))
    assert users == {
        "admin",
        "coordinator-ravenna",
        "coordinator-cervia",
        "coordinator-trollhattan",
        "coordinator-vanersborg",
        "steering",
        "partner",
    }
    assert CityCoordinator.objects.get(user__username="coordinator-ravenna").city.slug == "ravenna"
    assert get_user_model().objects.get(username="admin").check_password(settings.DEMO_PASSWORD)
    before = snapshot()
    load()
    assert snapshot() == before


def test_demo_accounts_are_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    output = load()
    assert "Demo accounts not created" in output
    assert not get_user_model().objects.exists()
    with pytest.raises(CommandError, match="DEBUG is off"):
        load("--accounts")
