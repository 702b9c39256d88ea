"""A large consortium's documents are made in the background, not in the request.

The deliverable and the maturity tables of a programme-size consortium (200 cities ×
100 KPIs) take longer to write as Word or PDF than a request should hold a worker (see
``make bench``). Above ``BACKGROUND_DOCUMENT_CELLS`` member cities × KPIs, the download
URL answers a page saying the document is being prepared (202, reloading itself) and a
task of django-tasks' database backend (:mod:`kpis.exchange.tasks`) makes it; the same
URL then serves it. The task is a row in the database: it survives a restart of the web
server or of the worker, and one claimed by a worker that died with it is enqueued again
after ``DOCUMENT_TASK_TIMEOUT`` seconds. A document is kept per reader's view, language
and data version (:class:`~kpis.exchange.models.PreparedDocument`), so readers of one
view share it, and a change to the figures makes the next request prepare a new one.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from changelog import versions
from cities.access import visibility_class
from cities.models import Membership
from kpis.models import KPI

from .models import PreparedDocument
from .tasks import prepare_document


def made_in_background(consortium) -> bool:
    """Is the consortium large enough for its documents to be made in the background?
    Two queries: its member cities and its KPIs."""
    limit = settings.BACKGROUND_DOCUMENT_CELLS
    cities = Membership.objects.filter(consortium=consortium).count()
    kpis = KPI.objects.filter(solution__consortium=consortium).count()
    return cities * kpis > limit


def prepared_document(user, consortium, *, kind: str, fmt: str) -> PreparedDocument:
    """The reader's document at the consortium's current data version, with its task
    enqueued if it is not made yet and no task is under way for it."""
    view = hashlib.sha256(visibility_class(user, consortium.pk).encode()).hexdigest()
    version = str(versions.consortium_version(consortium.pk).position)
    same = {"consortium": consortium, "kind": kind, "fmt": fmt, "language": get_language()}
    document, created = PreparedDocument.objects.get_or_create(
        **same,
        view=view,
        version=version,
        defaults={"requested_by": user if user.is_authenticated else None},
    )
    if created:  # what an older version of the data made is no one's any more
        PreparedDocument.objects.filter(**same, view=view).exclude(pk=document.pk).delete()
    if document.content is None and not _under_way(document.task_id):
        result = prepare_document.enqueue(document.pk)
        PreparedDocument.objects.filter(pk=document.pk).update(task_id=result.id)
        document.refresh_from_db()  # made already where tasks run at once
    return document


def _under_way(task_id: str) -> bool:
    """Waiting for a worker, or running for less than ``DOCUMENT_TASK_TIMEOUT`` seconds;
    a task that failed, or that a worker took with it when it stopped, is not."""
    if not task_id:
        return False
    try:
        result = prepare_document.get_result(task_id)
    except (TaskResultDoesNotExist, NotImplementedError):  # gone, or tasks run at once
        return False
    if result.status == TaskResultStatus.READY:
        return True
    if result.status == TaskResultStatus.RUNNING and result.started_at is not None:
        timeout = datetime.timedelta(seconds=settings.DOCUMENT_TASK_TIMEOUT)
        return timezone.now() - result.started_at < timeout
    return False
