"""The change log's receivers connected anew, for tests of what ``connect()`` registers."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import signals as model_signals

from changelog import signals

SIGNALS = (
    model_signals.pre_save,
    model_signals.post_save,
    model_signals.post_delete,
    model_signals.m2m_changed,
)


def _of_changelog(entry) -> bool:
    receiver = entry[1]
    if isinstance(receiver, weakref.ReferenceType):
        receiver = receiver()
    return getattr(receiver, "__module__", "") == signals.__name__


def _replace(signal, receivers) -> None:
    with signal.lock:
        signal.receivers = receivers
        signal.sender_receivers_cache.clear()


@contextmanager
def connected_anew() -> Iterator[None]:
    """Every receiver of :mod:`changelog.signals` dropped, then :func:`connect` called twice
    (an app's ``ready()`` may run more than once: it must connect each receiver once), and
    the receivers as they were given back afterwards."""
    before = {signal: list(signal.receivers) for signal in SIGNALS}
    for signal in SIGNALS:
        _replace(signal, [entry for entry in signal.receivers if not _of_changelog(entry)])
    signals.connect()
    signals.connect()
    try:
        yield
    finally:
        for signal, receivers in before.items():
            _replace(signal, receivers)
