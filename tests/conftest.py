import pytest
from django.core.management import call_command


class _Discard:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


@pytest.fixture(scope="module")
def _sern_loaded(django_db_setup, django_db_blocker):
    """Load the SERN demo data once per test module, and remove it afterwards.

    Each test still runs in its own transaction on top of this data, so what a
    test writes is rolled back; only the demo data itself is shared.
    """
    with django_db_blocker.unblock():
        call_command("load_demo", "--no-accounts", stdout=_Discard())
    yield
    with django_db_blocker.unblock():
        call_command("flush", "--no-input", stdout=_Discard())


@pytest.fixture
def sern(_sern_loaded, db):
    """The SERN consortium of the demo data, loaded by its own command."""
    from cities.models import Consortium

    return Consortium.objects.get(slug="sern")
