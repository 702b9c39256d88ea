"""Start from a framework: SERN's solutions, activities and KPIs copied into a consortium that
has none, with targets, composite parts and framework references, and never a figure."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import override

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
    "target_basis",
    "target_scope",
    "direction",
    "reporting_level",
    "rollup",
    "method",
    "data_source",
    "means_of_verification",
    "parent__code",
)


def framework(consortium: Consortium) -> list[tuple]:
    """The KPIs' shape; the target as worded is said again on a copy (see below)."""
    kpis = KPI.objects.filter(solution__consortium=consortium)
    return sorted(kpis.values_list("solution__number", *KPI_SHAPE))


def test_a_copied_target_wording_is_said_again_from_the_target_or_flagged(sern, letsgov):
    KPI.objects.filter(solution__consortium=sern, code="1.3").update(
        target_value=None, target_text="a plan in each city, covering the city's own areas"
    )
    copied = copy_framework(source=sern, target=letsgov)

    copies = KPI.objects.filter(solution__consortium=letsgov)
    assert not copies.filter(target_value__isnull=False).exclude(target_text="").exists()
    sern_kpis = KPI.objects.filter(solution__consortium=sern)
    worded_only = sern_kpis.filter(target_value__isnull=True).exclude(target_text="")
    assert set(copied.flagged) == set(worded_only.values_list("code", flat=True)) == {"1.3"}
    for kpi in worded_only:
        assert copies.get(code=kpi.code).target_text == kpi.target_text
    assert (
        copied.reworded
        == sern_kpis.filter(target_value__isnull=False).exclude(target_text="").count()
    )
    assert "Target wordings are said from each copied target value and scope" in copied.summary()
    assert "Review the target as worded of KPIs 1.3" in copied.summary()


@pytest.mark.parametrize("language", ["en", "it", "sv"])
def test_a_copied_target_wording_is_said_again_in_every_language(sern, letsgov, language):
    """Whatever language the copier reads in, no language keeps the source's wording: a
    reader in any language sees the wording said from the copy's own value and scope."""
    KPI.objects.filter(solution__consortium=sern, code="1.1").update(
        target_text_en="2 in each city", target_text_it="2 per città", target_text_sv="2 per stad"
    )
    KPI.objects.filter(solution__consortium=sern, code="1.3").update(
        target_value=None, target_text_en="", target_text_it="un piano", target_text_sv=""
    )
    with override(language):
        copied = copy_framework(source=sern, target=letsgov)

    copy = KPI.objects.get(solution__consortium=letsgov, code="1.1")
    wordings = (copy.target_text_en, copy.target_text_it, copy.target_text_sv)
    assert wordings == ("", "", "")
    assert "1.3" in copied.flagged  # worded in Italian only, flagged whoever copies it
    assert KPI.objects.get(solution__consortium=letsgov, code="1.3").target_text_it == "un piano"


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
    # +50 % from each city's baseline: a target the copy carries with its basis.
    KPI.objects.filter(solution__consortium=sern, code="1.1").update(
        target_basis=KPI.TargetBasis.CHANGE, target_value=50
    )
    figures_before = Measurement.objects.count()

    copied = copy_framework(source=sern, target=letsgov)

    assert framework(letsgov) == framework(sern)
    copy = KPI.objects.get(solution__consortium=letsgov, code="1.1")
    assert (copy.target_basis, copy.target_value) == ("change", 50)
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


def test_the_action_refuses_a_consortium_with_solutions_first_with_the_way_out(
    client, site_admin, sern, letsgov
):
    copy_framework(source=sern, target=letsgov)
    client.force_login(site_admin)
    chosen = {"action": "copy_framework", "_selected_action": [str(letsgov.pk)], "index": "0"}

    done = client.post("/admin/cities/consortium/", chosen, follow=True)

    (message,) = [str(message) for message in done.context["messages"]]
    assert "Let's GOv already has solutions" in message
    assert "Start a new consortium, or remove its solutions first" in message
    assert 'name="source"' not in done.content.decode()  # no source asked for first


def test_one_solution_is_copied_into_another_consortium_and_recoded(
    client, site_admin, sern, letsgov
):
    client.force_login(site_admin)
    solution = Solution.objects.get(consortium=sern, number=1)
    chosen = {"action": "copy_solution", "_selected_action": [str(solution.pk)]}
    page = client.post("/admin/solutions/solution/", {**chosen, "index": "0"})
    assert 'name="number"' in page.content.decode()

    done = client.post(
        "/admin/solutions/solution/",
        {**chosen, "target": str(letsgov.pk), "number": "2", "copy": "Copy"},
        follow=True,
    )

    assert any(str(m).startswith("Copied 1 solutions") for m in done.context["messages"])
    copy = Solution.objects.get(consortium=letsgov, number=2)
    codes = sorted(copy.kpis.values_list("code", flat=True))
    assert codes[:2] == ["2.1", "2.2"] and "2.5a" in codes
    assert sorted(copy.activities.values_list("code", flat=True))[0] == "2.1"
    assert not Measurement.objects.filter(kpi__solution=copy).exists()
    again = client.post(
        "/admin/solutions/solution/",
        {**chosen, "target": str(letsgov.pk), "number": "2", "copy": "Copy"},
    )
    assert "already has a solution 2: choose another number" in again.content.decode()


def test_one_kpi_is_copied_into_a_solution_of_another_consortium(client, site_admin, sern, letsgov):
    target = Solution.objects.create(consortium=letsgov, number=1, title="Energy")
    client.force_login(site_admin)
    composite = KPI.objects.get(solution__consortium=sern, code="1.5")
    chosen = {"action": "copy_kpi", "_selected_action": [str(composite.pk)]}

    client.post(
        "/admin/kpis/kpi/", {**chosen, "solution": str(target.pk), "code": "1.4", "copy": "Copy"}
    )

    copy = KPI.objects.get(solution=target, code="1.4")
    assert list(copy.parts.values_list("code", flat=True)) == ["1.4a", "1.4b", "1.4c"]
    again = client.post(
        "/admin/kpis/kpi/", {**chosen, "solution": str(target.pk), "code": "1.4", "copy": "Copy"}
    )
    assert "the solution already has a KPI with this code" in again.content.decode()
