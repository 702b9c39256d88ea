"""KPIs, their definition sheets, the measurements and the review of a stage.

The choices below are built from the enums of :mod:`kpis.progress` (values spelled
once, there), so the progress rules never need to import the ORM; the stages are
:class:`kpis.vocabulary.ReportingStage`, built the same way. The constraints list the same values.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from cities.models import City, Consortium
from icc_portal.validation import FieldErrors, FieldRules
from solutions.models import Solution

from . import explanations as explain
from . import progress
from .constraints import target_constraints
from .invariants import kpi_errors, measurement_place_errors
from .managers import MeasurementQuerySet
from .progress import NUMERIC_TYPES
from .vocabulary import ReportingStage


def values(members) -> list[str]:
    """The stored strings of enum members, for a constraint's list."""
    return [member.value for member in members]


class KPI(FieldRules, models.Model):
    class ValueType(models.TextChoices):
        COUNT = progress.ValueType.COUNT.value, _("Count")
        NUMBER = progress.ValueType.NUMBER.value, _("Number")
        PERCENT = progress.ValueType.PERCENT.value, _("Percentage")
        BOOLEAN = progress.ValueType.BOOLEAN.value, _("Yes/no")
        TEXT = progress.ValueType.TEXT.value, _("Text")

    class TargetScope(models.TextChoices):
        CITY = progress.TargetScope.CITY.value, _("Each city")
        COUNTRY = progress.TargetScope.COUNTRY.value, _("Each country")
        CONSORTIUM = progress.TargetScope.CONSORTIUM.value, _("Consortium-wide")

    class TargetBasis(models.TextChoices):
        ABSOLUTE = progress.TargetBasis.ABSOLUTE.value, _("A figure to reach")
        CHANGE = progress.TargetBasis.CHANGE.value, _("A change from each unit's baseline (%)")

    class Direction(models.TextChoices):
        HIGHER = progress.Direction.HIGHER.value, _("Higher is better")
        LOWER = progress.Direction.LOWER.value, _("Lower is better")

    class ReportingLevel(models.TextChoices):
        CITY = progress.ReportingLevel.CITY.value, _("Each city reports")
        CONSORTIUM = progress.ReportingLevel.CONSORTIUM.value, _("The consortium reports once")

    class Rollup(models.TextChoices):
        SUM = progress.Rollup.SUM.value, _("Sum")
        MEAN = progress.Rollup.MEAN.value, _("Mean")
        COUNT_MET = progress.Rollup.COUNT_MET.value, _("Number of cities that met their target")
        ALL = progress.Rollup.ALL.value, _("All cities say yes")
        ANY = progress.Rollup.ANY.value, _("Any city says yes")
        NONE = progress.Rollup.NONE.value, _("No roll-up")

    solution = models.ForeignKey(
        Solution,
        on_delete=models.CASCADE,
        related_name="kpis",
        verbose_name=_("solution"),
        help_text=explain.SOLUTION,
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="parts",
        limit_choices_to={"parent__isnull": True},
        verbose_name=_("part of"),
        help_text=explain.PARENT,
    )
    code = models.CharField(
        _("code"),
        max_length=12,
        help_text=explain.CODE,
    )
    name = models.CharField(
        _("name"),
        max_length=300,
        help_text=explain.NAME,
    )
    unit = models.CharField(
        _("unit"),
        max_length=60,
        blank=True,
        help_text=explain.UNIT,
    )
    value_type = models.CharField(
        _("value type"),
        max_length=10,
        choices=ValueType.choices,
        default=ValueType.COUNT,
        help_text=explain.VALUE_TYPE,
    )
    target_value = models.DecimalField(
        _("target value"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=explain.TARGET_VALUE,
    )
    target_scope = models.CharField(
        _("target scope"),
        max_length=12,
        choices=TargetScope.choices,
        default=TargetScope.CITY,
        help_text=explain.TARGET_SCOPE,
    )
    target_basis = models.CharField(
        _("target basis"),
        max_length=10,
        choices=TargetBasis.choices,
        default=TargetBasis.ABSOLUTE,
        help_text=explain.TARGET_BASIS,
    )
    target_text = models.CharField(
        _("target as worded"),
        max_length=200,
        blank=True,
        help_text=explain.TARGET_TEXT,
    )
    direction = models.CharField(
        _("direction"),
        max_length=8,
        choices=Direction.choices,
        default=Direction.HIGHER,
        help_text=explain.DIRECTION,
    )
    reporting_level = models.CharField(
        _("reporting level"),
        max_length=12,
        choices=ReportingLevel.choices,
        default=ReportingLevel.CITY,
        help_text=explain.REPORTING_LEVEL,
    )
    rollup = models.CharField(
        _("roll-up rule"),
        max_length=10,
        choices=Rollup.choices,
        default=Rollup.SUM,
        help_text=explain.ROLLUP,
    )
    method = models.TextField(_("method"), blank=True, help_text=explain.METHOD)
    data_source = models.TextField(_("data source"), blank=True, help_text=explain.DATA_SOURCE)
    means_of_verification = models.TextField(
        _("means of verification"),
        blank=True,
        help_text=explain.MEANS_OF_VERIFICATION,
    )

    constraint_fields = {
        "kpi_target_non_negative": "target_value",
        "kpi_percent_target_at_most_100": "target_value",
        "kpi_target_only_for_numbers": "target_value",
        "kpi_change_only_for_numbers": "target_basis",
        "kpi_change_at_least_minus_100": "target_value",
        "kpi_consortium_reporting_has_consortium_target": "target_scope",
    }

    class Meta:
        ordering = ["solution", "code"]
        # Its own context: the name of a kind of row is written in lower case inside a
        # sentence ("att uppdatera: 1 nyckeltal"), where a column heading is capitalised.
        verbose_name = pgettext_lazy("a kind of row", "KPI")
        verbose_name_plural = _("KPIs")
        constraints = [
            models.UniqueConstraint(
                fields=["solution", "code"],
                name="kpi_unique_code",
                violation_error_message=explain.REFUSED["kpi_unique_code"],
            ),
            *target_constraints(),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__in": values(enum)}),
                    name=f"kpi_{field}_valid",
                    violation_error_message=explain.REFUSED[f"kpi_{field}_valid"],
                )
                for field, enum in (
                    ("value_type", progress.ValueType),
                    ("target_scope", progress.TargetScope),
                    ("direction", progress.Direction),
                    ("reporting_level", progress.ReportingLevel),
                    ("rollup", progress.Rollup),
                    ("target_basis", progress.TargetBasis),
                )
            ),
            models.CheckConstraint(
                condition=~Q(reporting_level=progress.ReportingLevel.CONSORTIUM.value)
                | Q(target_scope=progress.TargetScope.CONSORTIUM.value),
                name="kpi_consortium_reporting_has_consortium_target",
                violation_error_message=explain.REFUSED[
                    "kpi_consortium_reporting_has_consortium_target"
                ],
            ),
        ]

    def __str__(self) -> str:
        if not self.solution_id:
            return f"{self.code} {self.name}"
        return f"{self.solution.consortium} · {self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("kpi-detail", args=[self.pk])

    @property
    def is_numeric(self) -> bool:
        return self.value_type in NUMERIC_TYPES

    def rule_errors(self) -> FieldErrors:
        return kpi_errors(self)


