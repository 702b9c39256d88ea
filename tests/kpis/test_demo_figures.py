"""The SERN demo data reproduces the seed's "Assessment of solution maturity" tables.

Each row below was transcribed by hand from ``shared/seeds/001_…txt`` (the
Trollhättan, Ravenna, Cervia and UPREST tables), independently of
``data/sern.yaml``. A city of ``None`` is the consortium-level UPREST table.
"""

import pytest

from kpis.models import KPI, Measurement

pytestmark = pytest.mark.django_db

NA = "not_available"

# (city, KPI, stage, words of the seed the note keeps); the figures themselves are pinned,
# all of them, in test_seed_figures.py.
NOTES = [
    ("trollhattan", "1.1", "midway", "10 departments in Trollhattan"),
    ("trollhattan", "1.1", "final", "10 departments in Trollhattan"),
    ("trollhattan", "1.2", "midway", "2 practices"),
    ("trollhattan", "1.2", "final", "6 practices"),
    ("trollhattan", "1.3a", "final", "2 draft plans"),
    ("trollhattan", "1.3b", "final", "10 organisational areas"),
    ("trollhattan", "1.5a", "midway", "0 plans implemented"),
    ("trollhattan", "1.5a", "final", "1 plan implemented"),
    ("trollhattan", "1.5b", "midway", "10 departments contributing"),
    ("trollhattan", "1.5b", "final", "10 departments contributing"),
    ("trollhattan", "1.5c", "midway", "30 staff actively contributing"),
    ("trollhattan", "1.5c", "final", "100 staff actively contributing"),
    ("ravenna", "1.1", "midway", "IT Department, EU policies office, HR"),
    ("ravenna", "2.1", "midway", "Measuring quality of Life in the Darsena district"),
    ("ravenna", "2.5", "final", "49 indicators selected"),
    ("cervia", "1.1", "midway", "civil protection"),
    ("cervia", "1.1", "final", "ICT"),
    ("cervia", "1.2", "final", "ICH enhancement"),
    ("cervia", "1.3a", "final", "Local Digital Agenda"),
    ("cervia", "1.3b", "final", "8 areas"),
    ("cervia", "1.5b", "final", "Tourism, ICT, EU Policies"),
    ("cervia", "1.5c", "final", "3 staff"),
    ("cervia", "2.1", "final", "ICH"),
    ("cervia", "2.4", "final", "Digital Transformation Plan"),
    (None, "3.3", "midway", "counting all the practices"),
]


@pytest.mark.parametrize("city, code, stage, words", NOTES)
def test_seed_note_is_kept(sern, city, code, stage, words):
    measurement = Measurement.objects.get(
        kpi__solution__consortium=sern, kpi__code=code, city__slug=city, stage=stage
    )
    assert words in measurement.note


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


def test_uprest_kpis_are_reported_by_the_consortium(sern):
    levels = set(
        KPI.objects.filter(solution__consortium=sern, solution__number=3).values_list(
            "reporting_level", flat=True
        )
    )
    assert levels == {"consortium"}
