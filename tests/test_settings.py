"""Settings come from the environment; production settings pass Django's deploy checks."""

import pytest

from icc_portal.settings import envbool, envint
from tests.helpers.production import PRODUCTION, manage


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_and_secret_key_required_unless_set():
    env = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}
    env["SECRET_KEY"] = ""
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_mode_runs_without_a_secret_key():
    result = manage("check", env={"DEBUG": "1", "SECRET_KEY": ""})
    assert result.returncode == 0, result.stderr


def test_settings_defaults(settings):
    assert settings.TIME_ZONE == "Europe/Rome"
    assert settings.USE_TZ is True
    assert [code for code, _ in settings.LANGUAGES] == ["en", "it", "sv"]


# ----------------------------------------------------------------- values it cannot read


@pytest.mark.parametrize(
    ("variable", "value", "accepted"),
    [
        ("SECURE_SSL_REDIRECT", "ture", "1, true, yes, on (on) or 0, false, no, off (off)"),
        ("DEBUG", "maybe", "1, true, yes, on (on) or 0, false, no, off (off)"),
        ("STATIC_MANIFEST", "2", "1, true, yes, on (on) or 0, false, no, off (off)"),
        ("CONN_MAX_AGE", "ten", "a whole number of 0 or more"),
        ("SECURE_HSTS_SECONDS", "-1", "a whole number of 0 or more"),
        ("LOG_LEVEL", "verbose", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ],
)
def test_a_value_it_cannot_read_stops_start_up(variable, value, accepted):
    result = manage("check", env={**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable}='{value}'" in result.stderr
    assert accepted in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("TRUE", True), (" yes ", True), ("On", True), ("0", False), ("no", False)],
)
def test_yes_no_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("ICC_TEST_SWITCH", value)
    assert envbool("ICC_TEST_SWITCH", not expected) is expected


def test_unset_or_empty_means_the_default(monkeypatch):
    monkeypatch.delenv("ICC_TEST_SWITCH", raising=False)
    assert envbool("ICC_TEST_SWITCH", True) is True
    monkeypatch.setenv("ICC_TEST_SWITCH", "")
    assert envbool("ICC_TEST_SWITCH", False) is False
    assert envint("ICC_TEST_SWITCH", 7) == 7
    monkeypatch.setenv("ICC_TEST_SWITCH", " 60 ")
    assert envint("ICC_TEST_SWITCH", 7) == 60


def storage_with(env: dict[str, str]) -> str:
    code = "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_static_manifest_is_on_in_production_and_can_be_switched_off():
    assert storage_with(PRODUCTION).endswith("CompressedManifestStaticFilesStorage")
    assert storage_with({**PRODUCTION, "STATIC_MANIFEST": "0"}).endswith(".StaticFilesStorage")
    assert storage_with({"DEBUG": "1"}).endswith(".StaticFilesStorage")
