# PUSH – the two commands of the README, and their parts.
#   make run    set up everything, load the demo data, start the server
#   make test   set up everything, run the whole test suite (SQLite)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HOST   ?= 0.0.0.0
PORT   ?= 8000
# Links in e-mails and the URL printed at start follow the port actually used.
export WAGTAILADMIN_BASE_URL ?= http://localhost:$(PORT)

.PHONY: run test install migrate demo test-postgres clean serve

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else "PUSH needs Python 3.11 or newer")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput -v 0

demo: migrate
	$(PY) manage.py load_demo_data

run: demo
	@echo ""
	@echo "PUSH is starting at http://localhost:$(PORT)/  (reserved area: http://localhost:$(PORT)/admin/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# As production runs it (README, "Running as in production"): production settings, PostgreSQL
# and Redis from DATABASE_URL/REDIS_URL, migrate, collectstatic, then gunicorn (WEB_CONCURRENCY
# or 2 x CPU + 1 workers, on HOST:PORT) and the background-task worker; Ctrl-C stops both.
serve: install
	HOST=$(HOST) PORT=$(PORT) PY=$(PY) scripts/serve.sh

# --reuse-db keeps the migrated test database in var/ between runs; new migrations are
# still applied. Use `make test PYTEST_ARGS=--create-db` to rebuild it from scratch.
# Workers: one pytest-xdist worker per core from 2 cores up (each keeps a migrated database
# of its own, var/test-push.sqlite3_gwN); one process on a single core. Measured on 2 cores,
# whole suite: 116 s with 2 workers against 222 s in one process (README, "Test it").
# A few files run faster in one process: `make test TEST_WORKERS=0 PYTEST_ARGS=tests/...`.
CORES        := $(shell nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 1)
TEST_WORKERS ?= $(shell [ $(CORES) -ge 2 ] && echo auto || echo 0)
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) --reuse-db $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/push} $(PY) -m pytest --create-db $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var/test-*.sqlite3
