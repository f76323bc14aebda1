# Everyday commands. `make run` serves the SQLite default; `make test` runs the suite (on
# $DATABASE_URL when it is set) but for the live suites, which `make test-long` runs.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV := DJANGO_DEBUG=1 DJANGO_SECURE_SSL=0
# The import worker: the database queue's, or RQ's when REDIS_URL is set (see README).
WORKER := $(if $(REDIS_URL),rqworker default,db_worker --no-reload)

.PHONY: venv run test test-long manage lint format bench bench-cluster cluster cluster-down clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

# The worker runs beside the server, so an upload in development completes, and stops with it.
PORT ?= 8000
run: venv
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py ensuredemo --base-url http://127.0.0.1:$(PORT)
	$(DEV) $(PY) manage.py $(WORKER) & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# `make test`: everything but the live suites, whose real gunicorn servers and workers take minutes
# (the browser tests, races between concurrent requests, outages, killed workers, fuzzing, the
# cluster). `make test-long` runs exactly the rest.
QUICK := not long and not live
test: venv
	$(PY) -m pytest -m "$(QUICK)" $(PYTEST_ARGS)

test-long: venv
	@command -v chromium >/dev/null 2>&1 || echo "*** Chromium is not installed: the browser tests will be SKIPPED (apt-get install chromium) ***"
	$(PY) -m pytest -m "not ($(QUICK))" $(PYTEST_ARGS)

# Any management command on the development settings, e.g. make manage ARGS="createapikey alice --create-user"
# The command line itself isn't echoed, so a command that prints JSON prints only JSON.
manage: venv
	@$(DEV) $(PY) manage.py $(ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# The benchmark (PostgreSQL on 127.0.0.1 and Redis required): SCALE=small (< 2 min) or full.
SCALE ?= small
# Then a burst of trade writes with and without a webhook endpoint subscribed (10,000 at full scale), and
# the overview of a trader of 120,000 trades on the SQLite default (bench/results/, seeded once).
bench: venv
	$(PY) bench/run.py --scale $(SCALE)
	$(PY) bench/webhooks_bench.py --writes $(if $(filter full,$(SCALE)),10000,2000)
	$(PY) bench/sqlite_overview.py

# The scaled-out topology on loopback (README, "The cluster"): installs Debian's patroni, etcd-server,
# pgbouncer and haproxy if missing, starts everything, writes var/cluster/cluster.json. Idempotent.
cluster: venv
	$(PY) cluster/cluster.py up

cluster-down:
	$(PY) cluster/cluster.py down

# The cluster's own benchmark (its own cluster on other ports, stopped afterwards): bench/SCALING.md.
bench-cluster: venv
	$(PY) bench/cluster_run.py

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm .pytest_cache
