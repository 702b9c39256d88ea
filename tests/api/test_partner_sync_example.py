"""docs/examples/partner_sync.py, run as a partner runs it, against a live server.

After every kind of change (a stage reopened, corrected and approved again, a figure
deleted, a KPI recoded, a consortium withdrawn from publication, a cursor too old) the
script's SQLite copy equals what a fresh full pull of /api/v1/measurements/ gives the
same reader, row for row.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import sqlite3
import subprocess
import sys
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "examples" / "partner_sync.py"
README = Path(__file__).resolve().parents[2] / "README.md"

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


class Partner:
    """A reader with a token (or none: an anonymous visitor) and their nightly copy."""

    def __init__(self, api: str, token: str | None, copy: Path):
        self.api, self.token, self.copy = api, token, copy

    def run(self) -> str:
        command = [sys.executable, str(SCRIPT), "--api", self.api, "--db", str(self.copy)]
        if self.token:
            command += ["--token", self.token]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout.strip()

    def held(self) -> dict[int, dict]:
        with sqlite3.connect(self.copy) as db:
            db.row_factory = sqlite3.Row
            return {row["id"]: dict(row) for row in db.execute("SELECT * FROM figure")}

    def full_pull(self) -> dict[int, dict]:
        figures, url = {}, f"{self.api}measurements/?page_size=500"
        while url:
            request = urllib.request.Request(url)
            if self.token:
                request.add_header("Authorization", f"Token {self.token}")
            with urllib.request.urlopen(request, timeout=60) as response:
                body = json.load(response)
            figures.update({row["id"]: row for row in body["results"]})
            url = body["next"]
        return figures

    def assert_in_sync(self) -> None:
        assert self.held() == self.full_pull()


def readme_output() -> tuple[str, str]:
    """What the README's partner_sync block shows it printing: the full pull, and the
    changes after a stage was reopened (``icc.sqlite3`` standing for the copy)."""
    (block,) = [
        block
        for block in re.findall(r"^```sh\n(.*?)^```", README.read_text(), flags=re.M | re.S)
        if "partner_sync.py" in block
    ]
    full, changes = [line[2:] for line in block.splitlines() if re.match(r"# [a-z ]+: ", line)]
    return full, changes


@pytest.fixture
def world(live_server, tmp_path):
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from cities.models import City, Consortium
    from cities.models import Partner as PartnerRole
    from tests.cities.factories import (
        CityCoordinatorFactory,
        SteeringCommitteeMemberFactory,
        UserFactory,
    )

    call_command("load_demo", "--no-accounts", stdout=io.StringIO())
    sern = Consortium.objects.get(slug="sern")
    user = get_user_model().objects.create_user("nightly")
    PartnerRole.objects.create(user=user, consortium=sern)
    api = f"{live_server.url}/api/v1/"
    ravenna = City.objects.get(slug="ravenna")
    return {
        "sern": sern,
        "ravenna": ravenna,
        "steering": SteeringCommitteeMemberFactory(user=UserFactory(), consortium=sern).user,
        "coordinator": CityCoordinatorFactory(user=UserFactory(), city=ravenna).user,
        "partner": Partner(api, Token.objects.create(user=user).key, tmp_path / "p.sqlite3"),
        "visitor": Partner(api, None, tmp_path / "v.sqlite3"),
    }


def test_the_copy_follows_creations_changes_and_withdrawals(world):
    from kpis.models import KPI, Measurement
    from kpis.reporting import entry, review

    partner, visitor = world["partner"], world["visitor"]
    sern, ravenna, steering = world["sern"], world["ravenna"], world["steering"]
    full_pull, after_reopening = (
        line.replace("icc.sqlite3", str(partner.copy)) for line in readme_output()
    )
    assert partner.run() == full_pull
    partner.assert_in_sync()
    visitor.run()
    visitor.assert_in_sync()

    # A stage reopened after the pull: each of its figures is withdrawn from the copy.
    review.reopen_stage(
        user=steering, consortium=sern, city=ravenna, stage="final", comment="Check 2.2"
    )
    assert partner.run() == after_reopening
    partner.assert_in_sync()

    # Corrected, submitted and approved again: the figures come back, one changed.
    figure = Measurement.objects.get(kpi__code="2.2", city=ravenna, stage="final")
    entry.record_measurements(
        user=world["coordinator"],
        city=ravenna,
        stage="final",
        rows=[
            entry.RowInput(
                kpi=figure.kpi_id,
                status="reported",
                value=Decimal(17),
                expected_version=figure.version,
            )
        ],
    )
    assert "0 created, 0 updated, 0 withdrawn; 71 figures" in partner.run()  # a draft
    review.submit_stage(user=world["coordinator"], consortium=sern, city=ravenna, stage="final")
    review.approve_stage(user=steering, consortium=sern, city=ravenna, stage="final")
    assert "13 created" in partner.run()
    partner.assert_in_sync()
    assert partner.held()[figure.pk]["value"] == "17"

    # A figure deleted, a KPI recoded.
    Measurement.objects.get(kpi__code="2.1", city=ravenna, stage="midway").delete()
    kpi = KPI.objects.get(solution__consortium=sern, code="2.5")
    kpi.code = "2.5b"
    kpi.save()
    partner.run()
    partner.assert_in_sync()
    assert {row["kpi_code"] for row in partner.held().values()} >= {"2.5b"}

    # SERN withdrawn from publication: gone for visitors, kept for its partner.
    sern.is_published = False
    sern.save()
    assert visitor.run().endswith(f"0 figures in {visitor.copy}")
    visitor.assert_in_sync()
    partner.run()
    partner.assert_in_sync()
    assert len(partner.held()) == 83


def test_a_cursor_the_portal_no_longer_keeps_rebuilds_the_copy(world):
    from changelog.models import Change
    from kpis.models import Measurement

    partner = world["partner"]
    partner.run()
    figure = Measurement.objects.get(kpi__code="2.1", city=world["ravenna"], stage="midway")
    figure.delete()
    Change.objects.update(recorded_at=timezone.now() - datetime.timedelta(days=365))
    call_command("prune_changes", stdout=io.StringIO())

    assert partner.run().startswith("full pull: 83 created")
    partner.assert_in_sync()
