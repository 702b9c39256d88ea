"""The consortium's journey: phases, governance, commitments, three-year plans, lessons."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cities.models import City, Consortium, country_code_validator
from icc_portal.stages import ReportingStage
from icc_portal.validation import FieldErrors, FieldRules, add_error


def member_city_errors(consortium_id: int | None, city: City | None) -> FieldErrors:
    """A roadmap row about a city names one of the consortium's member cities."""
    errors: FieldErrors = {}
    if (
        city is not None
        and consortium_id
        and not city.memberships.filter(consortium_id=consortium_id)
    ):
        add_error(
            errors,
            "city",
            _("%(city)s is not a member of this consortium: choose one of its member cities."),
            "not_member",
            city=city,
        )
    return errors


class Phase(FieldRules, models.Model):
    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="phases", verbose_name=_("consortium")
    )
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("1, 2, 3… in the order of the journey.")
    )
    name = models.CharField(
        _("name"), max_length=120, help_text=_('For example "Preparation and assessment".')
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), help_text=_("On or after the start."))
    summary = models.TextField(_("summary"), blank=True, help_text=_("What happens in it."))
    measured_stage = models.CharField(
        _("stage measured"),
        max_length=10,
        choices=ReportingStage.choices,
        blank=True,
        help_text=_("The KPI stage whose figures are collected in this phase."),
    )

    constraint_fields = {"phase_end_after_start": "end"}

    class Meta:
        ordering = ["consortium", "number"]
        verbose_name = _("journey phase")
        verbose_name_plural = _("journey phases")
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "number"],
                name="phase_unique_number",
                violation_error_message=_(
                    "Number: the consortium already has a journey phase with this number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="phase_end_after_start",
                violation_error_message=_("End: a phase cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(measured_stage__in=["", *ReportingStage.values]),
                name="phase_measured_stage_valid",
                violation_error_message=_("Stage measured: choose one of the listed stages."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consortium} · {self.number}. {self.name}"


class GovernanceBody(FieldRules, models.Model):
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
        help_text=_("Only for a city's own body: one of the consortium's member cities."),
    )
    level = models.CharField(
        _("level"),
        max_length=14,
        choices=Level.choices,
        help_text=_(
            "Transnational: a body of the whole consortium (no city). City: a body of one "
            "member city (choose the city)."
        ),
    )
    name = models.CharField(_("name"), max_length=200, help_text=_('For example "Core team".'))
    purpose = models.TextField(_("purpose"), blank=True, help_text=_("What the body decides."))
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Bodies are listed from the lowest position up.")
    )

    constraint_fields = {"governance_city_matches_level": "city"}

    class Meta:
        ordering = ["consortium", "position", "name"]
        verbose_name = _("governance body")
        verbose_name_plural = _("governance bodies")
        constraints = [
            models.CheckConstraint(
                condition=Q(level="transnational", city__isnull=True)
                | Q(level="city", city__isnull=False),
                name="governance_city_matches_level",
                violation_error_message=_(
                    "City: a city body names its city; a transnational body names none."
                ),
            ),
        ]

    def __str__(self) -> str:
        name = f"{self.name} ({self.city})" if self.city_id else self.name
        return f"{self.consortium} · {name}"

    def rule_errors(self) -> FieldErrors:
        return member_city_errors(self.consortium_id, self.city)


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


class Commitment(FieldRules, models.Model):
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
    kind = models.CharField(
        _("kind"),
        max_length=14,
        choices=Kind.choices,
        help_text=_("What is committed: resources, collaboration, or KPIs to keep tracking."),
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        validators=[country_code_validator],
        help_text=_("Optional: the country that commits, as an ISO code (IT, SE)."),
    )
    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("city"),
        help_text=_("Optional: the member city that commits."),
    )
    text = models.TextField(_("text"), help_text=_("The commitment in the roadmap's words."))
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Commitments are listed from the lowest position up.")
    )

    class Meta:
        ordering = ["consortium", "kind", "position"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return f"{self.consortium} · {self.text[:80]}"

    def rule_errors(self) -> FieldErrors:
        return member_city_errors(self.consortium_id, self.city)


class ThreeYearPlan(FieldRules, models.Model):
    consortium = models.ForeignKey(
        Consortium,
        on_delete=models.CASCADE,
        related_name="three_year_plans",
        verbose_name=_("consortium"),
    )
    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        related_name="three_year_plans",
        verbose_name=_("city"),
        help_text=_("One of the consortium's member cities; one plan each."),
    )
    ambition = models.TextField(_("what the city aims to achieve in three years"))
    steps = models.TextField(_("steps over the next three years"), blank=True)

    class Meta:
        ordering = ["consortium", "city__name"]
        verbose_name = _("three-year plan")
        verbose_name_plural = _("three-year plans")
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "city"],
                name="plan_unique_city",
                violation_error_message=_("City: this city already has a three-year plan here."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city} – {self.consortium}"

    def rule_errors(self) -> FieldErrors:
        return member_city_errors(self.consortium_id, self.city if self.city_id else None)


class PlanTarget(FieldRules, models.Model):
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
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="plan_target_unique_number",
                violation_error_message=_(
                    "Number: the plan already has a target with this number."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.category}"


class Lesson(FieldRules, models.Model):
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
            models.UniqueConstraint(
                fields=["consortium", "number"],
                name="lesson_unique_number",
                violation_error_message=_(
                    "Number: the consortium already has a lesson with this number."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consortium} · {self.number}. {self.text[:60]}"
