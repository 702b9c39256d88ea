"""``manage.py send_reminders``: the figures still missing, once a day per stage and person."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from kpis.models import StageReview
from kpis.reporting.entry import RowInput, record_measurements
from notices.models import Profile, ReminderSent
from tests.roadmaps.factories import PhaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def final_phase(entry_world):
    """The Test Network's last phase collects the final figures and ends on 30 Sep 2022."""
    return PhaseFactory(
        consortium=entry_world.consortium,
        name="Review & way forward",
        start=datetime.date(2022, 8, 1),
        end=datetime.date(2022, 9, 30),
        measured_stage="final",
    )


def remind(today: str, days: int = 14) -> str:
    out = io.StringIO()
    call_command("send_reminders", "--days", str(days), "--today", today, stdout=out)
    return out.getvalue()


def test_coordinators_are_reminded_of_what_is_missing_once_a_day(
    entry_world, final_phase, coordinator_ravenna, coordinator_cervia, mailoutbox
):
    record_measurements(
        user=coordinator_ravenna,
        city=entry_world.ravenna,
        stage="final",
        rows=[RowInput(kpi=entry_world.kpis.count, status="reported", expected_version=0, value=3)],
    )
    assert "Sent 2 reminder(s); 0 already sent on 2022-09-20." in remind("2022-09-20")
    by_person = {mail.to[0]: mail for mail in mailoutbox}
    ravenna = by_person["coord-ravenna@example.org"]
    assert ravenna.subject == "Ravenna, Final results: 5 figures still missing"
    assert "ends on 30 September 2022" in ravenna.body
    assert "- 1.2 Budget spent" in ravenna.body and "- 1.1 " not in ravenna.body
    assert "http://127.0.0.1:8000/cities/ravenna/report/final/missing/" in ravenna.body
    assert by_person["coord-cervia@example.org"].subject.endswith("6 figures still missing")

    # The same day again: nothing new; the next day: once more.
    assert "Sent 0 reminder(s); 2 already sent on 2022-09-20." in remind("2022-09-20")
    assert len(mailoutbox) == 2
    assert ReminderSent.objects.filter(day="2022-09-20").count() == 2
    remind("2022-09-21")
    assert len(mailoutbox) == 4


def test_no_reminder_before_the_window_or_for_a_stage_with_the_committee(
    entry_world, final_phase, coordinator_ravenna, mailoutbox
):
    assert "Sent 0" in remind("2022-09-01", days=14)  # 29 days before the end
    StageReview.objects.create(
        consortium=entry_world.consortium,
        city=entry_world.ravenna,
        stage="final",
        state="submitted",
    )
    remind("2022-09-20")
    assert mailoutbox == []


def test_an_ended_phase_says_it_ended_and_italian_coordinators_read_italian(
    entry_world, final_phase, coordinator_ravenna, mailoutbox
):
    Profile.objects.create(user=coordinator_ravenna, language="it")
    remind("2022-10-15")
    (mail,) = mailoutbox
    assert mail.subject == "Ravenna, Risultati finali: mancano ancora 6 dati"
    assert "si è chiusa il 30 settembre 2022" in mail.body


def test_people_who_turned_notices_off_get_no_reminder(
    entry_world, final_phase, coordinator_ravenna, mailoutbox
):
    Profile.objects.create(user=coordinator_ravenna, receives_notices=False)
    remind("2022-09-20")
    assert mailoutbox == []
