"""Prepare the fuzz database and print the write operations' schemathesis settings.

Run by .ci/fuzz-api after the demo data is loaded: ``python .ci/fuzz_setup.py <user>``.
It enters a draft baseline figure for every count KPI of the coordinator's city
(through the entry service, like anyone else), then prints TOML that makes the write
bodies draw KPI ids and city slugs from the demo data, and aims PUT/PATCH at those
drafts, so the fuzzer reaches the save path instead of stopping at 404.

A well-formed figure can still break its KPI's rule (a negative count, "reported"
without an answer): for writes, 400 with the field's error is an expected answer.
"""

import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icc_portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from kpis.models import KPI  # noqa: E402
from kpis.reporting import entry  # noqa: E402

WRITE_STATUSES = ["2xx", "3xx", "400", "401", "403", "404", "409", "412", "428", "429"]


def toml_list(values) -> str:
    return (
        "["
        + ", ".join(f'"{value}"' if isinstance(value, str) else str(value) for value in values)
        + "]"
    )


def main(username: str) -> None:
    user = get_user_model().objects.get(username=username)
    city = user.coordinated_cities.select_related("city").first().city
    kpis = KPI.objects.filter(
        solution__implementing_cities=city,
        parts__isnull=True,
        reporting_level=KPI.ReportingLevel.CITY,
        value_type=KPI.ValueType.COUNT,
    ).order_by("pk")
    rows = [
        entry.RowInput(kpi=kpi.pk, status="reported", value=Decimal(1), expected_version=0)
        for kpi in kpis
    ]
    outcomes = entry.record_measurements(user=user, stage="baseline", city=city, rows=rows)
    drafts = [outcome.measurement.pk for outcome in outcomes]
    kpi_ids = list(KPI.objects.order_by("pk").values_list("pk", flat=True))
    cities = sorted(
        {member.slug for consortium in city.consortia.all() for member in consortium.cities.all()}
    )
    statuses = toml_list(WRITE_STATUSES)
    print(
        f"""
[dictionaries.kpis]
values = {toml_list(kpi_ids)}

[dictionaries.cities]
values = {toml_list(cities)}

[dictionaries.drafts]
values = {toml_list(drafts)}

[[operations]]
include-path = "/api/v1/measurements/"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = {statuses}

[operations.parameters]
"body.kpi" = {{ dictionary = "kpis", probability = 0.9 }}
"body.city" = {{ dictionary = "cities", probability = 0.9 }}

[[operations]]
include-path = "/api/v1/measurements/{{id}}/"
include-method-regex = "^(PUT|PATCH)$"
checks.positive_data_acceptance.expected-statuses = {statuses}

[operations.parameters]
"path.id" = {{ dictionary = "drafts", probability = 0.9 }}
"""
    )


if __name__ == "__main__":
    main(sys.argv[1])