class FrameworkReference(FieldRules, models.Model):
    """A KPI's equivalent in a public indicator framework, so consortia compare like with like."""

    class Framework(models.TextChoices):
        CITYKEYS = "citykeys", "CITYkeys"
        ISO37120 = "iso37120", "ISO 37120"
        U4SSC = "u4ssc", "U4SSC"
        OTHER = "other", _("Other")

    kpi = models.ForeignKey(
        KPI, on_delete=models.CASCADE, related_name="framework_refs", verbose_name=_("KPI")
    )
    framework = models.CharField(
        _("framework"),
        max_length=10,
        choices=Framework.choices,
        help_text=explain.FRAMEWORKREFERENCE_FRAMEWORK,
    )
    code = models.CharField(_("code"), max_length=40, help_text=explain.FRAMEWORKREFERENCE_CODE)
    label = models.CharField(
        _("label"), max_length=200, blank=True, help_text=explain.FRAMEWORKREFERENCE_LABEL
    )

    class Meta:
        verbose_name = _("framework reference")
        verbose_name_plural = _("framework references")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "framework", "code"],
                name="framework_ref_unique",
                violation_error_message=explain.REFUSED["framework_ref_unique"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_framework_display()} {self.code}"


class Measurement(FieldRules, models.Model):
    """One KPI figure for one reporting unit (a city, or the consortium) at one stage.

    A city-level measurement has ``city`` set; a consortium-level one (the KPI's
    reporting level is "consortium") leaves it empty. Statuses other than
    *reported* never carry a value, so "not available" can never read as 0.
    """

    class Status(models.TextChoices):
        REPORTED = progress.MeasurementStatus.REPORTED.value, _("Reported")
        NOT_AVAILABLE = progress.MeasurementStatus.NOT_AVAILABLE.value, _("Not available")
        NOT_APPLICABLE = (
            progress.MeasurementStatus.NOT_APPLICABLE.value,
            _("Not applicable to this city"),
        )
        NOT_REPORTED = progress.MeasurementStatus.NOT_REPORTED.value, _("Not yet reported")

    class ReviewState(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")

    kpi = models.ForeignKey(
        KPI, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("KPI")
    )
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("city"),
        help_text=_("Empty for a figure the consortium reports once."),
    )
    stage = models.CharField(_("stage"), max_length=10, choices=ReportingStage.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NOT_REPORTED
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4, null=True, blank=True)
    boolean_value = models.BooleanField(_("yes/no answer"), null=True, blank=True)
    text_value = models.TextField(_("text answer"), blank=True)
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why the figure is not available or not applicable.")
    )
    note = models.TextField(_("note"), blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    review_state = models.CharField(
        _("review state"), max_length=10, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every save, to detect stale edits.")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = MeasurementQuerySet.as_manager()

    constraint_fields = {
        "measurement_unique_per_city": "city",
        "measurement_answer_only_when_reported": "status",
        "measurement_reported_has_answer": "value",
        "measurement_not_available_has_reason": "reason",
    }

    class Meta:
        ordering = ["kpi", "city", "stage"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "city", "stage"],
                condition=Q(city__isnull=False),
                name="measurement_unique_per_city",
                violation_error_message=explain.REFUSED["measurement_unique_per_city"],
            ),
            models.UniqueConstraint(
                fields=["kpi", "stage"],
                condition=Q(city__isnull=True),
                name="measurement_unique_per_consortium",
                violation_error_message=explain.REFUSED["measurement_unique_per_consortium"],
            ),
            models.CheckConstraint(
                condition=Q(stage__in=["baseline", "midway", "final"]),
                name="measurement_stage_valid",
                violation_error_message=explain.REFUSED["measurement_stage_valid"],
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["reported", "not_available", "not_applicable", "not_reported"]
                ),
                name="measurement_status_valid",
                violation_error_message=explain.REFUSED["measurement_status_valid"],
            ),
            models.CheckConstraint(
                condition=Q(review_state__in=["draft", "submitted", "approved"]),
                name="measurement_review_state_valid",
                violation_error_message=explain.REFUSED["measurement_review_state_valid"],
            ),
            models.CheckConstraint(
                condition=Q(status="reported")
                | Q(value__isnull=True, boolean_value__isnull=True, text_value=""),
                name="measurement_answer_only_when_reported",
                violation_error_message=explain.REFUSED["measurement_answer_only_when_reported"],
            ),
            models.CheckConstraint(
                condition=~Q(status="reported")
                | Q(value__isnull=False)
                | Q(boolean_value__isnull=False)
                | ~Q(text_value=""),
                name="measurement_reported_has_answer",
                violation_error_message=explain.REFUSED["measurement_reported_has_answer"],
            ),
            models.CheckConstraint(
                condition=~Q(status="not_available") | ~Q(reason=""),
                name="measurement_not_available_has_reason",
                violation_error_message=explain.REFUSED["measurement_not_available_has_reason"],
            ),
            models.CheckConstraint(
                condition=Q(evidence_url="")
                | Q(evidence_url__startswith="http://")
                | Q(evidence_url__startswith="https://"),
                name="measurement_evidence_is_http",
                violation_error_message=explain.REFUSED["measurement_evidence_is_http"],
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="measurement_version_positive",
                violation_error_message=explain.REFUSED["measurement_version_positive"],
            ),
        ]
        indexes = [models.Index(fields=["stage", "review_state"])]

    def __str__(self) -> str:
        unit = self.city.name if self.city_id else _("consortium")
        return f"{self.kpi} – {unit} – {self.get_stage_display()}"

    def rule_errors(self) -> FieldErrors:
        """The figure's place: checked where the place is chosen (the admin, the loader);
        the entry grid and the API choose it themselves and leave ``kpi`` and ``city`` out."""
        if {"kpi", "city"} & getattr(self, "_clean_exclude", set()):
            return {}
        return measurement_place_errors(self)


