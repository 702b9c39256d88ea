"""Throttles a partner can plan with: a budget per scope (read, write, sync) and token,
limits an admin sets per token, and the RateLimit headers on every answer, as
draft-ietf-httpapi-ratelimit-headers-11 writes them."""

from __future__ import annotations

import re

import pytest
from rest_framework.throttling import SimpleRateThrottle

from icc_portal.api.models import TokenLimits
from tests.helpers.api import assert_error_shape

pytestmark = pytest.mark.django_db

READ = "/api/v1/cities/"
SYNC = "/api/v1/changes/"
WRITE = "/api/v1/measurements/"


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"anon": "2/min", "read": "3/min", "write": "2/min", "sync": "4/min"},
    )


#: The draft's two fields (structured-field lists of one item, RFC 9651): the policy,
#: named by the scope, with its quota and window; and where it stands.
POLICY = re.compile(r'^"(?P<scope>[a-z]+)";q=(?P<quota>[0-9]+);w=(?P<window>[0-9]+)$')
STANDING = re.compile(r'^"(?P<scope>[a-z]+)";r=(?P<left>[0-9]+);t=(?P<seconds>[0-9]+)$')


def limits(response) -> tuple[str, str, int, int]:
    """(scope, quota per window, requests left, seconds of the window) of an answer."""
    policy = POLICY.fullmatch(response["RateLimit-Policy"])
    standing = STANDING.fullmatch(response["RateLimit"])
    assert policy and standing and policy["scope"] == standing["scope"], response.headers
    return (
        policy["scope"],
        f"{policy['quota']}/{policy['window']}s",
        int(standing["left"]),
        (int(standing["seconds"])),
    )


def test_every_answer_says_where_its_budget_stands(partner_client, sern):
    first = partner_client.get(READ)
    assert first["RateLimit-Policy"] == '"read";q=1200;w=60'
    assert first["RateLimit"] == '"read";r=1199;t=60'
    # Only the draft's fields: not draft-06's, which no draft since defines.
    assert [name for name in first.headers if name.lower().startswith("ratelimit")] == [
        "RateLimit-Policy",
        "RateLimit",
    ]
    second = partner_client.get(READ, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 304
    assert second["RateLimit-Policy"] == '"read";q=1200;w=60'
    assert second["RateLimit"] in ('"read";r=1198;t=60', '"read";r=1198;t=59')
    sync = partner_client.get(SYNC)
    assert sync["RateLimit-Policy"] == '"sync";q=600;w=60'  # a budget of its own
    assert limits(sync)[2] == 599


def test_a_sync_job_and_its_writer_on_one_token_do_not_share_a_limit(
    ravenna_client, sern, low_rates
):
    for _ in range(4):
        assert ravenna_client.get(SYNC).status_code == 200
    refused = ravenna_client.get(SYNC)
    assert assert_error_shape(refused, 429)["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused["RateLimit"] == f'"sync";r=0;t={refused["Retry-After"]}'
    assert refused["RateLimit-Policy"] == '"sync";q=4;w=60'
    # Reading and writing go on, each on its own budget.
    assert limits(ravenna_client.get(READ))[:3] == ("read", "3/60s", 2)
    write = ravenna_client.post(WRITE, {}, format="json")
    assert write.status_code == 400 and limits(write)[:3] == ("write", "2/60s", 1)


def test_anonymous_readers_share_one_budget_per_address(anonymous, sern, low_rates):
    assert limits(anonymous.get(READ))[:3] == ("anon", "2/60s", 1)
    assert limits(anonymous.get(SYNC))[:3] == ("anon", "2/60s", 0)
    assert_error_shape(anonymous.get(READ), 429)
    other = anonymous.get(READ, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200


def test_an_admin_sets_a_tokens_own_limits(partner_client, sern_partner, sern, low_rates):
    TokenLimits.objects.create(user=sern_partner, sync="10/hour", read="off")
    sync = partner_client.get(SYNC)
    assert sync["RateLimit-Policy"] == '"sync";q=10;w=3600'
    assert sync["RateLimit"] == '"sync";r=9;t=3600'
    for _ in range(5):  # no limit on reading
        response = partner_client.get(READ)
        assert response.status_code == 200
        assert "RateLimit" not in response and "RateLimit-Policy" not in response
    # A change in the admin counts at once; what is left empty is the site's default.
    limits_row = TokenLimits.objects.get(user=sern_partner)
    limits_row.read = ""
    limits_row.save()
    assert partner_client.get(READ)["RateLimit-Policy"] == '"read";q=3;w=60'


def test_a_tokens_limits_are_set_in_the_admin(admin_client, sern_partner):
    page = admin_client.get("/admin/api/tokenlimits/add/")
    assert page.status_code == 200
    refused = admin_client.post(
        "/admin/api/tokenlimits/add/", {"user": sern_partner.pk, "sync": "lots"}
    )
    assert refused.status_code == 200
    assert "Write a number of requests per second" in refused.content.decode()
    saved = admin_client.post(
        "/admin/api/tokenlimits/add/", {"user": sern_partner.pk, "sync": "5000/hour"}
    )
    assert saved.status_code == 302
    assert TokenLimits.objects.get(user=sern_partner).rates() == {"sync": "5000/hour"}
