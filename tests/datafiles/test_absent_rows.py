"""The rows a data file writes besides its framework — member cities, ambition statements,
thematic tracks, the roadmap's rows — when the file lacks them: listed in the preview
(`load_demo --dry-run` and the admin's page), left alone unless removing is asked, and a
member city that figures hang on never removed, the preview saying which figures."""

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from cities.models import Membership
from datafiles.loader import load_text
from kpis.models import KPI, Measurement
from roadmaps.models import Commitment, GovernanceRole, Lesson, Phase, PlanTarget
from solutions.models import AmbitionStatement, Theme

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "data"
URL = "/admin/cities/consortium/load-file/"


def load(*args) -> str:
    out = StringIO()
    call_command("load_demo", "--no-accounts", *map(str, args), stdout=out)
    return out.getvalue()


def sern() -> dict:
    return yaml.safe_load((DATA / "sern.yaml").read_text(encoding="utf-8"))


def sern_trimmed() -> dict:
    """SERN without its last lesson, phase, commitment, Cervia's last governance role,
    Trollhättan's last plan target, and the tourism track and ambition statement 2 (and
    solution 3 no longer naming them)."""
    data = sern()
    roadmap = data["roadmap"]
    for key in ("lessons", "phases", "commitments"):
        roadmap[key].pop()
    roadmap["governance"][0]["members"].pop()
    roadmap["plans"][0]["targets"].pop()
    data["themes"].pop()
    data["ambition_statements"].pop()
    solution = data["solutions"][2]
    del solution["theme"], solution["ambition_statement"]
    return data


def write(tmp_path, data: dict) -> Path:
    path = tmp_path / "sern-trimmed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def sern_counts() -> tuple:
    return (
        Lesson.objects.count(),
        Phase.objects.count(),
        Commitment.objects.count(),
        GovernanceRole.objects.count(),
        PlanTarget.objects.count(),
        Theme.objects.count(),
        AmbitionStatement.objects.count(),
    )


def test_dry_run_lists_the_roadmap_tracks_and_statements_the_file_lacks(tmp_path):
    load(DATA / "sern.yaml")
    before = sern_counts()
    path = write(tmp_path, sern_trimmed())
    output = load("--dry-run", path)
    absent = output.split("In the database, not in the file:\n")[1].splitlines()
    assert absent == [
        "  - ambition statement 2",
        "  - theme green-and-digital-tourism",
        "  - phase 4 Review & way forward",
        "  - governance body Steering Committee (cervia): Stakeholders representative",
        "  - commitment To achieve KPIs not yet achieved with particular reference…",
        "  - three-year plan of trollhattan: target 4 Communication",
        "  - lesson 5",
    ]
    assert sern_counts() == before
    assert "row(s) in the database are not in the file" in load(path)
    assert sern_counts() == before  # left alone unless asked
    output = load("--dry-run", "--remove-absent", path)
    assert "to remove: 1 ambition statement, 1 thematic track, 1 journey phase" in output
    load("--remove-absent", path)
    assert sern_counts() == tuple(count - 1 for count in before)
    assert "nothing to change" in load("--dry-run", path)


def test_a_file_speaks_only_of_the_roadmap_lists_it_gives(tmp_path):
    load(DATA / "sern.yaml")
    data = sern_trimmed()
    del data["roadmap"]["lessons"]  # says nothing about lessons
    report = load_text(yaml.safe_dump(data, allow_unicode=True), "f.yaml", dry_run=True)
    assert not [row for row in report.absent if row.model is Lesson]
    assert [row.label for row in report.absent if row.model is Phase] == [
        "phase 4 Review & way forward"
    ]
    del data["roadmap"]
    report = load_text(yaml.safe_dump(data, allow_unicode=True), "f.yaml", dry_run=True)
    assert {row.model for row in report.absent} == {AmbitionStatement, Theme}


def test_a_track_a_solution_is_in_is_kept_and_the_preview_says_which():
    load(DATA / "sern.yaml")
    data = sern()
    data["themes"] = []
    for key in ("solutions", "measurements", "roadmap"):
        del data[key]  # says nothing about them: every solution stays
    report = load_text(yaml.safe_dump(data, allow_unicode=True), "f.yaml", remove_absent=True)
    kept = {row.label: row.kept_by for row in report.absent if row.model is Theme}
    assert kept == {
        "theme e-government-and-active-citizenship": "solutions 1, 2 are in it",
        "theme green-and-digital-tourism": "solution 3 is in it",
    }
    assert report.removed == [] and Theme.objects.count() == 2


