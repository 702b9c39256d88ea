"""Programmes, consortia, cities, memberships and who coordinates what."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

country_code_validator = RegexValidator(
    r"^[A-Z]{2}$", _("Enter an ISO 3166-1 alpha-2 code in capitals, such as IT or SE.")
)


class Programme(models.Model):
    """A European city programme: the EU Intelligent Cities Challenge, the EU Cities Mission…"""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class City(models.Model):
    class ProgrammeRole(models.TextChoices):
        CORE = "core", _("Core city")
        MENTOR = "mentor", _("Mentor city")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        validators=[country_code_validator],
        help_text=_("ISO 3166-1 alpha-2 code, e.g. IT, SE."),
    )
    region = models.CharField(_("region"), max_length=120, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("population year"),
        null=True,
        blank=True,
        help_text=_("The year the population figure refers to."),
    )
    programme_role = models.CharField(
        _("programme role"),
        max_length=10,
        choices=ProgrammeRole.choices,
        default=ProgrammeRole.CORE,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        constraints = [
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z][A-Z]$"),
                name="city_country_iso_alpha2",
            ),
            models.CheckConstraint(
                condition=Q(population__isnull=True) | Q(population__gte=0),
                name="city_population_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(population_year__isnull=True)
                | Q(population_year__gte=1800, population_year__lte=2200),
                name="city_population_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("city-detail", args=[self.slug])


class Consortium(models.Model):
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="consortia",
        verbose_name=_("programme"),
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    vision = models.TextField(_("vision"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Anonymous visitors and partners see approved figures of published consortia."),
    )
    cities = models.ManyToManyField(
        City,
        through="Membership",
        related_name="consortia",
        verbose_name=_("cities"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("consortium")
        verbose_name_plural = _("consortia")

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead partner")
        MEMBER = "member", _("Member")
        MENTOR = "mentor", _("Mentor")

    consortium = models.ForeignKey(
        Consortium,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("consortium"),
    )
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("city")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["consortium", "city__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["consortium", "city"], name="membership_unique_city"),
            models.CheckConstraint(
                condition=Q(role__in=["lead", "member", "mentor"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city} – {self.consortium} ({self.get_role_display()})"


class CityCoordinator(models.Model):
    """A user who enters and corrects KPI values for a city."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="coordinated_cities",
        verbose_name=_("user"),
    )
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="coordinators", verbose_name=_("city")
    )

    class Meta:
        verbose_name = _("city coordinator")
        verbose_name_plural = _("city coordinators")
        constraints = [
            models.UniqueConstraint(fields=["user", "city"], name="coordinator_unique_city"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.city}"


class SteeringCommitteeMember(models.Model):
    """A user on a consortium's steering committee: compares cities, approves figures."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="steering_committees",
        verbose_name=_("user"),
    )
    consortium = models.ForeignKey(
        Consortium,
        on_delete=models.CASCADE,
        related_name="steering_members",
        verbose_name=_("consortium"),
    )
    can_approve = models.BooleanField(_("may approve"), default=True)

    class Meta:
        verbose_name = _("steering committee member")
        verbose_name_plural = _("steering committee members")
        constraints = [
            models.UniqueConstraint(fields=["user", "consortium"], name="steering_unique_member"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.consortium}"


class Partner(models.Model):
    """A data user (agency, university, analyst) who reads a consortium's figures."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="partnerships",
        verbose_name=_("user"),
    )
    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="partners", verbose_name=_("consortium")
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(fields=["user", "consortium"], name="partner_unique_member"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.consortium}"
