"""The review permission matrix through the API: every persona × target × action (submit,
approve, return, reopen), as ``tests/test_permissions.py`` walks it on the web panels,
with the same answers (the API's 401/403 where the web redirects or refuses) and the
stage stored accordingly.

Personas and targets are the web matrix's (its comment says who is who); "other" is
Cervia for the coordinators and Bologna (another consortium) for the rest.
"""

import pytest

from kpis.models import StageReview
from kpis.reporting.missing import missing_kpis
from tests.helpers.api import assert_error_shape, client_for
from tests.test_permissions import EXPECTED_STATE, MATRIX, prepare, resolve_target

pytestmark = pytest.mark.django_db

REVIEW_ACTIONS = ["submit", "approve", "return", "reopen"]
#: The matrix's columns: view, save, submit, approve, return, reopen.
COLUMN = {"submit": 2, "approve": 3, "return": 4, "reopen": 5}

CASES = [
    pytest.param(persona, target, action, row[COLUMN[action]], id=f"{persona}-{target}-{action}")
    for persona, targets in MATRIX.items()
    for target, row in targets.items()
    for action in REVIEW_ACTIONS
]


def stage_url(consortium, city):
    if city is None:
        return f"/api/v1/reviews/{consortium.slug}/final/"
    return f"/api/v1/reviews/{consortium.slug}/final/cities/{city.slug}/"


def action_url(consortium, city, action):
    return f"{stage_url(consortium, city)}{action}/"


@pytest.mark.parametrize(("persona", "target", "action", "allowed"), CASES)
def test_review_permission_matrix_through_the_api(
    request, entry_world, persona, target, action, allowed
):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    city, consortium, kpi = resolve_target(entry_world, persona, target)
    prepare(action, city, consortium, kpi)
    before = StageReview.objects.get(consortium=consortium, city=city, stage="final").state

    response = client_for(user).post(
        action_url(consortium, city, action),
        {
            "comment": "Matrix test",
            "confirm_missing": len(missing_kpis(consortium, city, "final")),
        },
        format="json",
    )

    if allowed:
        assert response.status_code == 200, response.content
        assert response.json()["state"] == EXPECTED_STATE[action]
    else:
        assert_error_shape(response, 401 if user is None else 403)
    review = StageReview.objects.get(consortium=consortium, city=city, stage="final")
    assert review.state == (EXPECTED_STATE[action] if allowed else before)


@pytest.mark.parametrize("persona", list(MATRIX))
def test_reading_a_stage_follows_the_grid(request, entry_world, persona):
    """Who may open the unit's grid may read its stage (the matrix's "view" column)."""
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    for target, row in MATRIX[persona].items():
        city, consortium, _kpi = resolve_target(entry_world, persona, target)
        response = client_for(user).get(stage_url(consortium, city))
        if row[0]:
            assert response.status_code == 200, (target, response.content)
        else:
            assert_error_shape(response, 401 if user is None else 403)
