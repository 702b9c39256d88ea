"""Which KPIs of a unit still have no figure at a stage: what submit and approve warn about,
and what the reminders list.

A unit is a city of a consortium (the KPIs each city reports, of the solutions the city
implements) or the consortium itself (``city=None``: the KPIs it reports once). A composite
KPI is reported through its parts, so only the parts count. A figure is missing when there
is none or its status is still *not yet reported*.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from cities.models import City, Consortium
from icc_portal.codes import natural_key
from kpis.models import KPI, Measurement


def unit_kpis(consortium: Consortium, city: City | None):
    """The reportable KPIs of the unit, as a queryset (no query until read)."""
    has_parts = Exists(KPI.objects.filter(parent=OuterRef("pk")))
    if city is None:
        condition = Q(reporting_level=KPI.ReportingLevel.CONSORTIUM)
    else:
        condition = Q(reporting_level=KPI.ReportingLevel.CITY, solution__implementing_cities=city)
    return (
        KPI.objects.filter(condition, solution__consortium=consortium)
        .filter(~has_parts)
        .select_related("solution")
        .distinct()
    )


def missing_kpis(consortium: Consortium, city: City | None, stage: str) -> list[KPI]:
    """The unit's KPIs without a figure at ``stage``, in reading order (one query)."""
    entered = Measurement.objects.filter(kpi=OuterRef("pk"), city=city, stage=stage).exclude(
        status=Measurement.Status.NOT_REPORTED
    )
    kpis = unit_kpis(consortium, city).filter(~Exists(entered))
    return sorted(kpis, key=lambda kpi: (kpi.solution.number, natural_key(kpi.code)))
