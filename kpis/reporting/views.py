"""Entry grid, missing list, review actions, history and recent changes (web views).

Views stay short: read the grid (:mod:`kpis.reporting.grid`), bind the row forms, call the
write service (:func:`kpis.reporting.entry.record_measurements`) or a review action
(:mod:`kpis.reporting.review`), then redirect or show the errors. Who may do what is asked of
:mod:`cities.access` only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from cities import access
from cities.models import City, Consortium, Membership
from cities.words import StageWords
from kpis.models import Measurement
from kpis.vocabulary import ReportingStage

from . import review as review_actions
from .entry import record_measurements
from .errors import EntryError, ReviewError, StaleVersion
from .forms import EntryRowForm, ReviewForm
from .grid import Grid, city_grid, consortium_grid
from .history import (
    describe_records,
    measurement_history,
    review_events,
    snapshots_at,
    visible_history,
    without_review_moves,
)
from .home import reporting_home
from .rules import snapshot_of

CHANGES_PER_PAGE = 50
#: Where the grid prints what an action did, just above the review panels.
OUTCOME = "#outcome"


def _stage_or_404(stage: str) -> str:
    if stage not in ReportingStage.values:
        raise Http404(_("There is no stage “%(stage)s”.") % {"stage": stage})
    return stage


class GridMixin(LoginRequiredMixin):
    """Finds the unit (404 if unknown), the stage (404) and reads the grid (403)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.stage = _stage_or_404(kwargs["stage"])
        if "city_slug" in kwargs:
            self.city = get_object_or_404(City, slug=kwargs["city_slug"])
            self.unit_consortium = None
        else:
            self.city = None
            self.unit_consortium = get_object_or_404(
                Consortium.objects.select_related("programme"), slug=kwargs["consortium_slug"]
            )
        return super().dispatch(request, *args, **kwargs)

    def read_grid(self) -> Grid:
        if self.city is not None:
            return city_grid(self.request.user, self.city, self.stage)
        return consortium_grid(self.request.user, self.unit_consortium, self.stage)

    def grid_url(self) -> str:
        if self.city is not None:
            return reverse("entry-grid", args=[self.city.slug, self.stage])
        return reverse("consortium-entry-grid", args=[self.unit_consortium.slug, self.stage])

    def unit_name(self) -> str:
        return self.city.name if self.city is not None else str(self.unit_consortium)

    def read_grid_with_forms(self) -> Grid:
        grid = self.read_grid()
        for row in grid.enterable_rows:
            row.form = EntryRowForm(kpi=row.kpi, measurement=row.measurement)
        return grid

    def render(self, grid: Grid, status: int = 200):
        error_rows = [
            row for row in grid.enterable_rows if row.form is not None and row.form.errors
        ]
        for row in error_rows:
            row.first_error = next(
                message for messages in row.form.errors.values() for message in messages
            )
        context = {
            "grid": grid,
            "unit_name": self.unit_name(),
            "city": self.city,
            "unit_consortium": self.unit_consortium,
            "stage": self.stage,
            "stages": ReportingStage.ordered(),
            "error_rows": error_rows,
            "review_url": self.review_url(),
            "missing_url": self.missing_url(),
            "changes_url": self.changes_url(),
        }
        return render(self.request, self.template_name, context, status=status)

    def review_url(self) -> str:
        if self.city is not None:
            return reverse("entry-review", args=[self.city.slug, self.stage])
        return reverse("consortium-entry-review", args=[self.unit_consortium.slug, self.stage])

    def missing_url(self) -> str:
        if self.city is not None:
            return reverse("entry-missing", args=[self.city.slug, self.stage])
        return reverse("consortium-entry-missing", args=[self.unit_consortium.slug, self.stage])

    def changes_url(self) -> str:
        if self.city is not None:
            return reverse("city-changes", args=[self.city.slug])
        return reverse("consortium-changes", args=[self.unit_consortium.slug])


