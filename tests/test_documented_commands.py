"""Every fenced code block of README.md, docs/*.md and data/README.md is run by a test,
with what it shows.

Each block is *claimed* (``CLAIMS``) by the test that runs it — one here, or the API
examples' own (tests/api/test_readme_examples.py, tests/api/test_partner_sync_example.py) —
or, for a block that is not a command, by the test that checks what it shows: a log line
against the lines the served portal writes, the layout against the folders, CKAN's
configuration parsed. A block no claim names fails ``test_every_block_is_claimed``, so a
new block cannot be added untested; a claim whose block is gone fails too.

The commands run as written, from the project folder, with only the host, the port, the
secret key, the database and the scratch paths put in (named at each test): on a
throw-away SQLite file, or, when ``DATABASE_URL`` is PostgreSQL (CI's second run), a
throw-away PostgreSQL database on that server, dropped afterwards. The databases are
copies of one migrated here once (a file copy, or ``CREATE DATABASE … TEMPLATE``).

``make test`` is what CI itself runs: running the whole suite inside the suite would
prove nothing more, so its test only checks that the target runs pytest over the tests.
"""

from __future__ import annotations

import configparser
import importlib
import io
import re
import secrets
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.helpers.shell import (
    POSTGRES,
    PYTHON,
    ROOT,
    Databases,
    converse,
    django_shell,
    free_port,
    production_env,
    run,
    served,
    shell_env,
    smoke_setup,
)

DOCUMENTS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "data" / "README.md",  # the data files' format, linked from *Loading data*
]

pytestmark = pytest.mark.slow

# --- the blocks and who runs them --------------------------------------------------------


@dataclass(frozen=True)
class Block:
    document: str  # relative to the project
    line: int
    info: str  # the fence's language tag ("" for none)
    text: str

    def __str__(self) -> str:
        return f"{self.document}:{self.line} ```{self.info}"

    def commands(self) -> list[str]:
        """Its commands (backslash-continued lines joined), without comment lines."""
        joined = self.text.replace("\\\n", " ")
        return [line for line in joined.splitlines() if line.strip() and not line.startswith("#")]


