"""Prepare the fuzz database and print the write operations' schemathesis settings.

Run by .ci/fuzz-api after the demo data is loaded: ``python .ci/fuzz_setup.py <user>``.
It enters a draft baseline figure for every count KPI of the coordinator's city
(through the entry service, like anyone else), then prints TOML that makes the write
bodies draw KPI ids and city slugs from the demo data, and aims PUT/PATCH at those
drafts, so the fuzzer reaches the save path instead of stopping at 404.

A well-formed figure can still break its KPI's rule (a negative count, "reported"
without an answer): for writes, 400 with the field's error is an expected answer. The
reads that take an opaque cursor get cursors made for the user (see below).

``python .ci/fuzz_setup.py reviews <steering member>`` readies the stage reviews for the
pass .ci/fuzz-api runs as a steering committee member: in each consortium the member
reviews, every unit's (each member city's and the consortium's own) baseline and midway
stages are reopened and submitted again by whoever enters their figures, so approve and
return find submitted stages and reopen finds the approved final ones, and the fuzz
reaches the review's rules instead of stopping at "not submitted".
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

from changelog import stamp  # noqa: E402
from cities.access import reader_fingerprint  # noqa: E402
from icc_portal.api import cursors as api_cursors  # noqa: E402
from kpis.models import KPI, Measurement  # noqa: E402
from kpis.reporting import entry, review  # noqa: E402
from kpis.reporting.errors import ReviewError  # noqa: E402
from kpis.reporting.missing import missing_kpis  # noqa: E402

WRITE_STATUSES = ["2xx", "3xx", "400", "401", "403", "404", "409", "412", "428", "429"]
READ_STATUSES = ["2xx", "3xx", "400", "401", "403", "404", "429"]


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
    cursor_statuses = toml_list(READ_STATUSES)
    # Cursors are opaque and signed: only ones this site made are valid, and any other
    # string of their shape is a 400 by design ("do a full pull"). The reads draw their
    # cursors from ones made for this user; the coverage phase still tries others, so
    # for these two reads a 400 is an expected answer too.
    reader = reader_fingerprint(user)
    positions = range(0, stamp.current().position + 1, 7)
    since = [api_cursors.make("changes", p=position, r=reader) for position in positions]
    consortia = sorted(consortium.slug for consortium in city.consortia.all())
    figure_ids = list(Measurement.objects.order_by("pk").values_list("pk", flat=True)[::5])
    cursors = [api_cursors.make("measurements", after=pk) for pk in figure_ids]
    # Each entry names its operations with one filter (``include-name``: "METHOD path"):
    # schemathesis joins two include filters of one entry with OR, so include-path with
    # include-method would also pick every other operation of that method.
    print(
        f"""
[dictionaries.kpis]
values = {toml_list(kpi_ids)}

[dictionaries.cities]
values = {toml_list(cities)}

[dictionaries.drafts]
values = {toml_list(drafts)}

[dictionaries.consortia]
values = {toml_list(consortia)}

[dictionaries.stages]
values = ["baseline", "midway", "final"]

[dictionaries.since]
values = {toml_list(since)}

[dictionaries.cursors]
values = {toml_list(cursors)}

[[operations]]
include-name = "GET /api/v1/changes/"
checks.positive_data_acceptance.expected-statuses = {cursor_statuses}

[operations.parameters]
"query.since" = {{ dictionary = "since" }}

[[operations]]
include-name = "GET /api/v1/measurements/"
checks.positive_data_acceptance.expected-statuses = {cursor_statuses}

[operations.parameters]
"query.cursor" = {{ dictionary = "cursors" }}

[[operations]]
include-name = "POST /api/v1/measurements/"
checks.positive_data_acceptance.expected-statuses = {statuses}

[operations.parameters]
"body.kpi" = {{ dictionary = "kpis", probability = 0.9 }}
"body.city" = {{ dictionary = "cities", probability = 0.9 }}

[[operations]]
include-name = "POST /api/v1/measurements/bulk/"
checks.positive_data_acceptance.expected-statuses = {statuses}

[[operations]]
include-name-regex = "^(PUT|PATCH) /api/v1/measurements/[{{]id[}}]/$"
checks.positive_data_acceptance.expected-statuses = {statuses}

[operations.parameters]
"path.id" = {{ dictionary = "drafts", probability = 0.9 }}

# The import template and the import name a city or a consortium, which the schema cannot
# require (one of two): a request naming neither, or a unit that does not exist, is a 400.
[[operations]]
include-name-regex = "^GET /api/v1/imports/template[.](csv|xlsx)$"
checks.positive_data_acceptance.expected-statuses = {cursor_statuses}

[operations.parameters]
"query.city" = {{ dictionary = "cities", probability = 0.5 }}
"query.consortium" = {{ dictionary = "consortia", probability = 0.5 }}
"query.stage" = {{ dictionary = "stages", probability = 0.9 }}

[[operations]]
include-name = "POST /api/v1/imports/"
checks.positive_data_acceptance.expected-statuses = {statuses}

[operations.parameters]
"body.city" = {{ dictionary = "cities", probability = 0.5 }}
"body.consortium" = {{ dictionary = "consortia", probability = 0.5 }}
"body.stage" = {{ dictionary = "stages", probability = 0.9 }}

# A stage's review: the user's consortia, the stage keys and the member cities, so the
# fuzz reaches the review's rules (a 409 for a state that does not allow the action).
[[operations]]
include-path-regex = "^/api/v1/reviews/[{{]consortium[}}]/[{{]stage[}}]/cities/"
checks.positive_data_acceptance.expected-statuses = {statuses}

[operations.parameters]
"path.consortium" = {{ dictionary = "consortia", probability = 0.9 }}
"path.stage" = {{ dictionary = "stages", probability = 0.9 }}
"path.city" = {{ dictionary = "cities", probability = 0.9 }}

[[operations]]
include-path-regex = "^/api/v1/reviews/[{{]consortium[}}]/[{{]stage[}}]/([a-z]+/)?$"
checks.positive_data_acceptance.expected-statuses = {statuses}

[operations.parameters]
"path.consortium" = {{ dictionary = "consortia", probability = 0.9 }}
"path.stage" = {{ dictionary = "stages", probability = 0.9 }}
"""
    )


def ready_reviews(username: str) -> None:
    from cities.models import CityCoordinator, Consortium

    member = get_user_model().objects.get(username=username)
    consortia = Consortium.objects.filter(steering_members__user=member).order_by("slug")
    submitted = reopened = 0
    for consortium in consortia:
        units = [None, *consortium.cities.order_by("slug")]
        for city in units:
            if city is None:
                submitter = member
            else:
                role = CityCoordinator.objects.filter(city=city).select_related("user").first()
                if role is None:
                    continue
                submitter = role.user
            for stage in ("baseline", "midway"):
                unit = {"consortium": consortium, "city": city, "stage": stage}
                try:
                    review.reopen_stage(user=member, comment="Fuzz: submitted again", **unit)
                    reopened += 1
                except ReviewError:
                    pass  # not approved: submitted as it is
                try:
                    review.submit_stage(
                        user=submitter,
                        confirm_missing=len(missing_kpis(consortium, city, stage)),
                        **unit,
                    )
                    submitted += 1
                except ReviewError:
                    pass  # nothing entered at that stage
    print(
        f"{username}: {reopened} stages reopened, {submitted} submitted for review "
        f"in {', '.join(c.slug for c in consortia)}"
    )


if __name__ == "__main__":
    if sys.argv[1] == "reviews":
        ready_reviews(sys.argv[2])
    else:
        main(sys.argv[1])
