"""A data file previewed before it is applied (`load_demo --dry-run`), its users and their
roles, and the rows the file lacks: listed, removed only on request, never under figures."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from cities.models import CityCoordinator, SteeringCommitteeMember
from datafiles.loader import DataFileError, load_text
from datafiles.preview import headline, preview_of
from kpis.models import KPI, Measurement
from notices.models import Profile
from solutions.models import Solution

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "data"
LETSGOV_FILE = DATA / "letsgov.yaml"
FRAMEWORK_FILE = DATA / "letsgov-framework.yaml"


def load(*args) -> str:
    out = StringIO()
    call_command("load_demo", "--no-accounts", *map(str, args), stdout=out)
    return out.getvalue()


def framework_text(drop: str = "") -> str:
    text = FRAMEWORK_FILE.read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not drop or drop not in line) + "\n"


def test_dry_run_previews_the_framework_and_writes_nothing():
    load(LETSGOV_FILE)
    output = load("--dry-run", FRAMEWORK_FILE)
    assert "to create: 3 solutions, 8 activities, 14 KPIs, 2 users" in output
    assert "+ KPI 1.4a" in output
    assert "Unchanged: 1 programme, 9 cities, 1 consortium, 9 memberships" in output
    assert not Solution.objects.exists()
    assert not get_user_model().objects.exists()


#: Let's GOv's KPI 1.2 with another target: one row of the file to update.
NEW_TARGET = (
    'target_value: "500", target_scope: country, target_text: "500 per country"',
    'target_value: "600", target_scope: country, target_text: "600 per country"',
)


def test_a_dry_run_says_created_updated_unchanged_as_bulk_writes_and_the_feed_do(tmp_path):
    load(LETSGOV_FILE)
    load(FRAMEWORK_FILE)
    edited = tmp_path / "letsgov-framework.yaml"
    edited.write_text(framework_text().replace(*NEW_TARGET), encoding="utf-8")
    lines = load("--dry-run", edited).splitlines()
    assert lines[0] == f"{edited} (dry run, nothing written): to update: 1 KPI"
    assert lines[1:3] == ["Updated:", "  ~ KPI 1.2 (target_text_en, target_value)"]
    assert lines[3].startswith("Unchanged: 3 solutions, 8 activities, 13 KPIs, 2 users, ")
    applied = load(edited).splitlines()
    assert applied[0] == f"{edited}: 1 KPI updated"
    output = "\n".join(lines + applied)
    assert not re.search(r"\b[Cc]hange|[Ll]eft alone", output), output


def test_applied_twice_the_second_preview_has_nothing_to_change(django_capture_on_commit_callbacks):
    load(LETSGOV_FILE)
    with django_capture_on_commit_callbacks(execute=True):
        load(FRAMEWORK_FILE)
    assert KPI.objects.filter(solution__consortium__slug="letsgov").count() == 14
    assert KPI.objects.get(code="1.4b").parent.code == "1.4"
    assert "nothing to change" in load("--dry-run", FRAMEWORK_FILE)
    assert "nothing to change" in load(FRAMEWORK_FILE)


def test_users_get_roles_and_a_set_password_email_in_their_language(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        report = load_text(framework_text(), "letsgov-framework.yaml")
    coordinator = get_user_model().objects.get(username="coordinator-bologna")
    assert not coordinator.has_usable_password()
    assert coordinator.email == "coordinator-bologna@example.org"
    assert sorted(
        CityCoordinator.objects.filter(user=coordinator).values_list("city__slug", flat=True)
    ) == ["bologna", "parma"]
    steering = SteeringCommitteeMember.objects.get(user__username="steering-letsgov")
    assert steering.can_approve and steering.consortium.slug == "letsgov"
    assert Profile.objects.get(user=coordinator).language == "it"
    assert sorted(report.invited) == ["coordinator-bologna", "steering-letsgov"]
    sent = {message.to[0]: message for message in mail.outbox}
    invitation = sent["coordinator-bologna@example.org"]
    assert "/accounts/reset/" in invitation.body
    assert "Scegli qui la tua password" in invitation.body  # the user's language: it
    assert invitation.subject == "Il tuo account sul Portale ICC: scegli una password"


def test_a_dry_run_sends_no_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load_text(framework_text(), "f.yaml", dry_run=True)
    assert mail.outbox == []


def test_a_password_in_the_file_is_refused_with_its_line():
    text = framework_text().replace(
        "    language: it\n    steering: true",
        "    language: it\n    password: secret\n    steering: true",
    )
    with pytest.raises(DataFileError) as refused:
        load_text(text, "f.yaml")
    assert "never holds passwords" in str(refused.value)
    assert refused.value.place.line == text.splitlines().index("    password: secret") + 1


def test_a_coordinator_of_a_city_outside_the_consortium_is_refused():
    text = framework_text().replace(
        "coordinator_of: [bologna, parma]", "coordinator_of: [bologna, parna]"
    )
    with pytest.raises(DataFileError) as refused:
        load_text(text, "f.yaml")
    assert "unknown city 'parna'" in str(refused.value)
    assert "Did you mean 'parma'?" in str(refused.value)


def test_a_kpi_dropped_from_the_file_is_listed_and_removed_only_on_request():
    load_text(framework_text(), "f.yaml")
    dropped = framework_text(drop='code: "3.4"')
    preview = preview_of(load_text(dropped, "f.yaml", dry_run=True))
    assert headline(preview) == (
        "nothing to change; 1 row in the database is not in the file (listed below)"
    )
    assert [row.label for row in preview.absent] == [
        "KPI 3.4 Share of the inventory verified by a third party"
    ]
    assert [row.label for row in preview.removable] == [row.label for row in preview.absent]
    load_text(dropped, "f.yaml")
    assert KPI.objects.filter(code="3.4").exists()
    report = load_text(dropped, "f.yaml", remove_absent=True)
    assert [row.label for row in report.removed] == [
        "KPI 3.4 Share of the inventory verified by a third party"
    ]
    assert not KPI.objects.filter(code="3.4").exists()


def test_a_kpi_with_figures_is_never_removed_and_the_preview_says_which():
    load_text(framework_text(), "f.yaml")
    kpi = KPI.objects.get(code="3.4")
    Measurement.objects.create(
        kpi=kpi,
        city=kpi.solution.implementing_cities.first(),
        stage="midway",
        value=40,
        status="reported",
    )
    report = load_text(framework_text(drop='code: "3.4"'), "f.yaml", remove_absent=True)
    assert report.removed == []
    (row,) = [row for row in report.absent if row.model is KPI]
    assert row.kept_by == "1 figure hangs on it"
    assert KPI.objects.filter(code="3.4").exists()


def test_a_role_dropped_from_the_file_is_listed_and_removed_on_request():
    load_text(framework_text(), "f.yaml")
    dropped = framework_text().replace("[bologna, parma]", "[bologna]")
    report = load_text(dropped, "f.yaml", remove_absent=True)
    assert [row.label for row in report.removed] == ["coordinator-bologna coordinates parma"]
    assert not CityCoordinator.objects.filter(city__slug="parma").exists()


def test_remove_absent_in_the_command_prints_what_it_removed():
    load(FRAMEWORK_FILE)
    output = load("--dry-run", "--remove-absent", LETSGOV_FILE)
    assert "to remove: 3 solutions, 8 activities, 14 KPIs" in output
    assert Solution.objects.count() == 3