class StageReview(FieldRules, models.Model):
    """The review of one reporting unit's figures at one stage.

    A coordinator submits a city's stage; a steering committee member approves it
    (its figures lock) or returns it with a comment. ``city`` is empty for the
    figures the consortium reports once. Every change is kept in history, so a
    reopened stage shows who reopened it and why.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")

    consortium = models.ForeignKey(
        Consortium,
        on_delete=models.CASCADE,
        related_name="stage_reviews",
        verbose_name=_("consortium"),
    )
    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="stage_reviews",
        verbose_name=_("city"),
    )
    stage = models.CharField(_("stage"), max_length=10, choices=ReportingStage.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    comment = models.TextField(
        _("comment"), blank=True, help_text=_("Why the stage was returned or reopened.")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["consortium", "city", "stage"]
        verbose_name = _("stage review")
        verbose_name_plural = _("stage reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "city", "stage"],
                condition=Q(city__isnull=False),
                name="stage_review_unique_per_city",
                violation_error_message=explain.REFUSED["stage_review_unique_per_city"],
            ),
            models.UniqueConstraint(
                fields=["consortium", "stage"],
                condition=Q(city__isnull=True),
                name="stage_review_unique_per_consortium",
                violation_error_message=explain.REFUSED["stage_review_unique_per_consortium"],
            ),
            models.CheckConstraint(
                condition=Q(stage__in=["baseline", "midway", "final"]),
                name="stage_review_stage_valid",
                violation_error_message=explain.REFUSED["stage_review_stage_valid"],
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "returned", "approved"]),
                name="stage_review_state_valid",
                violation_error_message=explain.REFUSED["stage_review_state_valid"],
            ),
        ]

    def __str__(self) -> str:
        unit = self.city.name if self.city_id else _("consortium")
        return f"{unit} – {self.get_stage_display()}: {self.get_state_display()}"
