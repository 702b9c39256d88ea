"""The benchmark data command and the benchmark's own arithmetic (not its timings)."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cities.models import City, Consortium
from kpis.models import KPI, Measurement
from roadmaps.models import Phase, ThreeYearPlan

pytestmark = pytest.mark.django_db


def generate(*args):
    out = io.StringIO()
    call_command("generate_bench_data", "--slug=tiny", *args, stdout=out)
    return out.getvalue()


def test_builds_a_consortium_of_the_sizes_asked_for():
    generate("--cities=6", "--solutions=2", "--kpis=10")

    consortium = Consortium.objects.get(slug="tiny")
    assert consortium.memberships.count() == 6
    assert KPI.objects.filter(solution__consortium=consortium).count() == 20
    stages = set(
        Measurement.objects.filter(kpi__solution__consortium=consortium).values_list(
            "stage", flat=True
        )
    )
    assert stages == {"baseline", "midway", "final"}
    assert Phase.objects.filter(consortium=consortium).count() == 4
    assert ThreeYearPlan.objects.filter(consortium=consortium).count() == 6


def test_every_kind_of_kpi_and_figure_is_there():
    generate("--cities=7", "--solutions=1", "--kpis=10")
    kpis = KPI.objects.filter(solution__consortium__slug="tiny")
    figures = Measurement.objects.filter(kpi__in=kpis)

    assert set(kpis.values_list("target_scope", flat=True)) == {"city", "country", "consortium"}
    assert set(kpis.values_list("value_type", flat=True)) >= {"count", "percent", "boolean", "text"}
    assert kpis.filter(reporting_level="consortium").exists()
    assert set(figures.values_list("status", flat=True)) >= {"reported", "not_available"}
    assert set(figures.values_list("review_state", flat=True)) >= {"approved", "draft"}


def test_runs_again_without_duplicating_and_replaces_on_request():
    generate("--cities=3", "--solutions=1", "--kpis=2")

    assert "exists" in generate("--cities=3", "--solutions=1", "--kpis=2")
    assert City.objects.filter(slug__startswith="tiny-").count() == 3

    generate("--cities=5", "--solutions=1", "--kpis=2", "--replace")
    assert City.objects.filter(slug__startswith="tiny-").count() == 5
    assert Consortium.objects.filter(slug="tiny").count() == 1


def test_refuses_empty_sizes():
    with pytest.raises(CommandError):
        generate("--cities=0")


@pytest.fixture
def bench_run():
    path = Path(__file__).resolve().parent.parent / "bench" / "run.py"
    spec = importlib.util.spec_from_file_location("bench_run", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_floor_prints_as_many_cells_as_asked(bench_run):
    floor = bench_run.Floor(rows=3, columns=4)

    floor.timings.append(floor.render())

    assert floor.template.render(floor.data).count("<td>") == 12
    assert floor.result()["cells"] == 12


def page(size, name, ratio, in_render=0):
    return {
        "size": size,
        "page": name,
        "path": "/",
        "ratio_to_floor": ratio,
        "queries_during_render": in_render,
    }


def test_budgets_hold_or_break(bench_run, capsys):
    assert bench_run.check_budgets({"pages": [page("bench", "overview", 1.6)]}) == 0
    assert bench_run.check_budgets({"pages": [page("bench", "overview", 2.4)]}) == 1
    assert bench_run.check_budgets({"pages": [page("demo", "city", 0.5, in_render=1)]}) == 1
    assert "BUDGET BROKEN" in capsys.readouterr().err


def test_builds_a_programme_of_consortia_sharing_framework_codes():
    out = generate("--programme", "--cities=10", "--consortia=3", "--solutions=1", "--kpis=6")
    assert "3 consortia, 10 cities" in out
    from kpis.models import FrameworkReference

    consortia = Consortium.objects.filter(programme__slug="tiny-programme").order_by("slug")
    assert [item.slug for item in consortia] == ["tiny-01", "tiny-02", "tiny-03"]
    assert [item.memberships.count() for item in consortia] == [4, 3, 3]
    # KPIs 1.1 and 1.6 of each consortium carry the codes every consortium shares.
    codes = FrameworkReference.objects.filter(kpi__solution__consortium__in=consortia)
    assert sorted(set(codes.values_list("code", flat=True))) == ["BENCH-1.1", "BENCH-1.6"]
    assert codes.count() == 6
    assert "exists" in generate("--programme", "--cities=10", "--consortia=3")
    generate("--programme", "--cities=6", "--consortia=2", "--solutions=1", "--kpis=2", "--replace")
    assert Consortium.objects.filter(programme__slug="tiny-programme").count() == 2
