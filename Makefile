# 招商引资 CRM — developer commands. `make run` and `make test` work on a fresh clone.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
STAMP := $(VENV)/.installed

.PHONY: run serve test test-fast lint format venv migrate demo bench bench-import bench-pages bench-report bench-workbook bench-seed bench-sizes test-browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

.dev-secret-key:
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > .dev-secret-key

migrate: venv
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput

## Reference + demo data into an empty database only; a database in use is left as it is.
demo: migrate
	DJANGO_DEBUG=1 $(BIN)/python manage.py bootstrap

## Set everything up and serve the app on SQLite with demo data: the web server and the
## background worker (imports) together; Ctrl-C stops both.
run: demo .dev-secret-key
	DJANGO_DEBUG=1 DJANGO_SECRET_KEY="$$(cat .dev-secret-key)" $(BIN)/python -m crm.launcher \
		web="$(BIN)/python manage.py runserver $(HOST)" \
		worker="$(BIN)/python manage.py db_worker"

## Production on this machine: collect static files, migrate, then gunicorn (2 × cores + 1
## workers unless GUNICORN_WORKERS is set) and the task worker; configuration from the
## environment (docs/deploy.md). Ctrl-C or SIGTERM stops both.
serve: venv
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python -m crm.launcher \
		web="$(BIN)/gunicorn -c crm/gunicorn.conf.py crm.wsgi" \
		worker="$(BIN)/python manage.py db_worker --no-reload"

## The whole test suite: lint, migrations check, unit, page and browser tests.
test: venv
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

test-fast: venv
	$(BIN)/python -m pytest -m "not browser" -x -q

## Browser tests only (Debian's Chromium at /usr/bin/chromium); screenshots in test-artifacts/.
test-browser: venv
	$(BIN)/python -m pytest -m browser -q

## Staff page timings on 100,000 seeded leads (see docs/benchmarks.md).
bench-pages: venv
	$(BIN)/python bench/pages.py --runs 20

lint: venv
	$(BIN)/ruff check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Excel import/export of 100,000 leads against stock django-import-export and the floor.
bench-import: venv
	$(BIN)/python bench/import_export.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm .pytest_cache .ruff_cache test-artifacts

## Monthly report timings on 100,000 seeded leads (see docs/benchmarks.md).
bench-report: venv
	$(BIN)/python bench/report.py

## The report workbook on a seeded database (make bench-seed first; the same DATABASE_URL).
bench-workbook: venv
	$(BIN)/python bench/workbook.py

## Seed a benchmark database (DATABASE_URL, default bench/out/seed.sqlite3): LEADS=1000000.
LEADS ?= 100000
bench-seed: venv
	$(BIN)/python bench/seed.py --leads $(LEADS)

## The pages and report at 10,000, 100,000 and 1,000,000 leads on SQLite (docs/benchmarks.md).
bench-sizes: venv
	bench/sizes.sh sqlite 10000 100000 1000000
