"""Why a write or a review was refused: one family of errors, each a message with its code.

:class:`ReportingError` is one refusal: a message a person can read, a ``code`` a
program can test (``"locked"``, ``"negative"``, ``"not_submitted"`` …), the field it
concerns (``"__all__"`` for the figure or the call as a whole) and, for a figure among
several, the row it belongs to (``key``). A review action raises one
(:class:`ReviewError`); the write service collects every problem of every row and
raises them together (:class:`EntryError`, :class:`StaleVersion`), so the grid can put
each message beside its field and the API can answer with each message's own code.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

#: The field of an error about a figure (or the call) as a whole, as Django names it.
NON_FIELD = "__all__"


class ReportingError(Exception):
    """A refusal: ``message`` (translated), ``code``, ``field`` and, for one row, ``key``."""

    def __init__(
        self, message: str, *, code: str, field: str = NON_FIELD, key: Hashable | None = None
    ) -> None:
        self.message = str(message)
        self.code = code
        self.field = field
        self.key = key
        super().__init__(self.message)


class ReviewError(ReportingError):
    """The review action does not fit the stage's current state; ``code`` says which rule."""


class EntryError(ReportingError):
    """Nothing was stored. ``error_list`` holds every problem, each a :class:`ReportingError`
    whose ``key`` is the row it concerns (``None``: the call itself, e.g. an unknown stage).

    ``errors`` and ``codes`` read the same problems as ``{key: {field: [messages]}}`` and
    ``{key: {field: [codes]}}``, in the order they were found; the message and code of one
    problem stay together in ``error_list``.
    """

    def __init__(self, errors: Iterable[ReportingError]) -> None:
        self.error_list = list(errors)
        if not self.error_list:
            raise ValueError("an EntryError needs at least one problem")
        first = self.error_list[0]
        super().__init__(self.summary(), code=first.code, field=first.field, key=first.key)

    @property
    def errors(self) -> dict[Hashable, dict[str, list[str]]]:
        return self._grouped(lambda error: error.message)

    @property
    def codes(self) -> dict[Hashable, dict[str, list[str]]]:
        return self._grouped(lambda error: error.code)

    def _grouped(self, part) -> dict[Hashable, dict[str, list[str]]]:
        grouped: dict[Hashable, dict[str, list[str]]] = {}
        for error in self.error_list:
            grouped.setdefault(error.key, {}).setdefault(error.field, []).append(part(error))
        return grouped

    def for_row(self, key: Hashable) -> list[ReportingError]:
        return [error for error in self.error_list if error.key == key]

    def summary(self) -> str:
        return "; ".join(
            f"{key}: {field}: {' '.join(messages)}"
            for key, by_field in self.errors.items()
            for field, messages in by_field.items()
        )

    def has_code(self, code: str) -> bool:
        return any(error.code == code for error in self.error_list)


class StaleVersion(EntryError):
    """Some rows were based on an outdated version; ``current`` has the stored figures
    (``None`` for one deleted meanwhile), by row key."""

    def __init__(self, errors: Iterable[ReportingError], current: dict) -> None:
        self.current = current
        super().__init__(errors)


class MissingFigures(ReviewError):
    """Submit or approve was asked without confirming the figures still missing.

    ``missing`` lists the KPIs without a figure; the action goes ahead only when the
    confirmation names exactly that many (``confirm_missing``), so a count that changed
    meanwhile is asked again.
    """

    def __init__(self, message: str, *, missing: list, code: str = "missing_figures") -> None:
        super().__init__(message, code=code, field="confirm_missing")
        self.missing = list(missing)
