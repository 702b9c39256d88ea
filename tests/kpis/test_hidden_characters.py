"""Free text read strictly: a bidirectional override or a zero-width character in a note,
a comment or a title is refused with a plain message naming it, wherever the text is
written (the entry grid, the write service behind the API and imports, the review
actions, the models' own rules behind the admin and the data-file loader)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from icc_portal.text import check_visible, hidden_characters
from kpis.models import Measurement
from kpis.reporting.entry import RowInput, record_measurements
from kpis.reporting.errors import EntryError, ReviewError
from kpis.reporting.review import return_stage, submit_stage
from tests.helpers.forms import page_form

pytestmark = pytest.mark.django_db

RIGHT_TO_LEFT_OVERRIDE = "\u202e"
ZERO_WIDTH_SPACE = "\u200b"
MESSAGE = "This text holds invisible characters that change how it reads"


@pytest.mark.parametrize(
    "char",
    [
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200b",
        "\u200c",
        "\u200d",
        "\u2060",
        "\ufeff",
    ],
)
def test_every_override_and_zero_width_character_is_found(char):
    assert hidden_characters(f"10 depart{char}ments")
    with pytest.raises(ValidationError) as refused:
        check_visible(f"note {char}")
    assert refused.value.code == "hidden_characters"


def test_the_message_names_what_was_found_once_each():
    with pytest.raises(ValidationError) as refused:
        check_visible(f"fdp{RIGHT_TO_LEFT_OVERRIDE}.exe {ZERO_WIDTH_SPACE}{ZERO_WIDTH_SPACE}")
    message = refused.value.messages[0]
    assert message.startswith(MESSAGE)
    assert "U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE" in message


def test_visible_text_in_any_language_is_kept():
    for text in ("Città di Ravenna – 10 dipartimenti", "Trollhättan: 30 anställda", "→ ½ €"):
        check_visible(text)
        assert hidden_characters(text) == []


def row(entry_world, **fields) -> RowInput:
    values = {"kpi": entry_world.kpis.count, "status": "reported", "expected_version": 0}
    return RowInput(**{**values, "value": 3, **fields})


@pytest.mark.parametrize("field", ["note", "reason", "evidence_url"])
def test_the_write_service_refuses_hidden_characters_in_free_text(
    entry_world, coordinator_ravenna, field
):
    text = {"note": "10 departments", "reason": "no survey", "evidence_url": "https://e.eu/a"}
    changes = {field: text[field] + RIGHT_TO_LEFT_OVERRIDE}
    if field == "reason":
        changes.update(status="not_available", value=None)

    with pytest.raises(EntryError) as refused:
        record_measurements(
            user=coordinator_ravenna,
            city=entry_world.ravenna,
            stage="final",
            rows=[row(entry_world, **changes)],
        )

    problem = refused.value.error_list[0]
    assert (problem.field, problem.code) == (field, "hidden_characters")
    assert problem.message.startswith(MESSAGE)
    assert not Measurement.objects.exists()


def test_the_grid_shows_the_refusal_beside_the_note(client, coordinator_ravenna, entry_world):
    client.force_login(coordinator_ravenna)
    url = reverse("entry-grid", args=["ravenna", "final"])
    kpi = entry_world.kpis.count
    data = page_form(client, url)
    data.update(
        {
            f"kpi{kpi.pk}-status": "reported",
            f"kpi{kpi.pk}-value": "3",
            f"kpi{kpi.pk}-note": f"see {ZERO_WIDTH_SPACE}annex",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 400
    html = response.content.decode()
    error = html.split(f'id="id_kpi{kpi.pk}-note-error">', 1)[1].split("</p>", 1)[0]
    assert MESSAGE in error and "U+200B ZERO WIDTH SPACE" in error
    assert not Measurement.objects.exists()


def test_a_review_comment_with_an_override_is_refused(
    entry_world, coordinator_ravenna, steering_member
):
    record_measurements(
        user=coordinator_ravenna, city=entry_world.ravenna, stage="final", rows=[row(entry_world)]
    )
    unit = {"consortium": entry_world.consortium, "city": entry_world.ravenna, "stage": "final"}
    submit_stage(user=coordinator_ravenna, confirm_missing=5, **unit)

    with pytest.raises(ReviewError) as refused:
        return_stage(user=steering_member, comment=f"Add{RIGHT_TO_LEFT_OVERRIDE} evidence", **unit)

    assert refused.value.code == "hidden_characters"
    assert entry_world.consortium.stage_reviews.get(city=entry_world.ravenna).state == "submitted"


def test_a_title_with_a_zero_width_character_is_refused_by_the_models_rules(entry_world):
    solution = entry_world.kpis.count.solution
    solution.title = f"Digital{ZERO_WIDTH_SPACE} plans"

    with pytest.raises(ValidationError) as refused:
        solution.full_clean()

    assert refused.value.error_dict["title"][0].code == "hidden_characters"


def test_the_data_file_loader_refuses_a_title_with_an_override(tmp_path):
    from io import StringIO
    from pathlib import Path

    from django.core.management import CommandError, call_command

    sern = Path(__file__).resolve().parents[2] / "data" / "sern.yaml"
    text = sern.read_text(encoding="utf-8")
    assert "    title: Digital Transformation Plan\n" in text
    path = tmp_path / "sern-edited.yaml"
    path.write_text(
        text.replace(
            "title: Digital Transformation Plan", f"title: Digital{RIGHT_TO_LEFT_OVERRIDE} Plan"
        ),
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as refused:
        call_command("load_demo", "--no-accounts", str(path), stdout=StringIO())

    assert "solution 1: title: This text holds invisible characters" in str(refused.value)
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in str(refused.value)
