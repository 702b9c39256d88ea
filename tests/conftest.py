import os

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, Phase, settings

from tests.helpers import personas

# Hypothesis profiles (tests/test_any_consortium_properties.py), chosen by HYPOTHESIS_PROFILE:
# "ci" (the default, under `make test`): few examples, derandomized so every run tries the
# same ones, no deadline (a page's time depends on the machine), no example database, and
# no shrinking (a failure is reported at once; `make fuzz-consortia` shrinks it);
# "fuzz" (`make fuzz-consortia`): many random examples, failures kept in .hypothesis/.
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
settings.register_profile(
    "ci",
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    print_blob=True,
    suppress_health_check=_SLOW_IS_FINE,
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "200")),
    deadline=None,
    print_blob=True,
    suppress_health_check=_SLOW_IS_FINE,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (throttle counters, kept pages and answers,
    and the progress tables a process keeps).

    Kept pages are keyed by the change log's position, and a test's rows are rolled
    back with it: on SQLite the next test numbers its rows from the same position again,
    so an entry of the last test could answer for this one's different data. (A rolled-
    back transaction in production leaves no entry behind: nobody could read its rows.)
    """
    from django.core.cache import cache

    from changelog.kept import forget_here

    cache.clear()
    forget_here()
    yield
    cache.clear()
    forget_here()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (English). A request through the test
    client leaves its language active in the thread; a test that then made a KPI with
    ``name=`` would write the words of that language only (django-modeltranslation's
    columns, ``kpis/translation.py``), not English."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


class _Discard:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


@pytest.fixture(autouse=True, scope="session")
def _client_login_names_its_request():
    """``client.login(username=..., password=...)`` works with the login lockout on.

    Django's test client calls ``authenticate()`` without a request, and django-axes,
    which counts failures per user name and client address, refuses to guess one
    (``AxesBackendRequestParameterRequired``). Give it the request a test client
    would send, from 127.0.0.1, so the lockout stays on in tests and counts these
    logins too. ``force_login`` does not authenticate and needs none of this.
    """
    from django.test import RequestFactory
    from django.test.client import ClientMixin

    original = ClientMixin.login

    def login(self, **credentials):
        credentials.setdefault("request", RequestFactory().post("/accounts/login/"))
        return original(self, **credentials)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ClientMixin, "login", login)
        yield


#: The in-memory SQLite test database just after the SERN demo was loaded into it, as
#: bytes: loaded once per process by its own command, then copied back in (milliseconds
#: instead of seconds per module, and per mutant under ``make mutation``, whose workers
#: are forked from a process that already loaded it).
_SERN_IMAGE: bytes | None = None


def _load_sern() -> None:
    global _SERN_IMAGE
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        call_command("load_demo", "--no-accounts", stdout=_Discard())
        return
    connection.ensure_connection()
    if _SERN_IMAGE is None:
        call_command("load_demo", "--no-accounts", stdout=_Discard())
        copy = sqlite3.connect(":memory:")
        connection.connection.backup(copy)
        _SERN_IMAGE = copy.serialize()
    else:
        copy = sqlite3.connect(":memory:")
        copy.deserialize(_SERN_IMAGE)
        copy.backup(connection.connection)
    copy.close()


@pytest.fixture(scope="module")
def _sern_loaded(django_db_setup, django_db_blocker):
    """Load the SERN demo data once per test module, and remove it afterwards.

    Each test still runs in its own transaction on top of this data, so what a
    test writes is rolled back; only the demo data itself is shared. On SQLite the
    database as the first load left it is copied back in (``_SERN_IMAGE``): the same
    rows, ids and change log, without running the loader again.
    """
    with django_db_blocker.unblock():
        _load_sern()
    yield
    with django_db_blocker.unblock():
        call_command("flush", "--no-input", stdout=_Discard())


@pytest.fixture
def sern(_sern_loaded, db):
    """The SERN consortium of the demo data, loaded by its own command."""
    from cities.models import Consortium

    return Consortium.objects.get(slug="sern")


@pytest.fixture
def big(sern):
    """A consortium ten times the size of SERN, next to it (generate_bench_data): the query
    tests run each page and export at both sizes."""
    from cities.models import Consortium

    call_command(
        "generate_bench_data",
        "--cities=40",
        "--solutions=3",
        "--kpis=7",
        "--slug=big",
        stdout=_Discard(),
    )
    return Consortium.objects.get(slug="big")


# --- Personas -------------------------------------------------------------------------------
# One name means one person in one world. Tests log personas in with force_login or give
# them an API token; passwords are hashed with MD5 in tests (see _fast_password_hashing).
#
# The factory world, ``entry_world``: "Test Network", a small consortium shaped like SERN.
# Ravenna and Cervia implement solution 1, whose KPIs each city reports (one of every value
# type, and a composite); solution 2's KPI 2.1 is reported once for the consortium, with
# Cervia as its lead city. Bologna belongs to "Other Network".
#   coordinator_ravenna  coordinates Ravenna: enters and corrects Ravenna's figures, submits
#                        its stages; may not touch Cervia's figures or the consortium's 2.1.
#   coordinator_cervia   coordinates Cervia, the lead city of solution 2: enters Cervia's
#                        figures and, as lead city, the consortium's 2.1.
#   coordinator_bologna  coordinates Bologna, in Other Network: nothing of Test Network's.
#   ravenna_colleagues   anna and bruno, two more coordinators of Ravenna, who open and save
#                        its grid at the same time.
#   steering_member      sits on Test Network's steering committee: sees every figure, drafts
#                        included, enters the consortium's own, approves, returns and reopens
#                        stages; sees nothing of Other Network's drafts.
#   partner_user         a partner of Test Network: reads approved figures, enters nothing.
#
# The SERN demo world, ``sern`` (the demo data, loaded by its own command; the personas are
# made by tests.helpers.personas, which live-server tests use too):
#   sern_coordinator_ravenna  coordinates SERN's Ravenna: writes Ravenna's figures (web or
#                             API) and reads its drafts; no other city's.
#   sern_coordinator_cervia   the same for Cervia.
#   sern_coordinator_trollhattan  the same for Trollhättan.
#   sern_coordinator_vanersborg   the same for Vänersborg, a lead city of solution 3 (UPREST),
#                             which the consortium reports once: also enters those figures.
#   sern_steering             sits on SERN's steering committee: reads every SERN figure,
#                             drafts included, and reviews stages.
#   sern_partner              a SERN partner: reads approved figures only.
#
# The admin world, ``setup_world`` (tests/admin/conftest.py), Let's GOv and a SERN-like
# consortium: the same names mean the same jobs there (coord-bologna coordinates Bologna,
# sern-steering sits on the SERN-like steering committee), made by the tests that list users.
#
# In no world: site_admin, a superuser, does everything; an anonymous visitor (``client``,
# or ``anonymous`` in the API tests) reads approved figures of published consortia only.


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """MD5 instead of PBKDF2 for the test run: hashing a persona's password then costs
    microseconds, not a tenth of a second. Production settings are not touched."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def entry_world(db):
    from decimal import Decimal
    from types import SimpleNamespace

    from cities.models import Membership
    from kpis.models import KPI
    from tests.cities.factories import CityFactory, ConsortiumFactory, MembershipFactory
    from tests.kpis.factories import KPIFactory
    from tests.solutions.factories import SolutionFactory

    consortium = ConsortiumFactory(name="Test Network", short_name="TN", slug="test-network")
    other_consortium = ConsortiumFactory(name="Other Network", slug="other-network")
    ravenna = CityFactory(name="Ravenna", slug="ravenna", country="IT")
    cervia = CityFactory(name="Cervia", slug="cervia", country="IT")
    bologna = CityFactory(name="Bologna", slug="bologna", country="IT")
    for city in (ravenna, cervia):
        MembershipFactory(consortium=consortium, city=city, role=Membership.Role.MEMBER)
    MembershipFactory(consortium=other_consortium, city=bologna)
    plans = SolutionFactory(
        consortium=consortium,
        number=1,
        title="Digital plans",
        implementing_cities=[ravenna, cervia],
    )
    plans.lead_cities.set([ravenna])
    project = SolutionFactory(
        consortium=consortium,
        number=2,
        title="Shared project",
        implementing_cities=[ravenna, cervia],
    )
    project.lead_cities.set([cervia])
    other_solution = SolutionFactory(
        consortium=other_consortium, number=1, title="Other", implementing_cities=[bologna]
    )
    kpis = SimpleNamespace(
        count=KPIFactory(solution=plans, code="1.1", name="Departments involved"),
        number=KPIFactory(
            solution=plans,
            code="1.2",
            name="Budget spent",
            unit="EUR",
            value_type=KPI.ValueType.NUMBER,
            target_value=Decimal("10000"),
        ),
        percent=KPIFactory(
            solution=plans,
            code="1.3",
            name="Share of services online",
            unit="%",
            value_type=KPI.ValueType.PERCENT,
            target_value=Decimal("50"),
        ),
        boolean=KPIFactory(
            solution=plans,
            code="1.4",
            name="Survey done",
            unit="",
            value_type=KPI.ValueType.BOOLEAN,
            target_value=None,
        ),
        text=KPIFactory(
            solution=plans,
            code="1.5",
            name="Quality of data",
            unit="",
            value_type=KPI.ValueType.TEXT,
            target_value=None,
        ),
        consortium=KPIFactory(
            solution=project,
            code="2.1",
            name="Meetings held",
            target_value=Decimal("6"),
            target_scope=KPI.TargetScope.CONSORTIUM,
            reporting_level=KPI.ReportingLevel.CONSORTIUM,
        ),
        other=KPIFactory(solution=other_solution, code="1.1"),
    )
    composite = KPIFactory(solution=plans, code="1.6", name="Plans", target_value=None)
    kpis.composite = composite
    kpis.part = KPIFactory(solution=plans, code="1.6a", name="Plans implemented", parent=composite)
    return SimpleNamespace(
        consortium=consortium,
        other_consortium=other_consortium,
        ravenna=ravenna,
        cervia=cervia,
        bologna=bologna,
        plans=plans,
        project=project,
        kpis=kpis,
    )


