"""A notice is never lost: it is written in the review action's transaction (the outbox),
sent after the action commits, and kept and tried again by ``manage.py send_notices``
while the mail server is down; the action itself never fails because of mail."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kpis.models import StageReview
from kpis.reporting.errors import ReviewError
from kpis.reporting.review import return_stage, submit_stage
from notices import outbox
from notices.models import Notice

pytestmark = pytest.mark.django_db

MISSING = 5  # Ravenna reports six KPIs; one is entered below
DOWN = "tests.notices.failing_backend.EmailBackend"  # nothing listens: OSError
REFUSING = "tests.notices.failing_backend.RefusingEmailBackend"  # SMTPException
WORKING = "django.core.mail.backends.locmem.EmailBackend"


def unit(entry_world):
    return {"consortium": entry_world.consortium, "city": entry_world.ravenna, "stage": "final"}


def send_notices() -> str:
    out, err = StringIO(), StringIO()
    call_command("send_notices", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_the_notice_is_written_in_the_actions_transaction_and_sent_after_commit(
    entry_world,
    draft,
    coordinator_ravenna,
    steering_member,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    notice = Notice.objects.get()
    assert (notice.email, notice.sent_at) == ("steering-tn@example.org", None)
    assert notice.subject == "Ravenna, Final results: submitted for review"
    assert mailoutbox == []

    for callback in callbacks:
        callback()

    assert [mail.subject for mail in mailoutbox] == [notice.subject]
    notice.refresh_from_db()
    assert notice.sent_at is not None and notice.tries == 1


def test_no_notice_is_written_when_the_action_fails(
    entry_world, draft, coordinator_ravenna, steering_member
):
    submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    Notice.objects.all().delete()

    with pytest.raises(ReviewError):
        return_stage(user=steering_member, comment="", **unit(entry_world))

    assert not Notice.objects.exists()


@pytest.mark.parametrize("backend", [DOWN, REFUSING], ids=["os-error", "smtp-exception"])
def test_a_notice_survives_a_mail_outage_and_send_notices_sends_it_once(
    entry_world,
    draft,
    coordinator_ravenna,
    steering_member,
    settings,
    backend,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = backend
    with django_capture_on_commit_callbacks(execute=True):
        review = submit_stage(
            user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING
        )

    assert review.state == "submitted"  # the action stands
    notice = Notice.objects.get()
    assert notice.sent_at is None and notice.tries == 1
    assert notice.last_error.split(":")[0] in ("ConnectionRefusedError", "SMTPException")

    from django.core import mail

    settings.EMAIL_BACKEND = WORKING
    mail.outbox = []
    later = notice.next_try_at + datetime.timedelta(seconds=1)
    assert outbox.deliver(now=later).sent == 1
    assert [message.to for message in mail.outbox] == [["steering-tn@example.org"]]
    assert "Sent 0 notice(s); 0 refused by the mail server this time; 0 waiting." in (
        send_notices()
    )
    assert len(mail.outbox) == 1  # sent once, however often send_notices runs


def test_send_notices_keeps_trying_while_the_server_is_down(
    entry_world,
    draft,
    coordinator_ravenna,
    steering_member,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = DOWN
    with django_capture_on_commit_callbacks(execute=True):
        submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    notice = Notice.objects.get()

    for tries in (2, 3, 4):
        delivery = outbox.deliver(now=notice.next_try_at)
        notice.refresh_from_db()
        assert (delivery.failed, delivery.waiting, notice.tries) == (1, 1, tries)
    assert notice.sent_at is None

    settings.EMAIL_BACKEND = WORKING
    Notice.objects.update(next_try_at=timezone.now())
    assert "Sent 1 notice(s)" in send_notices()


def test_a_notice_not_yet_due_is_left_for_a_later_run(
    entry_world,
    draft,
    coordinator_ravenna,
    steering_member,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = DOWN
    with django_capture_on_commit_callbacks(execute=True):
        submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    settings.EMAIL_BACKEND = WORKING

    message = send_notices()  # straight after the failure: the retry is not due yet

    assert "Sent 0 notice(s); 0 refused by the mail server this time; 1 waiting." in message


def test_the_waits_between_tries_double_up_to_an_hour():
    waits = [outbox.retry_after(tries) for tries in (1, 2, 3, 7, 30)]
    minutes = [wait.total_seconds() / 60 for wait in waits]
    assert minutes == [1, 2, 4, 60, 60]


def test_a_notice_claimed_by_another_sender_is_not_sent_twice(
    entry_world,
    draft,
    coordinator_ravenna,
    steering_member,
    settings,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        submit_stage(user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING)
    now = timezone.now()
    Notice.objects.update(next_try_at=now + outbox.CLAIM)  # another sender is on it

    assert outbox.deliver(now=now).sent == 0
    assert mailoutbox == []


def test_a_failure_writing_the_notices_leaves_the_action_whole(
    entry_world,
    draft,
    coordinator_ravenna,
    steering_member,
    monkeypatch,
    caplog,
    django_capture_on_commit_callbacks,
):
    def broken(*args, **kwargs):
        raise RuntimeError("a template that does not render")

    monkeypatch.setattr(outbox.mail, "render", broken)
    with django_capture_on_commit_callbacks(execute=True):
        review = submit_stage(
            user=coordinator_ravenna, **unit(entry_world), confirm_missing=MISSING
        )

    assert StageReview.objects.get(pk=review.pk).state == "submitted"
    assert "review notices not written" in caplog.text