class EntryGridView(GridMixin, View):
    template_name = "kpis/entry/grid.html"

    def get(self, request, *args, **kwargs):
        return self.render(self.read_grid_with_forms())

    def post(self, request, *args, **kwargs):
        grid = self.read_grid()
        rows = grid.enterable_rows
        read_only_sent = any(
            f"kpi{row.kpi.pk}-version" in request.POST for row in grid.rows if not row.may_enter
        )
        if not rows or read_only_sent:
            raise PermissionDenied  # figures this user may see but not enter
        snapshots = self.snapshots(rows)
        for row in rows:
            if f"kpi{row.kpi.pk}-version" in request.POST:  # read-only rows send nothing
                row.form = EntryRowForm(
                    request.POST,
                    kpi=row.kpi,
                    measurement=row.measurement,
                    snapshot=snapshots.get(row.kpi.pk),
                )
            else:
                row.form = EntryRowForm(kpi=row.kpi, measurement=row.measurement)
        sent = [row for row in rows if row.form.is_bound]
        if not all([row.form.is_valid() for row in sent]):
            return self.render(grid, status=400)
        changed = [row for row in sent if row.form.touched]
        if not changed:
            messages.info(request, _("Nothing to save: no figure was changed."))
            return HttpResponseRedirect(self.grid_url() + OUTCOME)
        try:
            outcomes = record_measurements(
                user=request.user,
                city=self.city,
                consortium=self.unit_consortium,
                stage=self.stage,
                rows=[row.form.to_row() for row in changed],
            )
        except EntryError as error:
            by_kpi = {row.kpi.pk: row for row in changed}
            for key, errors in error.errors.items():
                if key in by_kpi:
                    by_kpi[key].form.add_entry_errors(errors)
            if isinstance(error, StaleVersion):
                for key, current in error.current.items():
                    if key in by_kpi and current is not None:
                        by_kpi[key].form.refresh_version(current.version)
                return self.render(grid, status=409)
            return self.render(grid, status=400)
        stored = sum(outcome.change != "unchanged" for outcome in outcomes)
        messages.success(
            request,
            ngettext("Saved %(count)s figure.", "Saved %(count)s figures.", stored)
            % {"count": stored},
        )
        # To the message, not to a row an error link pointed at before (#kpi-12 would stay).
        return HttpResponseRedirect(self.grid_url() + OUTCOME)

    def snapshots(self, rows) -> dict:
        """What each row showed when the page was loaded, from its version (see the form)."""
        shown, older = {}, {}
        for row in rows:
            raw = self.request.POST.get(f"kpi{row.kpi.pk}-version", "")
            version = int(raw) if raw.isdigit() else None
            if version is None:
                continue
            if version == 0:
                shown[row.kpi.pk] = None
            elif row.measurement is not None and row.measurement.version == version:
                shown[row.kpi.pk] = snapshot_of(row.measurement)
            elif row.measurement is not None:
                older[row.kpi.pk] = (row.measurement.pk, version)
        shown.update(snapshots_at(older))
        for key in older:
            shown.setdefault(key, {"status": "__unknown__"})  # no record: treat as changed
        return shown


class MissingView(GridMixin, View):
    """The KPIs of the unit that still have no figure at the stage."""

    def get(self, request, *args, **kwargs):
        grid = self.read_grid()
        return render(
            request,
            "kpis/entry/missing.html",
            {
                "grid": grid,
                "unit_name": self.unit_name(),
                "city": self.city,
                "grid_url": self.grid_url(),
                "stage": self.stage,
            },
        )