@pytest.fixture
def coordinator_ravenna(entry_world):
    return personas.coordinator("coord-ravenna", entry_world.ravenna, password=None)


@pytest.fixture
def coordinator_cervia(entry_world):
    return personas.coordinator("coord-cervia", entry_world.cervia, password=None)


@pytest.fixture
def coordinator_bologna(entry_world):
    return personas.coordinator("coord-bologna", entry_world.bologna, password=None)


@pytest.fixture
def ravenna_colleagues(entry_world):
    return [
        personas.coordinator(username, entry_world.ravenna, password=None)
        for username in ("anna", "bruno")
    ]


@pytest.fixture
def steering_member(entry_world):
    return personas.steering("steering-tn", entry_world.consortium, password=None)


@pytest.fixture
def partner_user(entry_world):
    return personas.partner("partner-tn", entry_world.consortium, password=None)


@pytest.fixture
def sern_coordinator_ravenna(sern):
    return personas.sern_coordinator("ravenna")


@pytest.fixture
def sern_coordinator_cervia(sern):
    return personas.sern_coordinator("cervia")


@pytest.fixture
def sern_coordinator_trollhattan(sern):
    return personas.sern_coordinator("trollhattan")


@pytest.fixture
def sern_coordinator_vanersborg(sern):
    return personas.sern_coordinator("vanersborg")


@pytest.fixture
def sern_steering(sern):
    return personas.sern_steering()


@pytest.fixture
def sern_partner(sern):
    return personas.sern_partner()


@pytest.fixture
def site_admin(db):
    from tests.cities.factories import UserFactory

    return UserFactory(username="site-admin", password=None, is_staff=True, is_superuser=True)


@pytest.fixture
def cache_clock(monkeypatch):
    """The in-process cache's clock, moved by hand: ``cache_clock[0]`` seconds ahead."""
    import time

    from django.core.cache import caches

    if "LocMemCache" not in type(caches["default"]).__name__:
        pytest.skip("the clock is moved for the in-process cache only")
    started, ahead = time.time(), [0.0]
    monkeypatch.setattr(time, "time", lambda *_: started + ahead[0])
    return ahead
