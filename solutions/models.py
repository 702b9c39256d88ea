"""Ambition statements, thematic tracks, solutions (initiative charters) and activities."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from cities.models import City, Consortium
from icc_portal.validation import FieldErrors, FieldRules, add_error


class AmbitionStatement(FieldRules, models.Model):
    consortium = models.ForeignKey(
        Consortium,
        on_delete=models.CASCADE,
        related_name="ambition_statements",
        verbose_name=_("consortium"),
    )
    number = models.PositiveSmallIntegerField(
        _("number"),
        validators=[MinValueValidator(1)],
        help_text=_("1, 2, 3… in the order of the consortium's strategy."),
    )
    text = models.TextField(_("text"), help_text=_("The statement as the strategy words it."))

    constraint_fields = {"ambition_unique_number": "number", "ambition_number_positive": "number"}

    class Meta:
        ordering = ["consortium", "number"]
        verbose_name = _("ambition statement")
        verbose_name_plural = _("ambition statements")
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "number"],
                name="ambition_unique_number",
                violation_error_message=_(
                    "Number: the consortium already has an ambition statement with this number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="ambition_number_positive",
                violation_error_message=_("Number: numbers start at 1."),
            ),
        ]

    def __str__(self) -> str:
        label = _("Ambition statement %(number)s") % {"number": self.number}
        return f"{self.consortium} · {label}"


class Theme(FieldRules, models.Model):
    """A thematic track of a consortium, e.g. "Green and digital tourism"."""

    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="themes", verbose_name=_("consortium")
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_('For example "Green and digital tourism".')
    )
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        help_text=_("The name in web addresses: lower-case letters, digits and hyphens."),
    )

    constraint_fields = {"theme_unique_slug": "slug"}

    class Meta:
        ordering = ["consortium", "name"]
        verbose_name = _("thematic track")
        verbose_name_plural = _("thematic tracks")
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "slug"],
                name="theme_unique_slug",
                violation_error_message=_(
                    "Slug: the consortium already has a thematic track with this slug."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consortium} · {self.name}"


class Solution(FieldRules, models.Model):
    """An initiative charter: what the consortium will do, why, who leads, what it costs."""

    consortium = models.ForeignKey(
        Consortium,
        on_delete=models.CASCADE,
        related_name="solutions",
        verbose_name=_("consortium"),
        help_text=_("Its member cities are the ones that can lead and implement the solution."),
    )
    number = models.PositiveSmallIntegerField(
        _("number"),
        validators=[MinValueValidator(1)],
        help_text=_("1, 2, 3… within the consortium; KPI codes start with it (2.1, 2.2…)."),
    )
    title = models.CharField(
        _("title"), max_length=200, help_text=_('For example "Digital Transformation Plan".')
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="solutions",
        verbose_name=_("thematic track"),
        help_text=_("Optional: one of the consortium's thematic tracks."),
    )
    ambition_statement = models.ForeignKey(
        AmbitionStatement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="solutions",
        verbose_name=_("ambition statement"),
        help_text=_("Optional: the consortium's ambition statement the solution serves."),
    )
    what = models.TextField(_("what"), blank=True, help_text=_("What will be done, in a sentence."))
    why = models.TextField(_("why"), blank=True, help_text=_("The need the solution answers."))
    link_to_vision = models.TextField(
        _("link to vision"), blank=True, help_text=_("How it serves the consortium's vision.")
    )
    expected_impact = models.TextField(
        _("expected impact and timing"),
        blank=True,
        help_text=_("What changes, and by when."),
    )
    working_team = models.TextField(
        _("working team"), blank=True, help_text=_("The teams that do the work.")
    )
    contributors = models.TextField(
        _("contributors"), blank=True, help_text=_("Others who help: regions, universities…")
    )
    risks_and_mitigation = models.TextField(
        _("risks and mitigation"),
        blank=True,
        help_text=_("What could go wrong, and what is done about it."),
    )
    funding_source = models.TextField(
        _("source of funding"), blank=True, help_text=_("For example “Erasmus+ Programme”.")
    )
    estimated_cost = models.DecimalField(
        _("estimated cost (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("In euro, without the currency sign; leave empty when not estimated."),
    )
    cost_note = models.TextField(
        _("cost breakdown"), blank=True, help_text=_("How the estimated cost is made up.")
    )
    lead_cities = models.ManyToManyField(
        City,
        related_name="led_solutions",
        blank=True,
        verbose_name=_("lead cities"),
        help_text=_(
            "The cities that lead the solution: members of the consortium that also implement "
            "it. Their coordinators may enter the figures the consortium reports once."
        ),
    )
    implementing_cities = models.ManyToManyField(
        City,
        related_name="implemented_solutions",
        blank=True,
        verbose_name=_("implementing cities"),
        help_text=_(
            "The member cities that carry out the solution and report on its KPIs. A city "
            "that does not implement it has an empty cell on the dashboards, not a red one."
        ),
    )

    constraint_fields = {
        "solution_unique_number": "number",
        "solution_number_positive": "number",
        "solution_cost_non_negative": "estimated_cost",
    }

    class Meta:
        ordering = ["consortium", "number"]
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "number"],
                name="solution_unique_number",
                violation_error_message=_(
                    "Number: the consortium already has a solution with this number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="solution_number_positive",
                violation_error_message=_("Number: solutions are numbered from 1."),
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost__isnull=True) | Q(estimated_cost__gte=0),
                name="solution_cost_non_negative",
                violation_error_message=_("Estimated cost: a cost cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consortium} · {self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("solution-detail", args=[self.consortium.slug, self.number])

    def rule_errors(self) -> FieldErrors:
        """A thematic track and an ambition statement of the solution's own consortium."""
        errors: FieldErrors = {}
        if not self.consortium_id:
            return errors
        for field in ("theme", "ambition_statement"):
            chosen = getattr(self, field)
            if chosen is not None and chosen.consortium_id != self.consortium_id:
                add_error(
                    errors,
                    field,
                    _("%(chosen)s belongs to another consortium: choose one of %(consortium)s."),
                    "other_consortium",
                    chosen=chosen,
                    consortium=self.consortium,
                )
        return errors


