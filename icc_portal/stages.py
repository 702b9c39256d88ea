"""The three reporting stages: their keys, fixed and in order, and their default words.

One floor below every app: a roadmap phase says which stage it measures, a programme
names the stages in its own words (the ones here when it gives none), and each KPI
figure belongs to one. The pure progress rules hold the same keys in their own enum
(:class:`kpis.progress.Stage`, which imports nothing of the project);
``tests/kpis/test_vocabulary.py`` holds the two together.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportingStage(models.TextChoices):
    """The three fixed reporting stages, in order, with the names the DESIGN gives them."""

    BASELINE = "baseline", _("Where we started")
    MIDWAY = "midway", _("Midway through the challenge")
    FINAL = "final", _("Final results")

    @classmethod
    def ordered(cls) -> list[ReportingStage]:
        return [cls.BASELINE, cls.MIDWAY, cls.FINAL]

    @classmethod
    def position(cls, value: str) -> int:
        return [stage.value for stage in cls.ordered()].index(value)
