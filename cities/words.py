"""What a programme calls its three stages and its table of figures by stage.

The stage keys (``baseline``, ``midway``, ``final``) never change; only the words that
pages, exports, e-mails and the API show for them. ICC's words are the portal's own
(``DEFAULT_LABELS``, translated by gettext); a programme that names its stages otherwise
(the EU Cities Mission) writes its words in each language (``Programme.baseline_label``
…, per-language columns of :mod:`cities.translation`), and a word it leaves empty in a
language reads as the portal's word in that language.

:class:`StageWords` is the one place that decides a word. The words in use while a page,
an export or an e-mail is made are the *active* ones (:func:`active_words`), set for
its consortium's programme by :func:`speaking`, as gettext's active language is set:
one stage word reads the same in a heading, a cell's label and a chart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from icc_portal.stages import ReportingStage

T = TypeVar("T")

STAGE_KEYS = tuple(stage.value for stage in ReportingStage.ordered())

#: The portal's words: ICC's (the stages' own labels), in every language the catalogues hold.
DEFAULT_LABELS = {stage.value: stage.label for stage in ReportingStage.ordered()}
#: The default words as a table column heads them: a deliberately short "Midway".
DEFAULT_HEADINGS = {**DEFAULT_LABELS, "midway": _("Midway")}
DEFAULT_MATURITY = _("Assessment of solution maturity")

#: The programme's fields, one per stage and the table's title.
WORD_FIELDS = ("baseline_label", "midway_label", "final_label", "maturity_label")


class StageWords:
    """A programme's words in the language active when one is asked for (so one record
    serves every language), the portal's where the programme says nothing."""

    def __init__(self, programme=None) -> None:
        self.programme = programme

    def own(self, field: str) -> str:
        """The programme's own word in the active language ('' when it has none)."""
        if self.programme is None:
            return ""
        language = (get_language() or "en").split("-")[0]
        value = getattr(self.programme, f"{field}_{language}", None)
        return (value or "").strip()

    def label(self, stage: str) -> str:
        """A stage's full name; anything that is not a stage, as given."""
        if stage not in DEFAULT_LABELS:
            return stage
        return self.own(f"{stage}_label") or str(DEFAULT_LABELS[stage])

    def lazy_label(self, stage: str) -> str:
        """:meth:`label`, said in the language active when it is shown (an e-mail is
        written in each recipient's)."""
        return lazy(self.label, str)(stage)

    def heading(self, stage: str) -> str:
        """A stage as a column heads it: the programme's word, else the portal's short one."""
        if stage not in DEFAULT_HEADINGS:
            return stage
        return self.own(f"{stage}_label") or str(DEFAULT_HEADINGS[stage])

    @property
    def maturity(self) -> str:
        return self.own("maturity_label") or str(DEFAULT_MATURITY)

    @property
    def names_its_own(self) -> bool:
        """Whether the programme names anything itself, in any language; otherwise it
        speaks the portal's words, which are ICC's."""
        if self.programme is None:
            return False
        return any(
            (getattr(self.programme, f"{field}_{language}", None) or "").strip()
            for field in WORD_FIELDS
            for language, _name in settings.LANGUAGES
        )

    def as_dict(self) -> dict[str, str]:
        """The full names by stage key, and the table's title (the API's labels)."""
        return {**{stage: self.label(stage) for stage in STAGE_KEYS}, "maturity": self.maturity}


DEFAULT_WORDS = StageWords()
_active: ContextVar[StageWords] = ContextVar("stage_words", default=DEFAULT_WORDS)


def active_words() -> StageWords:
    """The words of the programme whose page, export or e-mail is being made."""
    return _active.get()


@contextmanager
def speaking(programme) -> Iterator[StageWords]:
    """Use ``programme``'s words (``None``: the portal's) for what is made within."""
    words = StageWords(programme) if programme is not None else DEFAULT_WORDS
    token = _active.set(words)
    try:
        yield words
    finally:
        _active.reset(token)


def speaking_for(programme) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """A decorator: the function runs :func:`speaking` ``programme``'s words."""

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        @wraps(function)
        def wrapper(*args, **kwargs) -> T:
            with speaking(programme):
                return function(*args, **kwargs)

        return wrapper

    return decorate


def common_programme(consortia) -> object | None:
    """The programme shared by all these consortia (a city's page spans its consortia),
    else ``None``: the portal's words, rather than one programme's for another's table."""
    programmes = {consortium.programme_id: consortium.programme for consortium in consortia}
    return next(iter(programmes.values())) if len(programmes) == 1 else None
