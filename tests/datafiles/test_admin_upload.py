"""The admin's "Load a data file" page: upload, preview, apply, and remove on request."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from datafiles import uploads
from kpis.models import KPI
from solutions.models import Solution

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "data"
URL = "/admin/cities/consortium/load-file/"


def framework(drop: str = "") -> bytes:
    text = (DATA / "letsgov-framework.yaml").read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not drop or drop not in line]
    return ("\n".join(kept) + "\n").encode()


@pytest.fixture
def admin_client(client):
    call_command("load_demo", "--no-accounts", str(DATA / "letsgov.yaml"), verbosity=0)
    user = get_user_model().objects.create_superuser("officer", "officer@example.org", "pw")
    client.force_login(user)
    return client


def upload(client, content: bytes, name: str = "letsgov-framework.yaml"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content)})


def apply(client, response, **extra):
    digest = response.context["held"].digest
    return client.post(URL, {"apply": "1", "digest": digest, **extra})


def test_the_consortium_list_links_to_the_page(admin_client):
    assert URL.encode() in admin_client.get("/admin/cities/consortium/").content


def test_upload_previews_the_framework_and_applies_it(
    admin_client, django_capture_on_commit_callbacks
):
    response = upload(admin_client, framework())
    assert response.status_code == 200
    headline = response.context["headline"]
    assert headline == "to create: 3 solutions, 8 activities, 14 KPIs, 2 users, " + (
        "1 ambition statement, 2 thematic tracks, 6 solution city lists, 2 profiles, "
        "2 city coordinators, 1 steering committee member"
    )
    assert b"KPI 1.4a" in response.content
    assert not Solution.objects.exists()  # a preview writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        applied = apply(admin_client, response)
    assert applied.status_code == 302
    (message,) = [str(m) for m in admin_client.get(applied.url).context["messages"]]
    assert message.startswith(
        "letsgov-framework.yaml applied: created: 3 solutions, 8 activities, 14 KPIs, 2 users"
    )
    assert KPI.objects.filter(solution__consortium__slug="letsgov").count() == 14
    assert len(mail.outbox) == 2  # the set-password e-mails
    again = upload(admin_client, framework())
    assert again.context["headline"] == "nothing to change"


def test_a_dropped_kpi_is_listed_and_removed_only_when_the_box_is_ticked(admin_client):
    apply(admin_client, upload(admin_client, framework()))
    response = upload(admin_client, framework(drop='code: "3.4"'))
    assert response.context["headline"] == (
        "nothing to change; 1 row in the database is not in the file (listed below)"
    )
    assert b"KPI 3.4 Share of the inventory verified by a third party" in response.content
    assert b'name="remove_absent"' in response.content
    apply(admin_client, response)
    assert KPI.objects.filter(code="3.4").exists()
    response = upload(admin_client, framework(drop='code: "3.4"'))
    apply(admin_client, response, remove_absent="on")
    assert not KPI.objects.filter(code="3.4").exists()


def test_a_problem_is_shown_with_its_line_and_nothing_is_written(admin_client):
    content = (
        framework()
        .replace(b"traget", b"x")
        .replace(b"target_scope: country", b"target_scop: country")
    )
    response = upload(admin_client, content)
    error = response.context["error"]
    assert "line" in error and "unknown key 'target_scop'. Did you mean 'target_scope'?" in error
    assert b"nothing was written" in response.content
    assert not Solution.objects.exists()


def test_apply_refuses_a_digest_that_was_not_previewed(admin_client):
    response = upload(admin_client, framework())
    held = response.context["held"]
    (uploads.FOLDER / f"{held.digest}.yaml").write_bytes(b"solutions: []\n")
    refused = apply(admin_client, response)
    assert refused.status_code == 302 and refused.url == URL
    assert not Solution.objects.exists()
    other = admin_client.post(URL, {"apply": "1", "digest": "0" * 64})
    assert other.status_code == 302 and not Solution.objects.exists()


def test_a_file_too_large_is_refused_before_it_is_read(admin_client, monkeypatch):
    monkeypatch.setattr("datafiles.forms.MAX_FILE_BYTES", 100)
    response = upload(admin_client, framework())
    assert "a data file may be up to" in str(response.context["upload_form"].errors["file"])


def test_staff_without_the_permissions_are_refused(client):
    user = get_user_model().objects.create_user("clerk", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": SimpleUploadedFile("f.yaml", framework())}).status_code == 403


def test_a_framework_officer_without_user_rights_cannot_apply_a_file_with_users(client):
    call_command("load_demo", "--no-accounts", str(DATA / "letsgov.yaml"), verbosity=0)
    user = get_user_model().objects.create_user("officer", password="pw", is_staff=True)
    for name in [
        "change_consortium",
        "add_solution",
        "change_solution",
        "add_activity",
        "change_activity",
        "add_kpi",
        "change_kpi",
    ]:
        user.user_permissions.add(Permission.objects.get(codename=name))
    client.force_login(user)
    response = upload(client, framework())
    assert "takes the right to add and change users" in response.context["refusal"]
    apply(client, response)
    assert not Solution.objects.exists()


def test_the_page_speaks_italian(admin_client):
    response = upload(admin_client, framework())
    response = admin_client.post(
        URL,
        {"file": SimpleUploadedFile("f.yaml", framework())},
        HTTP_ACCEPT_LANGUAGE="it",
    )
    assert response.context["headline"].startswith("da creare: 3 soluzioni")


#: Let's GOv's KPI 1.2 with another target: one row of the file to update.
NEW_TARGET = (
    b'target_value: "500", target_scope: country, target_text: "500 per country"',
    b'target_value: "600", target_scope: country, target_text: "600 per country"',
)


@pytest.mark.parametrize(
    ("language", "headline", "to_update", "unchanged", "applied"),
    [
        ("en", "to update: 1 KPI", "To update (1 row)", "Unchanged: ", "updated: 1 KPI"),
        (
            "it",
            "da aggiornare: 1 KPI",
            "Da aggiornare (1 riga)",
            "Invariati: ",
            "aggiornati: 1 KPI",
        ),
        (
            "sv",
            "att uppdatera: 1 nyckeltal",
            "Att uppdatera (1 rad)",
            "Oförändrade: ",
            "uppdaterade: 1 nyckeltal",
        ),
    ],
)
def test_the_preview_says_created_updated_unchanged_as_bulk_writes_and_the_feed_do(
    admin_client, language, headline, to_update, unchanged, applied
):
    apply(admin_client, upload(admin_client, framework()))
    response = admin_client.post(
        URL,
        {"file": SimpleUploadedFile("f.yaml", framework().replace(*NEW_TARGET))},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    page = response.content.decode()
    assert re.search(r'<h2 id="preview-headline">f\.yaml: ([^<]*)</h2>', page)[1] == headline
    caption = re.search(r'<table id="rows-updated"><caption>([^<]*)</caption>', page)[1]
    assert caption == to_update
    summary = re.search(r'<details id="rows-unchanged"><summary>([^<]*)</summary>', page)[1]
    assert summary.startswith(unchanged)
    assert "KPI 1.2" in page
    digest = response.context["held"].digest
    done = admin_client.post(URL, {"apply": "1", "digest": digest}, HTTP_ACCEPT_LANGUAGE=language)
    (message,) = [
        str(m)
        for m in admin_client.get(done.url, HTTP_ACCEPT_LANGUAGE=language).context["messages"]
    ]
    assert applied in message, message


def test_the_admin_index_links_to_the_page(admin_client):
    assert URL.encode() in admin_client.get("/admin/").content


def test_a_file_that_takes_too_long_is_refused_and_nothing_is_written(admin_client, monkeypatch):
    monkeypatch.setattr("datafiles.loader_base.TIME_BUDGET_SECONDS", -1)
    response = upload(admin_client, framework())
    assert "took longer than the -1 seconds a data file may take" in response.context["error"]
    assert not Solution.objects.exists()


# A preview grows with the file, row by row as the loader writes. Each row the file names
# is found among its kind's rows, read once per consortium (solutions, activities, KPIs,
# framework references, figures); a row written costs its full_clean (a query per foreign
# key it points at, one per unique constraint; check constraints are judged in Python,
# icc_portal.conditions) and its insert; a figure also its history row. Then the rows the
# file lacks, read once per kind, and the page. Let's GOv's framework (61 rows, 41 new,
# no figures) measured 198 (811 when each check constraint cost a query and each row a
# lookup); SERN (a new consortium: 216 rows, 84 of them figures) 1183 (4626). The bounds
# sit just above: a query per row more breaks them.


def test_the_preview_of_a_framework_runs_a_bounded_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(205):
        response = upload(admin_client, framework())
    assert response.context["headline"].startswith("to create: 3 solutions, 8 activities")


def test_the_preview_of_a_consortium_with_figures_runs_a_bounded_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    content = (DATA / "sern.yaml").read_bytes()
    with django_assert_max_num_queries(1200):
        response = upload(admin_client, content, name="sern.yaml")
    assert "84 measurements" in response.context["headline"]


def test_the_preview_counts_one_row_in_the_singular_in_italian(admin_client):
    admin_client.cookies["django_language"] = "it"
    headline = upload(admin_client, framework()).context["headline"]
    assert headline.startswith("da creare: 3 soluzioni, 8 attività, 14 KPI, 2 utenti, ")
    assert "1 dichiarazione di ambizione, 2 filoni tematici" in headline
    assert "1 membro del comitato di pilotaggio" in headline