def _names(cities: Iterable[City]) -> str:
    return ", ".join(sorted(city.name for city in cities))


def solution_city_errors(
    consortium: Consortium | None,
    lead_cities: Iterable[City],
    implementing_cities: Iterable[City],
) -> FieldErrors:
    """The rules on a solution's cities, which ``clean()`` cannot see before they are saved.

    Lead and implementing cities are members of the solution's consortium, and every
    lead city implements the solution. The admin's solution form and the data loader
    both ask this function, so they refuse the same things in the same words.
    """
    errors: FieldErrors = {}
    lead, implementing = set(lead_cities), set(implementing_cities)
    if consortium is not None:
        member_ids = set(consortium.memberships.values_list("city_id", flat=True))
        for field, chosen in (("lead_cities", lead), ("implementing_cities", implementing)):
            outsiders = [city for city in chosen if city.pk not in member_ids]
            if outsiders:
                add_error(
                    errors,
                    field,
                    ngettext_lazy(
                        "%(cities)s is not a member of %(consortium)s. Add it to the "
                        "consortium first, or choose one of its member cities.",
                        "%(cities)s are not members of %(consortium)s. Add them to the "
                        "consortium first, or choose among its member cities.",
                        "count",
                    ),
                    "not_member",
                    cities=_names(outsiders),
                    consortium=consortium,
                    count=len(outsiders),
                )
    not_implementing = lead - implementing
    if not_implementing and "lead_cities" not in errors:
        add_error(
            errors,
            "lead_cities",
            ngettext_lazy(
                "%(cities)s leads the solution but does not implement it: tick it among the "
                "implementing cities too, or do not make it a lead city.",
                "%(cities)s lead the solution but do not implement it: tick them among the "
                "implementing cities too, or do not make them lead cities.",
                "count",
            ),
            "lead_not_implementing",
            cities=_names(not_implementing),
            count=len(not_implementing),
        )
    return errors


class Activity(FieldRules, models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("activity status", "Planned")
        ONGOING = "ongoing", _("Ongoing")
        DONE = "done", _("Done")

    solution = models.ForeignKey(
        Solution, on_delete=models.CASCADE, related_name="activities", verbose_name=_("solution")
    )
    code = models.CharField(_("code"), max_length=10, help_text=_('For example "1.3".'))
    title = models.CharField(_("title"), max_length=300, help_text=_("What is done, briefly."))
    description = models.TextField(_("description"), blank=True)
    work_days_per_city = models.DecimalField(
        _("work days per city"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Staff work days each implementing city puts in."),
    )
    resources = models.TextField(
        _("resources"), blank=True, help_text=_("Resources as the charter states them.")
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(
        _("planned end"), null=True, blank=True, help_text=_("On or after the planned start.")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PLANNED,
        help_text=_("Planned: not begun. Ongoing: under way. Done: finished."),
    )

    constraint_fields = {
        "activity_unique_code": "code",
        "activity_work_days_non_negative": "work_days_per_city",
        "activity_end_after_start": "planned_end",
        "activity_status_valid": "status",
    }

    class Meta:
        ordering = ["solution", "code"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(
                fields=["solution", "code"],
                name="activity_unique_code",
                violation_error_message=_(
                    "Code: the solution already has an activity with this code."
                ),
            ),
            models.CheckConstraint(
                condition=Q(work_days_per_city__isnull=True) | Q(work_days_per_city__gte=0),
                name="activity_work_days_non_negative",
                violation_error_message=_("Work days per city: cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="activity_end_after_start",
                violation_error_message=_("Planned end: the activity cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "ongoing", "done"]),
                name="activity_status_valid",
                violation_error_message=_("Status: choose planned, ongoing or done."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.solution.consortium} · {self.code} {self.title}"


def _lead_city_str(link) -> str:
    return _("%(city)s leads %(solution)s") % {"city": link.city, "solution": link.solution}


def _implementing_city_str(link) -> str:
    return _("%(city)s implements %(solution)s") % {"city": link.city, "solution": link.solution}


# The two city lists' link rows, as the admin's delete confirmation lists them.
for _field, _to_str, _name, _plural in (
    ("lead_cities", _lead_city_str, _("lead city"), _("lead cities")),
    (
        "implementing_cities",
        _implementing_city_str,
        _("implementing city"),
        _("implementing cities"),
    ),
):
    _through = getattr(Solution, _field).through
    _through.__str__ = _to_str
    _through._meta.verbose_name, _through._meta.verbose_name_plural = _name, _plural
