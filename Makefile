# Everyday commands. `make run` serves the SQLite default; `make test` runs the whole suite
# (on $DATABASE_URL when it is set).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV := DJANGO_DEBUG=1 DJANGO_SECURE_SSL=0
# The import worker: the database queue's, or RQ's when REDIS_URL is set (see README).
WORKER := $(if $(REDIS_URL),rqworker default,db_worker --no-reload)

.PHONY: venv run test manage lint format bench clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

# The worker runs beside the server, so an upload in development completes, and stops with it.
run: venv
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py ensuredemo
	$(DEV) $(PY) manage.py $(WORKER) & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(PY) manage.py runserver 127.0.0.1:8000

test: venv
	@command -v chromium >/dev/null 2>&1 || echo "*** Chromium is not installed: the browser tests will be SKIPPED (apt-get install chromium) ***"
	$(PY) -m pytest $(PYTEST_ARGS)

# Any management command on the development settings, e.g. make manage ARGS="createapikey alice --create-user"
manage: venv
	$(DEV) $(PY) manage.py $(ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The benchmark (PostgreSQL on 127.0.0.1 and Redis required): SCALE=small (< 2 min) or full.
SCALE ?= small
bench: venv
	$(PY) bench/run.py --scale $(SCALE)

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm .pytest_cache
