"""The SERN demo data reproduces the seed's "Assessment of solution maturity" tables.

Each row below was transcribed by hand from ``shared/seeds/001_…txt`` (the
Trollhättan, Ravenna, Cervia and UPREST tables), independently of
``data/sern.yaml``. A city of ``None`` is the consortium-level UPREST table.
"""

from decimal import Decimal

import pytest

from kpis.models import KPI, Measurement

pytestmark = pytest.mark.django_db

R, NA = "reported", "not_available"

# (city, KPI, stage, status, number, text answer, words the note must contain)
FIGURES = [
    # Trollhättan — Solution 1
    ("trollhattan", "1.1", "midway", R, "10", "", "10 departments in Trollhattan"),
    ("trollhattan", "1.1", "final", R, "10", "", "10 departments in Trollhattan"),
    ("trollhattan", "1.2", "midway", R, "2", "", "2 practices"),
    ("trollhattan", "1.2", "final", R, "6", "", "6 practices"),
    ("trollhattan", "1.3a", "midway", R, None, "Draft plans in development", ""),
    ("trollhattan", "1.3a", "final", R, "2", "", "2 draft plans"),
    ("trollhattan", "1.3b", "final", R, "10", "", "10 organisational areas"),
    ("trollhattan", "1.4", "midway", R, "0", "", ""),
    ("trollhattan", "1.4", "final", R, "0", "", ""),
    ("trollhattan", "1.5a", "midway", R, "0", "", "0 plans implemented"),
    ("trollhattan", "1.5a", "final", R, "1", "", "1 plan implemented"),
    ("trollhattan", "1.5b", "midway", R, "10", "", "10 departments contributing"),
    ("trollhattan", "1.5b", "final", R, "10", "", "10 departments contributing"),
    ("trollhattan", "1.5c", "midway", R, "30", "", "30 staff actively contributing"),
    ("trollhattan", "1.5c", "final", R, "100", "", "100 staff actively contributing"),
    # Trollhättan — Solution 2 (the midway column is empty)
    ("trollhattan", "2.1", "final", R, "2", "", ""),
    ("trollhattan", "2.2", "final", R, "0", "", ""),
    ("trollhattan", "2.3", "final", NA, None, "", ""),
    ("trollhattan", "2.4", "final", R, "0", "", ""),
    ("trollhattan", "2.5", "final", NA, None, "", ""),
    # Ravenna — Solution 1, each figure read by its label (the seed's rows are shifted)
    ("ravenna", "1.1", "midway", R, "3", "", "IT Department, EU policies office, HR"),
    ("ravenna", "1.2", "final", R, "1", "", ""),
    ("ravenna", "1.3a", "final", R, "1", "", ""),
    ("ravenna", "1.3b", "final", R, "3", "", ""),
    ("ravenna", "1.4", "final", NA, None, "", ""),
    ("ravenna", "1.5a", "final", R, "1", "", ""),
    ("ravenna", "1.5b", "final", R, "3", "", ""),
    ("ravenna", "1.5c", "final", R, "7", "", ""),
    # Ravenna — Solution 2
    ("ravenna", "2.1", "midway", R, "1", "", "Measuring quality of Life in the Darsena district"),
    ("ravenna", "2.2", "midway", R, "5", "", ""),
    ("ravenna", "2.2", "final", R, "16", "", ""),
    ("ravenna", "2.3", "final", NA, None, "", ""),
    ("ravenna", "2.4", "midway", NA, None, "", ""),
    ("ravenna", "2.5", "final", R, "1", "", "49 indicators selected"),
    # Cervia (midway and final columns are the same)
    ("cervia", "1.1", "midway", R, "4", "", "civil protection"),
    ("cervia", "1.1", "final", R, "4", "", "ICT"),
    ("cervia", "1.2", "final", R, "1", "", "ICH enhancement"),
    ("cervia", "1.3a", "final", R, "1", "", "Local Digital Agenda"),
    ("cervia", "1.3b", "final", R, "8", "", "8 areas"),
    ("cervia", "1.4", "midway", NA, None, "", ""),
    ("cervia", "1.5b", "final", R, "3", "", "Tourism, ICT, EU Policies"),
    ("cervia", "1.5c", "final", R, "3", "", "3 staff"),
    ("cervia", "2.1", "final", R, "1", "", "ICH"),
    ("cervia", "2.2", "midway", NA, None, "", ""),
    ("cervia", "2.2", "final", NA, None, "", ""),
    ("cervia", "2.3", "final", NA, None, "", ""),
    ("cervia", "2.4", "final", R, "1", "", "Digital Transformation Plan"),
    # UPREST — reported once by the consortium
    (None, "3.1", "midway", R, "3", "", ""),
    (None, "3.1", "final", R, "3", "", ""),
    (None, "3.2", "midway", R, "100", "100 respondents in 3 countries", ""),
    (None, "3.2", "final", R, "160", "160 respondents in 3 countries", ""),
    (None, "3.3", "midway", R, "10", "", "counting all the practices"),
    (None, "3.3", "final", R, "16", "", ""),
    (None, "3.4", "midway", R, "13", "", ""),
    (None, "3.4", "final", R, "48", "", ""),
    (None, "3.5", "final", R, None, "To be performed in 2023", ""),
    (None, "3.6", "midway", R, None, "To be performed in 2023", ""),
]

