from __future__ import annotations

from django.db.models import Prefetch
from django.views.generic import TemplateView

from solutions.models import Solution

from .models import Consortium, Membership


class HomeView(TemplateView):
    """Every consortium with its cities and solutions: three queries whatever the size."""

    template_name = "cities/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["consortia"] = Consortium.objects.select_related("programme").prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("city").order_by("city__name"),
            ),
            Prefetch("solutions", queryset=Solution.objects.order_by("number")),
        )
        return context
