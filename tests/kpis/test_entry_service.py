"""The write service's contract (kpis.reporting.entry.record_measurements), as the API calls it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kpis.models import Measurement, StageReview
from kpis.reporting.entry import RowInput, record_measurements
from kpis.reporting.errors import EntryError, StaleVersion
from kpis.reporting.rules import validate_row
from tests.kpis.factories import MeasurementFactory

pytestmark = pytest.mark.django_db


def row(kpi, status="reported", version=0, **values):
    return RowInput(kpi=kpi, status=status, expected_version=version, **values)


def test_coordinator_records_a_figure_with_history(entry_world, coordinator_ravenna):
    kpis = entry_world.kpis
    [outcome] = record_measurements(
        user=coordinator_ravenna,
        city=entry_world.ravenna,
        stage="final",
        rows=[
            row(kpis.count, value=Decimal("3"), note=" three ", as_of=datetime.date(2022, 11, 30))
        ],
    )
    assert outcome.change == "created" and outcome.key == kpis.count.pk
    measurement = Measurement.objects.get(kpi=kpis.count, city=entry_world.ravenna, stage="final")
    assert measurement.value == 3 and measurement.note == "three"
    assert measurement.version == 1 and measurement.review_state == "draft"
    assert measurement.entered_by == coordinator_ravenna
    [record] = measurement.history.all()
    assert record.history_user == coordinator_ravenna and record.value == 3


def test_update_raises_version_and_keeps_old_value_in_history(entry_world, coordinator_ravenna):
    kpis, city = entry_world.kpis, entry_world.ravenna
    record_measurements(
        user=coordinator_ravenna, city=city, stage="final", rows=[row(kpis.count, value=Decimal(3))]
    )
    [outcome] = record_measurements(
        user=coordinator_ravenna,
        city=city,
        stage="final",
        rows=[row(kpis.count, version=1, value=Decimal(4))],
    )
    assert outcome.change == "updated" and outcome.measurement.version == 2
    assert [r.value for r in outcome.measurement.history.order_by("history_date")] == [3, 4]


def test_identical_row_is_unchanged_and_writes_nothing(entry_world, coordinator_ravenna):
    kpis, city = entry_world.kpis, entry_world.ravenna
    record_measurements(
        user=coordinator_ravenna, city=city, stage="final", rows=[row(kpis.count, value=Decimal(3))]
    )
    [outcome] = record_measurements(
        user=coordinator_ravenna,
        city=city,
        stage="final",
        rows=[row(kpis.count, version=1, value=Decimal("3.000"))],
    )
    assert outcome.change == "unchanged"
    assert outcome.measurement.version == 1
    assert outcome.measurement.history.count() == 1


def test_not_yet_reported_with_nothing_typed_stores_no_row(entry_world, coordinator_ravenna):
    [outcome] = record_measurements(
        user=coordinator_ravenna,
        city=entry_world.ravenna,
        stage="final",
        rows=[row(entry_world.kpis.count, status="not_reported")],
    )
    assert outcome.change == "unchanged" and outcome.measurement is None
    assert not Measurement.objects.exists()


def test_consortium_level_figure_has_no_city(entry_world, coordinator_cervia):
    record_measurements(
        user=coordinator_cervia,
        city=entry_world.cervia,
        stage="final",
        rows=[row(entry_world.kpis.consortium, value=Decimal(3))],
    )
    measurement = Measurement.objects.get(kpi=entry_world.kpis.consortium)
    assert measurement.city is None


def test_consortium_level_figure_without_a_city(entry_world, steering_member):
    record_measurements(
        user=steering_member,
        consortium=entry_world.consortium,
        stage="midway",
        rows=[row(entry_world.kpis.consortium, value=Decimal(2))],
    )
    assert Measurement.objects.get(kpi=entry_world.kpis.consortium).stage == "midway"


@pytest.mark.parametrize("persona", ["coordinator_cervia", "steering_member", "partner_user"])
def test_wrong_persona_cannot_record_ravenna_figures(request, entry_world, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        record_measurements(
            user=user,
            city=entry_world.ravenna,
            stage="final",
            rows=[row(entry_world.kpis.count, value=Decimal(1))],
        )
    assert not Measurement.objects.exists()


def test_anonymous_cannot_record(entry_world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        record_measurements(
            user=AnonymousUser(),
            city=entry_world.ravenna,
            stage="final",
            rows=[row(entry_world.kpis.count, value=Decimal(1))],
        )


def test_coordinator_of_non_lead_city_cannot_record_consortium_figure(
    entry_world, coordinator_ravenna
):
    with pytest.raises(PermissionDenied):
        record_measurements(
            user=coordinator_ravenna,
            city=entry_world.ravenna,
            stage="final",
            rows=[row(entry_world.kpis.consortium, value=Decimal(1))],
        )


def test_one_bad_row_stores_no_row(entry_world, coordinator_ravenna):
    kpis = entry_world.kpis
    with pytest.raises(EntryError) as caught:
        record_measurements(
            user=coordinator_ravenna,
            city=entry_world.ravenna,
            stage="final",
            rows=[
                row(kpis.count, value=Decimal(2)),
                row(kpis.percent, value=Decimal(140)),
            ],
        )
    assert list(caught.value.errors) == [kpis.percent.pk]
    assert caught.value.errors[kpis.percent.pk]["value"] == ["A percentage lies between 0 and 100."]
    assert caught.value.codes[kpis.percent.pk]["value"] == ["percent_range"]
    assert not Measurement.objects.exists()


def test_errors_carry_row_keys_given_by_the_caller(entry_world, coordinator_ravenna):
    with pytest.raises(EntryError) as caught:
        record_measurements(
            user=coordinator_ravenna,
            city=entry_world.ravenna,
            stage="final",
            rows=[row(entry_world.kpis.count, value=Decimal(-1), key=0)],
        )
    assert caught.value.codes == {0: {"value": ["negative"]}}


def test_unknown_stage_is_an_error_of_the_call(entry_world, coordinator_ravenna):
    with pytest.raises(EntryError) as caught:
        record_measurements(
            user=coordinator_ravenna, city=entry_world.ravenna, stage="someday", rows=[]
        )
    assert caught.value.codes == {None: {"stage": ["invalid_stage"]}}


@pytest.mark.parametrize(
    ("kpi_name", "code"),
    [("composite", "composite"), ("other", "not_reported_here")],
)
def test_kpi_the_city_does_not_report_is_refused(entry_world, site_admin, kpi_name, code):
    with pytest.raises(EntryError) as caught:
        record_measurements(
            user=site_admin,
            city=entry_world.ravenna,
            stage="final",
            rows=[row(getattr(entry_world.kpis, kpi_name), value=Decimal(1))],
        )
    assert caught.value.has_code(code)


def test_kpi_of_another_consortium_is_refused(entry_world, site_admin):
    with pytest.raises(EntryError) as caught:
        record_measurements(
            user=site_admin,
            city=entry_world.ravenna,
            consortium=entry_world.other_consortium,
            stage="final",
            rows=[row(entry_world.kpis.count, value=Decimal(1))],
        )
    assert caught.value.has_code("other_consortium")


def test_same_kpi_twice_is_refused(entry_world, coordinator_ravenna):
    kpi = entry_world.kpis.count
    with pytest.raises(EntryError) as caught:
        record_measurements(
            user=coordinator_ravenna,
            city=entry_world.ravenna,
            stage="final",
            rows=[row(kpi, value=Decimal(1), key="a"), row(kpi, value=Decimal(2), key="b")],
        )
    assert caught.value.codes == {"b": {"__all__": ["duplicate"]}}


def test_stale_version_is_refused_with_the_newer_figure(
    entry_world, coordinator_ravenna, site_admin
):
    kpis, city = entry_world.kpis, entry_world.ravenna
    record_measurements(
        user=site_admin, city=city, stage="final", rows=[row(kpis.count, value=Decimal(5))]
    )
    with pytest.raises(StaleVersion) as caught:
        record_measurements(
            user=coordinator_ravenna,
            city=city,
            stage="final",
            rows=[row(kpis.number, value=Decimal(1)), row(kpis.count, value=Decimal(7))],
        )
    error = caught.value
    assert error.current[kpis.count.pk].value == 5
    assert error.current[kpis.count.pk].entered_by == site_admin
    assert error.codes == {kpis.count.pk: {"version": ["stale"]}}
    message = error.errors[kpis.count.pk]["version"][0]
    assert "site-admin" in message and "5" in message
    assert not Measurement.objects.filter(kpi=kpis.number).exists()
    assert Measurement.objects.get(kpi=kpis.count).value == 5


def test_approved_figure_is_locked(entry_world, coordinator_ravenna):
    measurement = MeasurementFactory(kpi=entry_world.kpis.count, city=entry_world.ravenna)
    with pytest.raises(EntryError) as caught:
        record_measurements(
            user=coordinator_ravenna,
            city=entry_world.ravenna,
            stage="final",
            rows=[row(entry_world.kpis.count, version=measurement.version, value=Decimal(9))],
        )
    assert caught.value.codes == {entry_world.kpis.count.pk: {"__all__": ["locked"]}}
    measurement.refresh_from_db()
    assert measurement.value == 1


def test_submitted_stage_takes_no_changes(entry_world, coordinator_ravenna):
    StageReview.objects.create(
        consortium=entry_world.consortium,
        city=entry_world.ravenna,
        stage="final",
        state="submitted",
    )
    with pytest.raises(EntryError) as caught:
        record_measurements(
            user=coordinator_ravenna,
            city=entry_world.ravenna,
            stage="final",
            rows=[row(entry_world.kpis.count, value=Decimal(9))],
        )
    assert caught.value.has_code("under_review")


def test_patch_helper_keeps_the_other_fields(entry_world, coordinator_ravenna):
    [created] = record_measurements(
        user=coordinator_ravenna,
        city=entry_world.ravenna,
        stage="final",
        rows=[row(entry_world.kpis.count, value=Decimal(3), note="IT, HR, EU office")],
    )
    patch = RowInput.from_measurement(created.measurement, value=Decimal(4), expected_version=1)
    [updated] = record_measurements(
        user=coordinator_ravenna, city=entry_world.ravenna, stage="final", rows=[patch]
    )
    assert updated.measurement.value == 4 and updated.measurement.note == "IT, HR, EU office"


@pytest.mark.parametrize(
    ("value_type", "values", "field", "code"),
    [
        ("count", {"value": Decimal(-2)}, "value", "negative"),
        ("count", {"value": Decimal("2.5")}, "value", "not_whole"),
        ("percent", {"value": Decimal("100.5")}, "value", "percent_range"),
        ("percent", {"value": Decimal("-1")}, "value", "percent_range"),
        ("number", {"value": Decimal("1e13")}, "value", "too_large"),
        ("number", {"value": Decimal("1.23456")}, "value", "decimal_places"),
        ("count", {"boolean_value": True}, "boolean_value", "no_boolean"),
        (
            "count",
            {"evidence_url": "javascript:alert(1)", "value": Decimal(1)},
            "evidence_url",
            "evidence_scheme",
        ),
        (
            "count",
            {"evidence_url": "ftp://example.org/x", "value": Decimal(1)},
            "evidence_url",
            "evidence_scheme",
        ),
        (
            "count",
            {"as_of": datetime.date(2999, 1, 1), "value": Decimal(1)},
            "as_of",
            "future_date",
        ),
        ("text", {}, "text_value", "answer_required"),
        ("boolean", {}, "boolean_value", "answer_required"),
    ],
)
def test_validate_row_rules(value_type, values, field, code):
    problems = validate_row(row(1, **values), value_type=value_type)
    assert (field, code) in [(problem[0], problem[2]) for problem in problems]


def test_not_available_needs_a_reason_and_no_value():
    problems = validate_row(row(1, status="not_available", value=Decimal(3)), value_type="count")
    assert {(field, code) for field, _, code in problems} == {
        ("value", "answer_not_reported"),
        ("reason", "reason_required"),
    }


def test_valid_rows_have_no_problems():
    assert validate_row(row(1, value=Decimal("99.5")), value_type="percent") == []
    assert (
        validate_row(row(1, status="not_available", reason="No survey"), value_type="count") == []
    )
    assert validate_row(row(1, status="not_applicable"), value_type="text") == []
    assert (
        validate_row(
            row(1, boolean_value=True, value=Decimal(160), text_value="160 respondents"),
            value_type="boolean",
        )
        == []
    )


def test_int_values_are_read_as_decimals_and_floats_refused(entry_world, coordinator_ravenna):
    [outcome] = record_measurements(
        user=coordinator_ravenna,
        city=entry_world.ravenna,
        stage="final",
        rows=[row(entry_world.kpis.count, value=4)],
    )
    assert outcome.measurement.value == Decimal(4)
    with pytest.raises(EntryError) as caught:
        record_measurements(
            user=coordinator_ravenna,
            city=entry_world.ravenna,
            stage="final",
            rows=[row(entry_world.kpis.percent, value=4.5)],
        )
    assert caught.value.codes == {entry_world.kpis.percent.pk: {"value": ["invalid"]}}


def test_error_summary_reads_well(entry_world, coordinator_ravenna):
    with pytest.raises(EntryError) as caught:
        record_measurements(
            user=coordinator_ravenna,
            city=entry_world.ravenna,
            stage="final",
            rows=[row(entry_world.kpis.count, status="not_available")],
        )
    assert str(caught.value).endswith("reason: Say why the figure is not available.")
