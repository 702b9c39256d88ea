"""The API tests' shared code: a client with a user's token, the one error body checked."""

from __future__ import annotations

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def assert_error_shape(response, status: int, *fields: str) -> dict:
    """The one error body: detail, code, and field errors (lists of strings) under errors."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["errors"], dict)
    for field in fields:
        assert field in body["errors"], body
        assert all(isinstance(message, str) for message in body["errors"][field]), body
    if not fields:
        assert body["errors"] == {} or status == 400, body
    return body
