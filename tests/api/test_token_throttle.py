"""Wrong API tokens: after a limit per client address, that address's wrong tokens get 429.

``API_THROTTLE_FAILED_TOKEN`` (default ``20/hour``) wrong ``Authorization: Token``
headers from one address are answered 401; after that every wrong token from that
address is answered 429 for the period, while a right token from it always works (many
partners can share one address). Other addresses, and requests without a token, go on
as before. A forged ``X-Forwarded-For`` does not make a new address.
"""

import pytest
from rest_framework.test import APIClient

from tests.helpers.api import assert_error_shape, client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/cities/"
BAD = "Token 0000000000000000000000000000000000000000"


def wrong_token(address="203.0.113.9", **headers):
    return APIClient().get(URL, HTTP_AUTHORIZATION=BAD, REMOTE_ADDR=address, **headers)


def test_the_default_limit_is_twenty_wrong_tokens_an_hour(settings, sern):
    assert settings.API_THROTTLE_FAILED_TOKEN == "20/hour"
    statuses = [wrong_token().status_code for _ in range(25)]
    assert statuses == [401] * 20 + [429] * 5


def test_after_the_limit_wrong_tokens_get_429_and_a_right_one_still_works(settings, sern_partner):
    settings.API_THROTTLE_FAILED_TOKEN = "5/hour"
    for _ in range(5):
        assert_error_shape(wrong_token(), 401)

    body = assert_error_shape(wrong_token(), 429)
    assert body["code"] == "throttled"
    assert "wrong API token" in body["detail"]
    refused = wrong_token()
    assert 3500 <= int(refused["Retry-After"]) <= 3600
    right = client_for(sern_partner).get(URL, REMOTE_ADDR="203.0.113.9")
    assert right.status_code == 200 and right.json()["count"] > 0
    assert wrong_token().status_code == 429  # the right one did not lift the pause


def test_a_right_token_works_after_thirty_wrong_ones_from_its_address(settings, sern_partner):
    """The default limit: 20 wrong tokens an hour. A partner behind the same office NAT
    as a client sending stale tokens is never shut out."""
    partner = client_for(sern_partner)
    for number in range(30):
        assert wrong_token().status_code == (401 if number < 20 else 429)
        answer = partner.get(URL, REMOTE_ADDR="203.0.113.9")
        assert answer.status_code == 200, (number, answer.content)


def test_other_addresses_and_requests_without_a_token_are_unaffected(settings, sern_partner):
    settings.API_THROTTLE_FAILED_TOKEN = "5/hour"
    for _ in range(6):
        wrong_token()
    assert wrong_token().status_code == 429

    elsewhere = client_for(sern_partner).get(URL, REMOTE_ADDR="198.51.100.20")
    assert elsewhere.status_code == 200
    assert elsewhere.json()["count"] > 0
    anonymous = APIClient().get(URL, REMOTE_ADDR="203.0.113.9")
    assert anonymous.status_code == 200
    assert wrong_token(address="198.51.100.20").status_code == 401


def test_a_forged_forwarded_for_header_does_not_dodge_the_limit(settings, sern):
    settings.API_THROTTLE_FAILED_TOKEN = "5/hour"
    statuses = [
        wrong_token(HTTP_X_FORWARDED_FOR=f"10.9.8.{number}").status_code for number in range(8)
    ]
    assert statuses == [401] * 5 + [429] * 3


def test_behind_a_trusted_proxy_the_forwarded_address_counts(settings, sern):
    """One proxy in front (``TRUSTED_PROXY_COUNT=1``): the client is the last XFF entry."""
    settings.API_THROTTLE_FAILED_TOKEN = "5/hour"
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "127.0.0.1"
    for _ in range(5):
        wrong_token(address=proxy, HTTP_X_FORWARDED_FOR="forged, 203.0.113.9")
    assert wrong_token(address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    other = wrong_token(address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.20")
    assert other.status_code == 401


def test_the_limit_can_be_switched_off(settings, sern):
    settings.API_THROTTLE_FAILED_TOKEN = None
    assert {wrong_token().status_code for _ in range(30)} == {401}
