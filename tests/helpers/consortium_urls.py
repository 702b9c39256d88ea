"""Every page, export and API read of one consortium, for the tests that fetch them all."""

from __future__ import annotations

from django.urls import reverse

from kpis.models import KPI
from kpis.vocabulary import STAGES
from solutions.models import Solution

#: The stages a page can be asked for, ``latest`` included.
PAGE_STAGES = (*STAGES, "latest")


def consortium_urls(consortium) -> list[tuple[str, str]]:
    """(kind, URL) of every page type, every export and the progress API of a consortium:
    the overview at each stage, each member city's page and maturity tables, each
    solution's page, each KPI's page, the matrix downloads, the consortium's maturity
    tables and deliverable, and the progress API (JSON and CSV) at each stage."""
    slug = consortium.slug
    urls = [("overview", f"/?consortium={slug}&stage={stage}") for stage in PAGE_STAGES]
    urls += [("roadmap", f"/roadmap/?consortium={slug}")]
    cities = consortium.memberships.select_related("city").order_by("city__slug")
    for membership in cities:
        city = membership.city
        urls.append(("city", reverse("city-detail", args=[city.slug]) + f"?consortium={slug}"))
        for fmt in ("xlsx", "docx", "pdf"):
            path = reverse("city-maturity-export", args=[city.slug, fmt])
            urls.append((f"city maturity {fmt}", f"{path}?consortium={slug}"))
    for solution in Solution.objects.filter(consortium=consortium).order_by("number"):
        urls.append(("solution", reverse("solution-detail", args=[slug, solution.number])))
    for kpi in KPI.objects.filter(solution__consortium=consortium).order_by("pk"):
        urls.append(("kpi", reverse("kpi-detail", args=[kpi.pk])))
    for stage in PAGE_STAGES:
        for fmt in ("xlsx", "csv"):
            path = reverse("matrix-export", args=[slug, fmt])
            urls.append((f"matrix {fmt}", f"{path}?stage={stage}"))
        urls.append(("progress", f"/api/v1/progress/?consortium={slug}&stage={stage}"))
        urls.append(("progress csv", f"/api/v1/progress.csv?consortium={slug}&stage={stage}"))
    for fmt in ("xlsx", "docx", "pdf"):
        urls.append((f"maturity {fmt}", reverse("consortium-maturity-export", args=[slug, fmt])))
    urls.append(("deliverable", reverse("deliverable", args=[slug])))
    for fmt in ("docx", "pdf"):
        urls.append((f"deliverable {fmt}", reverse("deliverable-export", args=[slug, fmt])))
    return urls