class ReviewView(GridMixin, View):
    """POST: submit, approve, return or reopen a unit's stage.

    A refusal re-renders the grid (400) with the message beside the field it is about in
    that unit's review panel, the field focused; a success goes back to the grid with
    the message just above the panels.
    """

    http_method_names = ["post"]
    template_name = "kpis/entry/grid.html"
    ACTIONS = {
        "submit": review_actions.submit_stage,
        "approve": review_actions.approve_stage,
        "return": review_actions.return_stage,
        "reopen": review_actions.reopen_stage,
    }

    def post(self, request, *args, **kwargs):
        form = ReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose what to do with the stage."))
            return HttpResponseRedirect(self.grid_url() + OUTCOME)
        consortium, city = self.unit(form.cleaned_data.get("consortium") or "")
        name = form.cleaned_data["action"]
        extra = {}
        if name in ("submit", "approve"):
            extra["confirm_missing"] = form.cleaned_data["confirm_missing"]
        try:
            review = self.ACTIONS[name](
                user=request.user,
                consortium=consortium,
                city=city,
                stage=self.stage,
                comment=form.cleaned_data["comment"],
                **extra,
            )
        except ReviewError as error:
            return self.refused(consortium, city, form, error)
        messages.success(
            request,
            _("%(unit)s, %(stage)s: %(state)s.")
            % {
                "unit": city.name if city else str(consortium),
                "stage": StageWords(consortium.programme).label(self.stage),
                "state": review.get_state_display(),
            },
        )
        return HttpResponseRedirect(self.grid_url() + OUTCOME)

    def refused(self, consortium, city, form, error: ReviewError):
        grid = self.read_grid_with_forms()
        for panel in grid.panels:
            if panel.consortium.pk == consortium.pk and panel.city == city:
                panel.error = error.message
                panel.error_field = error.field
                panel.comment_value = form.cleaned_data["comment"]
                panel.failed_action = form.cleaned_data["action"]
                break
        else:  # the unit has no panel on this grid: say it at the top
            messages.error(self.request, error.message)
        return self.render(grid, status=400)

    def unit(self, consortium_slug: str) -> tuple[Consortium, City | None]:
        if self.city is None:
            return self.unit_consortium, None
        consortium = review_actions.city_consortium(self.city, consortium_slug)
        if consortium is None:
            raise Http404(_("Name the consortium whose figures these are."))
        target = self.request.POST.get("unit", "city")
        return consortium, (None if target == "consortium" else self.city)


class EntryHomeView(LoginRequiredMixin, TemplateView):
    """ "My reporting": every unit the user enters or reviews, with each stage's state.

    Queries: the reader's three (:func:`kpis.reporting.home.reporting_home`), plus
    session, user and roles.
    """

    template_name = "kpis/entry/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        home = reporting_home(self.request.user)
        context.update(
            stages=home.stages,
            stage_labels=home.stage_labels,
            units=home.units,
            consortium_units=home.consortium_units,
            awaiting=home.awaiting,
        )
        return context


class MeasurementHistoryView(TemplateView):
    template_name = "kpis/entry/measurement_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        measurement = get_object_or_404(
            Measurement.objects.visible_to(user).select_related(
                "kpi__solution__consortium__programme", "city"
            ),
            pk=kwargs["pk"],
        )
        context.update(measurement=measurement, entries=measurement_history(measurement, user))
        return context


class ChangesView(TemplateView):
    """Recent changes to the figures of a city or a consortium: the review decisions first
    (one per action, with its comment), then one entry per changed figure (old → new),
    newest first. ``?kind=decisions`` or ``?kind=figures`` shows one kind only.

    A 404, like the consortium's other pages, for whoever may not read the consortium
    (an unpublished one, to anyone outside it) or any consortium the city belongs to.
    """

    template_name = "kpis/entry/changes.html"
    KINDS = ("all", "decisions", "figures")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if "city_slug" in kwargs:
            city = get_object_or_404(City, slug=kwargs["city_slug"])
            consortium = None
            consortium_ids = list(
                Membership.objects.filter(
                    access.visible_consortia_filter(user, prefix="consortium__"), city=city
                ).values_list("consortium_id", flat=True)
            )
            if not consortium_ids:
                raise Http404("The city takes part in no consortium you may read.")
            records = visible_history(user, city=city)
        else:
            consortium = get_object_or_404(
                access.visible_consortia(user), slug=kwargs["consortium_slug"]
            )
            city = None
            consortium_ids = [consortium.pk]
            records = visible_history(user, kpi__solution__consortium=consortium)
        kind = self.request.GET.get("kind")
        kind = kind if kind in self.KINDS else "all"
        events = []
        if kind != "figures":
            events = review_events(user, consortium_ids=consortium_ids, city=city)
        page = None
        entries = []
        if kind != "decisions":
            records = without_review_moves(records, user)
            page = Paginator(records, CHANGES_PER_PAGE).get_page(self.request.GET.get("page"))
            entries = describe_records(page.object_list, user)
        context.update(
            city=city,
            consortium=consortium,
            page=page,
            entries=entries,
            events=events,
            kind=kind,
            kinds=[
                (value, label, value == kind)
                for value, label in (
                    ("all", _("Everything")),
                    ("decisions", _("Review decisions")),
                    ("figures", _("Changed figures")),
                )
            ],
            show_names=access.can_see_names(user),
        )
        return context
