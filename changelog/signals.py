"""Which saves and deletes write the change log (see :mod:`changelog.log`).

* A figure saved or deleted: its row, with its new state.
* A consortium published or withdrawn, or renamed (slug); a solution renumbered or moved;
  a KPI recoded or moved; a city renamed (slug) or moved to another country: a row for
  each of their figures, whose visibility or representation changed with them.
* Anything else the API shows (programmes, consortia, memberships, cities, solutions and
  their city lists, activities, themes, ambition statements, KPIs, framework references,
  the roles of users, the roadmap and the cities' plans): a definition row, for the data
  versions the ETags and the pages' cache keys are made from (:mod:`changelog.versions`).

Bulk writes send no signals: the review of a stage (``bulk_update_with_history``) and
``bulk_create`` call :func:`changelog.log.record_figures` themselves.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from . import log
from .models import Change

#: Models whose rows the API shows, or whose rows decide who sees what.
DEFINITION_MODELS = (
    "cities.Programme",
    "cities.Consortium",
    "cities.Membership",
    "cities.City",
    "cities.CityCoordinator",
    "cities.SteeringCommitteeMember",
    "cities.Partner",
    "solutions.Theme",
    "solutions.AmbitionStatement",
    "solutions.Solution",
    "solutions.Activity",
    "kpis.KPI",
    "kpis.FrameworkReference",
    # The roadmap and the city pages' plans: no API resource, but the pages' cached parts
    # follow the data versions (changelog.versions), which these rows move too.
    "roadmaps.Phase",
    "roadmaps.GovernanceBody",
    "roadmaps.GovernanceRole",
    "roadmaps.Commitment",
    "roadmaps.ThreeYearPlan",
    "roadmaps.PlanTarget",
    "roadmaps.Lesson",
    # Who an API token is, and its limits: kept by the definitions' version within a
    # request (icc_portal.api.authentication), so a token made or revoked moves it.
    "authtoken.Token",
    "api.TokenLimits",
)

#: Fields whose change changes the figures below a row: (model, fields, figures' lookup).
FIGURE_FIELDS = {
    "cities.Consortium": (("is_published", "slug"), "kpi__solution__consortium_id"),
    "solutions.Solution": (("number", "consortium_id"), "kpi__solution_id"),
    "kpis.KPI": (("code", "solution_id"), "kpi_id"),
    "cities.City": (("slug", "country"), "city_id"),
}


def figure_state(measurement, reason: str, *, deleted: bool = False) -> log.FigureState:
    return log.FigureState(
        measurement_id=measurement.pk,
        reason=reason,
        kpi_id=measurement.kpi_id,
        city_id=measurement.city_id,
        review_state=measurement.review_state,
        deleted=deleted,
    )


def measurement_saved(sender, instance, created, **kwargs) -> None:
    reason = Change.Reason.CREATED if created else Change.Reason.UPDATED
    log.record_figure(figure_state(instance, reason))


def measurement_deleted(sender, instance, **kwargs) -> None:
    log.record_figure(figure_state(instance, Change.Reason.DELETED, deleted=True))


def definition_changed(sender, **kwargs) -> None:
    log.record_definition()


def cities_of_solution_changed(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        log.record_definition()


def user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """Whether a user is a superuser decides what they see; a login changes nothing."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    log.record_definition()


def remember_before(sender, instance, raw=False, **kwargs) -> None:
    """Keep the fields that reach the figures, as stored before this save."""
    fields, _lookup = FIGURE_FIELDS[sender._meta.label]
    if raw or instance.pk is None:
        instance._changelog_before = None
        return
    instance._changelog_before = sender.objects.filter(pk=instance.pk).values_list(*fields).first()


def fan_out(sender, instance, created=False, **kwargs) -> None:
    """A row for each figure of a consortium published or withdrawn, or renamed above it."""
    fields, lookup = FIGURE_FIELDS[sender._meta.label]
    before = getattr(instance, "_changelog_before", None)
    instance._changelog_before = None
    if created or before is None:
        return
    after = tuple(getattr(instance, name) for name in fields)
    if after == before:
        return
    reason = Change.Reason.RENAMED
    if sender._meta.label == "cities.Consortium" and before[0] != after[0]:
        reason = Change.Reason.PUBLISHED if instance.is_published else Change.Reason.UNPUBLISHED
    Measurement = apps.get_model("kpis", "Measurement")
    figures = Measurement.objects.filter(**{lookup: instance.pk}).values_list(
        "pk", "kpi_id", "city_id", "review_state"
    )
    log.record_figures(
        log.FigureState(pk, reason, kpi_id, city_id, review_state)
        for pk, kpi_id, city_id, review_state in figures.iterator()
    )


def connect() -> None:
    Measurement = apps.get_model("kpis", "Measurement")
    post_save.connect(measurement_saved, sender=Measurement, dispatch_uid="changelog-figure")
    post_delete.connect(measurement_deleted, sender=Measurement, dispatch_uid="changelog-figure")
    for label in DEFINITION_MODELS:
        model = apps.get_model(label)
        uid = f"changelog-definition-{label}"
        post_save.connect(definition_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(definition_changed, sender=model, dispatch_uid=uid)
    for label in FIGURE_FIELDS:
        model = apps.get_model(label)
        uid = f"changelog-figures-{label}"
        pre_save.connect(remember_before, sender=model, dispatch_uid=uid)
        post_save.connect(fan_out, sender=model, dispatch_uid=uid)
    Solution = apps.get_model("solutions", "Solution")
    for through in (Solution.lead_cities.through, Solution.implementing_cities.through):
        m2m_changed.connect(
            cities_of_solution_changed, sender=through, dispatch_uid=f"changelog-{through}"
        )
    User = apps.get_model(settings.AUTH_USER_MODEL)
    post_save.connect(user_saved, sender=User, dispatch_uid="changelog-user")
    post_delete.connect(definition_changed, sender=User, dispatch_uid="changelog-user")
