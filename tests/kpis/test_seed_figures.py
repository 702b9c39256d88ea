# ruff: noqa: E501 (the seed's words are kept whole)
"""Every figure of the seed's "Assessment of solution maturity" tables, pinned.

Transcribed by hand from ``shared/seeds/001_e7a5897d0ac66e4d.txt`` (the Trollhättan,
Ravenna, Cervia and UPREST tables), independently of ``data/sern.yaml``: each row carries
the seed's own wording beside the figure read from it. The stored set must equal this
table exactly — a figure changed, added or dropped in the demo file fails here.

Reading rules (see DESIGN.md, *Reading the seed's KPI tables*): the "Where we started"
column holds definitions and targets, never a baseline; Ravenna's solution 1 cells are
shifted by one row and are read by their labels; a composite cell ("0 plans implemented,
10 departments contributing, 30 staff") gives one figure per part (1.5a, 1.5b, 1.5c);
"N/A", "NA" and "n.a." are *not available*, never 0; text answers stay text. The seed's
table numbering of solution 2 (KPI 1, 2, 4, 5, 6) maps to the charter's 2.1–2.5.
An empty cell stays *not yet reported*, with no row at all (Trollhättan's solution 2 at
midway, all of Vänersborg, every baseline): the stored set is the table's, nothing more.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kpis.models import KPI, Measurement

pytestmark = pytest.mark.django_db

R, NA = "reported", "not_available"
TROLL, RAV, CER, UPREST = "trollhattan", "ravenna", "cervia", None

# (city, KPI, stage, status, value, text answer starts with, seed cell)
SEED_FIGURES = [
    # --- Trollhättan, solution 2: the midway column is empty ---------------------------
    (TROLL, "2.1", "final", R, "2", "", "Number cases identified 2"),
    (TROLL, "2.2", "final", R, "0", "", "N. And Type of datasets collected 0"),
    (TROLL, "2.3", "final", NA, None, "", "N/A"),
    (TROLL, "2.4", "final", R, "0", "", "N. Of Policy making processes influenced - Value 0"),
    (TROLL, "2.5", "final", NA, None, "", "NA"),
    # --- Trollhättan, solution 1 -----------------------------------------------------------
    (TROLL, "1.1", "midway", R, "10", "", "10 departments in Trollhattan"),
    (TROLL, "1.1", "final", R, "10", "", "10 departments in Trollhattan"),
    (TROLL, "1.2", "midway", R, "2", "", "2 practices"),
    (TROLL, "1.2", "final", R, "6", "", "6 practices"),
    (TROLL, "1.3a", "midway", R, None, "Draft plans in development", "Draft plans in development"),
    (TROLL, "1.3a", "final", R, "2", "", "2 draft plans, 10 organisational areas ,"),
    (TROLL, "1.3b", "final", R, "10", "", "2 draft plans, 10 organisational areas ,"),
    (TROLL, "1.4", "midway", R, "0", "", "0"),
    (TROLL, "1.4", "final", R, "0", "", "0"),
    (TROLL, "1.5a", "midway", R, "0", "", "0 plans implemented, 10 departments …, 30 staff …"),
    (TROLL, "1.5b", "midway", R, "10", "", "0 plans implemented, 10 departments …, 30 staff …"),
    (TROLL, "1.5c", "midway", R, "30", "", "0 plans implemented, 10 departments …, 30 staff …"),
    (TROLL, "1.5a", "final", R, "1", "", "1 plan implemented, 10 departments …, 100 staff …"),
    (TROLL, "1.5b", "final", R, "10", "", "1 plan implemented, 10 departments …, 100 staff …"),
    (TROLL, "1.5c", "final", R, "100", "", "1 plan implemented, 10 departments …, 100 staff …"),
    # --- Ravenna, solution 2 -----------------------------------------------------------------
    (RAV, "2.1", "midway", R, "1", "", "RAVENNA 1 case identified – … Darsena district"),
    (RAV, "2.1", "final", R, "1", "", "RAVENNA 1 case identified – … Darsena district"),
    (RAV, "2.2", "midway", R, "5", "", "N. datasets collected: 5"),
    (RAV, "2.2", "final", R, "16", "", "N. datasets collected: 16"),
    (RAV, "2.3", "midway", NA, None, "", "N/A"),
    (RAV, "2.3", "final", NA, None, "", "N/A"),
    (RAV, "2.4", "midway", NA, None, "", "N/A"),
    (RAV, "2.4", "final", NA, None, "", "N/A"),
    (RAV, "2.5", "midway", R, "1", "", "N. 1 procedure adopted … n. 150 data analyzed –"),
    (RAV, "2.5", "final", R, "1", "", "N. 1 procedure adopted … 49 indicators selected …"),
    # --- Ravenna, solution 1: rows shifted, each figure read by its label; midway = final --
    (RAV, "1.1", "midway", R, "3", "", "n. 3 IT Department, EU policies office, HR department"),
    (RAV, "1.1", "final", R, "3", "", "n. 3 IT Department, EU policies office, HR department"),
    (RAV, "1.2", "midway", R, "1", "", "N. of cases and practices presented: 1"),
    (RAV, "1.2", "final", R, "1", "", "N. of cases and practices presented: 1"),
    (RAV, "1.3a", "midway", R, "1", "", "N. of draft plans produced: 1"),
    (RAV, "1.3a", "final", R, "1", "", "N. of draft plans produced: 1"),
    (RAV, "1.3b", "midway", R, "3", "", "N. of areas covered: 3"),
    (RAV, "1.3b", "final", R, "3", "", "N. of areas covered: 3"),
    (RAV, "1.4", "midway", NA, None, "", "N. of feedbacks received: n.a."),
    (RAV, "1.4", "final", NA, None, "", "N. of feedbacks received: n.a."),
    (RAV, "1.5a", "midway", R, "1", "", "N of plans implemented: 1"),
    (RAV, "1.5a", "final", R, "1", "", "N of plans implemented: 1"),
    (RAV, "1.5b", "midway", R, "3", "", "n of departments … to the plan implementation: 3"),
    (RAV, "1.5b", "final", R, "3", "", "n of departments … to the plan implementation: 3"),
    (RAV, "1.5c", "midway", R, "7", "", "n. of staff actively contributing: 7"),
    (RAV, "1.5c", "final", R, "7", "", "n. of staff actively contributing: 7"),
    # --- Cervia, solution 2: midway = final --------------------------------------------------
    (CER, "2.1", "midway", R, "1", "", "nr. 1 case identified on … ICH through ICT …"),
    (CER, "2.1", "final", R, "1", "", "nr. 1 case identified on … ICH through ICT …"),
    (CER, "2.2", "midway", NA, None, "", "- datasets collected n.a."),
    (CER, "2.2", "final", NA, None, "", "- datasets collected n.a."),
    (CER, "2.3", "midway", NA, None, "", "- quality of data: n.a."),
    (CER, "2.3", "final", NA, None, "", "- quality of data: n.a."),
    (CER, "2.4", "midway", R, "1", "", "- nr. 1 Digital Transformation Plan"),
    (CER, "2.4", "final", R, "1", "", "- nr. 1 Digital Transformation Plan"),
    # "nr. 2 on … governance models + 1 on data set collection + 1 on … + nr 2 IoT" = 6
    (CER, "2.5", "midway", R, "6", "", "nr. 2 … + 1 … + 1 … + nr 2 IoT"),
    (CER, "2.5", "final", R, "6", "", "nr. 2 … + 1 … + 1 … + nr 2 IoT"),
    # --- Cervia, solution 1: midway = final --------------------------------------------------
    (CER, "1.1", "midway", R, "4", "", "nr. 4 – ICT , tourism , civil protection , EU policies"),
    (CER, "1.1", "final", R, "4", "", "nr. 4 – ICT , tourism , civil protection , EU policies"),
    (CER, "1.2", "midway", R, "1", "", "- nr. 1 on ICH enhancement through ICT …"),
    (CER, "1.2", "final", R, "1", "", "- nr. 1 on ICH enhancement through ICT …"),
    (CER, "1.3a", "midway", R, "1", "", "nr. 1 draft of the Local Digital Agenda …"),
    (CER, "1.3a", "final", R, "1", "", "nr. 1 draft of the Local Digital Agenda …"),
    (CER, "1.3b", "midway", R, "8", "", "… Local Digital Agenda covering nr. 8 areas"),
    (CER, "1.3b", "final", R, "8", "", "… Local Digital Agenda covering nr. 8 areas"),
    (CER, "1.4", "midway", NA, None, "", "- nr. Feedbacks n.a."),
    (CER, "1.4", "final", NA, None, "", "- nr. Feedbacks n.a."),
    # Areas of the agenda under implementation, not plans: kept as text only.
    (CER, "1.5a", "midway", R, None, "nr 1 area of the agenda", "- nr 1 area of the agenda …"),
    (CER, "1.5a", "final", R, None, "nr 1 area of the agenda", "- nr 1 area of the agenda …"),
    (CER, "1.5b", "midway", R, "3", "", "--> nr. 3 depts involved (Tourism, ICT, EU Policies)"),
    (CER, "1.5b", "final", R, "3", "", "--> nr. 3 depts involved (Tourism, ICT, EU Policies)"),
    (CER, "1.5c", "midway", R, "3", "", "for a total of nr. 3 staff actively involved"),
    (CER, "1.5c", "final", R, "3", "", "for a total of nr. 3 staff actively involved"),
    # --- UPREST, reported once by the consortium; last column "Results as of November 22" --
    (UPREST, "3.1", "midway", R, "3", "", "nr. 3"),
    (UPREST, "3.1", "final", R, "3", "", "nr. 3"),
    (UPREST, "3.2", "midway", R, "100", "yes--> targeted survey", "yes--> … 100 respondents"),
    (UPREST, "3.2", "final", R, "160", "yes--> targeted survey", "yes--> … 160 respondents"),
    (UPREST, "3.3", "midway", R, "10", "", "- nr. 10 (counting all the practices …)"),
    (UPREST, "3.3", "final", R, "16", "", "- nr. 16 (counting all the practices …)"),
    (UPREST, "3.4", "midway", R, "13", "", "- 13"),
    (UPREST, "3.4", "final", R, "48", "", "- 48"),
    (UPREST, "3.5", "midway", R, None, "To be performed in 2023", "- To be performed in 2023"),
    (UPREST, "3.5", "final", R, None, "To be performed in 2023", "- To be performed in 2023"),
    (UPREST, "3.6", "midway", R, None, "To be performed in 2023", "- To be performed in 2023"),
    (UPREST, "3.6", "final", R, None, "To be performed in 2023", "- To be performed in 2023"),
]

# Every text answer, reason for "not available" and note, word for word (the text answers
# as the seed words them, without its leading "- "; notes are the seed's label of a figure).
SEED_TEXTS = {
    (TROLL, "1.3a", "midway"): "Draft plans in development",
    (
        CER,
        "1.5a",
        "midway",
    ): "nr 1 area of the agenda under implementation thanks to Recovery Fund Funds (digitalization of services for citizens) + nr. 1 area under implementation thanks to Erasmus+ funds (upgrade of tourism entrepreneurship digital skills) + nr. 1 area thanks to regional funds (extension of free wifi network)",
    (
        CER,
        "1.5a",
        "final",
    ): "nr 1 area of the agenda under implementation thanks to Recovery Fund Funds (digitalization of services for citizens) + nr. 1 area under implementation thanks to Erasmus+ funds (upgrade of tourism entrepreneurship digital skills) + nr. 1 area thanks to regional funds (extension of free wifi network)",
    (
        UPREST,
        "3.2",
        "midway",
    ): "yes--> targeted survey conducted in the frame of UPREST project 100 respondents in 3 countries",
    (UPREST, "3.5", "midway"): "To be performed in 2023",
    (UPREST, "3.6", "midway"): "To be performed in 2023",
    (
        UPREST,
        "3.2",
        "final",
    ): "yes--> targeted survey conducted in the frame of UPREST project 160 respondents in 3 countries",
    (UPREST, "3.5", "final"): "To be performed in 2023",
    (UPREST, "3.6", "final"): "To be performed in 2023",
}

SEED_REASONS = {
    (TROLL, "2.3", "final"): "Reported as N/A in the SERN final deliverable",
    (TROLL, "2.5", "final"): "Reported as NA in the SERN final deliverable",
    (RAV, "2.3", "midway"): "Reported as N/A in the SERN final deliverable",
    (RAV, "2.4", "midway"): "Reported as N/A in the SERN final deliverable",
    (RAV, "2.3", "final"): "Reported as N/A in the SERN final deliverable",
    (RAV, "2.4", "final"): "Reported as N/A in the SERN final deliverable",
    (RAV, "1.4", "midway"): "Reported as n.a. in the SERN final deliverable",
    (RAV, "1.4", "final"): "Reported as n.a. in the SERN final deliverable",
    (CER, "2.2", "midway"): "Reported as n.a. in the SERN final deliverable",
    (CER, "2.3", "midway"): "Reported as n.a. in the SERN final deliverable",
    (CER, "2.2", "final"): "Reported as n.a. in the SERN final deliverable",
    (CER, "2.3", "final"): "Reported as n.a. in the SERN final deliverable",
    (CER, "1.4", "midway"): "Reported as n.a. in the SERN final deliverable",
    (CER, "1.4", "final"): "Reported as n.a. in the SERN final deliverable",
}

SEED_NOTES = {
    (TROLL, "1.1", "midway"): "10 departments in Trollhattan",
    (TROLL, "1.2", "midway"): "2 practices",
    (TROLL, "1.5a", "midway"): "0 plans implemented",
    (TROLL, "1.5b", "midway"): "10 departments contributing",
    (TROLL, "1.5c", "midway"): "30 staff actively contributing",
    (TROLL, "1.1", "final"): "10 departments in Trollhattan",
    (TROLL, "1.2", "final"): "6 practices",
    (TROLL, "1.3a", "final"): "2 draft plans",
    (TROLL, "1.3b", "final"): "10 organisational areas",
    (TROLL, "1.5a", "final"): "1 plan implemented",
    (TROLL, "1.5b", "final"): "10 departments contributing",
    (TROLL, "1.5c", "final"): "100 staff actively contributing",
    (RAV, "2.1", "midway"): "1 case identified – Measuring quality of Life in the Darsena district",
    (
        RAV,
        "2.5",
        "midway",
    ): "N. 1 procedure adopted involving internal and external units, n. 150 data analyzed",
    (RAV, "2.1", "final"): "1 case identified – Measuring quality of Life in the Darsena district",
    (
        RAV,
        "2.5",
        "final",
    ): "N. 1 procedure adopted involving internal and external units, n. 150 data analyzed – 49 indicators selected for quality of life measurement",
    (RAV, "1.1", "midway"): "n. 3 IT Department, EU policies office, HR department",
    (RAV, "1.1", "final"): "n. 3 IT Department, EU policies office, HR department",
    (
        CER,
        "2.1",
        "midway",
    ): "nr. 1 case identified on enhancement and promotion of ICH through ICT – citizens participation and contents collection and systematization",
    (CER, "2.4", "midway"): "nr. 1 Digital Transformation Plan",
    (
        CER,
        "2.5",
        "midway",
    ): "nr. 2 on digital transformation governance models + 1 on data set collection + 1 on citizen participation + nr 2 IoT",
    (
        CER,
        "2.1",
        "final",
    ): "nr. 1 case identified on enhancement and promotion of ICH through ICT – citizens participation and contents collection and systematization",
    (CER, "2.4", "final"): "nr. 1 Digital Transformation Plan",
    (
        CER,
        "2.5",
        "final",
    ): "nr. 2 on digital transformation governance models + 1 on data set collection + 1 on citizen participation + nr 2 IoT",
    (CER, "1.1", "midway"): "nr. 4 – ICT, tourism, civil protection, EU policies Depts",
    (CER, "1.2", "midway"): "nr. 1 on ICH enhancement through ICT and citizenship participation",
    (CER, "1.3a", "midway"): "nr. 1 draft of the Local Digital Agenda",
    (CER, "1.3b", "midway"): "Local Digital Agenda covering nr. 8 areas",
    (CER, "1.5b", "midway"): "nr. 3 depts involved (Tourism, ICT, EU Policies)",
    (CER, "1.5c", "midway"): "for a total of nr. 3 staff actively involved",
    (CER, "1.1", "final"): "nr. 4 – ICT, tourism, civil protection, EU policies Depts",
    (CER, "1.2", "final"): "nr. 1 on ICH enhancement through ICT and citizenship participation",
    (CER, "1.3a", "final"): "nr. 1 draft of the Local Digital Agenda",
    (CER, "1.3b", "final"): "Local Digital Agenda covering nr. 8 areas",
    (CER, "1.5b", "final"): "nr. 3 depts involved (Tourism, ICT, EU Policies)",
    (CER, "1.5c", "final"): "for a total of nr. 3 staff actively involved",
    (
        UPREST,
        "3.3",
        "midway",
    ): "nr. 10 (counting all the practices exchanged during partnership workshops and ICClabs)",
    (
        UPREST,
        "3.3",
        "final",
    ): "nr. 16 (counting all the practices exchanged during partnership workshops and ICClabs)",
}

# (KPI, value type, target, scope, direction, reporting level, roll-up, seed wording)
SEED_KPIS = [
    ("1.1", "count", "2", "city", "higher", "city", "count_met", "target value 2 in each city"),
    ("1.2", "count", "2", "country", "higher", "city", "sum", "Target value 2 per country"),
    ("1.3", "count", None, "city", "higher", "city", "none", "N. of draft plans, n. areas"),
    ("1.3a", "count", None, "city", "higher", "city", "sum", "N. of draft plans produces"),
    ("1.3b", "count", None, "city", "higher", "city", "sum", "n. areas covered by the plan"),
    ("1.4", "count", None, "city", "higher", "city", "sum", "N. of feedbacks received"),
    ("1.5", "count", None, "city", "higher", "city", "none", "N of plans implemented, …"),
    ("1.5a", "count", None, "city", "higher", "city", "sum", "N of plans implemented"),
    ("1.5b", "count", None, "city", "higher", "city", "sum", "n of departments contributing"),
    ("1.5c", "count", None, "city", "higher", "city", "sum", "n. of staff contributing"),
    ("2.1", "count", "4", "consortium", "higher", "city", "sum", "Target value 4"),
    ("2.2", "count", "2", "country", "higher", "city", "sum", "Target value 2 per country"),
    ("2.3", "text", None, "city", "higher", "city", "none", "Improvement in the quality …"),
    ("2.4", "count", "4", "consortium", "higher", "city", "sum", "Target Value 4"),
    ("2.5", "count", None, "city", "higher", "city", "sum", "Number of elements … exchanged"),
    ("3.1", "count", "6", "consortium", "higher", "consortium", "sum", "Target Value 6"),
    ("3.2", "boolean", None, "consortium", "higher", "consortium", "none", "Increased knowledge"),
    ("3.3", "count", "10", "consortium", "higher", "consortium", "sum", "Target Value 10"),
    ("3.4", "count", "45", "consortium", "higher", "consortium", "sum", "Target Value 45"),
    ("3.5", "text", None, "consortium", "higher", "consortium", "none", "Replicability …"),
    ("3.6", "text", None, "consortium", "higher", "consortium", "none", "Training Package; …"),
]


def _key(city, code, stage):
    return (city, code, stage)


@pytest.fixture
def stored(sern):
    """Every SERN figure, keyed by (city slug or None, KPI code, stage)."""
    rows = Measurement.objects.filter(kpi__solution__consortium=sern).select_related("kpi", "city")
    return {_key(row.city.slug if row.city else None, row.kpi.code, row.stage): row for row in rows}


def test_the_table_is_the_whole_seed_and_nothing_else(stored):
    expected = {_key(city, code, stage) for city, code, stage, *_ in SEED_FIGURES}
    assert len(SEED_FIGURES) == len(expected) == 84
    assert set(stored) - expected == set(), "figures the seed does not hold"
    assert expected - set(stored) == set(), "seed figures missing from the demo data"


@pytest.mark.parametrize("city, code, stage, status, value, text, seed_cell", SEED_FIGURES)
def test_seed_figure(stored, city, code, stage, status, value, text, seed_cell):
    figure = stored[_key(city, code, stage)]
    assert figure.status == status, seed_cell
    assert figure.value == (None if value is None else Decimal(value)), seed_cell
    if text:
        assert figure.text_value.startswith(text), seed_cell
    else:
        assert figure.text_value == "", seed_cell
    assert figure.review_state == "approved"
    if status == NA:
        assert figure.value is None and figure.reason.startswith("Reported as ")


@pytest.mark.parametrize(
    "field, table",
    [("text_value", SEED_TEXTS), ("reason", SEED_REASONS), ("note", SEED_NOTES)],
    ids=["text answers", "reasons", "notes"],
)
def test_every_word_of_the_seed(stored, field, table):
    said = {key: getattr(figure, field) for key, figure in stored.items()}
    assert {key: words for key, words in said.items() if words} == table


def test_reasons_name_the_seeds_own_cell(stored):
    cells = {(city, code, stage): cell for city, code, stage, status, *_, cell in SEED_FIGURES}
    for key, reason in SEED_REASONS.items():
        assert stored[key].status == NA
        assert (
            reason == f"Reported as {cells[key].rpartition(' ')[2]} in the SERN final deliverable"
        )


def test_yes_no_answers(stored):
    answers = {key: figure.boolean_value for key, figure in stored.items()}
    assert {key for key, answer in answers.items() if answer is not None} == {
        (None, "3.2", "midway"),
        (None, "3.2", "final"),
    }
    assert answers[(None, "3.2", "midway")] is True
    assert answers[(None, "3.2", "final")] is True


def test_only_uprest_final_results_carry_an_as_of_date(stored):
    dated = {key: figure.as_of for key, figure in stored.items() if figure.as_of}
    assert dated == {
        (None, code, "final"): date(2022, 11, 30)
        for code in ("3.1", "3.2", "3.3", "3.4", "3.5", "3.6")
    }


@pytest.mark.parametrize(
    "code, value_type, target, scope, direction, level, rollup, seed_words", SEED_KPIS
)
def test_seed_kpi(sern, code, value_type, target, scope, direction, level, rollup, seed_words):
    kpi = KPI.objects.get(solution__consortium=sern, code=code)
    assert kpi.value_type == value_type, seed_words
    assert kpi.target_value == (None if target is None else Decimal(target)), seed_words
    assert kpi.target_scope == scope, seed_words
    assert kpi.direction == direction, seed_words
    assert kpi.reporting_level == level, seed_words
    assert kpi.rollup == rollup, seed_words


def test_every_sern_kpi_is_in_the_table(sern):
    codes = set(KPI.objects.filter(solution__consortium=sern).values_list("code", flat=True))
    assert codes == {row[0] for row in SEED_KPIS}


def test_composite_parts_belong_to_their_kpi(sern):
    parts = {
        kpi.code: kpi.parent.code
        for kpi in KPI.objects.filter(
            solution__consortium=sern, parent__isnull=False
        ).select_related("parent")
    }
    assert parts == {"1.3a": "1.3", "1.3b": "1.3", "1.5a": "1.5", "1.5b": "1.5", "1.5c": "1.5"}
