"""The lockout and wrong-token limits come from the environment and refuse nonsense."""

import pytest

from tests.helpers.production import PRODUCTION, manage


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("LOGIN_FAILURE_LIMIT", "0", "LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES"),
        ("LOGIN_COOLOFF_MINUTES", "0", "LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES"),
        ("API_THROTTLE_FAILED_TOKEN", "twenty an hour", "API_THROTTLE_FAILED_TOKEN must"),
    ],
)
def test_a_limit_that_makes_no_sense_stops_the_start(variable, value, message):
    result = manage("check", env={**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_the_limits_are_read_from_the_environment():
    code = (
        "from django.conf import settings as s; "
        "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), "
        "s.API_THROTTLE_FAILED_TOKEN, s.TRUSTED_PROXY_COUNT, s.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    env = {
        **PRODUCTION,
        "LOGIN_FAILURE_LIMIT": "3",
        "LOGIN_COOLOFF_MINUTES": "30",
        "API_THROTTLE_FAILED_TOKEN": "50/day",
        "TRUSTED_PROXY_COUNT": "1",
    }
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-5:] == ["3", "1800.0", "50/day", "1", "1"]
    off = manage("shell", "-c", code, env={**PRODUCTION, "API_THROTTLE_FAILED_TOKEN": "off"})
    assert off.stdout.split()[-5:] == ["5", "900.0", "None", "0", "0"]
