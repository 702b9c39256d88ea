"""The migration that gave the change log the shared words (``changelog`` 0004): rows stored
as ``edited`` before it read ``updated`` after it, as bulk writes and the feed say, and
going back restores them. Run through ``migrate``, as a deployment runs it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from changelog.models import Change

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("changelog", "0003_consortium_version_index")
AFTER = ("changelog", "0004_figure_change_words")


def change_model_at(target):
    """The ``Change`` model as it was at migration ``target``."""
    state = MigrationExecutor(connection).loader.project_state(target)
    return state.apps.get_model("changelog", "Change")


def reasons(model) -> list[tuple[int, str]]:
    """The test's rows (figures 1 to 4), by figure."""
    rows = model.objects.filter(measurement_id__in=[1, 2, 3, 4]).order_by("measurement_id")
    return list(rows.values_list("measurement_id", "reason"))


@pytest.fixture
def before_the_words():
    """The database migrated back to before 0004; migrated forward again afterwards."""
    applied = MigrationExecutor(connection).loader.applied_migrations
    if AFTER not in applied:
        pytest.skip("the test database was made without migrations (--no-migrations)")
    call_command("migrate", *BEFORE, verbosity=0)
    yield change_model_at(BEFORE)
    call_command("migrate", verbosity=0)


def test_stored_edited_rows_read_updated_after_the_migration_and_edited_again_before_it(
    before_the_words,
):
    old = before_the_words
    for measurement, reason in enumerate(["created", "edited", "edited", "approved"], start=1):
        old.objects.create(measurement_id=measurement, reason=reason)
    assert reasons(old) == [(1, "created"), (2, "edited"), (3, "edited"), (4, "approved")]

    call_command("migrate", "changelog", verbosity=0)
    assert reasons(Change) == [(1, "created"), (2, "updated"), (3, "updated"), (4, "approved")]
    assert "edited" not in {value for value, _label in Change._meta.get_field("reason").choices}

    call_command("migrate", *BEFORE, verbosity=0)
    assert reasons(old) == [(1, "created"), (2, "edited"), (3, "edited"), (4, "approved")]