def letsgov_framework(*, drop_members=(), replace=()) -> bytes:
    text = (DATA / "letsgov-framework.yaml").read_text(encoding="utf-8")
    lines = [
        line
        for line in text.splitlines()
        if not any(f"{{city: {city}, role: member}}" in line for city in drop_members)
    ]
    text = "\n".join(lines) + "\n"
    for old, new in replace:
        assert old in text
        text = text.replace(old, new)
    return text.encode()


#: Prato leaves the consortium and its solution; Parma leaves the member list only.
WITHOUT_PRATO_AND_PARMA = {
    "drop_members": ("prato", "parma"),
    "replace": [("padua, prato, rome", "padua, rome")],
}


@pytest.fixture
def letsgov_with_a_figure_of_parma(django_capture_on_commit_callbacks):
    load(DATA / "letsgov.yaml")
    load(DATA / "letsgov-framework.yaml")
    kpi = KPI.objects.get(code="1.1", solution__consortium__slug="letsgov")
    Measurement.objects.create(
        kpi=kpi,
        city=kpi.solution.implementing_cities.get(slug="parma"),
        stage="midway",
        value=1,
        status="reported",
    )


def upload(client, content: bytes, **headers):
    return client.post(URL, {"file": SimpleUploadedFile("f.yaml", content)}, **headers)


def apply(client, response, **extra):
    return client.post(URL, {"apply": "1", "digest": response.context["held"].digest, **extra})


def members() -> list[str]:
    memberships = Membership.objects.filter(consortium__slug="letsgov")
    return sorted(memberships.values_list("city__slug", flat=True))


def test_admin_lists_member_cities_the_file_lacks_and_keeps_one_with_figures(
    client, letsgov_with_a_figure_of_parma
):
    officer = get_user_model().objects.create_superuser("officer", "officer@example.org", "pw")
    client.force_login(officer)
    content = letsgov_framework(**WITHOUT_PRATO_AND_PARMA)
    response = upload(client, content)
    preview = response.context["preview"]
    kept = {row.label: row.kept_by for row in preview.absent if row.model is Membership}
    assert kept == {
        "member city parma": "1 figure of parma hangs on it (KPI 1.1); "
        "parma takes part in solution 1",
        "member city prato": "",
    }
    assert [row.label for row in preview.removable] == ["member city prato"]
    assert b"Kept: 1 figure of parma hangs on it (KPI 1.1)" in response.content
    apply(client, response)
    assert "prato" in members() and "parma" in members()  # left alone
    response = upload(client, content)
    apply(client, response, remove_absent="on")
    assert "prato" not in members() and "parma" in members()
    italian = upload(client, content, HTTP_ACCEPT_LANGUAGE="it")
    assert "1 dato di parma" in italian.content.decode()


def test_dry_run_names_the_figures_that_keep_a_member_city(
    tmp_path, letsgov_with_a_figure_of_parma
):
    path = tmp_path / "letsgov-framework.yaml"
    path.write_bytes(letsgov_framework(**WITHOUT_PRATO_AND_PARMA))
    output = load("--dry-run", "--remove-absent", path)
    assert (
        "  - member city parma — kept: 1 figure of parma hangs on it (KPI 1.1); "
        "parma takes part in solution 1"
    ) in output.splitlines()
    assert "  - member city prato — removed" in output.splitlines()
    assert "prato" in members()  # a dry run writes nothing
    report = load_text(path.read_text(encoding="utf-8"), path, remove_absent=True)
    assert [row.label for row in report.removed] == ["member city prato"]
    assert "prato" not in members() and "parma" in members()


def test_removing_member_cities_takes_the_right_to_delete_memberships(
    client, letsgov_with_a_figure_of_parma
):
    officer = get_user_model().objects.create_user("officer", password="pw", is_staff=True)
    for codename in [
        "change_consortium",
        "add_solution",
        "change_solution",
        "add_activity",
        "change_activity",
        "add_kpi",
        "change_kpi",
        "add_user",
        "change_user",
    ]:
        officer.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(officer)
    response = upload(client, letsgov_framework(**WITHOUT_PRATO_AND_PARMA))
    refused = apply(client, response, remove_absent="on")
    assert refused.status_code == 200
    assert refused.context["refusal"] == (
        "Removing these rows takes the right to delete memberships."
    )
    assert "prato" in members()
