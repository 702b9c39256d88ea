"""E-mail notices of review actions: who gets them, in which language, and that a failure
never fails the action."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from kpis.models import StageReview
from kpis.reporting.review import approve_stage, reopen_stage, return_stage, submit_stage
from notices.models import Profile

pytestmark = pytest.mark.django_db

MISSING = 5  # Ravenna reports six KPIs; one is entered below


def unit(entry_world):
    return {"consortium": entry_world.consortium, "city": entry_world.ravenna, "stage": "final"}


def test_submitting_tells_the_steering_committee_after_commit(
    entry_world,
    draft,
    coordinator_ravenna,
    steering_member,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    assert mailoutbox == []  # nothing before the transaction commits
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["steering-tn@example.org"]
    assert mail.subject == "Ravenna, Final results: submitted for review"
    assert "coord-ravenna submitted the figures of Ravenna (TN)" in mail.body
    assert "changes.\n\n5 figures were still missing:\n- 1.2 Budget spent\n" in mail.body
    assert "- 1.6a Plans implemented\n\nOpen the figures" in mail.body
    assert "\n\n\n" not in mail.body
    assert "http://127.0.0.1:8000/cities/ravenna/report/final/" in mail.body
    html, mimetype = mail.alternatives[0]
    assert mimetype == "text/html" and '<a href="http://127.0.0.1:8000/cities/ravenna' in html


def test_returning_tells_the_coordinator_with_the_comment_in_their_language(
    entry_world,
    draft,
    coordinator_ravenna,
    steering_member,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    Profile.objects.create(user=coordinator_ravenna, language="it")
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    with django_capture_on_commit_callbacks(execute=True):
        return_stage(user=steering_member, comment="1.1: which departments?", **unit(entry_world))
    assert [mail.to for mail in mailoutbox] == [["coord-ravenna@example.org"]]
    mail = mailoutbox[0]
    assert mail.subject == "Ravenna, Risultati finali: rimandata per modifiche"
    assert "\n\nCommento:\n1.1: which departments?\n\nApri i dati:" in mail.body
    assert "steering-tn ha rimandato" in mail.body
    assert "\n\n\n" not in mail.body


def test_approving_and_reopening_tell_the_coordinator(
    entry_world,
    draft,
    coordinator_ravenna,
    steering_member,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    with django_capture_on_commit_callbacks(execute=True):
        approve_stage(user=steering_member, **unit(entry_world), confirm_missing=MISSING)
        reopen_stage(user=steering_member, comment="Typo in 1.1", **unit(entry_world))
    assert [mail.subject for mail in mailoutbox] == [
        "Ravenna, Final results: approved",
        "Ravenna, Final results: reopened",
    ]
    assert "Typo in 1.1" in mailoutbox[1].body


def test_nobody_is_told_who_turned_notices_off(
    entry_world,
    draft,
    coordinator_ravenna,
    steering_member,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    Profile.objects.create(user=steering_member, receives_notices=False)
    with django_capture_on_commit_callbacks(execute=True):
        submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    assert mailoutbox == []


def test_a_failing_mail_server_is_logged_and_the_action_stands(
    entry_world,
    draft,
    coordinator_ravenna,
    steering_member,
    settings,
    caplog,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = "tests.notices.failing_backend.EmailBackend"
    with caplog.at_level(logging.WARNING, logger="notices"):
        with django_capture_on_commit_callbacks(execute=True):
            review = submit_stage(
                user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING
            )
    assert review.state == "submitted"
    assert StageReview.objects.get(city=entry_world.ravenna).state == "submitted"
    assert "notice not sent: template=review user=steering-tn tries=1" in caplog.text


def test_web_submit_sends_the_notice(
    client,
    entry_world,
    draft,
    coordinator_ravenna,
    steering_member,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client.force_login(coordinator_ravenna)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("entry-review", args=["ravenna", "final"]),
            {"action": "submit", "consortium": "test-network", "confirm_missing": str(MISSING)},
        )
    assert response.status_code == 302
    assert [mail.to for mail in mailoutbox] == [["steering-tn@example.org"]]


def test_my_reporting_shows_the_steering_member_what_awaits_review(
    client, entry_world, draft, coordinator_ravenna, steering_member
):
    client.force_login(steering_member)
    assert "awaits your review" not in client.get(reverse("entry-home")).content.decode()
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    html = client.get(reverse("entry-home")).content.decode()
    assert "1 stage awaits your review" in html
    assert 'href="/cities/ravenna/report/final/#outcome">Ravenna, Final results</a>' in html
    client.force_login(coordinator_ravenna)  # not theirs to review
    assert "awaits your review" not in client.get(reverse("entry-home")).content.decode()


def test_the_missing_figures_are_named_in_each_recipients_language(
    entry_world,
    draft,
    coordinator_ravenna,
    steering_member,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """The steering member approves under English; the Italian coordinator reads the
    missing KPIs by their Italian names (the consortium's own words), the rest of the
    e-mail in Italian too."""
    Profile.objects.create(user=coordinator_ravenna, language="it")
    budget = entry_world.kpis.number
    budget.name_it = "Budget speso"
    budget.save(update_fields=["name_it"])
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    with django_capture_on_commit_callbacks(execute=True):
        approve_stage(user=steering_member, **unit(entry_world), confirm_missing=MISSING)
    [mail] = mailoutbox
    assert mail.subject == "Ravenna, Risultati finali: approvata"
    assert "Mancavano ancora 5 dati:\n- 1.2 Budget speso\n" in mail.body
    assert "- 1.3 Share of services online\n" in mail.body  # no Italian name: English
    assert "Budget spent" not in mail.body
    assert "<li>1.2 Budget speso</li>" in mail.alternatives[0][0]


def test_past_fifteen_missing_figures_the_rest_are_counted(
    entry_world,
    draft,
    coordinator_ravenna,
    steering_member,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    from tests.kpis.factories import KPIFactory

    plans = entry_world.kpis.count.solution
    for number in range(1, 17):
        KPIFactory(solution=plans, code=f"3.{number}", name=f"Extra figure {number}")
    missing = MISSING + 16
    with django_capture_on_commit_callbacks(execute=True):
        submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=missing)
    [mail] = mailoutbox
    assert "21 figures were still missing:\n" in mail.body
    listed = [line for line in mail.body.splitlines() if line.startswith("- ")]
    assert len(listed) == 16 and listed[-1] == "- and 6 more"
    assert "<li>and 6 more</li>" in mail.alternatives[0][0]
