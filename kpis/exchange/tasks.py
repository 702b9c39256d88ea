"""The background task that makes a large consortium's document (django-tasks).

Enqueued by :mod:`kpis.exchange.background`; run by the worker (``manage.py db_worker``,
which ``deploy/serve`` starts beside gunicorn), or at once where ``TASKS_IMMEDIATE`` is on.
The task's arguments are the document row's id only: the row says what to make, for
which reader and in which language, and receives the bytes.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation
from django_tasks import task

from .documents import MAKERS
from .models import PreparedDocument


@task()
def prepare_document(document_id: int) -> None:
    """Make the document of row ``document_id``; nothing if it is gone or already made."""
    document = (
        PreparedDocument.objects.select_related("consortium__programme", "requested_by")
        .filter(pk=document_id, content__isnull=True)
        .first()
    )
    if document is None:
        return
    reader = document.requested_by or AnonymousUser()
    with translation.override(document.language):
        made = MAKERS[document.kind](reader, document.consortium, document.fmt)
    PreparedDocument.objects.filter(pk=document_id).update(
        content=made.content, finished_at=timezone.now()
    )
