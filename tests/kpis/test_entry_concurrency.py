"""No lost update: two people editing the same figure from pages loaded at the same time."""

import pytest
from django.test import Client
from django.urls import reverse

from kpis.models import Measurement
from tests.helpers.forms import page_form

pytestmark = pytest.mark.django_db

URL = reverse("entry-grid", args=["ravenna", "final"])


def field(kpi, name):
    return f"kpi{kpi.pk}-{name}"


@pytest.fixture
def anna_and_bruno(ravenna_colleagues):
    """Two coordinators of Ravenna, each with the grid open (loaded before either saves)."""
    clients = []
    for user in ravenna_colleagues:
        client = Client()
        client.force_login(user)
        clients.append((client, page_form(client, URL)))
    return clients


def test_second_save_of_the_same_figure_is_refused_and_nothing_is_lost(entry_world, anna_and_bruno):
    kpis = entry_world.kpis
    (anna, anna_page), (bruno, bruno_page) = anna_and_bruno

    anna_page.update({field(kpis.count, "value"): "5", field(kpis.number, "value"): "100"})
    assert anna.post(URL, anna_page).status_code == 302

    bruno_page.update({field(kpis.count, "value"): "7", field(kpis.percent, "value"): "20"})
    response = bruno.post(URL, bruno_page)

    assert response.status_code == 409
    html = response.content.decode()
    assert "anna saved this figure" in html and "it is now 5" in html
    assert "Your change was not saved" in html
    assert 'value="7"' in html  # Bruno's typing is still there
    count = Measurement.objects.get(kpi=kpis.count)
    assert (count.value, count.version, count.entered_by.username) == (5, 1, "anna")
    assert Measurement.objects.get(kpi=kpis.number).value == 100  # Anna's other row
    assert not Measurement.objects.filter(kpi=kpis.percent).exists()  # Bruno's other row


def test_after_a_refusal_saving_again_is_a_deliberate_overwrite(entry_world, anna_and_bruno):
    kpis = entry_world.kpis
    (anna, anna_page), (bruno, bruno_page) = anna_and_bruno
    anna_page[field(kpis.count, "value")] = "5"
    anna.post(URL, anna_page)
    bruno_page[field(kpis.count, "value")] = "7"
    refused = bruno.post(URL, bruno_page)
    # The refusal page carries the version Bruno has now seen; saving it again overwrites.
    from tests.helpers.forms import form_fields

    again = form_fields(refused.content.decode())
    assert again[field(kpis.count, "version")] == "1"
    assert bruno.post(URL, again).status_code == 302
    count = Measurement.objects.get(kpi=kpis.count)
    assert (count.value, count.version, count.entered_by.username) == (7, 2, "bruno")
    assert [record.value for record in count.history.order_by("history_date")] == [5, 7]


def test_rows_the_second_user_did_not_touch_do_not_conflict(entry_world, anna_and_bruno):
    kpis = entry_world.kpis
    (anna, anna_page), (bruno, bruno_page) = anna_and_bruno
    anna_page[field(kpis.count, "value")] = "5"
    anna.post(URL, anna_page)
    bruno_page[field(kpis.percent, "value")] = "20"  # Bruno's page still shows no 1.1 figure
    assert bruno.post(URL, bruno_page).status_code == 302
    assert Measurement.objects.get(kpi=kpis.count).value == 5
    assert Measurement.objects.get(kpi=kpis.percent).value == 20


def test_stale_edit_of_an_older_version_is_refused(entry_world, anna_and_bruno):
    kpis = entry_world.kpis
    (anna, anna_page), (bruno, _) = anna_and_bruno
    anna_page[field(kpis.count, "value")] = "5"
    anna.post(URL, anna_page)
    from tests.helpers.forms import form_fields

    bruno_page = form_fields(bruno.get(URL).content.decode())  # sees version 1
    anna_page = form_fields(anna.get(URL).content.decode())
    anna_page[field(kpis.count, "value")] = "6"
    anna.post(URL, anna_page)  # version 2
    bruno_page[field(kpis.count, "value")] = "8"
    response = bruno.post(URL, bruno_page)
    assert response.status_code == 409
    assert "it is now 6" in response.content.decode()
    assert Measurement.objects.get(kpi=kpis.count).value == 6


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_on_postgresql_one_wins_one_is_refused(
    entry_world, ravenna_colleagues, monkeypatch
):
    """Two threads, two database connections, both past validation before either locks."""
    import threading
    from decimal import Decimal

    from django.db import connection, connections

    from kpis.reporting import entry, errors

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises whole transactions)")
    users = ravenna_colleagues
    barrier = threading.Barrier(2, timeout=10)
    original = entry.lock_stage_review

    def lock_after_both_validated(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(entry, "lock_stage_review", lock_after_both_validated)
    results = {}

    def save(user, value):
        try:
            entry.record_measurements(
                user=user,
                city=entry_world.ravenna,
                stage="final",
                rows=[
                    entry.RowInput(
                        kpi=entry_world.kpis.count,
                        status="reported",
                        expected_version=0,
                        value=Decimal(value),
                    )
                ],
            )
            results[user.username] = "saved"
        except errors.StaleVersion as error:
            results[user.username] = ("stale", error.current[entry_world.kpis.count.pk].value)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(user, value))
        for user, value in zip(users, (5, 7), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(map(str, results.values())) == sorted(
        ["saved", str(("stale", Measurement.objects.get().value))]
    )
    assert Measurement.objects.get().version == 1
