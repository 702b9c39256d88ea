# ICC Portal — the two commands that matter: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
RUNTIME_STAMP := $(VENV)/.runtime-$(shell cksum < pyproject.toml | cut -d' ' -f1)
DEMO_FILES := data/sern.yaml data/letsgov.yaml data/sern-2023.yaml
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run serve smoke test lint format migrations-check check-deploy bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-* $(VENV)/.runtime-*
	touch $(STAMP) $(RUNTIME_STAMP)

# The runtime dependencies only (no test tools): what `make serve` needs.
$(RUNTIME_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(VENV)/.runtime-*
	touch $(RUNTIME_STAMP)

setup: $(STAMP)

# DEBUG=1 runs background tasks (a large consortium's documents) within the request
# (TASKS_IMMEDIATE defaults to DEBUG), so no task worker is needed here.
run: setup
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py load_demo $(DEMO_FILES)
	DEBUG=1 WEB_CONCURRENCY=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production: DEBUG off, settings from the environment (SECRET_KEY and ALLOWED_HOSTS at
# least), migrate, collectstatic, gunicorn on $(HOST):$(PORT) (deploy/serve). The check
# comes first, so a missing SECRET_KEY is said before anything is installed.
serve:
	@HOST=$(HOST) PORT=$(PORT) deploy/serve --check-environment
	@$(MAKE) --no-print-directory $(RUNTIME_STAMP)
	HOST=$(HOST) PORT=$(PORT) exec deploy/serve

# What `make serve` serves, on a throw-away database with the demo data, fetched page by
# page as anonymous, coordinator and steering member (.ci/smoke).
smoke: setup
	.ci/smoke

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# makemessages must leave no diff: every wrapped string is in the it/sv catalogues already.
.PHONY: messages-check
messages-check: setup
	$(BIN)/python .ci/messages_check.py

migrations-check: setup
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# Production-like settings from the environment: must report nothing.
check-deploy: setup
	SECRET_KEY="$$(openssl rand -hex 40 2>/dev/null || $(BIN)/python -c 'import secrets; print(secrets.token_hex(40))')" \
	DEBUG=0 ALLOWED_HOSTS=icc.example.org SECURE_SSL_REDIRECT=1 SECURE_HSTS_SECONDS=31536000 \
	SECURE_HSTS_INCLUDE_SUBDOMAINS=1 SECURE_HSTS_PRELOAD=1 \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Median server time and query count of every dashboard page at benchmark size (200
# cities, 5 solutions x 20 KPIs), against a bare-table floor; the deliverable and the
# maturity tables at 20 and 200 cities: time, CPU, memory, queries (bench/documents.py,
# BENCH_DOCUMENTS_ARGS=--no-pdf to skip the PDFs, minutes at 200 cities); then the pages and API lists
# over HTTP (gunicorn, 2 workers, wrk -t2 -c16) beside a bare view and bare template
# tables served by the same processes: bench/results.json. The HTTP part needs wrk, the
# Debian package (apt-get install wrk); without it, it says so and stops. Between the two,
# hostile uploads (bench/upload_bench.py): a far-row XLSX, 50,000-row XLSX and CSV, each
# refused within 1 s and 50 MB of memory growth.
bench: setup
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/upload_bench.py $(BENCH_UPLOAD_ARGS)
	$(BIN)/python bench/documents.py $(BENCH_DOCUMENTS_ARGS)
	$(BIN)/python bench/http_bench.py $(BENCH_HTTP_ARGS)

# The REST API: its OpenAPI schema must generate without a warning; schemathesis fuzzes
# the running app against it (a few minutes, on a throw-away database: .ci/fuzz-api);
# bench-api measures the API lists at benchmark size against a trivial DRF endpoint with
# locust (make bench measures them with wrk, beside the pages).
.PHONY: schema-check fuzz bench-api
schema-check: setup
	DEBUG=1 $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

fuzz: setup
	.ci/fuzz-api $(FUZZ_ARGS)

bench-api: setup
	$(BIN)/python bench/api_bench.py $(BENCH_API_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# Mutation score of the rule modules (progress, entry rules, access, review), the change
# log, the versioned pages, the stored API answers, the feed, the spreadsheet reader and
# the bulk writes: mutmut, one module at a time against the tests that cover it; table in
# mutation-score.txt. Slow (hours on one core for all of them), so not part of .ci/run.
# MUTATION_ARGS="--only access" (or --only "versioned pages", …).
.PHONY: mutation
mutation: setup
	$(BIN)/python .ci/mutation.py $(MUTATION_ARGS)

# Every single change to a figure, text, status or KPI rule of data/sern.yaml must make the
# seed tests fail (tests/kpis/test_seed_mutations.py; a few minutes, not in .ci/run).
.PHONY: seed-mutations
seed-mutations: setup
	ICC_SEED_MUTATIONS=1 $(BIN)/python -m pytest tests/kpis/test_seed_mutations.py -q --no-migrations

# Every page, export and the progress API of many random consortia (Hypothesis' "fuzz"
# profile: HYPOTHESIS_EXAMPLES, 200 by default, PDFs included, failures shrunk and kept in
# .hypothesis/): tests/test_any_consortium_properties.py, which `make test` runs with a
# few fixed examples. Tens of minutes; not part of .ci/run.
.PHONY: fuzz-consortia
fuzz-consortia: setup
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_any_consortium_properties.py -q $(PYTEST_ARGS)