# (KPI, target, scope)
TARGETS = [
    ("1.1", "2", "city"),
    ("1.2", "2", "country"),
    ("2.1", "4", "consortium"),
    ("2.2", "2", "country"),
    ("2.4", "4", "consortium"),
    ("3.1", "6", "consortium"),
    ("3.3", "10", "consortium"),
    ("3.4", "45", "consortium"),
]


@pytest.mark.parametrize("city, code, stage, status, number, text, note", FIGURES)
def test_seed_figure_is_stored_exactly(sern, city, code, stage, status, number, text, note):
    measurement = Measurement.objects.get(
        kpi__solution__consortium=sern, kpi__code=code, city__slug=city, stage=stage
    )
    assert measurement.status == status
    assert measurement.value == (Decimal(number) if number is not None else None)
    assert text in measurement.text_value
    assert note in measurement.note
    assert measurement.review_state == "approved"
    if status == NA:
        assert measurement.reason, "a not-available figure keeps its reason"


def test_the_table_covers_at_least_thirty_figures():
    assert len(FIGURES) >= 30


def test_uprest_yes_no_answer_is_yes(sern):
    answers = Measurement.objects.filter(kpi__code="3.2", city=None)
    assert set(answers.values_list("boolean_value", flat=True)) == {True}


def test_uprest_final_figures_are_as_of_november_2022(sern):
    final = Measurement.objects.filter(kpi__solution__number=3, stage="final")
    assert {(m.as_of.year, m.as_of.month) for m in final} == {(2022, 11)}


def test_empty_seed_cells_stay_not_yet_reported(sern):
    # Trollhättan's midway column for solution 2 is empty in the seed.
    assert not Measurement.objects.filter(
        city__slug="trollhattan", kpi__solution__number=2, stage="midway"
    ).exists()
    # Vänersborg reported nothing; no baseline is given anywhere.
    assert not Measurement.objects.filter(city__slug="vanersborg").exists()
    assert not Measurement.objects.filter(stage="baseline").exists()


def test_not_available_is_never_stored_as_zero(sern):
    assert not Measurement.objects.filter(status=NA, value__isnull=False).exists()


@pytest.mark.parametrize("code, target, scope", TARGETS)
def test_kpi_targets_and_scopes(sern, code, target, scope):
    kpi = KPI.objects.get(solution__consortium=sern, code=code)
    assert kpi.target_value == Decimal(target)
    assert kpi.target_scope == scope


def test_uprest_kpis_are_reported_by_the_consortium(sern):
    levels = set(
        KPI.objects.filter(solution__consortium=sern, solution__number=3).values_list(
            "reporting_level", flat=True
        )
    )
    assert levels == {"consortium"}
