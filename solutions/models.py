"""Ambition statements, thematic tracks, solutions (initiative charters) and activities."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cities.models import City, Consortium


class AmbitionStatement(models.Model):
    consortium = models.ForeignKey(
        Consortium,
        on_delete=models.CASCADE,
        related_name="ambition_statements",
        verbose_name=_("consortium"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["consortium", "number"]
        verbose_name = _("ambition statement")
        verbose_name_plural = _("ambition statements")
        constraints = [
            models.UniqueConstraint(fields=["consortium", "number"], name="ambition_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="ambition_number_positive"),
        ]

    def __str__(self) -> str:
        return _("Ambition statement %(number)s") % {"number": self.number}


class Theme(models.Model):
    """A thematic track of a consortium, e.g. "Green and digital tourism"."""

    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="themes", verbose_name=_("consortium")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80)

    class Meta:
        ordering = ["consortium", "name"]
        verbose_name = _("thematic track")
        verbose_name_plural = _("thematic tracks")
        constraints = [
            models.UniqueConstraint(fields=["consortium", "slug"], name="theme_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name


class Solution(models.Model):
    """An initiative charter: what the consortium will do, why, who leads, what it costs."""

    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="solutions", verbose_name=_("consortium")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="solutions",
        verbose_name=_("thematic track"),
    )
    ambition_statement = models.ForeignKey(
        AmbitionStatement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="solutions",
        verbose_name=_("ambition statement"),
    )
    what = models.TextField(_("what"), blank=True)
    why = models.TextField(_("why"), blank=True)
    link_to_vision = models.TextField(_("link to vision"), blank=True)
    expected_impact = models.TextField(_("expected impact and timing"), blank=True)
    working_team = models.TextField(_("working team"), blank=True)
    contributors = models.TextField(_("contributors"), blank=True)
    risks_and_mitigation = models.TextField(_("risks and mitigation"), blank=True)
    funding_source = models.TextField(_("source of funding"), blank=True)
    estimated_cost = models.DecimalField(
        _("estimated cost (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    cost_note = models.TextField(
        _("cost breakdown"), blank=True, help_text=_("How the estimated cost is made up.")
    )
    lead_cities = models.ManyToManyField(
        City, related_name="led_solutions", blank=True, verbose_name=_("lead cities")
    )
    implementing_cities = models.ManyToManyField(
        City,
        related_name="implemented_solutions",
        blank=True,
        verbose_name=_("implementing cities"),
        help_text=_("The cities that report on this solution's KPIs."),
    )

    class Meta:
        ordering = ["consortium", "number"]
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        constraints = [
            models.UniqueConstraint(fields=["consortium", "number"], name="solution_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="solution_number_positive"),
            models.CheckConstraint(
                condition=Q(estimated_cost__isnull=True) | Q(estimated_cost__gte=0),
                name="solution_cost_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("solution-detail", args=[self.consortium.slug, self.number])


class Activity(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("activity status", "Planned")
        ONGOING = "ongoing", _("Ongoing")
        DONE = "done", _("Done")

    solution = models.ForeignKey(
        Solution, on_delete=models.CASCADE, related_name="activities", verbose_name=_("solution")
    )
    code = models.CharField(_("code"), max_length=10, help_text=_('For example "1.3".'))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    work_days_per_city = models.DecimalField(
        _("work days per city"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Staff work days each implementing city puts in."),
    )
    resources = models.TextField(
        _("resources"), blank=True, help_text=_("Resources as the charter states them.")
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )

    class Meta:
        ordering = ["solution", "code"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["solution", "code"], name="activity_unique_code"),
            models.CheckConstraint(
                condition=Q(work_days_per_city__isnull=True) | Q(work_days_per_city__gte=0),
                name="activity_work_days_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="activity_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "ongoing", "done"]),
                name="activity_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
