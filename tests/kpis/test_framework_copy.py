"""Start from a framework: SERN's solutions, activities and KPIs copied into a consortium that
has none, with targets, composite parts and framework references, and never a figure."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cities.models import Consortium
from kpis.framework import FrameworkCopyError, copy_framework
from kpis.models import KPI, FrameworkReference, Measurement, StageReview
from solutions.models import Activity, Solution

pytestmark = pytest.mark.django_db

LETSGOV_FILE = Path(__file__).resolve().parents[2] / "data" / "letsgov.yaml"
KPI_SHAPE = (
    "code",
    "name",
    "unit",
    "value_type",
    "target_value",
    "target_scope",
    "target_text",
    "direction",
    "reporting_level",
    "rollup",
    "method",
    "data_source",
    "means_of_verification",
    "parent__code",
)


def framework(consortium: Consortium) -> list[tuple]:
    kpis = KPI.objects.filter(solution__consortium=consortium)
    return sorted(kpis.values_list("solution__number", *KPI_SHAPE))


@pytest.fixture
def letsgov(sern):
    call_command("load_demo", "--no-accounts", str(LETSGOV_FILE), stdout=StringIO())
    return Consortium.objects.get(slug="letsgov")


def test_copying_sern_gives_the_same_kpis_targets_and_parts_and_no_figures(sern, letsgov):
    FrameworkReference.objects.create(
        kpi=KPI.objects.get(solution__consortium=sern, code="2.2"),
        framework="citykeys",
        code="PEO-GOV-1",
        label="Open data sets published",
    )
    figures_before = Measurement.objects.count()

    copied = copy_framework(source=sern, target=letsgov)

    assert framework(letsgov) == framework(sern)
    assert (copied.solutions, copied.activities, copied.kpis) == (3, 18, 21)
    assert (copied.parts, copied.targets) == (5, 8)
    assert not Measurement.objects.filter(kpi__solution__consortium=letsgov).exists()
    assert not StageReview.objects.filter(consortium=letsgov).exists()
    assert Measurement.objects.count() == figures_before
    composite = KPI.objects.get(solution__consortium=letsgov, code="1.5")
    assert list(composite.parts.values_list("code", flat=True)) == ["1.5a", "1.5b", "1.5c"]
    assert {part.solution_id for part in composite.parts.all()} == {composite.solution_id}
    refs = FrameworkReference.objects.filter(kpi__solution__consortium=letsgov)
    assert list(refs.values_list("kpi__code", "framework", "code")) == [
        ("2.2", "citykeys", "PEO-GOV-1")
    ]
    assert copied.framework_references == 1


def test_the_copy_leaves_the_first_consortiums_cities_people_and_money(sern, letsgov):
    copy_framework(source=sern, target=letsgov)

    solution = Solution.objects.get(consortium=letsgov, number=2)
    assert solution.title == "Practical use of open data in e-gov and tourism"
    assert solution.theme.consortium == letsgov
    assert solution.ambition_statement.consortium == letsgov
    assert not solution.lead_cities.exists() and not solution.implementing_cities.exists()
    assert (solution.estimated_cost, solution.working_team) == (None, "")
    activities = Activity.objects.filter(solution__consortium=letsgov)
    assert set(activities.values_list("status", flat=True)) == {"planned"}


def test_a_consortium_with_solutions_is_not_copied_into(sern, letsgov):
    copy_framework(source=sern, target=letsgov)
    with pytest.raises(FrameworkCopyError, match="already has solutions"):
        copy_framework(source=sern, target=letsgov)


def test_a_failure_half_way_copies_nothing(sern, letsgov, monkeypatch):
    calls = {"count": 0}
    original = KPI.full_clean

    def full_clean(self, *args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 10:
            raise FrameworkCopyError("refused on purpose")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(KPI, "full_clean", full_clean)
    with pytest.raises(FrameworkCopyError):
        copy_framework(source=sern, target=letsgov)
    assert not Solution.objects.filter(consortium=letsgov).exists()
    assert not letsgov.themes.exists() and not letsgov.ambition_statements.exists()


def test_the_loader_option_copies_a_framework(sern, letsgov):
    out = StringIO()
    call_command("load_demo", "--copy-framework-from", "sern", "--into", "letsgov", stdout=out)
    assert "sern → letsgov: Copied 3 solutions with 18 activities and 21 KPIs" in out.getvalue()
    assert framework(letsgov) == framework(sern)
    with pytest.raises(CommandError, match="already has solutions: .* — nothing was copied"):
        call_command("load_demo", "--copy-framework-from", "sern", "--into", "letsgov")


def test_the_admin_action_copies_a_framework_chosen_on_its_page(client, site_admin, sern, letsgov):
    client.force_login(site_admin)
    url = "/admin/cities/consortium/"
    chosen = {"action": "copy_framework", "_selected_action": [str(letsgov.pk)]}

    page = client.post(url, {**chosen, "index": "0"})
    assert page.status_code == 200
    assert "Copy a framework into Let&#x27;s GOv" in page.content.decode()

    done = client.post(url, {**chosen, "source": str(sern.pk), "copy": "Copy"}, follow=True)

    messages = [str(message) for message in done.context["messages"]]
    assert any(message.startswith("Copied 3 solutions") for message in messages), messages
    assert framework(letsgov) == framework(sern)
