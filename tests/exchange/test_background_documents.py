"""A large consortium's documents are made in the background (kpis/exchange/background.py):
the download URL says the document is being prepared until django-tasks' database worker
has made it, then serves it; the task survives a worker that stopped; a small
consortium's documents come at once, as before.

Transactional tests: the worker (``manage.py db_worker --batch``) runs its own
transactions, as it does beside gunicorn.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kpis.exchange.models import PreparedDocument
from kpis.models import KPI
from tests.cities.factories import (
    CityFactory,
    ConsortiumFactory,
    MembershipFactory,
    SteeringCommitteeMemberFactory,
    UserFactory,
)
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.solutions.factories import SolutionFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

DOCX = "/consortia/large/deliverable/docx/"
MATURITY = "/consortia/large/maturity/xlsx/"


@pytest.fixture
def large(settings):
    """A consortium counted as large (any size is, with the threshold at 0); tasks go to
    the database backend, as under `make serve`."""
    settings.BACKGROUND_DOCUMENT_CELLS = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    consortium = ConsortiumFactory(name="Large Network", slug="large")
    cities = [CityFactory(country="IT"), CityFactory(country="SE")]
    for city in cities:
        MembershipFactory(consortium=consortium, city=city)
    solution = SolutionFactory(consortium=consortium, number=1, implementing_cities=cities)
    kpi = KPIFactory(solution=solution, code="1.1", rollup=KPI.Rollup.SUM)
    for city in cities:
        MeasurementFactory(kpi=kpi, city=city, value=Decimal("3"))
    return consortium


@pytest.fixture
def steering_client(client, large):
    user = UserFactory(username="steering-large", password=None)
    SteeringCommitteeMemberFactory(user=user, consortium=large)
    client.force_login(user)
    return client


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_a_large_consortiums_deliverable_is_prepared_then_served_at_the_same_address(
    steering_client,
):
    waiting = steering_client.get(DOCX)
    assert waiting.status_code == 202
    page = waiting.content.decode()
    assert "Your document is being prepared" in page
    # Checked every 5 s in the background (HEAD), never reloaded under the reader.
    assert 'data-check-every="5"' in page
    assert "js/prepared-document.js" in page
    assert 'http-equiv="refresh"' not in page
    assert steering_client.head(DOCX).status_code == 202
    assert waiting["Retry-After"] == "5"
    assert "no-store" in waiting["Cache-Control"]
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    again = steering_client.get(DOCX)  # asking again while it waits adds no second task
    assert again.status_code == 202
    assert DBTaskResult.objects.count() == 1

    run_worker()
    assert steering_client.head(DOCX).status_code == 200  # the script then loads it
    ready = steering_client.get(DOCX)
    assert ready.status_code == 200
    assert ready["Content-Disposition"] == 'attachment; filename="large-deliverable.docx"'
    assert ready.content[:2] == b"PK"


def test_a_task_a_stopped_worker_took_with_it_is_enqueued_again(steering_client, settings):
    steering_client.get(MATURITY)
    # A worker claimed it and was killed: the row stays RUNNING, started long ago.
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.DOCUMENT_TASK_TIMEOUT + 60)
    DBTaskResult.objects.update(status="RUNNING", started_at=long_ago, worker_ids=["gone"])

    assert steering_client.get(MATURITY).status_code == 202
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # a new one

    run_worker()  # the worker started again
    made = steering_client.get(MATURITY)
    assert made.status_code == 200
    assert made.content[:2] == b"PK"


def test_a_task_running_within_its_time_is_left_to_finish(steering_client):
    steering_client.get(MATURITY)
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now(), worker_ids=["w"])
    assert steering_client.get(MATURITY).status_code == 202
    assert DBTaskResult.objects.count() == 1


def test_each_readers_view_and_language_get_their_own_document(steering_client, client, large):
    steering_client.get(MATURITY)
    steering_client.get(MATURITY, HTTP_ACCEPT_LANGUAGE="it")
    waiting = steering_client.get(MATURITY, HTTP_ACCEPT_LANGUAGE="it")
    assert "Il documento è in preparazione" in waiting.content.decode()
    client.logout()
    client.get(MATURITY)  # anonymous: approved figures only
    views = PreparedDocument.objects.values_list("language", "view")
    assert len(set(views)) == 3


def test_a_small_consortiums_documents_come_at_once(steering_client, settings):
    settings.BACKGROUND_DOCUMENT_CELLS = 4000
    assert steering_client.get(DOCX).status_code == 200
    assert steering_client.get(MATURITY).status_code == 200
    assert not DBTaskResult.objects.exists()