def fenced_blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file, indented ones (in a list) without the indent."""
    text = path.read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(r"^( *)```(\S*)\n(.*?)^ *```", text, flags=re.M | re.S):
        indent = len(match[1])
        body = "\n".join(line[indent:] for line in match[3].splitlines())
        line = text.count("\n", 0, match.start()) + 1
        blocks.append(Block(str(path.relative_to(ROOT)), line, match[2], body))
    return blocks


ALL_BLOCKS = [block for document in DOCUMENTS for block in fenced_blocks(document)]


@dataclass(frozen=True)
class Claim:
    marker: str  # text only the claimed block holds
    test: str  # the test that runs it (or checks what it shows), as a pytest node id

    def claims(self, block: Block) -> bool:
        return self.marker in block.text


HERE = "tests/test_documented_commands.py::"
EXAMPLES = "tests/api/test_readme_examples.py::"
CLAIMS = (
    Claim("make run    # create .venv", HERE + "test_make_run_serves_the_demo_and_make_test_tests"),
    Claim("manage.py load_demo data/letsgov.yaml", HERE + "test_load_demo_loads_what_it_says"),
    Claim("--copy-framework-from sern --into", HERE + "test_a_framework_is_copied_as_written"),
    Claim("data/ours.yaml, line", HERE + "test_the_loaders_refusals_read_as_data_readme_shows"),
    Claim("username: coordinator-bologna", HERE + "test_the_users_example_loads_with_its_roles"),
    Claim("slug: eu-cities-mission", HERE + "test_the_programme_words_example_is_letsgovs"),
    Claim("name: {en: Number of involved", HERE + "test_a_kpis_words_load_per_language"),
    Claim("export DATABASE_URL=postgres://", HERE + "test_make_run_on_postgresql"),
    Claim("export CACHE_URL=redis://", HERE + "test_the_cache_url_selects_redis"),
    Claim("make serve          #", HERE + "test_make_serve_behind_a_tls_proxy"),
    Claim("manage.py createsuperuser", HERE + "test_createsuperuser_asks_and_creates_the_admin"),
    Claim("icc_portal.requests request_id=", HERE + "test_make_serve_behind_a_tls_proxy"),
    Claim("manage.py send_notices", HERE + "test_the_cron_line_sends_the_waiting_notices"),
    Claim("pg_dump --format=custom", HERE + "test_backup_and_restore"),
    Claim("icc_portal/  settings", HERE + "test_the_layout_names_existing_folders"),
    Claim("ckanext.dcat.rdf.profiles", HERE + "test_the_ckan_configuration_parses"),
    Claim("manage.py export_deliverable", EXAMPLES + "test_export_deliverable_runs_as_written"),
    Claim("curl -H", EXAMPLES + "test_every_curl_example_runs_as_written"),
    Claim("curl -X POST", EXAMPLES + "test_every_curl_example_runs_as_written"),
    Claim(
        "docs/examples/pandas_figures.py",
        EXAMPLES + "test_the_pandas_example_keeps_decimals_exact_and_prints_what_the_readme_shows",
    ),
    Claim(
        "docs/examples/partner_sync.py",
        "tests/api/test_partner_sync_example.py::"
        "test_the_copy_follows_creations_changes_and_withdrawals",
    ),
)


def block_for(marker: str) -> Block:
    (block,) = [block for block in ALL_BLOCKS if marker in block.text]
    return block


def test_every_block_is_claimed_by_exactly_one_runner():
    problems = []
    for block in ALL_BLOCKS:
        claims = [claim.test for claim in CLAIMS if claim.claims(block)]
        if len(claims) != 1:
            problems.append(f"{block}: claimed by {claims or 'no test'}\n{block.text}")
    assert not problems, "\n".join(problems)
    assert len(ALL_BLOCKS) >= 16


def test_every_claim_names_a_block_and_a_test_that_exists():
    for claim in CLAIMS:
        assert any(claim.claims(block) for block in ALL_BLOCKS), f"no block holds {claim.marker!r}"
        path, name = claim.test.split("::")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert callable(getattr(module, name, None)), claim.test


# --- a throw-away database per test, copies of one migrated once ----------------------


@pytest.fixture(scope="module")
def databases(tmp_path_factory) -> Iterator[Databases]:
    folder = tmp_path_factory.mktemp("documented")
    scratch = Databases(folder, "", [])
    scratch.template = (
        scratch.postgres() if POSTGRES else f"sqlite:///{folder / 'template.sqlite3'}"
    )
    run(
        [PYTHON, "manage.py", "migrate", "-v", "0"],
        shell_env(DEBUG="1", DATABASE_URL=scratch.template),
    )
    yield scratch
    if POSTGRES:
        setup = smoke_setup()
        for url in scratch.made:
            setup.drop_database(url)


# --- Two commands --------------------------------------------------------------------------


def test_make_run_serves_the_demo_and_make_test_tests(databases, tmp_path):
    """``make run`` on a throw-away database and a free port (DATABASE_URL, PORT).

    ``make test`` is not run here: CI runs it itself, and the suite inside the suite would
    prove nothing more. Its target exists and runs pytest over ``tests/`` (pyproject's
    testpaths), after the same set-up as ``make run``."""
    run_line, test_line = block_for("make run    # create .venv").commands()
    port = free_port()
    env = shell_env(DATABASE_URL=databases.new(), PORT=str(port))
    log = tmp_path / "run.log"
    with served(run_line, env, log, port) as page:
        assert "SERN" in page("/").text
        assert "Trollhättan" in page("/cities/trollhattan/").text
    output = log.read_text()
    assert "data/sern.yaml: 1 programme created" in output
    assert "Demo accounts created: admin, coordinator-ravenna" in output
    assert f"http://127.0.0.1:{port}/" in output

    assert test_line.split("#")[0].strip() == "make test"
    planned = run(["make", "--dry-run", "test"], shell_env()).stdout.splitlines()
    # (A command line's PYTEST_ARGS reaches this make through MAKEFLAGS: only the start.)
    assert any(line.startswith(".venv/bin/python -m pytest") for line in planned), planned
    assert re.search(r"^test: setup$", (ROOT / "Makefile").read_text(), flags=re.M)
    assert 'testpaths = ["tests"]' in (ROOT / "pyproject.toml").read_text()


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL: DATABASE_URL is not postgres://")
def test_make_run_on_postgresql(databases, tmp_path):
    """The block of *PostgreSQL*, with the database URL of a throw-away database."""
    block = block_for("export DATABASE_URL=postgres://")
    url = re.search(r"DATABASE_URL=(\S+)", block.text)[1]
    script = block.text.replace(url, databases.new())
    port = free_port()
    with served(script, shell_env(PORT=str(port)), tmp_path / "run.log", port) as page:
        assert "SERN" in page("/").text
    assert (
        "data/letsgov.yaml: 1 programme created, 9 cities created"
        in (tmp_path / "run.log").read_text()
    )


# --- Loading data --------------------------------------------------------------------------


def test_load_demo_loads_what_it_says(databases):
    sern, letsgov = block_for("manage.py load_demo data/letsgov.yaml").commands()
    database = databases.new()
    env = shell_env(DATABASE_URL=database)
    first = run(sern, env).stdout.splitlines()
    assert re.fullmatch(
        r"(\S+/)?data/sern\.yaml: 1 programme created, 4 cities created, 1 consortium created, "
        r".*21 KPIs created, 84 measurements created, .*",
        first[0],
    ), first
    assert first[1].startswith("Demo accounts created: admin, ")
    second = run(letsgov, env).stdout.splitlines()
    assert re.fullmatch(
        r"data/letsgov\.yaml: 1 programme created, 9 cities created, "
        r"1 consortium created, 9 memberships created",
        second[0],
    ), second
    loaded = django_shell(
        "from cities.models import Consortium; "
        "print(*Consortium.objects.order_by('slug').values_list('slug', flat=True))",
        database,
    )
    assert loaded.split() == ["letsgov", "sern"]


# --- data/README.md ---------------------------------------------------------------------

DATA = ROOT / "data"


def test_a_framework_is_copied_as_written(databases):
    """The copy command as written, on a throw-away database (DATABASE_URL)."""
    (line,) = block_for("--copy-framework-from sern --into").commands()
    database = databases.new()
    output = run(line, shell_env(DATABASE_URL=database)).stdout.splitlines()
    assert output[0].startswith("data/sern.yaml: 1 programme created"), output
    assert output[1].startswith("data/letsgov.yaml: 1 programme created"), output
    assert any(line.startswith("sern → letsgov: ") for line in output), output
    copied = django_shell(
        "from kpis.models import KPI; from solutions.models import Solution; "
        "print(Solution.objects.filter(consortium__slug='letsgov').count(), "
        "KPI.objects.filter(solution__consortium__slug='letsgov').count(), "
        "KPI.objects.filter(solution__consortium__slug='sern').count())",
        database,
    ).split()
    assert copied[0] == "3" and copied[1] == copied[2], copied  # SERN's 3 solutions, its KPIs


def load_refusal(path: str) -> str:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError) as refused:
        call_command("load_demo", "--no-accounts", path, stdout=io.StringIO())
    return str(refused.value)


#: The edit of data/sern.yaml that makes each refusal the block shows, by its entry.
REFUSALS = {
    "KPI 1.1: unknown key": ('        target_value: "2"\n', '        traget_value: "2"\n'),
    "KPI 1.2: target_scope:": ("target_scope: country", "target_scope: region"),
    "solution 2: unknown city": ("lead_cities: [ravenna]", "lead_cities: [ravena]"),
    "activity 1.2: work_days_per_city:": ('work_days_per_city: "2.5"', "work_days_per_city: 2.5"),
}
REFUSAL = re.compile(r"^(?P<path>\S+), line (?P<line>\d+), column (?P<column>\d+): (?P<said>.+)$")


@pytest.mark.django_db
def test_the_loaders_refusals_read_as_data_readme_shows(tmp_path, monkeypatch):
    """Each line the block shows is what the loader says of that mistake in a copy of
    ``data/sern.yaml`` saved as ``data/ours.yaml``: the path, the column and the words (up
    to the block's "…"); the line numbers are those of the reader's own file."""
    shown = block_for("data/ours.yaml, line").commands()
    assert len(shown) == len(REFUSALS)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    for line in shown:
        documented = REFUSAL.fullmatch(line)
        (entry,) = [entry for entry in REFUSALS if documented["said"].startswith(entry)]
        old, new = REFUSALS[entry]
        text = (DATA / "sern.yaml").read_text(encoding="utf-8")
        assert old in text, old
        (tmp_path / "data" / "ours.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
        said = REFUSAL.fullmatch(load_refusal("data/ours.yaml"))
        assert (said["path"], said["column"]) == (documented["path"], documented["column"])
        words = said["said"].removesuffix(" — nothing was written.")
        if documented["said"].endswith("…"):
            assert words.startswith(documented["said"].removesuffix("…")), (line, words)
        else:
            assert words == documented["said"], (line, words)


def yaml_of(marker: str):
    import yaml

    return yaml.safe_load(block_for(marker).text)


@pytest.mark.django_db
def test_the_users_example_loads_with_its_roles(tmp_path):
    """The block as a file's ``users``: Let's GOv's framework with these users instead."""
    import yaml
    from django.contrib.auth import get_user_model

    from cities.models import CityCoordinator, SteeringCommitteeMember
    from notices.models import Profile

    document = yaml.safe_load((DATA / "letsgov-framework.yaml").read_text(encoding="utf-8"))
    document["users"] = yaml_of("username: coordinator-bologna")["users"]
    path = tmp_path / "letsgov-framework.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    from django.core.management import call_command

    call_command("load_demo", "--no-accounts", str(DATA / "letsgov.yaml"), stdout=io.StringIO())
    call_command("load_demo", "--no-accounts", str(path), stdout=io.StringIO())
    coordinator = get_user_model().objects.get(username="coordinator-bologna")
    assert coordinator.email == "coordinator-bologna@example.org"
    assert not coordinator.has_usable_password()  # a password is never in a file
    assert Profile.objects.get(user=coordinator).language == "it"
    assert sorted(
        CityCoordinator.objects.filter(user=coordinator).values_list("city__slug", flat=True)
    ) == ["bologna", "parma"]
    steering = SteeringCommitteeMember.objects.get(user__username="steering-letsgov")
    assert steering.consortium.slug == "letsgov" and steering.can_approve


def test_the_programme_words_example_is_letsgovs():
    """ "letsgov.yaml gives the EU Cities Mission's": the block is part of its programme."""
    import yaml

    shown = yaml_of("slug: eu-cities-mission")["programme"]
    programme = yaml.safe_load((DATA / "letsgov.yaml").read_text(encoding="utf-8"))["programme"]
    assert {key: programme[key] for key in shown} == shown


@pytest.mark.django_db
def test_a_kpis_words_load_per_language(tmp_path):
    """The block's words in place of SERN's KPI 1.1's: loaded per language, and English
    where a language is left out (the name's Swedish)."""
    from django.core.management import call_command
    from django.utils import translation

    from kpis.models import KPI

    (shown,) = yaml_of("name: {en: Number of involved")["kpis"]
    text = (DATA / "sern.yaml").read_text(encoding="utf-8")
    old = "        name: Number of involved departments\n        unit: departments\n"
    assert old in text
    new = "".join(
        f"        {key}: {{{', '.join(f'{lang}: {word}' for lang, word in shown[key].items())}}}\n"
        for key in ("name", "unit")
    )
    path = tmp_path / "sern.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    call_command("load_demo", "--no-accounts", str(path), stdout=io.StringIO())
    kpi = KPI.objects.get(code=shown["code"], solution__consortium__slug="sern")
    read = {}
    for language in ("en", "it", "sv"):
        with translation.override(language):
            read[language] = (kpi.name, kpi.unit)
    assert read == {
        "en": ("Number of involved departments", "departments"),
        "it": ("Numero di dipartimenti coinvolti", "dipartimenti"),
        "sv": ("Number of involved departments", "förvaltningar"),
    }


# --- Deploying -----------------------------------------------------------------------------


def test_the_cache_url_selects_redis():
    """The line as written, then the settings read: Django's Redis cache at that address
    (the portal's forgiving one). With a Redis answering there, a value is kept."""
    (line,) = block_for("export CACHE_URL=redis://").commands()
    address = re.search(r"CACHE_URL=(\S+)", line)[1]
    code = (
        "from django.conf import settings; from django.core.cache import cache; "
        "cache.set('documented', 'kept'); c = settings.CACHES['default']; "
        "print(c['BACKEND'], c['LOCATION'], cache.get('documented'))"
    )
    answer = run(
        f'{line}\n{PYTHON} manage.py shell -v 0 -c "{code}"', shell_env(DEBUG="1")
    ).stdout.split()
    assert answer[:2] == ["icc_portal.cache.ForgivingRedisCache", address]
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        assert answer[2] == "None"  # no Redis here: an empty cache, no failure
    else:
        assert answer[2] == "kept"


def test_make_serve_behind_a_tls_proxy(databases, tmp_path):
    """The block of *Deploying* with a new secret key (made by the README's own recipe) and
    a throw-away database; PORT, one worker and the static files' folder in the scratch
    folder. As the TLS proxy does, requests name icc.example.org and say HTTPS.

    The request log lines it writes read as the README's *Logs* block shows."""
    block = block_for("make serve          #")
    recipe = re.search(r"\(`(python3 -c [^`]+)` makes a secret key", readme())[1]
    secret = run(recipe, shell_env()).stdout.strip()
    assert len(secret) >= 50
    url = re.search(r"DATABASE_URL=(\S+)", block.text)[1]
    script = block.text.replace("'<50 random characters, generated once and kept>'", secret)
    script = script.replace(url, databases.new())
    port = free_port()
    env = shell_env(PORT=str(port), WEB_CONCURRENCY="1", STATIC_ROOT=str(tmp_path / "static"))
    log = tmp_path / "serve.log"
    proxy = {"Host": "icc.example.org", "X-Forwarded-Proto": "https"}
    with served(script, env, log, port, **proxy) as page:
        home = page("/")
        assert home.headers["strict-transport-security"] == "max-age=31536000"
        styles = re.findall(r'href="(/static/[^"]+\.css)"', home.text)
        assert styles and all(re.search(r"\.[0-9a-f]{12}\.css$", s) for s in styles)
        assert page(styles[0]).status == 200
        plain = page("/", **{"X-Forwarded-Proto": "http"})
        assert (plain.status, plain.headers["location"]) == (301, "https://icc.example.org/")
        assert page("/", Host="elsewhere.example.org").status == 400
    output = log.read_text()
    assert "deploy/serve: http://127.0.0.1:" in output and "with 1 workers" in output
    (shown,) = block_for("icc_portal.requests request_id=").text.splitlines()
    assert_logged_as_shown(shown, output)


def assert_logged_as_shown(shown: str, output: str) -> None:
    """The README's log line, its values generalised, matches the lines of ``output``."""
    pattern = re.escape(shown)
    for example, general in (
        (r"2026\-11\-28T09:12:01Z", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"),
        (r"5c0f8a…", r"[0-9a-f]{32}"),
        (r"/cities/ravenna/", r"(?P<path>\S+)"),
        (r"status=200", r"status=(?P<status>\d{3})"),
        (r"duration_ms=41", r"duration_ms=\d+"),
        (r"user=7", r"user=(\d+|-)"),
    ):
        assert example in pattern, (example, pattern)
        pattern = pattern.replace(example, general)
    lines = [re.fullmatch(pattern, line) for line in output.splitlines()]
    logged = {(line["path"], line["status"]) for line in lines if line}
    assert {("/", "200"), ("/", "301")} <= logged, output


def test_createsuperuser_asks_and_creates_the_admin(databases):
    """Interactive as written: answered at its prompts on a terminal (a pseudo-terminal),
    with the production environment of *Deploying* on a throw-away database."""
    (command,) = block_for("manage.py createsuperuser").commands()
    database = databases.new()
    password = secrets.token_urlsafe(16)
    answers = {
        "Username": "first-admin",
        "Email address": "admin@example.org",
        "Password (again)": password,
        "Password": password,
    }
    transcript = converse(command, production_env(database), answers)
    assert "Superuser created successfully." in transcript
    made = django_shell(
        "from django.contrib.auth import get_user_model; "
        "u = get_user_model().objects.get(username='first-admin'); "
        f"print(u.is_superuser, u.is_staff, u.email, u.check_password('{password}'))",
        database,
    )
    assert made.split() == ["True", "True", "admin@example.org", "True"]


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_cron_line_sends_the_waiting_notices(databases, tmp_path):
    """The crontab line's command, with the project folder for /srv/icc-portal and a
    settings.env in the scratch folder: production settings, a mail server that refuses
    (nothing listens on its port), and one notice waiting. It is tried, kept and counted."""
    (line,) = block_for("manage.py send_notices").text.splitlines()
    minute, hour, day, month, weekday, command = line.split(" ", 5)
    assert minute == "*/5" and {hour, day, month, weekday} == {"*"}
    database = databases.new()
    django_shell(
        "from django.contrib.auth import get_user_model; from notices.models import Notice; "
        "user = get_user_model().objects.create_user('coordinator', 'c@example.org'); "
        "Notice.objects.create(recipient=user, email=user.email, template='stage_submitted', "
        "subject='Submitted', text='Ravenna submitted its figures.')",
        database,
    )
    settings = production_env(database, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(free_port()))
    lines = [f"{name}={settings[name]}" for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")]
    lines += [f"EMAIL_HOST={settings['EMAIL_HOST']}", f"EMAIL_PORT={settings['EMAIL_PORT']}"]
    (tmp_path / "settings.env").write_text("\n".join(lines) + "\n")
    command = command.replace("cd /srv/icc-portal", f"cd {ROOT}")
    command = command.replace(". ./settings.env", f". {tmp_path / 'settings.env'}")
    result = run(command, shell_env())
    *logged, said = result.stdout.splitlines()
    assert said == "Sent 0 notice(s); 1 refused by the mail server this time; 1 waiting."
    assert re.fullmatch(
        r"\S+Z WARNING notices request_id=- notice not sent: template=stage_submitted "
        r"user=coordinator tries=1 error=ConnectionRefusedError: .*",
        *logged,
    )
    assert "tried again on the next run" in result.stderr


def test_the_daily_prune_commands_run_as_written(databases):
    """Not fenced: the commands of *Pruning the change feed* and *Pruning finished tasks*,
    with the production environment on a throw-away database."""
    text = " ".join(readme().split())
    database = databases.new()
    env = production_env(database)
    assert "Run `.venv/bin/python manage.py prune_changes` daily" in text
    changes = run(".venv/bin/python manage.py prune_changes", env).stdout
    assert changes == "Dropped 0 change-log rows older than 90 days.\n"
    assert "run `.venv/bin/python manage.py prune_db_task_results` daily" in text
    run(".venv/bin/python manage.py prune_db_task_results", env)


@pytest.mark.skipif(not POSTGRES, reason="pg_dump and pg_restore need PostgreSQL")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_backup_and_restore(databases, tmp_path):
    """The dump of a throw-away database with the demo data, restored into a new one: the
    user, host and names of the block replaced by the server's and throw-away ones, the
    dump's date by today's."""
    dump, create, restore = block_for("pg_dump --format=custom").commands()
    database = databases.new()
    run(f"{PYTHON} manage.py load_demo --no-accounts", shell_env(DEBUG="1", DATABASE_URL=database))
    server = urlsplit(database)
    env = shell_env(DATABASE_URL=database, PGPASSWORD=server.password or "")
    run(dump, env, cwd=tmp_path)
    (made,) = tmp_path.glob("icc-*.dump")
    restored = databases.postgres()
    restored_name = restored.rsplit("/", 1)[1]
    setup = smoke_setup()
    setup.drop_database(restored)  # createdb makes it, as the block does
    create = create.replace("-h 127.0.0.1", f"-h {server.hostname} -p {server.port or 5432}")
    create = create.replace("-U icc", f"-U {server.username}").replace(
        "icc_restored", restored_name
    )
    run(create, env)
    target = re.search(r"--dbname=(\S+)", restore)[1]
    restore = restore.replace(target, restored).replace("icc-2026-11-28.dump", made.name)
    run(restore, env, cwd=tmp_path)
    count = "from kpis.models import Measurement; print(Measurement.objects.count())"
    assert django_shell(count, restored).strip() == django_shell(count, database).strip() == "84"


# --- blocks that are not commands ---------------------------------------------------------


def test_the_layout_names_existing_folders():
    block = block_for("icc_portal/  settings")
    folders = re.findall(r"^(\S+)/ ", block.text, flags=re.M)
    assert len(folders) >= 10
    assert [folder for folder in folders if not (ROOT / folder).is_dir()] == []


def test_the_ckan_configuration_parses():
    """CKAN's configuration (another program's, for docs/open-data.md): not run here, but
    it must read as the ini file it goes into."""
    parser = configparser.ConfigParser()
    parser.read_string("[app:main]\n" + block_for("ckanext.dcat.rdf.profiles").text)
    assert parser["app:main"]["ckanext.dcat.rdf.profiles"] == "euro_dcat_ap_3"
    assert {"harvest", "dcat", "dcat_rdf_harvester"} <= set(
        parser["app:main"]["ckan.plugins"].split()
    )
