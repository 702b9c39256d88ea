"""The permission matrix: every role × action (view grid, save, submit, approve, return,
reopen) on its own city, another city and the figures the consortium reports once.

"Own city" is the persona's city (Ravenna for the steering committee member, the partner,
the admin and anonymous visitors, all of Ravenna's consortium); "other city" is Cervia for
the coordinators and Bologna (another consortium) for the rest. Each case sets up the
state in which the action would be valid, so a refusal can only come from the access rules.
"""

import pytest
from django.urls import reverse

from kpis.models import Measurement, StageReview
from kpis.reporting.missing import missing_kpis
from tests.kpis.factories import MeasurementFactory

pytestmark = pytest.mark.django_db

ACTIONS = ["view", "save", "submit", "approve", "return", "reopen"]
Y, N = True, False

# persona -> target -> allowed per action (view, save, submit, approve, return, reopen)
MATRIX = {
    "coordinator_ravenna": {
        "own": (Y, Y, Y, N, N, N),
        "other": (N, N, N, N, N, N),
        "consortium": (N, N, N, N, N, N),  # Ravenna does not lead the shared solution
    },
    "coordinator_cervia": {
        "own": (Y, Y, Y, N, N, N),
        "other": (N, N, N, N, N, N),
        "consortium": (Y, Y, Y, N, N, N),  # Cervia leads it
    },
    "steering_member": {
        "own": (Y, N, N, Y, Y, Y),
        "other": (N, N, N, N, N, N),
        "consortium": (Y, Y, Y, Y, Y, Y),
    },
    "partner_user": {
        "own": (N, N, N, N, N, N),
        "other": (N, N, N, N, N, N),
        "consortium": (N, N, N, N, N, N),
    },
    "site_admin": {
        "own": (Y, Y, Y, Y, Y, Y),
        "other": (Y, Y, Y, Y, Y, Y),
        "consortium": (Y, Y, Y, Y, Y, Y),
    },
    "anonymous": {
        "own": (N, N, N, N, N, N),
        "other": (N, N, N, N, N, N),
        "consortium": (N, N, N, N, N, N),
    },
}

CASES = [
    pytest.param(persona, target, action, allowed, id=f"{persona}-{target}-{action}")
    for persona, targets in MATRIX.items()
    for target, row in targets.items()
    for action, allowed in zip(ACTIONS, row, strict=True)
]


def resolve_target(world, persona, target):
    """(city or None, consortium, KPI) of the unit the persona acts on."""
    if target == "consortium":
        return None, world.consortium, world.kpis.consortium
    own = world.cervia if persona == "coordinator_cervia" else world.ravenna
    if target == "own":
        return own, world.consortium, world.kpis.count
    if persona.startswith("coordinator"):
        other = world.ravenna if own == world.cervia else world.cervia
        return other, world.consortium, world.kpis.count
    return world.bologna, world.other_consortium, world.kpis.other


def prepare(action, city, consortium, kpi):
    """Put the unit in the state where the action is valid."""
    state, review_state = {
        "submit": ("draft", "draft"),
        "approve": ("submitted", "submitted"),
        "return": ("submitted", "submitted"),
        "reopen": ("approved", "approved"),
    }.get(action, (None, None))
    if state is None:
        return
    MeasurementFactory(kpi=kpi, city=city, stage="final", value=2, review_state=review_state)
    StageReview.objects.create(consortium=consortium, city=city, stage="final", state=state)


def urls(city, consortium):
    if city is None:
        return (
            reverse("consortium-entry-grid", args=[consortium.slug, "final"]),
            reverse("consortium-entry-review", args=[consortium.slug, "final"]),
        )
    return (
        reverse("entry-grid", args=[city.slug, "final"]),
        reverse("entry-review", args=[city.slug, "final"]),
    )


EXPECTED_STATE = {
    "submit": "submitted",
    "approve": "approved",
    "return": "returned",
    "reopen": "draft",
}


@pytest.mark.parametrize(("persona", "target", "action", "allowed"), CASES)
def test_permission_matrix(request, client, entry_world, persona, target, action, allowed):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    if user is not None:
        client.force_login(user)
    city, consortium, kpi = resolve_target(entry_world, persona, target)
    prepare(action, city, consortium, kpi)
    grid_url, review_url = urls(city, consortium)

    if action == "view":
        response = client.get(grid_url)
    elif action == "save":
        prefix = f"kpi{kpi.pk}"
        response = client.post(
            grid_url,
            {
                f"{prefix}-value": "3",
                f"{prefix}-status": "reported",
                f"{prefix}-version": "0",
            },
        )
    else:
        response = client.post(
            review_url,
            {
                "action": action,
                "consortium": consortium.slug,
                "comment": "Matrix test",
                "confirm_missing": len(missing_kpis(consortium, city, "final")),
            },
        )

    if not allowed:
        expected = 302 if user is None else 403
        assert response.status_code == expected, response.status_code
        if user is None:
            assert response.url.startswith(reverse("login"))
    elif action == "view":
        assert response.status_code == 200
    else:
        assert response.status_code == 302, response.content.decode()[:500]

    # What is stored says the same.
    figure = Measurement.objects.filter(kpi=kpi, city=city, stage="final").first()
    review = StageReview.objects.filter(consortium=consortium, city=city, stage="final").first()
    if action == "save":
        assert (figure is not None and figure.value == 3) is allowed
    elif action != "view":
        assert (review.state == EXPECTED_STATE[action]) is allowed
