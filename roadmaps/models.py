"""The consortium's journey: phases, governance, commitments, three-year plans, lessons."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cities.models import City, Consortium, country_code_validator
from kpis.vocabulary import Stage


class Phase(models.Model):
    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="phases", verbose_name=_("consortium")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=120)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    summary = models.TextField(_("summary"), blank=True)
    measured_stage = models.CharField(
        _("stage measured"),
        max_length=10,
        choices=Stage.choices,
        blank=True,
        help_text=_("The KPI stage whose figures are collected in this phase."),
    )

    class Meta:
        ordering = ["consortium", "number"]
        verbose_name = _("journey phase")
        verbose_name_plural = _("journey phases")
        constraints = [
            models.UniqueConstraint(fields=["consortium", "number"], name="phase_unique_number"),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="phase_end_after_start"),
            models.CheckConstraint(
                condition=Q(measured_stage__in=["", "baseline", "midway", "final"]),
                name="phase_measured_stage_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class GovernanceBody(models.Model):
    class Level(models.TextChoices):
        TRANSNATIONAL = "transnational", _("Transnational")
        CITY = "city", _("City")

    consortium = models.ForeignKey(
        Consortium,
        on_delete=models.CASCADE,
        related_name="governance_bodies",
        verbose_name=_("consortium"),
    )
    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="governance_bodies",
        verbose_name=_("city"),
    )
    level = models.CharField(_("level"), max_length=14, choices=Level.choices)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["consortium", "position", "name"]
        verbose_name = _("governance body")
        verbose_name_plural = _("governance bodies")
        constraints = [
            models.CheckConstraint(
                condition=Q(level="transnational", city__isnull=True)
                | Q(level="city", city__isnull=False),
                name="governance_city_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})" if self.city_id else self.name


class GovernanceRole(models.Model):
    """A seat in a governance body, described by role ("Head of ICT department")."""

    body = models.ForeignKey(
        GovernanceBody,
        on_delete=models.CASCADE,
        related_name="roles",
        verbose_name=_("governance body"),
    )
    group = models.CharField(
        _("group"), max_length=120, blank=True, help_text=_('e.g. "Core team", "Initiative 1".')
    )
    role = models.CharField(_("role"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["body", "position"]
        verbose_name = _("governance role")
        verbose_name_plural = _("governance roles")

    def __str__(self) -> str:
        return self.role


class Commitment(models.Model):
    class Kind(models.TextChoices):
        RESOURCES = "resources", _("On-going resources")
        COLLABORATION = "collaboration", _("On-going collaboration")
        KPIS = "kpis", _("On-going KPIs")

    consortium = models.ForeignKey(
        Consortium,
        on_delete=models.CASCADE,
        related_name="commitments",
        verbose_name=_("consortium"),
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    country = models.CharField(
        _("country"), max_length=2, blank=True, validators=[country_code_validator]
    )
    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("city"),
    )
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["consortium", "kind", "position"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return self.text[:80]


class ThreeYearPlan(models.Model):
    consortium = models.ForeignKey(
        Consortium,
        on_delete=models.CASCADE,
        related_name="three_year_plans",
        verbose_name=_("consortium"),
    )
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="three_year_plans", verbose_name=_("city")
    )
    ambition = models.TextField(_("what the city aims to achieve in three years"))
    steps = models.TextField(_("steps over the next three years"), blank=True)

    class Meta:
        ordering = ["consortium", "city__name"]
        verbose_name = _("three-year plan")
        verbose_name_plural = _("three-year plans")
        constraints = [
            models.UniqueConstraint(fields=["consortium", "city"], name="plan_unique_city"),
        ]

    def __str__(self) -> str:
        return f"{self.city} – {self.consortium}"


class PlanTarget(models.Model):
    plan = models.ForeignKey(
        ThreeYearPlan,
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("three-year plan"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    category = models.CharField(_("category"), max_length=200)
    commitment = models.TextField(_("commitment"), blank=True)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("plan target")
        verbose_name_plural = _("plan targets")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_target_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.category}"


class Lesson(models.Model):
    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("consortium")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("lesson"))

    class Meta:
        ordering = ["consortium", "number"]
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")
        constraints = [
            models.UniqueConstraint(fields=["consortium", "number"], name="lesson_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"
