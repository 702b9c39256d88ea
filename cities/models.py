"""Programmes, consortia, cities, memberships and who coordinates what."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from icc_portal.validation import FieldRules

country_code_validator = RegexValidator(
    r"^[A-Z]{2}$", _("Enter an ISO 3166-1 alpha-2 code in capitals, such as IT or SE.")
)


SLUG_HELP = _("The name in web addresses: lower-case letters, digits and hyphens.")


class Programme(models.Model):
    """A European city programme: the EU Intelligent Cities Challenge, the EU Cities Mission…"""

    name = models.CharField(
        _("name"),
        max_length=200,
        unique=True,
        help_text=_('For example "Intelligent Cities Challenge".'),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=SLUG_HELP)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the programme is, in a few sentences.")
    )
    # The programme's own words (cities/words.py), one column per language made by
    # django-modeltranslation (cities/translation.py). Empty: the portal's words (ICC's).
    baseline_label = models.CharField(
        _("first stage"),
        max_length=80,
        blank=True,
        help_text=_('What the programme calls its first stage. Empty: "Where we started".'),
    )
    midway_label = models.CharField(
        _("second stage"),
        max_length=80,
        blank=True,
        help_text=_(
            'What the programme calls its second stage. Empty: "Midway through the challenge".'
        ),
    )
    final_label = models.CharField(
        _("third stage"),
        max_length=80,
        blank=True,
        help_text=_('What the programme calls its last stage. Empty: "Final results".'),
    )
    maturity_label = models.CharField(
        _("table of figures by stage"),
        max_length=120,
        blank=True,
        help_text=_(
            "The title of a unit's table of figures at the three stages. "
            'Empty: "Assessment of solution maturity".'
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class City(FieldRules, models.Model):
    class ProgrammeRole(models.TextChoices):
        CORE = "core", _("Core city")
        MENTOR = "mentor", _("Mentor city")

    name = models.CharField(_("name"), max_length=120, help_text=_("As the city writes it."))
    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=SLUG_HELP)
    country = models.CharField(
        _("country"),
        max_length=2,
        validators=[country_code_validator],
        help_text=_("ISO 3166-1 alpha-2 code, e.g. IT, SE."),
    )
    region = models.CharField(
        _("region"), max_length=120, blank=True, help_text=_("Optional, e.g. Emilia-Romagna.")
    )
    population = models.PositiveIntegerField(
        _("population"), null=True, blank=True, help_text=_("Leave empty when it is not known.")
    )
    population_year = models.PositiveSmallIntegerField(
        _("population year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2200)],
        help_text=_("The year the population figure refers to."),
    )
    programme_role = models.CharField(
        _("programme role"),
        max_length=10,
        choices=ProgrammeRole.choices,
        default=ProgrammeRole.CORE,
        help_text=_(
            "Core city: takes part to transform itself. Mentor city: with a proven record, "
            "supports the core cities."
        ),
    )

    constraint_fields = {
        "city_country_iso_alpha2": "country",
        "city_population_non_negative": "population",
        "city_population_year_plausible": "population_year",
    }

    class Meta:
        ordering = ["name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        constraints = [
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z][A-Z]$"),
                name="city_country_iso_alpha2",
                violation_error_message=_(
                    "Country: enter a two-letter ISO code in capitals, such as IT or SE."
                ),
            ),
            models.CheckConstraint(
                condition=Q(population__isnull=True) | Q(population__gte=0),
                name="city_population_non_negative",
                violation_error_message=_("Population: a population cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(population_year__isnull=True)
                | Q(population_year__gte=1800, population_year__lte=2200),
                name="city_population_year_plausible",
                violation_error_message=_(
                    "Population year: enter a year between 1800 and 2200, such as 2021."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("city-detail", args=[self.slug])


class OpenDataLicence(models.TextChoices):
    """The licences a consortium may choose for its open data, by their code in the EU's
    licence vocabulary (http://publications.europa.eu/resource/authority/licence/<code>)."""

    CC_BY_4_0 = "CC_BY_4_0", _("Creative Commons Attribution 4.0 (CC BY 4.0)")
    CC_BYSA_4_0 = "CC_BYSA_4_0", _("Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0)")
    CC0 = "CC0", _("Creative Commons Zero 1.0 (CC0, public domain)")
    IODL_2_0 = "IODL_2_0", _("Italian Open Data Licence 2.0 (IODL 2.0)")


class Consortium(models.Model):
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="consortia",
        verbose_name=_("programme"),
        help_text=_("The programme the consortium takes part in."),
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_('The full name, e.g. "Sweden Emilia Romagna Network".'),
    )
    short_name = models.CharField(
        _("short name"),
        max_length=40,
        blank=True,
        help_text=_("Shown wherever space is short and beside every solution and KPI, e.g. SERN."),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=SLUG_HELP)
    vision = models.TextField(
        _("vision"), blank=True, help_text=_("The consortium's vision, as its strategy states it.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Who the consortium is and what it works on.")
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Anonymous visitors and partners see approved figures of published consortia."),
    )
    # Open data (the opendata app): a published consortium may also offer its approved
    # figures under an open licence, in a DCAT-AP catalogue that data portals harvest.
    open_data = models.BooleanField(
        _("open data"),
        default=False,
        help_text=_(
            "List the consortium's approved figures in the open-data catalogue (/open-data/), "
            "under the licence below, for data portals to harvest. Only a published "
            "consortium can."
        ),
    )
    open_data_licence = models.CharField(
        _("open-data licence"),
        max_length=20,
        choices=OpenDataLicence.choices,
        default=OpenDataLicence.CC_BY_4_0,
        help_text=_("The licence of the figures offered as open data."),
    )
    open_data_contact = models.EmailField(
        _("open-data contact"),
        blank=True,
        help_text=_(
            "Where data users write with questions about the open data; shown in the "
            "catalogue. Optional."
        ),
    )
    figures_approved_on = models.DateField(
        _("figures approved on"),
        null=True,
        blank=True,
        help_text=_(
            "For figures taken from a deliverable the consortium approved before it used "
            "the portal: the deliverable's date; the exports name its month (\"as approved "
            'in the deliverable of November 2022"). Figures approved in the portal carry '
            "their own date."
        ),
    )
    open_data_since = models.DateTimeField(
        _("open data since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the consortium first offered its figures as open data (their issue date)."
        ),
    )
    previous_round = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_rounds",
        verbose_name=_("previous round"),
        help_text=_(
            "The consortium this one continues (SERN's second ICC round continues SERN): a "
            "city's and a KPI's pages show its final figures beside the new baselines."
        ),
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

    def save(self, *args, **kwargs) -> None:
        # The catalogue's `issued`: set once, the first time open data is chosen, and kept
        # (the change log it could otherwise be read from is pruned).
        if self.open_data and self.open_data_since is None:
            self.open_data_since = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "open_data_since"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.previous_round_id is not None and self.previous_round_id == self.pk:
            raise ValidationError(
                {"previous_round": _("A consortium cannot be its own previous round.")},
                code="own_round",
            )
        if self.open_data and not self.is_published:
            raise ValidationError(
                {
                    "open_data": _(
                        "Publish the consortium first: only its published figures can be open data."
                    )
                },
                code="open_data_unpublished",
            )

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Membership(FieldRules, models.Model):
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
        City,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("city"),
        help_text=_("Only member cities can lead or implement the consortium's solutions."),
    )
    role = models.CharField(
        _("role"),
        max_length=10,
        choices=Role.choices,
        default=Role.MEMBER,
        help_text=_(
            "Lead partner: coordinates the consortium (one city). Member: takes part. "
            "Mentor: advises the others."
        ),
    )

    constraint_fields = {"membership_unique_city": "city", "membership_role_valid": "role"}

    class Meta:
        ordering = ["consortium", "city__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "city"],
                name="membership_unique_city",
                violation_error_message=_("City: this city is already a member of the consortium."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=["lead", "member", "mentor"]),
                name="membership_role_valid",
                violation_error_message=_("Role: choose lead partner, member or mentor."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city} – {self.consortium} ({self.get_role_display()})"


class CityCoordinator(FieldRules, models.Model):
    """A user who enters and corrects KPI values for a city."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="coordinated_cities",
        verbose_name=_("user"),
    )
    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        related_name="coordinators",
        verbose_name=_("city"),
        help_text=_("The coordinator enters and corrects this city's figures."),
    )

    constraint_fields = {"coordinator_unique_city": "city"}

    class Meta:
        verbose_name = _("city coordinator")
        verbose_name_plural = _("city coordinators")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "city"],
                name="coordinator_unique_city",
                violation_error_message=_("City: this user already coordinates this city."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.city}"


class SteeringCommitteeMember(FieldRules, models.Model):
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
    can_approve = models.BooleanField(
        _("may approve"),
        default=True,
        help_text=_("Untick for a member who compares figures but does not approve stages."),
    )

    constraint_fields = {"steering_unique_member": "consortium"}

    class Meta:
        verbose_name = _("steering committee member")
        verbose_name_plural = _("steering committee members")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "consortium"],
                name="steering_unique_member",
                violation_error_message=_(
                    "This user already sits on this consortium's steering committee."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.consortium}"


class Partner(FieldRules, models.Model):
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
    organisation = models.CharField(
        _("organisation"),
        max_length=200,
        blank=True,
        help_text=_("The agency, university or company the partner works for."),
    )

    constraint_fields = {"partner_unique_member": "consortium"}

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "consortium"],
                name="partner_unique_member",
                violation_error_message=_("This user is already a partner of this consortium."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.consortium}"
