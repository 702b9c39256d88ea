"""Guessing passwords: after a few wrong ones, that user name from that address waits.

django-axes counts failures per user name and client address (in the database);
``LOGIN_FAILURE_LIMIT`` (5 here) wrong passwords lock the pair for
``LOGIN_COOLOFF_MINUTES`` (15 here). Password spraying, one password over many user
names from one address, is counted per address: ``LOGIN_ADDRESS_FAILURE_LIMIT`` (20)
wrong passwords over all user names (each counting at most 5) lock the address. The
lockout is the site's login page with a message, status 429 and ``Retry-After``, on
the site's login and the admin's alike.
"""

import datetime
import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
RIGHT = "right-password-2026"
LOCKED = "Too many failed login attempts for this account"
WRONG_PASSWORD = "Please enter a correct username and password"


@pytest.fixture(autouse=True)
def _lockout_settings(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 20
    # Cheap hashing: these tests check many passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def with_password(user):
    """A persona (tests/conftest.py) who signs in with a password, ``RIGHT``."""
    user.set_password(RIGHT)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def ravenna_coordinator(coordinator_ravenna):
    """coord-ravenna, who signs in at the site's login page; has done nothing wrong yet."""
    return with_password(coordinator_ravenna)


@pytest.fixture
def cervia_coordinator(coordinator_cervia):
    """coord-cervia, a colleague signing in from the same office."""
    return with_password(coordinator_cervia)


@pytest.fixture
def admin(site_admin):
    """site-admin, who signs in at /admin/ and may unlock accounts."""
    return with_password(site_admin)


def attempt(client, username, password, *, url=LOGIN, address="127.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def is_signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_thirty_wrong_passwords_lock_the_account_with_a_message(ravenna_coordinator):
    client = Client()
    responses = [attempt(client, "coord-ravenna", f"guess-{n}") for n in range(30)]

    statuses = [response.status_code for response in responses]
    assert statuses == [200] * 4 + [429] * 26
    assert all(WRONG_PASSWORD in response.content.decode() for response in responses[:4])
    locked = responses[4]
    html = locked.content.decode()
    assert LOCKED in html
    assert "paused for 15 minutes" in html
    assert locked["Retry-After"] == "900"
    # The site's own page: its layout, and the login form again with the name filled in.
    assert [template.name for template in locked.templates][:2] == [
        "registration/login.html",
        "base.html",
    ]
    assert 'class="site-header"' in html
    assert 'name="username"' in html and 'value="coord-ravenna"' in html
    assert not is_signed_in(client)


def test_right_password_is_refused_during_the_cool_off(ravenna_coordinator):
    client = Client()
    for n in range(5):
        attempt(client, "coord-ravenna", f"guess-{n}")
    response = attempt(client, "coord-ravenna", RIGHT)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not is_signed_in(client)


def test_after_an_admin_reset_the_right_password_works(ravenna_coordinator):
    client = Client()
    for n in range(30):
        attempt(client, "coord-ravenna", f"guess-{n}")
    assert attempt(client, "coord-ravenna", RIGHT).status_code == 429

    call_command("axes_reset_username", "coord-ravenna", stdout=open("/dev/null", "w"))

    response = attempt(client, "coord-ravenna", RIGHT)
    assert response.status_code == 302
    assert is_signed_in(client)


def test_an_admin_unlocks_in_the_admin(ravenna_coordinator, admin):
    locked_out = Client()
    for n in range(5):
        attempt(locked_out, "coord-ravenna", f"guess-{n}")
    officer = Client()
    officer.force_login(admin)
    listing = officer.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "coord-ravenna" in listing.content.decode()
    attempt_row = AccessAttempt.objects.get(username="coord-ravenna")

    response = officer.post(
        f"/admin/axes/accessattempt/{attempt_row.pk}/delete/", {"post": "yes"}, follow=True
    )

    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()
    assert attempt(locked_out, "coord-ravenna", RIGHT).status_code == 302


def test_other_users_and_other_addresses_are_not_locked(ravenna_coordinator, cervia_coordinator):
    for n in range(30):
        attempt(Client(), "coord-ravenna", f"guess-{n}")

    colleague = Client()  # same address, another account
    assert attempt(colleague, "coord-cervia", RIGHT).status_code == 302
    assert is_signed_in(colleague)
    elsewhere = Client()  # same account, from another address
    assert attempt(elsewhere, "coord-ravenna", RIGHT, address="192.0.2.7").status_code == 302
    assert is_signed_in(elsewhere)


def test_the_admin_login_is_covered_too(admin):
    client = Client()
    responses = [attempt(client, "site-admin", f"guess-{n}", url=ADMIN_LOGIN) for n in range(6)]
    statuses = [response.status_code for response in responses]
    assert statuses == [200] * 4 + [429] * 2
    response = attempt(client, "site-admin", RIGHT, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not is_signed_in(client)
    # One count for both doors: the site's login refuses the same pair.
    assert attempt(client, "site-admin", RIGHT).status_code == 429


def test_the_lock_lifts_after_the_cool_off(ravenna_coordinator):
    client = Client()
    for n in range(5):
        attempt(client, "coord-ravenna", f"guess-{n}")
    # Sixteen minutes later (the record's clock moved back rather than the test's).
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - datetime.timedelta(minutes=16)
    )
    assert attempt(client, "coord-ravenna", RIGHT).status_code == 302
    assert is_signed_in(client)


def test_a_right_password_clears_earlier_slips(ravenna_coordinator):
    client = Client()
    for n in range(4):
        attempt(client, "coord-ravenna", f"guess-{n}")
    assert attempt(client, "coord-ravenna", RIGHT).status_code == 302
    client.logout()
    for n in range(4):
        assert attempt(client, "coord-ravenna", f"again-{n}").status_code == 200
    assert attempt(client, "coord-ravenna", RIGHT).status_code == 302


def test_failures_and_the_lockout_are_logged(ravenna_coordinator, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        for n in range(5):
            attempt(Client(), "coord-ravenna", f"guess-{n}", address="198.51.100.4")
    messages = [record.getMessage() for record in caplog.records if record.name.startswith("axes")]
    assert any("login failure" in message and "coord-ravenna" in message for message in messages)
    lockouts = [message for message in messages if "Locking out" in message]
    assert len(lockouts) == 1
    assert "coord-ravenna" in lockouts[0] and "198.51.100.4" in lockouts[0]
    assert all("guess-" not in message for message in messages), "no password in the logs"


@pytest.mark.parametrize(
    ("language", "words"),
    [("it", "troppi tentativi di accesso"), ("sv", "för många misslyckade inloggningsförsök")],
)
def test_the_lockout_message_is_translated(ravenna_coordinator, language, words):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    for n in range(5):
        response = attempt(client, "coord-ravenna", f"guess-{n}")
    assert response.status_code == 429
    assert words in response.content.decode().lower()


def test_client_login_works_with_the_lockout_on(ravenna_coordinator):
    client = Client()
    assert client.login(username="coord-ravenna", password=RIGHT)
    assert client.get("/accounts/api-token/").status_code == 200
    assert not Client().login(username="coord-ravenna", password="wrong")


# --- Password spraying: one address, many user names ------------------------------------

SPRAYER = "203.0.113.66"
ADDRESS_LOCKED = "Too many failed login attempts from your network address"


def test_twenty_wrong_passwords_over_twenty_user_names_lock_the_address(ravenna_coordinator):
    statuses = [
        attempt(Client(), f"user-{number}", "Spring2026!", address=SPRAYER).status_code
        for number in range(20)
    ]
    assert statuses == [200] * 19 + [429]

    # Every name is refused from there now, the right password of a real one too ...
    refused = attempt(Client(), "coord-ravenna", RIGHT, address=SPRAYER)
    assert refused.status_code == 429
    assert ADDRESS_LOCKED in refused.content.decode()
    assert refused["Retry-After"] == "900"
    assert attempt(Client(), "user-99", "Spring2026!", address=SPRAYER).status_code == 429
    # ... while the same account from another address signs in.
    elsewhere = Client()
    assert attempt(elsewhere, "coord-ravenna", RIGHT, address="192.0.2.7").status_code == 302
    assert is_signed_in(elsewhere)


def test_nineteen_sprayed_names_lock_nothing(ravenna_coordinator):
    for number in range(19):
        attempt(Client(), f"user-{number}", "Spring2026!", address=SPRAYER)
    client = Client()
    assert attempt(client, "coord-ravenna", RIGHT, address=SPRAYER).status_code == 302
    assert is_signed_in(client)


def test_one_name_counts_at_most_its_own_limit_toward_the_address(
    ravenna_coordinator, cervia_coordinator
):
    """One person who keeps trying (30 times) locks their own name, not their office."""
    for number in range(30):
        attempt(Client(), "someone", f"guess-{number}", address=SPRAYER)
    for number in range(3):  # 5 (capped) + 3 x 4 = 17 < 20
        for guess in range(4):
            attempt(Client(), f"colleague-{number}", f"guess-{guess}", address=SPRAYER)
    colleague = Client()
    assert attempt(colleague, "coord-cervia", RIGHT, address=SPRAYER).status_code == 302
    assert attempt(Client(), "colleague-9", "guess", address=SPRAYER).status_code == 200


def test_a_right_password_does_not_clear_the_other_names_count(ravenna_coordinator):
    """A sprayer with an account of their own cannot reset the address's count by
    signing in between tries: only their own name's slips are cleared."""
    for number in range(10):
        attempt(Client(), f"user-{number}", "Spring2026!", address=SPRAYER)
    assert attempt(Client(), "coord-ravenna", RIGHT, address=SPRAYER).status_code == 302
    statuses = [
        attempt(Client(), f"user-{number}", "Summer2026!", address=SPRAYER).status_code
        for number in range(10, 20)
    ]
    assert statuses == [200] * 9 + [429]


def test_behind_a_proxy_the_forwarded_address_is_the_one_locked(settings, ravenna_coordinator):
    """``TRUSTED_PROXY_COUNT=1``: each client is told apart by the proxy's header, so one
    sprayer behind the proxy does not lock out everyone else behind it."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "127.0.0.1"
    for number in range(20):
        Client().post(
            LOGIN,
            {"username": f"user-{number}", "password": "Spring2026!"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=SPRAYER,
        )
    other = Client()
    response = other.post(
        LOGIN,
        {"username": "coord-ravenna", "password": RIGHT},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert response.status_code == 302 and is_signed_in(other)


def test_the_address_limit_can_be_switched_off(settings, ravenna_coordinator):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = None
    for number in range(30):
        assert attempt(Client(), f"user-{number}", "x", address=SPRAYER).status_code == 200


@pytest.mark.parametrize(
    ("language", "words"),
    [("it", "dal tuo indirizzo di rete"), ("sv", "från din nätverksadress")],
)
def test_the_address_lockout_message_is_translated(ravenna_coordinator, language, words):
    for number in range(20):
        attempt(Client(), f"user-{number}", "x", address=SPRAYER)
    response = attempt(
        Client(HTTP_ACCEPT_LANGUAGE=language), "coord-ravenna", RIGHT, address=SPRAYER
    )
    assert response.status_code == 429
    assert words in response.content.decode().lower()
